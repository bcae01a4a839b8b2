package cli_test

import (
	"strings"
	"testing"

	"binakerja/internal/app"
	"binakerja/internal/keys"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
	"binakerja/internal/totp"
)

// TestResetTwoStepFromTheCommandLine: user reset-2fa clears a user's TOTP
// secret, ends their sessions and is recorded; it refuses an unknown email
// and wants --email.
func TestResetTwoStepFromTheCommandLine(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := newEnv(t, dsn)
		run(t, env, "", "migrate")
		if r := run(t, env, "", "user", "create", "--email", "root@example.id", "--name", "Root", "--role", "admin"); r.code != 0 {
			t.Fatal(r.stderr)
		}
		db, err := store.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ring, err := keys.Load(env["BINAKERJA_KEY_FILE"])
		if err != nil {
			t.Fatal(err)
		}
		a, err := app.New(db, ring, nil, app.DefaultSettings)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.EnrolTOTPSecret(t.Context(), app.CLIActor("test"), "root@example.id", totp.NewSecret()); err != nil {
			t.Fatal(err)
		}
		u, _ := db.UserByEmail(t.Context(), "root@example.id")
		if st, _ := db.TOTP(t.Context(), u.ID); st.Sealed == nil {
			t.Fatal("no secret to reset")
		}

		if r := run(t, env, "", "user", "reset-2fa"); r.code != 2 {
			t.Fatalf("without --email: %d", r.code)
		}
		if r := run(t, env, "", "user", "reset-2fa", "--email", "nobody@example.id"); r.code != 1 {
			t.Fatalf("an unknown email: %d", r.code)
		}
		r := run(t, env, "", "user", "reset-2fa", "--email", "ROOT@example.id")
		if r.code != 0 || !strings.Contains(r.stdout, "cleared the two-step verification of root@example.id") ||
			!strings.Contains(r.stdout, "next sign-in") {
			t.Fatalf("reset-2fa: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if st, _ := db.TOTP(t.Context(), u.ID); st.Sealed != nil {
			t.Fatal("the secret is still there")
		}
		evs, _, err := db.AuditEvents(t.Context(), store.AuditFilter{Action: "auth.totp.reset"})
		if err != nil || len(evs) != 1 || !strings.HasPrefix(evs[0].Actor, "cli:") {
			t.Fatalf("the reset recorded: %+v %v", evs, err)
		}
	})
}
