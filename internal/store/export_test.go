package store

import (
	"context"
	"database/sql"
)

// QueryRowForTest and ExecForTest let the tests run raw SQL in a transaction.
func (tx *Tx) QueryRowForTest(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, q, args...)
}

func (tx *Tx) ExecForTest(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, q, args...)
}

func (db *DB) ReadPoolForTest() *sql.DB  { return db.read }
func (db *DB) WritePoolForTest() *sql.DB { return db.write }

// MigrateToForTest applies the migrations up to version upTo.
func (db *DB) MigrateToForTest(ctx context.Context, upTo int) error {
	_, err := db.migrateTo(ctx, upTo)
	return err
}

// PathForTest returns the SQLite file of the database.
func (db *DB) PathForTest() string { return db.path }
