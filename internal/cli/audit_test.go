package cli_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"binakerja/internal/pgtest"
)

// TestBackupCheckpointCatchesACutTrail: the backup writes a signed checkpoint
// beside it, verify compares with it and moves it on; a trail cut short with
// its head set back, which the chain alone cannot show, is then caught.
func TestBackupCheckpointCatchesACutTrail(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := newEnv(t, dsn)
		if r := run(t, env, "", "migrate"); r.code != 0 {
			t.Fatal(r.stderr)
		}
		if r := run(t, env, "", "audit", "verify"); r.code != 1 || !strings.Contains(r.stderr, "key file") {
			t.Fatalf("verify without a key file: %d %q", r.code, r.stderr)
		}
		for _, e := range []string{"a@example.id", "b@example.id", "c@example.id"} {
			if r := run(t, env, "", "user", "create", "--email", e, "--name", "N", "--role", "admin"); r.code != 0 {
				t.Fatal(r.stderr)
			}
		}
		dest := filepath.Join(t.TempDir(), "backup")
		r := run(t, env, "", "backup", dest)
		if r.code != 0 || !strings.Contains(r.stdout, "audit checkpoint (entry 3 of") {
			t.Fatalf("backup: %d %q %q", r.code, r.stdout, r.stderr)
		}
		cp := dest + ".checkpoint"
		if _, err := os.Stat(cp); err != nil {
			t.Fatal(err)
		}
		r = run(t, env, "", "audit", "verify", "--checkpoint", cp)
		if r.code != 0 || !strings.Contains(r.stdout, "intact: 3 entries") || !strings.Contains(r.stdout, "unchanged") {
			t.Fatalf("verify against the backup's checkpoint: %d %q %q", r.code, r.stdout, r.stderr)
		}
		mine := filepath.Join(t.TempDir(), "trail.checkpoint")
		if r := run(t, env, "", "audit", "verify", "--checkpoint", mine); r.code != 0 || !strings.Contains(r.stdout, "writing the first") {
			t.Fatalf("first checkpoint: %d %q %q", r.code, r.stdout, r.stderr)
		}

		driver, src := "sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")
		pre := []string{`DROP TRIGGER audit_events_no_delete`}
		if !strings.HasPrefix(dsn, "sqlite:") {
			driver, src = "pgx", dsn
			pre = []string{`ALTER TABLE audit_events DISABLE TRIGGER USER`}
		}
		raw, err := sql.Open(driver, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range append(pre, `DELETE FROM audit_events WHERE seq = 3`,
			`UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_events WHERE seq = 2)`) {
			if _, err := raw.Exec(s); err != nil {
				t.Fatal(s, err)
			}
		}
		raw.Close()
		if r := run(t, env, "", "audit", "verify"); r.code != 0 {
			t.Fatalf("the cut chain is whole in itself: %d %q", r.code, r.stderr)
		}
		for _, f := range []string{cp, mine} {
			r := run(t, env, "", "audit", "verify", "--checkpoint", f)
			if r.code != 1 || !strings.Contains(r.stderr, "entry 3") || !strings.Contains(r.stderr, "entries were removed") {
				t.Fatalf("verify against %s after the cut: %d %q", f, r.code, r.stderr)
			}
		}
		b, _ := os.ReadFile(mine)
		os.WriteFile(mine, []byte(strings.Replace(string(b), `"seq": 3`, `"seq": 2`, 1)), 0o600)
		if r := run(t, env, "", "audit", "verify", "--checkpoint", mine); r.code != 1 || !strings.Contains(r.stderr, "signature") {
			t.Fatalf("a changed checkpoint: %d %q", r.code, r.stderr)
		}
	})
}
