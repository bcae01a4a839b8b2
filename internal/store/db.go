// Package store keeps BinaKerja's records in SQLite (embedded, the default) or
// PostgreSQL (for a region or the nation). Both engines run the same SQL text;
// only the schema files differ, one numbered set per engine.
//
// Portability rules, kept by every query here:
//
//  1. Placeholders are $1…$n, bound by number on both drivers.
//  2. Ids are INTEGER PRIMARY KEY (SQLite) or BIGINT identity (PostgreSQL),
//     read back with RETURNING id.
//  3. Instants come from Go, in UTC, never from now() or CURRENT_TIMESTAMP.
//  4. No arrays, JSONB, enum types, :: casts or ILIKE. Case-insensitive search
//     uses a search_name column normalised in Go and compared with LIKE.
//  5. Ordering for lists is by a key plus id, paginated by keyset; text keys are
//     COLLATE "C" on PostgreSQL so that both engines sort alike.
//  6. No SELECT … FOR UPDATE: writers change rows with a version check, and
//     SQLite has a single writer connection.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"binakerja"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine names a database engine.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is BinaKerja's database. Reads go to a pool of readers; writes go through
// Transact. On SQLite the writer is one connection (BEGIN IMMEDIATE), so
// writers queue instead of failing with SQLITE_BUSY; on PostgreSQL both are the
// same pool.
type DB struct {
	Queries
	engine Engine
	dsn    string
	path   string // SQLite file
	read   *sql.DB
	write  *sql.DB
	now    func() time.Time
}

// Option changes how Open sets up a DB.
type Option func(*DB)

// WithClock makes the DB take the current time from now (tests pin it).
func WithClock(now func() time.Time) Option { return func(db *DB) { db.now = now } }

// Open connects to the database named by dsn: "sqlite:PATH" (or a bare path)
// or "postgres://…". It checks the connection settings but does not migrate;
// see Migrate and CheckSchema.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	db := &DB{dsn: dsn, now: time.Now}
	for _, o := range opts {
		o(db)
	}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db.engine = Postgres
		err = db.openPostgres(ctx)
	default:
		db.engine = SQLite
		db.path = strings.TrimPrefix(dsn, "sqlite:")
		if db.path == "" {
			return nil, errors.New("store: empty SQLite path")
		}
		err = db.openSQLite(ctx)
	}
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	db.Queries = Queries{q: db.read, db: db}
	return db, nil
}

// SQLite pragmas, set through the DSN so that every pooled connection gets
// them. busy_timeout comes first so that the others wait for a lock rather
// than fail.
var sqlitePragmas = []struct{ name, value, want string }{
	{"busy_timeout", "10000", "10000"},
	{"journal_mode", "WAL", "wal"},
	{"synchronous", "FULL", "2"},
	{"foreign_keys", "ON", "1"},
}

func sqliteDSN(path string, readOnly bool) string {
	v := url.Values{}
	for _, p := range sqlitePragmas {
		v.Add("_pragma", p.name+"("+p.value+")")
	}
	if readOnly {
		v.Add("_pragma", "query_only(1)")
		v.Add("_pragma", "cache_size(-16384)") // 16 MiB per reader
	} else {
		v.Set("_txlock", "immediate")
		// 32 MiB of page cache for the one writer, so that a large import
		// keeps its indexes in memory.
		v.Add("_pragma", "cache_size(-32768)")
		// Statement journals (kept by a multi-row INSERT into an indexed
		// table) in memory, not in a temporary file written page by page.
		v.Add("_pragma", "temp_store(MEMORY)")
	}
	v.Set("_time_format", "sqlite")
	// The pragma order matters; url.Values.Encode sorts keys but keeps the
	// order of values under one key.
	return "file:" + path + "?" + v.Encode()
}

func (db *DB) openSQLite(ctx context.Context) error {
	if err := privateFiles(db.path); err != nil {
		return err
	}
	var err error
	if db.write, err = sql.Open("sqlite", sqliteDSN(db.path, false)); err != nil {
		return err
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetConnMaxIdleTime(0)
	if db.read, err = sql.Open("sqlite", sqliteDSN(db.path, true)); err != nil {
		return err
	}
	n := max(4, runtime.NumCPU())
	db.read.SetMaxOpenConns(n)
	db.read.SetMaxIdleConns(n)
	if err := checkPragmas(ctx, db.write, 1); err != nil {
		return err
	}
	return checkPragmas(ctx, db.read, n)
}

// privateFiles makes the SQLite file at path, when there is none yet, readable
// and writable by its owner alone (0600): it holds personal data. SQLite
// gives the -wal and -shm files it makes beside it the database file's mode,
// so they follow. Files left more open by an older version are closed to
// group and others, as far as the owner may (a file of another owner is
// left as it is).
func privateFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the configured database file
	switch {
	case err == nil:
		return f.Close()
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(p, fi.Mode().Perm()&0o700) // not ours, or a read-only disk: left as it is
		}
	}
	return nil
}

// checkPragmas holds n connections of pool at once and reads the durability
// pragmas back on each, so that a driver or DSN change that silently drops one
// stops the start.
func checkPragmas(ctx context.Context, pool *sql.DB, n int) error {
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := pool.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: open SQLite: %w", err)
		}
		conns = append(conns, c)
		for _, p := range sqlitePragmas {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&got); err != nil {
				return fmt.Errorf("store: read pragma %s: %w", p.name, err)
			}
			if !strings.EqualFold(got, p.want) {
				return fmt.Errorf("store: pragma %s is %q, want %q", p.name, got, p.want)
			}
		}
	}
	return nil
}

func (db *DB) openPostgres(ctx context.Context) error {
	var err error
	if db.write, err = sql.Open("pgx", db.dsn); err != nil {
		return err
	}
	db.write.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
	db.write.SetMaxIdleConns(max(8, 4*runtime.NumCPU()))
	db.read = db.write
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	var version int
	if err := db.write.QueryRowContext(ctx, "SHOW server_version_num").Scan(&version); err != nil {
		return fmt.Errorf("store: read PostgreSQL version: %w", err)
	}
	if version < 150000 {
		return fmt.Errorf("store: PostgreSQL %d is too old; BinaKerja needs 15 or newer", version/10000)
	}
	return nil
}

// Engine returns the database engine.
func (db *DB) Engine() Engine { return db.engine }

// Now returns the current instant in UTC, at the precision both engines keep.
func (db *DB) Now() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// Close closes the pools.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Tx is a write transaction. It carries the instant at which it began, so that
// every row it writes has the same time.
type Tx struct {
	Queries
	tx   *sql.Tx
	conn *sql.Conn // the connection of a TransactBulk, for what database/sql does not offer
	Now  time.Time
}

// Transact runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise (also when fn panics).
func (db *DB) Transact(ctx context.Context, fn func(*Tx) error) error {
	return db.transact(ctx, nil, fn)
}

// TransactBulk is Transact for a writer of many rows whose every reference
// is to a row it read or reserved inside the same transaction, as an import
// is. On SQLite the connection stops checking foreign keys until the
// transaction ends, which would look every reference of every row up again
// (about a tenth of a large import's time). On PostgreSQL the rows go in
// with COPY.
func (db *DB) TransactBulk(ctx context.Context, fn func(*Tx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return mapError(err)
	}
	defer conn.Close()
	if db.engine == SQLite {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return err
		}
		defer func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); err != nil {
				// A connection that cannot check foreign keys again is
				// closed, not handed to the next writer.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // returns the ErrBadConn that marks it
			}
		}()
	}
	return db.transact(ctx, conn, fn)
}

// transact runs fn in a transaction on conn, or on the writer pool when conn
// is nil.
func (db *DB) transact(ctx context.Context, conn *sql.Conn, fn func(*Tx) error) (err error) {
	begin := db.write.BeginTx
	if conn != nil {
		begin = conn.BeginTx
	}
	sqlTx, err := begin(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	tx := &Tx{Queries: Queries{q: &stmtCache{tx: sqlTx}, db: db}, tx: sqlTx, conn: conn, Now: db.Now()}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			sqlTx.Rollback()
			return
		}
		err = mapError(sqlTx.Commit())
	}()
	return fn(tx)
}

// querier is what both a pool and a transaction offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtCache prepares each statement once per transaction, so that a long
// import does not parse the same SQL for every row. The statements close with
// the transaction.
type stmtCache struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := c.stmts[query]; ok {
		return s, nil
	}
	s, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = s
	return s, nil
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return c.tx.QueryRowContext(ctx, query, args...) // carries the same error
	}
	return s.QueryRowContext(ctx, args...)
}

// Queries holds the reading methods, which run on the reader pool (through DB)
// or inside a write transaction (through Tx).
type Queries struct {
	q  querier
	db *DB
}

// mapError turns driver errors into binakerja errors: a broken unique
// constraint is a Conflict naming the field, a broken foreign key is Invalid,
// no rows is NotFound. Other errors pass through as internal.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	if e, ok := errors.AsType[*sqlite.Error](err); ok {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			// "UNIQUE constraint failed: users.email"
			msg, _, _ := strings.Cut(e.Error(), " (")
			return conflict(msg[strings.LastIndex(msg, ".")+1:], err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &binakerja.Error{Kind: binakerja.Invalid, Key: "error.reference", Err: err}
		}
	}
	if e, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch e.Code {
		case "23505": // unique_violation; constraints are named TABLE_COLUMN_key
			field := strings.TrimSuffix(e.ConstraintName, "_key")
			field = field[strings.Index(field, "_")+1:]
			for _, t := range []string{"tokens_", "roles_", "events_"} {
				field = strings.TrimPrefix(field, t)
			}
			return conflict(field, err)
		case "23503":
			return &binakerja.Error{Kind: binakerja.Invalid, Key: "error.reference", Err: err}
		}
	}
	return err
}

func conflict(field string, cause error) error {
	return &binakerja.Error{
		Kind: binakerja.Conflict, Key: "error.conflict", Err: cause,
		Fields: []binakerja.FieldError{{Field: field, Key: "field.taken"}},
	}
}
