// Package mail sends BinaKerja's e-mail over SMTP, configured by one URL
// (BINAKERJA_SMTP_URL):
//
//	smtp://[user:password@]host[:587]?from=binakerja@example.go.id   STARTTLS, required
//	smtps://[user:password@]host[:465]?from=…                         TLS from the start
//	smtp+insecure://host[:25]?from=…                                  no TLS: a relay on a closed network
//
// A user and password are sent with SASL PLAIN, and only over TLS (or to a
// relay on loopback).
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"binakerja/internal/app"
)

// Sender sends over one SMTP server.
type Sender struct {
	addr     string
	implicit bool // TLS from the start
	startTLS bool // STARTTLS required
	user     string
	password string
	from     string
	hostname string // the domain of Message-IDs
	timeout  time.Duration
}

// Parse reads an SMTP URL.
func Parse(raw string) (*Sender, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: %w", err)
	}
	s := &Sender{timeout: 30 * time.Second}
	port := ""
	switch u.Scheme {
	case "smtp":
		s.startTLS, port = true, "587"
	case "smtps":
		s.implicit, port = true, "465"
	case "smtp+insecure":
		port = "25"
	default:
		return nil, errors.New("SMTP URL: the scheme must be smtp, smtps or smtp+insecure")
	}
	if u.Hostname() == "" {
		return nil, errors.New("SMTP URL: no host")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	s.addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
		if !s.startTLS && !s.implicit && !isLoopback(u.Hostname()) {
			return nil, errors.New("SMTP URL: a password is sent only over TLS (smtp:// or smtps://) or to loopback")
		}
	}
	from, err := mail.ParseAddress(u.Query().Get("from"))
	if err != nil {
		return nil, errors.New("SMTP URL: from= must be the sender's address")
	}
	s.from = from.Address
	s.hostname = s.from[strings.LastIndexByte(s.from, '@')+1:]
	return s, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send sends one message. Its Message-ID is made from the outbox's id, so
// that a message sent again after a lost acknowledgement is known for the
// same one by the receiving side.
func (s *Sender) Send(ctx context.Context, m app.Message) error {
	d := net.Dialer{Timeout: s.timeout}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(2 * s.timeout)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return errors.Join(err, conn.Close())
	}
	host, _, _ := net.SplitHostPort(s.addr)
	var c *smtp.Client
	switch {
	case s.implicit:
		c = smtp.NewClient(tls.Client(conn, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}))
	case s.startTLS:
		if c, err = smtp.NewClientStartTLS(conn, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return errors.Join(err, conn.Close())
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if s.user != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.user, s.password)); err != nil {
			return err
		}
	}
	if err := c.SendMail(s.from, []string{m.To}, bytes.NewReader(s.compose(m))); err != nil {
		return err
	}
	return c.Quit()
}

// compose writes the message: plain text in UTF-8, quoted-printable.
func (s *Sender) compose(m app.Message) []byte {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", (&mail.Address{Name: "BinaKerja", Address: s.from}).String())
	h("To", (&mail.Address{Address: m.To}).String())
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", time.Now().UTC().Format(time.RFC1123Z))
	h("Message-ID", fmt.Sprintf("<outbox-%d@%s>", m.ID, s.hostname))
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	w := quotedprintable.NewWriter(&b)
	// Writing to a bytes.Buffer does not fail.
	_, _ = w.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n")))
	_ = w.Close()
	return b.Bytes()
}
