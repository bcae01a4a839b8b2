// Package pgtest gives tests a real PostgreSQL server: the one named by
// BINAKERJA_TEST_POSTGRES, or else a throwaway cluster that it creates with the
// machine's own initdb and pg_ctl, on a Unix socket in a temporary directory,
// and removes when the tests end. As root it runs the cluster as the user
// "nobody", since PostgreSQL refuses to run as root.
//
// A test package using it calls Main from its TestMain. A missing PostgreSQL
// fails the tests; it is never skipped.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

var (
	once    sync.Once
	server  *cluster
	baseDSN string
	fault   error
	counter atomic.Int64
)

type cluster struct {
	dir    string
	pgCtl  string
	cred   *syscall.Credential
	socket string
}

// Main runs the tests of a package and stops the cluster, if one was started,
// when they are done. Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if server != nil {
		server.stop()
	}
	return code
}

// DSN returns the address of a new, empty database on the test server, dropped
// when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if fault != nil {
		t.Fatalf("PostgreSQL for tests: %v", fault)
	}
	admin, err := sql.Open("pgx", baseDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), counter.Add(1))
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", baseDSN)
		if err != nil {
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop the test database %s: %v", name, err)
		}
	})
	return withDatabase(name)
}

func withDatabase(name string) string {
	if server != nil {
		return "postgres://postgres@/" + name + "?host=" + server.socket + "&sslmode=disable"
	}
	// A given server: swap the database name in its URL.
	cfg, err := url.Parse(baseDSN)
	if err != nil {
		return baseDSN
	}
	cfg.Path = "/" + name
	return cfg.String()
}

func start() {
	if dsn := os.Getenv("BINAKERJA_TEST_POSTGRES"); dsn != "" {
		baseDSN = dsn
		return
	}
	c, err := newCluster()
	if err != nil {
		fault = err
		return
	}
	server = c
	baseDSN = "postgres://postgres@/postgres?host=" + c.socket + "&sslmode=disable"
}

// binDir finds the directory of initdb and pg_ctl: on PATH, or in Debian's
// versioned directories.
func binDir() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
		return filepath.Dir(p), nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(matches) == 0 {
		return "", fmt.Errorf("pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin: install PostgreSQL 15 or newer (Debian: apt-get install postgresql), or set BINAKERJA_TEST_POSTGRES")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

func newCluster() (*cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "binakerja-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, pgCtl: filepath.Join(bin, "pg_ctl"), socket: dir}
	if os.Geteuid() == 0 {
		nobody, err := user.Lookup("nobody")
		if err != nil {
			return nil, fmt.Errorf("running as root and no user 'nobody' to run PostgreSQL as: %w", err)
		}
		uid, err := strconv.ParseUint(nobody.Uid, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("the user 'nobody' has the uid %q: %w", nobody.Uid, err)
		}
		gid, err := strconv.ParseUint(nobody.Gid, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("the user 'nobody' has the gid %q: %w", nobody.Gid, err)
		}
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, int(uid), int(gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := "-c listen_addresses='' -k " + dir + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
	if out, err := c.run(c.pgCtl, "start", "-w", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log")) // #nosec G304 -- the log of the cluster this test made, in its own directory
		return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	return c, nil
}

func (c *cluster) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...) // #nosec G204 -- initdb and pg_ctl of the machine's PostgreSQL, with arguments as a list, no shell
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

func (c *cluster) stop() {
	if out, err := c.run(c.pgCtl, "stop", "-m", "immediate", "-D", filepath.Join(c.dir, "data")); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: pg_ctl stop: %v: %s\n", err, out)
	}
	os.RemoveAll(c.dir)
}

// Engines runs fn as two subtests, "sqlite" and "postgres", each with the
// address of a new, empty database of that engine.
func Engines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "test.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, DSN(t)) })
}
