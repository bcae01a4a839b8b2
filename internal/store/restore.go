package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The first bytes of the two kinds of backup that Backup writes.
var (
	sqliteMagic  = []byte("SQLite format 3\x00")
	pgDumpMagic  = []byte("PGDMP")
	errNotBackup = errors.New("restore: the file is neither a SQLite database nor a pg_dump archive in custom format")
)

// Restore puts the backup src, made by Backup, into the database named by
// dsn, which must not hold anything yet: it never overwrites.
//
// On SQLite the backup is checked with PRAGMA integrity_check, copied into a
// new database file (which must not exist, nor a journal of one beside it),
// synced to disk and checked again; a copy that fails is removed. The file is
// readable and writable by its owner alone (0600). On PostgreSQL the database
// must exist and be empty (no table, view or sequence outside the system
// schemas); pg_restore then fills it in one transaction, stopping at the
// first error, with the connecting user as the owner of what it makes.
//
// The key file is not part of a backup: the restored database needs the key
// file of the database it came from.
func Restore(ctx context.Context, dsn, src string) error {
	head, err := readHead(src, len(sqliteMagic))
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if !bytes.HasPrefix(head, pgDumpMagic) {
			if bytes.HasPrefix(head, sqliteMagic) {
				return errors.New("restore: this is a backup of a SQLite database; restore it into a sqlite: database")
			}
			return errNotBackup
		}
		return restorePostgres(ctx, dsn, src)
	}
	if !bytes.HasPrefix(head, sqliteMagic) {
		if bytes.HasPrefix(head, pgDumpMagic) {
			return errors.New("restore: this is a backup of a PostgreSQL database (pg_dump); restore it into a postgres:// database")
		}
		return errNotBackup
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if path == "" {
		return errors.New("store: empty SQLite path")
	}
	return restoreSQLite(ctx, path, src)
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path) // #nosec G304 -- the backup the operator named
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, n)
	k, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return head[:k], nil
}

func restoreSQLite(ctx context.Context, dest, src string) error {
	// A journal or write-ahead log left beside the name would be taken as
	// part of the new database.
	for _, p := range []string{dest, dest + "-wal", dest + "-shm", dest + "-journal"} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("restore: %s exists already; restore into a new file", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := checkIntegrity(ctx, src); err != nil {
		return fmt.Errorf("restore: the backup %s: %w", src, err)
	}
	if err := copyNew(dest, src); err != nil {
		return err
	}
	if err := checkIntegrity(ctx, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("restore: the copy %s: %w", dest, err)
	}
	return syncDir(filepath.Dir(dest))
}

// copyNew copies src into a new file dest (0600), synced to disk; dest is
// removed if the copy fails.
func copyNew(dest, src string) (err error) {
	in, err := os.Open(src) // #nosec G304 -- the backup the operator named
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the database file the operator named
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("restore: %s exists already; restore into a new file", dest)
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(dest)
			err = fmt.Errorf("restore: %w", err)
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return err
	}
	return out.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir) // #nosec G304 -- the directory of the database file
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("restore: sync %s: %w", dir, err)
	}
	return nil
}

func restorePostgres(ctx context.Context, dsn, src string) error {
	pgRestore, err := exec.LookPath("pg_restore")
	if err != nil {
		return errors.New("restore: pg_restore is not on PATH; install the PostgreSQL client tools, or run: pg_restore --no-owner --exit-on-error --single-transaction --dbname=DSN SRC")
	}
	if err := checkEmpty(ctx, dsn); err != nil {
		return err
	}
	// #nosec G204 -- pg_restore from PATH, with arguments as a list, no shell
	cmd := exec.CommandContext(ctx, pgRestore, "--no-owner", "--exit-on-error", "--single-transaction",
		"--dbname="+dsn, src)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("restore: pg_restore: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// checkEmpty refuses a PostgreSQL database that holds a relation outside the
// system schemas: a restore goes into an empty database only.
func checkEmpty(ctx context.Context, dsn string) error {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer pool.Close()
	var n int
	err = pool.QueryRowContext(ctx, `SELECT count(*) FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
		AND s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg\_%'`).Scan(&n)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("restore: the database is not empty (%d tables, views or sequences); restore into a new database (createdb)", n)
	}
	return nil
}
