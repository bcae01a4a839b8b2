package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version   int
	Name      string
	AppliedAt time.Time // zero when not applied
	sql       string
}

// migrations returns the engine's migrations in order.
func migrations(e Engine) ([]Migration, error) {
	dir := path.Join("migrations", string(e))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, ent := range entries {
		name, ok := strings.CutSuffix(ent.Name(), ".sql")
		if !ok {
			continue
		}
		num, rest, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %s: name must be NNNN_name.sql", ent.Name())
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, ent.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: rest, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: migration %d of %s is numbered %d", i+1, e, m.Version)
		}
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`

// MigrationStatus lists every migration of the engine with the time it was
// applied, if it was.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	ms, err := migrations(db.engine)
	if err != nil {
		return nil, err
	}
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		ms[i].AppliedAt = applied[ms[i].Version]
	}
	return ms, nil
}

func (db *DB) appliedMigrations(ctx context.Context) (map[int]time.Time, error) {
	applied := map[int]time.Time{}
	var exists bool
	q := `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')`
	if db.engine == Postgres {
		q = `SELECT EXISTS (SELECT 1 FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name = 'schema_migrations')`
	}
	if err := db.write.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	if !exists {
		return applied, nil
	}
	rows, err := db.write.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			return nil, err
		}
		applied[v] = at.UTC()
	}
	return applied, rows.Err()
}

// Migrate applies every migration not yet applied, each in its own
// transaction, and returns those it applied.
func (db *DB) Migrate(ctx context.Context) ([]Migration, error) { return db.migrateTo(ctx, 0) }

// migrateTo applies the migrations not yet applied up to version upTo (0:
// all of them).
func (db *DB) migrateTo(ctx context.Context, upTo int) ([]Migration, error) {
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := db.write.ExecContext(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	var done []Migration
	for _, m := range ms {
		if upTo > 0 && m.Version > upTo {
			break
		}
		if !m.AppliedAt.IsZero() {
			continue
		}
		err := db.Transact(ctx, func(tx *Tx) error {
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			m.AppliedAt = tx.Now
			_, err := tx.tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, m.AppliedAt)
			return err
		})
		if err != nil {
			return done, fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		done = append(done, m)
	}
	return done, nil
}

// CheckSchema returns an error saying what to run when the schema is not at
// the latest migration.
func (db *DB) CheckSchema(ctx context.Context) error {
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	pending := 0
	for _, m := range ms {
		if m.AppliedAt.IsZero() {
			pending++
		}
	}
	if pending > 0 {
		return fmt.Errorf("the database schema is not up to date (%d of %d migrations pending); run: binakerja migrate up", pending, len(ms))
	}
	return nil
}
