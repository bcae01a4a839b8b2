package mail_test

import (
	"mime"
	"strings"
	"testing"

	"binakerja/internal/app"
	"binakerja/internal/mail"
	"binakerja/internal/mail/mailtest"
)

func TestParseRefusesWhatWouldNotWork(t *testing.T) {
	for raw, want := range map[string]string{
		"http://mail.example.go.id?from=a@example.go.id":           "scheme",
		"smtp://?from=a@example.go.id":                             "no host",
		"smtp://mail.example.go.id":                                "from=",
		"smtp://mail.example.go.id?from=not-an-address":            "from=",
		"smtp+insecure://u:p@mail.example.go.id?from=a@example.id": "only over TLS",
	} {
		if _, err := mail.Parse(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error saying %q", raw, err, want)
		}
	}
	for _, raw := range []string{"smtp://u:p@mail.example.go.id?from=a@example.go.id", "smtps://mail.example.go.id?from=a@example.go.id",
		"smtp+insecure://127.0.0.1:2525?from=a@example.go.id", "smtp+insecure://u:p@localhost?from=a@example.go.id"} {
		if _, err := mail.Parse(raw); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

// A message reaches a real SMTP server with its headers, its Indonesian
// text intact, and a Message-ID made from the outbox's id.
func TestSendDeliversToARealServer(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := mail.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	m := app.Message{ID: 42, To: "petugas@example.go.id", Subject: "BinaKerja: Tindak lanjut terlambat — ×2",
		Body: "Yth. Bapak/Ibu,\n\nAda pemberitahuan baru.\nBuka: http://binakerja.test/notices"}
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	g := got[0]
	subject, _ := new(mime.WordDecoder).DecodeHeader(g.Header.Get("Subject"))
	if g.To != m.To || g.From != "binakerja@example.go.id" || subject != m.Subject ||
		g.Header.Get("Message-ID") != "<outbox-42@example.go.id>" || strings.TrimSpace(g.Body) != m.Body {
		t.Fatalf("received %+v (subject %q)", g, subject)
	}
	srv.Refuse(1)
	if err := s.Send(t.Context(), m); err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("a refusal: %v", err)
	}
}
