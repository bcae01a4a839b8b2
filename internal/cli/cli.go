// Package cli is BinaKerja's command line: one function per command, each
// with its own flag set, run in-process by Run so that tests drive the same
// code as people do.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"

	"binakerja/internal/app"
	"binakerja/internal/config"
	"binakerja/internal/keys"
	"binakerja/internal/store"
)

// Env is what a command gets from the process: arguments, environment and
// standard streams.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Ready, if set, is called with the URL once a server accepts
	// connections (tests use it).
	Ready func(url string)
}

// UsageError is a command-line mistake; Run exits 2 for it.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{Msg: fmt.Sprintf(format, args...)} }

const usage = `BinaKerja: work-based rehabilitation of prisoners, from training to work after release.

Usage: binakerja COMMAND [flags]

Commands:
  demo [--addr A] [--db DSN]        create or reuse a demo database and serve it
  serve [--addr A] [--db DSN]       serve the web pages and the API
  migrate [up|status] [--db DSN]    apply or list schema migrations
  user create --email E --name N --role R [--org CODE] [--password-stdin]
                                    add a user (prints a one-time password unless --password-stdin)
  user unlock --email E             clear failed sign-ins, ending the throttling
  user reset-2fa --email E          clear two-step verification (a lost phone) and end the user's sessions
  token create --email E [--name L] print a new API token for the user
  import inmates --org CODE [--dry-run] [--on-error abort|skip] [--sheet S] FILE
                                    import people in custody from a CSV or XLSX file
  import schemes FILE               import certification schemes and their units (one row per unit)
  backup DEST [--db DSN]            write a consistent backup of the database, and an audit
                                    checkpoint beside it (DEST.checkpoint)
  restore SRC [--db DSN]            put a backup into a new database (a SQLite file that does not
                                    exist yet, or an empty PostgreSQL database) and check its audit trail
  audit verify [--checkpoint FILE] [--db DSN]
                                    check the audit trail's keyed hash chain; with a checkpoint,
                                    also that no entry was removed or rewritten since
  keys rotate                       add a new key to the key file; older keys stay to verify and decrypt
  gen --scale facility|province|national [--seed N] [--db DSN]
                                    fill a database with a synthetic world of that size
  bench import [--rows N] [--db DSN] measure the inmate import on generated data against two baselines
  bench match [--db DSN] [--runs N] [--vacancy ID]
                                    time matching a vacancy against the whole country's candidates on
                                    a generated world, beside a plain query of the same candidate set
  version                           print version and build information

Configuration (flags override these): BINAKERJA_DB (default sqlite:binakerja.db),
BINAKERJA_ADDR (127.0.0.1:8080), BINAKERJA_KEY_FILE (binakerja.keys beside the
SQLite file), BINAKERJA_BASE_URL (http://ADDR).
`

// Main runs the command line and returns the process's exit code: 0 on
// success, 1 on failure (with a one-line reason on stderr), 2 on bad usage.
func Main(ctx context.Context, args []string, env Env) int {
	err := Run(ctx, args, env)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if ue, ok := errors.AsType[*UsageError](err); ok {
		fmt.Fprintf(env.Stderr, "binakerja: %s\n\n%s", ue.Msg, usage)
		return 2
	}
	fmt.Fprintf(env.Stderr, "binakerja: %s\n", oneLine(err.Error()))
	return 1
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Run runs one command.
func Run(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return usagef("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "demo":
		return runDemo(ctx, rest, env)
	case "serve":
		return runServe(ctx, rest, env)
	case "migrate":
		return runMigrate(ctx, rest, env)
	case "user":
		return runUser(ctx, rest, env)
	case "token":
		return runToken(ctx, rest, env)
	case "import":
		return runImport(ctx, rest, env)
	case "backup":
		return runBackup(ctx, rest, env)
	case "restore":
		return runRestore(ctx, rest, env)
	case "audit":
		return runAudit(ctx, rest, env)
	case "gen":
		return runGen(ctx, rest, env)
	case "bench":
		return runBench(ctx, rest, env)
	case "keys":
		return runKeys(rest, env)
	case "version":
		return runVersion(rest, env)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	}
	return usagef("unknown command %q", cmd)
}

// flags returns a flag set for a command whose errors are usage errors.
func flags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("binakerja "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parse parses args, turning a flag error into a UsageError; -h prints the
// command's flags.
func parse(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(out, "Usage: %s [flags]\n", fs.Name())
			fs.SetOutput(out)
			fs.PrintDefaults()
			return err
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

// openDB opens the configured database and checks that its schema is
// current, unless migrating.
func openDB(ctx context.Context, cfg config.Config, checkSchema bool) (*store.DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if checkSchema {
		if err := db.CheckSchema(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// openApp opens the database (with a current schema) and the key file.
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app.App, func(), error) {
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return nil, nil, err
	}
	ring, err := keys.Load(cfg.KeyPath())
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	settings := app.DefaultSettings
	settings.BaseURL = cfg.PublicURL()
	settings.Demo = cfg.Demo
	settings.MailEnabled = cfg.SMTPURL != ""
	a, err := app.New(db, ring, log, settings)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return a, func() { db.Close() }, nil
}

// openMigrated opens the configured database, brings its schema up to date
// and opens the key file: for the commands that make a database (demo, gen).
func openMigrated(ctx context.Context, cfg config.Config, log *slog.Logger) (*app.App, func(), error) {
	db, err := openDB(ctx, cfg, false)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	db.Close()
	return openApp(ctx, cfg, log)
}

// osUser names the person running the command, for the audit trail.
func osUser(env Env) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := env.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

func logger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
