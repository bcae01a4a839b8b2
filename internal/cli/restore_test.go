package cli_test

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"binakerja/internal/app"
	"binakerja/internal/demo"
	"binakerja/internal/keys"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
)

// TestBackupRestoresRowForRowWithoutTheKeys: the demo world, backed up and
// restored into a new database, comes back table for table and row for row
// (the tables read from the schema); the key file is nowhere in the backup;
// the restored audit trail verifies against the checkpoint written beside
// the backup; and a restore never writes over a database.
func TestBackupRestoresRowForRowWithoutTheKeys(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := newEnv(t, dsn)
		if r := run(t, env, "", "migrate", "up"); r.code != 0 {
			t.Fatalf("migrate up: %d %q", r.code, r.stderr)
		}
		seedDemo(t, env)
		dest := filepath.Join(t.TempDir(), "backup")
		if r := run(t, env, "", "backup", dest); r.code != 0 {
			t.Fatalf("backup: %d %q %q", r.code, r.stdout, r.stderr)
		}

		backup, err := os.ReadFile(dest)
		if err != nil {
			t.Fatal(err)
		}
		keyFile, err := os.ReadFile(env["BINAKERJA_KEY_FILE"])
		if err != nil {
			t.Fatal(err)
		}
		ring, err := keys.LoadExisting(env["BINAKERJA_KEY_FILE"])
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(backup, bytes.TrimSpace(keyFile)) {
			t.Fatal("the key file is inside the backup")
		}
		for _, r := range ring.Roots {
			for _, s := range [][]byte{r.Secret, []byte(base64.StdEncoding.EncodeToString(r.Secret))} {
				if bytes.Contains(backup, s) {
					t.Fatalf("the secret of root key %d is inside the backup", r.ID)
				}
			}
		}

		restored := newDSN(t, dsn)
		renv := map[string]string{"BINAKERJA_DB": restored, "BINAKERJA_KEY_FILE": env["BINAKERJA_KEY_FILE"]}
		r := run(t, renv, "", "restore", dest)
		if r.code != 0 || !strings.Contains(r.stdout, "audit trail intact") || !strings.Contains(r.stdout, "among them") {
			t.Fatalf("restore: %d %q %q", r.code, r.stdout, r.stderr)
		}
		compareTables(t, dsn, restored)

		cp := filepath.Join(t.TempDir(), "checkpoint")
		copyFile(t, dest+".checkpoint", cp)
		r = run(t, renv, "", "audit", "verify", "--checkpoint", cp)
		if r.code != 0 || !strings.Contains(r.stdout, "is in the trail, unchanged") {
			t.Fatalf("audit verify on the restored copy: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if r := run(t, renv, "", "migrate", "status"); r.code != 0 || strings.Contains(r.stdout, "pending") {
			t.Fatalf("migrate status of the restored copy: %d %q %q", r.code, r.stdout, r.stderr)
		}

		// Never over a database: the restored one, now in use, is refused
		// and left as it was.
		if r := run(t, renv, "", "restore", dest); r.code != 1 || !strings.Contains(r.stderr, "restore into a new") {
			t.Fatalf("a restore over a database: %d %q %q", r.code, r.stdout, r.stderr)
		}
		compareTables(t, dsn, restored)
		// A backup of the other engine is named for what it is.
		if r := run(t, map[string]string{"BINAKERJA_DB": otherEngine(t, dsn)}, "", "restore", dest); r.code != 1 ||
			!strings.Contains(r.stderr, "this is a backup of a") {
			t.Fatalf("a restore into the other engine: %d %q", r.code, r.stderr)
		}
		// Without the key file, the restore says what to do.
		nokey := map[string]string{"BINAKERJA_DB": newDSN(t, dsn), "BINAKERJA_KEY_FILE": filepath.Join(t.TempDir(), "none.keys")}
		if r := run(t, nokey, "", "restore", dest); r.code != 0 || !strings.Contains(r.stdout, "copy the key file") {
			t.Fatalf("a restore without the key file: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if _, err := os.Stat(nokey["BINAKERJA_KEY_FILE"]); err == nil {
			t.Fatal("the restore made a new key file")
		}
	})
}

func TestRestoreRefusesADamagedOrForeignFile(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"BINAKERJA_DB": "sqlite:" + filepath.Join(dir, "new.db"), "BINAKERJA_KEY_FILE": filepath.Join(dir, "k.keys")}
	notBackup := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notBackup, []byte("not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, env, "", "restore", notBackup); r.code != 1 || !strings.Contains(r.stderr, "neither a SQLite database nor a pg_dump") {
		t.Fatalf("a file that is no backup: %d %q", r.code, r.stderr)
	}
	if r := run(t, env, "", "restore"); r.code != 2 {
		t.Fatalf("no SRC: %d", r.code)
	}
	// A SQLite file cut short fails the integrity check, and nothing is left.
	src := filepath.Join(dir, "src.db")
	srcEnv := map[string]string{"BINAKERJA_DB": "sqlite:" + src, "BINAKERJA_KEY_FILE": filepath.Join(dir, "k.keys")}
	if r := run(t, srcEnv, "", "migrate", "up"); r.code != 0 {
		t.Fatalf("migrate up: %d %q", r.code, r.stderr)
	}
	if _, err := keys.Load(srcEnv["BINAKERJA_KEY_FILE"]); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "backup")
	if r := run(t, srcEnv, "", "backup", dest); r.code != 0 {
		t.Fatalf("backup: %d %q", r.code, r.stderr)
	}
	b, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut")
	if err := os.WriteFile(cut, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, env, "", "restore", cut); r.code != 1 || !strings.Contains(r.stderr, "restore: the backup") {
		t.Fatalf("a backup cut short: %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.db")); err == nil {
		t.Fatal("a failed restore left a database file")
	}
}

// seedDemo fills the database with the demo world, as `binakerja demo` does.
func seedDemo(t *testing.T, env map[string]string) {
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
	settings := app.DefaultSettings
	settings.Demo = true
	a, err := app.New(db, ring, nil, settings)
	if err != nil {
		t.Fatal(err)
	}
	if seeded, err := demo.Seed(t.Context(), a); err != nil || !seeded {
		t.Fatalf("demo seed: %v %v", seeded, err)
	}
}

// newDSN returns a new database of the engine of dsn: a file name not yet
// used, or a new empty PostgreSQL database.
func newDSN(t *testing.T, dsn string) string {
	if strings.HasPrefix(dsn, "postgres") {
		return pgtest.DSN(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "restored.db")
}

// otherEngine returns a new database of the other engine.
func otherEngine(t *testing.T, dsn string) string {
	if strings.HasPrefix(dsn, "postgres") {
		return "sqlite:" + filepath.Join(t.TempDir(), "other.db")
	}
	return pgtest.DSN(t)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// compareTables compares every table of the two databases, as the schema
// lists them, row by row.
func compareTables(t *testing.T, a, b string) {
	t.Helper()
	da, ta := tableRows(t, a)
	db, tb := tableRows(t, b)
	if !slices.Equal(ta, tb) {
		t.Fatalf("tables differ:\n%v\n%v", ta, tb)
	}
	for _, want := range []string{"persons", "audit_events", "certificates", "users"} {
		if len(da[want]) == 0 {
			t.Fatalf("the test would prove little: no rows in %s (tables %v)", want, ta)
		}
	}
	n := 0
	for _, name := range ta {
		n += len(da[name])
		if !slices.Equal(da[name], db[name]) {
			t.Errorf("table %s: %d rows, restored %d, or rows that differ", name, len(da[name]), len(db[name]))
		}
	}
	t.Logf("%d tables, %d rows, alike", len(ta), n)
}

// tableRows reads every row of every table of the database, each row
// written out with its values' types, the rows of a table sorted.
func tableRows(t *testing.T, dsn string) (map[string][]string, []string) {
	t.Helper()
	driver, conn := "pgx", dsn
	list := `SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY 1`
	if !strings.HasPrefix(dsn, "postgres") {
		driver, conn = "sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")+"?mode=ro"
		list = `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY 1`
	}
	db, err := sql.Open(driver, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.QueryContext(t.Context(), list)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	out := map[string][]string{}
	for _, name := range tables {
		rows, err := db.QueryContext(t.Context(), `SELECT * FROM "`+name+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var sb strings.Builder
			for i, v := range vals {
				fmt.Fprintf(&sb, "%s=%T:%v|", cols[i], v, v)
			}
			out[name] = append(out[name], sb.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		slices.Sort(out[name])
	}
	return out, tables
}
