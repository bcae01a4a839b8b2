package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Backup writes a consistent copy of the database to dest while it is in use.
//
// On SQLite it runs VACUUM INTO (a transactionally consistent snapshot), then
// checks the copy with PRAGMA integrity_check and syncs it to disk; a copy
// that fails the check is removed. On PostgreSQL it runs pg_dump in its custom
// format (restore with pg_restore), which is likewise a consistent snapshot.
// dest must not exist. The copy is readable and writable by its owner alone
// (0600), like the database: dest is made empty with that mode first, and
// VACUUM INTO and pg_dump then write into it. The key file is never part of
// a backup: keep it apart.
func (db *DB) Backup(ctx context.Context, dest string) error {
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the backup file the operator named
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup: %s exists already", dest)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup: %w", err)
	}
	if db.engine == Postgres {
		return db.backupPostgres(ctx, dest)
	}
	abs, err := filepath.Abs(dest)
	if err != nil {
		os.Remove(dest)
		return err
	}
	// VACUUM INTO writes into an empty file, keeping its mode.
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO $1`, abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup: %w", err)
	}
	if err := checkIntegrity(ctx, abs); err != nil {
		os.Remove(abs)
		return err
	}
	if f, err = os.Open(abs); err != nil { // #nosec G304 -- the backup just written
		return err
	}
	defer f.Close()
	return f.Sync()
}

func checkIntegrity(ctx context.Context, path string) error {
	copyDB, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer copyDB.Close()
	rows, err := copyDB.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("backup: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("backup: the copy fails the integrity check: %s", strings.Join(problems, "; "))
	}
	return nil
}

func (db *DB) backupPostgres(ctx context.Context, dest string) error {
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		os.Remove(dest)
		return errors.New("backup: pg_dump is not on PATH; install the PostgreSQL client tools, or run: pg_dump --format=custom --file=DEST DSN")
	}
	// #nosec G204 -- pg_dump from PATH, with arguments as a list, no shell
	cmd := exec.CommandContext(ctx, pgDump, "--format=custom", "--no-owner", "--file="+dest, "--dbname="+db.dsn)
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup: pg_dump: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Checkpoint folds the SQLite write-ahead log into the database file, so
// that the file alone holds every committed change. On PostgreSQL it does
// nothing.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.engine != SQLite {
		return nil
	}
	_, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}
