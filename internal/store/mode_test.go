package store_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"binakerja"
	"binakerja/internal/store"
)

// privateMode fails the test when the file at path may be read or written
// by anyone but its owner.
func privateMode(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", filepath.Base(path), perm)
	}
}

// TestDatabaseWALAndBackupAreTheOwnersAlone checks by stat that the SQLite
// file, its -wal and -shm files and a backup are made 0600 under the usual
// umask, and that a file an older version left 0644 is closed on opening.
func TestDatabaseWALAndBackupAreTheOwnersAlone(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	engines(t, func(t *testing.T, db *store.DB) {
		create(t, db, newOrg("LSP-A", "LSP A", binakerja.OrgCertificationBody, nil))
		if db.Engine() == store.SQLite {
			path := db.PathForTest()
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				privateMode(t, p)
			}
		}
		dest := filepath.Join(t.TempDir(), "backup.db")
		if err := db.Backup(t.Context(), dest); err != nil {
			t.Fatal(err)
		}
		privateMode(t, dest)
	})

	path := filepath.Join(t.TempDir(), "old.db")
	db, err := store.Open(t.Context(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(t.Context(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	privateMode(t, path)
	privateMode(t, path+"-wal")
	privateMode(t, path+"-shm")
}
