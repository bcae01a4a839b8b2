package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/cli"
	"binakerja/internal/keys"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

type result struct {
	code           int
	stdout, stderr string
}

// run runs the command line in-process with the given environment.
func run(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(t.Context(), args, cli.Env{Getenv: func(k string) string { return env[k] },
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return result{code, out.String(), errOut.String()}
}

func newEnv(t *testing.T, dsn string) map[string]string {
	return map[string]string{"BINAKERJA_DB": dsn, "BINAKERJA_KEY_FILE": filepath.Join(t.TempDir(), "k.keys")}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	env := newEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	for _, args := range [][]string{{}, {"frobnicate"}, {"user"}, {"user", "create", "--email", "a@b.id"},
		{"migrate", "sideways"}, {"backup"}, {"serve", "--no-such-flag"}, {"token", "create"}} {
		if r := run(t, env, "", args...); r.code != 2 || !strings.Contains(r.stderr, "Usage: binakerja") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	if r := run(t, env, "", "gen", "-h"); r.code != 0 || !strings.Contains(r.stderr, "Usage: binakerja gen [flags]") ||
		!strings.Contains(r.stderr, "-scale") {
		t.Errorf("gen -h: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := run(t, env, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "binakerja ") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
}

func TestFirstUserTokenBackupAndAuditOnBothEngines(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := newEnv(t, dsn)
		r := run(t, env, "", "serve", "--addr", "127.0.0.1:0")
		if r.code != 1 || !strings.Contains(r.stderr, "binakerja migrate up") || strings.Count(r.stderr, "\n") != 1 {
			t.Fatalf("serve on an unmigrated database: exit %d, %q", r.code, r.stderr)
		}
		if r := run(t, env, "", "migrate", "status"); r.code != 0 || !strings.Contains(r.stdout, "0001_foundation") || !strings.Contains(r.stdout, "pending") {
			t.Fatalf("migrate status: %d %q", r.code, r.stdout)
		}
		if r := run(t, env, "", "migrate", "up"); r.code != 0 || !strings.Contains(r.stdout, "applied 0001_foundation") {
			t.Fatalf("migrate up: %d %q %q", r.code, r.stdout, r.stderr)
		}
		r = run(t, env, "", "user", "create", "--email", "Root@Example.id", "--name", "Root", "--role", "admin")
		if r.code != 0 || !regexp.MustCompile(`one-time password: \S{20}\n`).MatchString(r.stdout) {
			t.Fatalf("first admin: %d %q %q", r.code, r.stdout, r.stderr)
		}
		r = run(t, env, "", "user", "create", "--email", "root@example.id", "--name", "Again", "--role", "admin")
		if r.code != 1 || !strings.Contains(r.stderr, "email") {
			t.Fatalf("duplicate email: %d %q", r.code, r.stderr)
		}
		r = run(t, env, "kata sandi yang panjang\n", "user", "create", "--email", "off@example.id", "--name", "Officer",
			"--role", "facility_officer", "--org", "NOPE", "--password-stdin")
		if r.code != 1 || !strings.Contains(r.stderr, "NOPE") {
			t.Fatalf("unknown organisation: %d %q", r.code, r.stderr)
		}
		r = run(t, env, "", "token", "create", "--email", "root@example.id")
		if r.code != 0 || !regexp.MustCompile(`^bk_[A-Za-z0-9_-]{43}\n$`).MatchString(r.stdout) {
			t.Fatalf("token create must print the token alone: %d %q", r.code, r.stdout)
		}
		if r := run(t, env, "", "token", "create", "--email", "nobody@example.id"); r.code != 1 {
			t.Fatalf("token for an unknown user: %d", r.code)
		}
		if r := run(t, env, "", "audit", "verify"); r.code != 0 || !strings.Contains(r.stdout, "intact: 2 entries") {
			t.Fatalf("audit verify: %d %q %q", r.code, r.stdout, r.stderr)
		}
		dest := filepath.Join(t.TempDir(), "backup")
		if r := run(t, env, "", "backup", dest); r.code != 0 || !strings.Contains(r.stdout, "backup written") {
			t.Fatalf("backup: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if r := run(t, env, "", "backup", dest); r.code != 1 {
			t.Fatalf("a backup over an existing file: %d", r.code)
		}
		files := []string{dest}
		if strings.HasPrefix(dsn, "sqlite:") {
			files = append(files, strings.TrimPrefix(dsn, "sqlite:"))
		}
		for _, f := range files {
			if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("%s must be the owner's alone (0600): %v %v", f, fi.Mode(), err)
			}
		}

		// user unlock clears an account's failed sign-ins.
		db, err := store.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		st, err := db.LoginState(t.Context(), "root@example.id")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Transact(t.Context(), func(tx *store.Tx) error {
			return tx.SetLoginFailures(t.Context(), st.UserID, 7, tx.Now, tx.Now.Add(time.Hour))
		}); err != nil {
			t.Fatal(err)
		}
		if r := run(t, env, "", "user", "unlock", "--email", "root@example.id"); r.code != 0 || !strings.Contains(r.stdout, "cleared the failed sign-ins of root@example.id") {
			t.Fatalf("user unlock: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if st, err := db.LoginState(t.Context(), "root@example.id"); err != nil || st.FailedLogins != 0 || !st.ThrottledUntil.IsZero() {
			t.Fatalf("after user unlock: %+v %v", st, err)
		}
	})
}

// TestAuditVerifyCatchesATamperedFile changes the SQLite file behind
// BinaKerja's back and checks that the command names the entry.
func TestAuditVerifyCatchesATamperedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	env := newEnv(t, "sqlite:"+path)
	run(t, env, "", "migrate")
	for _, e := range []string{"a@example.id", "b@example.id", "c@example.id"} {
		if r := run(t, env, "", "user", "create", "--email", e, "--name", "N", "--role", "admin"); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`DROP TRIGGER audit_events_no_update`,
		`UPDATE audit_events SET summary = replace(summary, 'b@example.id', 'x@example.id') WHERE seq = 2`} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	r := run(t, env, "", "audit", "verify")
	if r.code != 1 || !strings.Contains(r.stderr, "entry 2") {
		t.Fatalf("audit verify after tampering: %d %q", r.code, r.stderr)
	}
}

// TestDemoSeedsPrintsLoginsAndServes runs the README's run command in-process
// and checks what a new user sees: the URL, every role's login, a healthy
// server; then runs it again on the same database, which it reuses.
func TestDemoSeedsPrintsLoginsAndServes(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"BINAKERJA_DB": "sqlite:" + filepath.Join(dir, "demo.db")}
	for round, want := range []string{"created", "reused"} {
		ctx, cancel := context.WithCancel(t.Context())
		var out, errOut bytes.Buffer
		ready := make(chan string, 1)
		done := make(chan int, 1)
		go func() {
			done <- cli.Main(ctx, []string{"demo", "--addr", "127.0.0.1:0"}, cli.Env{Getenv: func(k string) string { return env[k] },
				Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Ready: func(u string) { ready <- u }})
		}()
		var url string
		select {
		case url = <-ready:
		case code := <-done:
			t.Fatalf("demo exited %d: %s", code, errOut.String())
		case <-time.After(60 * time.Second):
			t.Fatal("demo did not start")
		}
		resp, err := http.Get(url + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("round %d: healthz: %v", round, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("demo exit %d: %s", code, errOut.String())
		}
		s := out.String()
		for _, w := range []string{want, url, "binakerja-demo", "admin@binakerja.test", "facility_officer",
			"labour_officer", "assessor", "probation_officer", "employer", "analyst",
			"Two-step sign-in", "BINA KERJ ADEM OLAP ASMA RTAP URAX 2345"} {
			if !strings.Contains(s, w) {
				t.Errorf("round %d: the demo's greeting lacks %q:\n%s", round, w, s)
			}
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "binakerja.keys")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key file beside the database: %v", err)
	}
}

func TestImportInmatesFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	env := newEnv(t, "sqlite:"+filepath.Join(dir, "t.db"))
	run(t, env, "", "migrate")
	seedFacility(t, env)
	file := filepath.Join(dir, "sdp.csv")
	csv := "No. Registrasi;Nama;NIK;Tanggal Masuk;Lama Pidana;Catatan\n" +
		"B.I-1;Ahmad;1608011203900001;2025-01-10;2 tahun;x\n" +
		"B.I-2;Budi;;31 Januari 2025;1 tahun;y\n"
	os.WriteFile(file, []byte(csv), 0o600)
	r := run(t, env, "", "import", "inmates", "--org", "LP-X", "--dry-run", file)
	if r.code != 0 || !strings.Contains(r.stdout, "created 2") || !strings.Contains(r.stdout, "dry run") || !strings.Contains(r.stdout, "Catatan") {
		t.Fatalf("dry run: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = run(t, env, "", "import", "inmates", "--org", "LP-X", file)
	if r.code != 0 || !strings.Contains(r.stdout, "created 2") || !strings.Contains(r.stdout, "written") {
		t.Fatalf("import: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = run(t, env, "", "import", "inmates", "--org", "LP-X", file)
	if r.code != 0 || !strings.Contains(r.stdout, "unchanged 2") {
		t.Fatalf("again: %d %q", r.code, r.stdout)
	}
	os.WriteFile(file, []byte(csv+"B.I-3;Candra;123;2025-01-10;;\n"), 0o600)
	r = run(t, env, "", "import", "inmates", "--org", "LP-X", file)
	if r.code != 1 || !strings.Contains(r.stdout, "line 4, NIK: A NIK must be exactly 16 digits.") || !strings.Contains(r.stderr, "nothing was written") {
		t.Fatalf("refused: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := run(t, env, "", "import", "inmates", "--org", "LP-X", "--on-error", "maybe", file); r.code != 2 {
		t.Fatalf("bad flag: %d", r.code)
	}
}

// seedFacility adds the facility LP-X through the application, as an admin
// would in the web pages.
func seedFacility(t *testing.T, env map[string]string) {
	t.Helper()
	db, err := store.Open(t.Context(), env["BINAKERJA_DB"])
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
	_, err = a.CreateOrganization(t.Context(), app.CLIActor("test"), &binakerja.Organization{Code: "LP-X", Name: "Lapas X",
		Kind: binakerja.OrgFacility, FacilityType: "LAPAS", RegionCode: "16.08"})
	if err != nil {
		t.Fatal(err)
	}
}

// The bench command imports a generated file and reports it against two
// baselines measured in the same run: sqlite3's own .import and the same
// rows through the Go driver into a bare table.
func TestBenchImportReportsAgainstBothBaselines(t *testing.T) {
	r := run(t, map[string]string{}, "", "bench", "import", "--rows", "700")
	if r.code != 0 {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^generated 700 rows`),
		regexp.MustCompile(`(?m)^baseline  sqlite3 \.import into a bare table: \d+\.\d\d s`),
		regexp.MustCompile(`(?m)^baseline  the same rows through the Go SQLite driver into a bare table: \d+\.\d\d s`),
		regexp.MustCompile(`(?m)^binakerja import \(sqlite\): \d+\.\d\d s \(\d+ rows/s\), created 700$`),
		regexp.MustCompile(`(?m)^ratio to the baseline: \d+\.\d× \(to the driver's bare table: \d+\.\d×\)$`),
	} {
		if !want.MatchString(r.stdout) {
			t.Errorf("no %q in:\n%s", want, r.stdout)
		}
	}
}
