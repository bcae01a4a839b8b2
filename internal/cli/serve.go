package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"binakerja/internal/app"
	"binakerja/internal/config"
	"binakerja/internal/demo"
	"binakerja/internal/importer"
	"binakerja/internal/mail"
	"binakerja/internal/server"
	"binakerja/internal/totp"
)

func runServe(ctx context.Context, args []string, env Env) error {
	cfg := config.Load(env.Getenv)
	fs := flags("serve", env)
	cfg.ServeFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := logger(cfg, env.Stderr)
	a, closeDB, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	return serve(ctx, a, cfg, env, func(url string) {
		fmt.Fprintf(env.Stdout, "BinaKerja serving at %s\n", url)
	})
}

// serve runs the server until ctx ends, announcing the URL once it listens.
func serve(ctx context.Context, a *app.App, cfg config.Config, env Env, announce func(url string)) error {
	srv, err := server.New(a, logger(cfg, env.Stderr), cfg.Secure())
	if err != nil {
		return err
	}
	var sender *mail.Sender
	if cfg.SMTPURL != "" {
		if sender, err = mail.Parse(cfg.SMTPURL); err != nil {
			return err
		}
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go notifications(ctx, a, sender, logger(cfg, env.Stderr))
	// What imports killed midway left: XLSX reads' directories and uploads
	// spooled (encrypted, their keys gone with their process); and the
	// cleartext spools of earlier versions.
	if err := importer.SweepTemp(); err != nil {
		logger(cfg, env.Stderr).Warn("sweep the import's temporary files", "err", err)
	}
	if err := importer.SweepLegacyUploads(); err != nil {
		logger(cfg, env.Stderr).Warn("sweep the uploads earlier versions left", "err", err)
	}
	return srv.Run(ctx, cfg.Addr, func(addr net.Addr) {
		url := cfg.PublicURL()
		if cfg.BaseURL == "" {
			url = "http://" + addr.String()
		}
		announce(url)
		if env.Ready != nil {
			env.Ready(url)
		}
	})
}

// The notifications' rhythm: reminders swept every quarter of an hour, the
// outbox looked at every half minute.
const (
	sweepEvery   = 15 * time.Minute
	deliverEvery = 30 * time.Second
)

// notifications sweeps the reminders that time brings and, with a sender,
// delivers the outbox, until ctx ends. Several servers on one database may
// do the same at once: a reminder is written once, and a message is sent by
// the one server holding its lease.
func notifications(ctx context.Context, a *app.App, sender *mail.Sender, log *slog.Logger) {
	host, _ := os.Hostname()
	owner := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), rand.Text()[:8])
	sweep, deliver := time.NewTicker(sweepEvery), time.NewTicker(deliverEvery)
	defer sweep.Stop()
	defer deliver.Stop()
	doSweep := func() {
		if rep, err := a.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Error("sweep the reminders", "err", err)
		} else if err == nil {
			log.Debug("reminders swept", "report", rep)
		}
	}
	doDeliver := func() {
		if sender == nil {
			return
		}
		for {
			sent, failed, err := a.DeliverMail(ctx, sender, owner)
			if err != nil && ctx.Err() == nil {
				log.Error("deliver the outbox", "err", err)
			}
			if err != nil || sent+failed == 0 {
				return
			}
		}
	}
	doSweep()
	doDeliver()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sweep.C:
			doSweep()
		case <-deliver.C:
			doDeliver()
		}
	}
}

func runDemo(ctx context.Context, args []string, env Env) error {
	cfg := config.Load(env.Getenv)
	fs := flags("demo", env)
	cfg.ServeFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.Demo = true
	a, closeDB, err := openMigrated(ctx, cfg, logger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer closeDB()
	seeded, err := demo.Seed(ctx, a)
	if err != nil {
		return fmt.Errorf("seed the demo world: %w", err)
	}
	var emails []string
	for _, l := range demo.Logins {
		emails = append(emails, l.Email)
	}
	secret, err := a.EnrolDemoTOTP(ctx, app.CLIActor(osUser(env)), emails...)
	if err != nil {
		return fmt.Errorf("set up the demo logins' two-step sign-in: %w", err)
	}
	return serve(ctx, a, cfg, env, func(url string) {
		w := env.Stdout
		state := "reused"
		if seeded {
			state = "created"
		}
		fmt.Fprintf(w, "BinaKerja demo (%s %s) — open %s\n\n", state, strings.TrimPrefix(cfg.DB, "sqlite:"), url)
		fmt.Fprintf(w, "Demo logins (password for all: %s):\n", demo.Password)
		for _, l := range demo.Logins {
			org := "system-wide"
			if l.Org != "" {
				org = l.Org
			}
			fmt.Fprintf(w, "  %-18s %-32s %s\n", l.Role, l.Email, org)
		}
		fmt.Fprintf(w, "\nTwo-step sign-in: after the password, every login but the employer's asks for a\n"+
			"code from an authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP,\n"+
			"Aegis …). The demo logins share one key, public like their password; add it once:\n  %s\n",
			totp.Groups(secret))
		if q, err := qrcode.New(totp.URI("BinaKerja", "demo", secret), qrcode.Low); err == nil {
			fmt.Fprintf(w, "or scan:\n%s", q.ToSmallString(false))
		}
		fmt.Fprintln(w, "\nPress Ctrl+C to stop.")
	})
}
