package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"runtime/debug"
	"strings"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/config"
	"binakerja/internal/i18n"
	"binakerja/internal/keys"
	"binakerja/internal/store"
)

// Version is the release, set at build time with -ldflags "-X binakerja/internal/cli.Version=…".
var Version = "dev"

func runVersion(args []string, env Env) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintf(env.Stdout, "binakerja %s\n", Version)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(env.Stdout, "go: %s\n", bi.GoVersion)
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision", "vcs.time", "vcs.modified", "GOOS", "GOARCH":
				fmt.Fprintf(env.Stdout, "%s: %s\n", s.Key, s.Value)
			}
		}
	}
	return nil
}

func runMigrate(ctx context.Context, args []string, env Env) error {
	cfg := config.Load(env.Getenv)
	fs := flags("migrate", env)
	cfg.DBFlag(fs)
	sub := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "up" && sub != "status" {
		return usagef("migrate: unknown subcommand %q (want up or status)", sub)
	}
	db, err := openDB(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "status" {
		ms, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			state := "pending"
			if !m.AppliedAt.IsZero() {
				state = "applied " + m.AppliedAt.Format("2006-01-02 15:04:05Z07:00")
			}
			fmt.Fprintf(env.Stdout, "%04d_%-30s %s\n", m.Version, m.Name, state)
		}
		return nil
	}
	done, err := db.Migrate(ctx)
	for _, m := range done {
		fmt.Fprintf(env.Stdout, "applied %04d_%s\n", m.Version, m.Name)
	}
	if err != nil {
		return err
	}
	if len(done) == 0 {
		fmt.Fprintln(env.Stdout, "the schema is up to date")
	}
	return nil
}

func runUser(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return usagef("user: want create, unlock or reset-2fa")
	}
	cfg := config.Load(env.Getenv)
	switch args[0] {
	case "create":
		fs := flags("user create", env)
		cfg.DBFlag(fs)
		email := fs.String("email", "", "email address (required)")
		name := fs.String("name", "", "full name (required)")
		role := fs.String("role", "", "role: "+roleList()+" (required)")
		org := fs.String("org", "", "code of the organisation where the role is held; none for a system-wide admin")
		pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *email == "" || *name == "" || *role == "" {
			return usagef("user create: --email, --name and --role are required")
		}
		if fs.NArg() > 0 {
			return usagef("user create: unexpected argument %q", fs.Arg(0))
		}
		pw := ""
		if *pwStdin {
			line, err := bufio.NewReader(env.Stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("read the password from standard input: %w", err)
			}
			pw = strings.TrimRight(line, "\r\n")
			if pw == "" {
				return fmt.Errorf("the password read from standard input is empty")
			}
		}
		a, closeDB, err := openApp(ctx, cfg, logger(cfg, env.Stderr))
		if err != nil {
			return err
		}
		defer closeDB()
		u, generated, err := a.CreateUser(ctx, app.CLIActor(osUser(env)), app.NewUser{Email: *email, Name: *name,
			Password: pw, Grants: []app.GrantInput{{Role: binakerja.Role(*role), Org: *org}}})
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "created user %d %s (%s)\n", u.ID, u.Email, *role)
		if generated != "" {
			fmt.Fprintf(env.Stdout, "one-time password: %s\n", generated)
		}
		return nil
	case "unlock":
		fs := flags("user unlock", env)
		cfg.DBFlag(fs)
		email := fs.String("email", "", "email address (required)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *email == "" {
			return usagef("user unlock: --email is required")
		}
		a, closeDB, err := openApp(ctx, cfg, logger(cfg, env.Stderr))
		if err != nil {
			return err
		}
		defer closeDB()
		u, err := a.DB().UserByEmail(ctx, *email)
		if err != nil {
			return fmt.Errorf("no user with email %s", *email)
		}
		if _, err := a.UnlockUser(ctx, app.CLIActor(osUser(env)), u.ID); err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "cleared the failed sign-ins of %s\n", u.Email)
		return nil
	case "reset-2fa":
		fs := flags("user reset-2fa", env)
		cfg.DBFlag(fs)
		email := fs.String("email", "", "email address (required)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *email == "" {
			return usagef("user reset-2fa: --email is required")
		}
		a, closeDB, err := openApp(ctx, cfg, logger(cfg, env.Stderr))
		if err != nil {
			return err
		}
		defer closeDB()
		u, err := a.ResetTOTP(ctx, app.CLIActor(osUser(env)), *email)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "cleared the two-step verification of %s and ended their sessions\n", u.Email)
		if app.TOTPRequired(u) {
			fmt.Fprintln(env.Stdout, "they set it up again at their next sign-in")
		}
		return nil
	}
	return usagef("user: unknown subcommand %q (want create, unlock or reset-2fa)", args[0])
}

func roleList() string {
	var rs []string
	for _, r := range binakerja.Roles {
		rs = append(rs, string(r))
	}
	return strings.Join(rs, ", ")
}

// describe turns an application error into one line in English for the
// terminal, naming the fields at fault.
func describe(err error) error {
	e, ok := err.(*binakerja.Error)
	if !ok {
		return err
	}
	p := i18n.New("en")
	msg := p.T(e.Key, e.Args...)
	for _, f := range e.Fields {
		msg += fmt.Sprintf(" %s: %s", f.Field, p.T(f.Key, f.Args...))
	}
	return fmt.Errorf("%s", msg)
}

func runToken(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("token: want create")
	}
	cfg := config.Load(env.Getenv)
	fs := flags("token create", env)
	cfg.DBFlag(fs)
	email := fs.String("email", "", "the user's email (required)")
	name := fs.String("name", "cli", "a label for the token")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return usagef("token create: --email is required")
	}
	a, closeDB, err := openApp(ctx, cfg, logger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer closeDB()
	secret, tok, err := a.CreateAPIToken(ctx, app.CLIActor(osUser(env)), *email, *name)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(env.Stdout, secret)
	fmt.Fprintf(env.Stderr, "the token works until %s, or until the user's password changes\n", tok.ExpiresAt.Format("2006-01-02 15:04Z07:00"))
	return nil
}

func runBackup(ctx context.Context, args []string, env Env) error {
	cfg := config.Load(env.Getenv)
	fs := flags("backup", env)
	cfg.DBFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("backup: want exactly one DEST")
	}
	db, err := openDB(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	dest := fs.Arg(0)
	// The checkpoint is of the chain before the copy, which holds at least
	// its entries.
	cp, cpErr := auditCheckpoint(ctx, db, cfg)
	if err := db.Backup(ctx, dest); err != nil {
		return err
	}
	if db.Engine() == store.SQLite {
		fmt.Fprintf(env.Stdout, "backup written to %s (integrity check passed)\n", dest)
	} else {
		fmt.Fprintf(env.Stdout, "backup written to %s (pg_dump custom format; restore with pg_restore)\n", dest)
	}
	fmt.Fprintf(env.Stdout, "the key file %s is not in the backup: keep a copy of it apart\n", cfg.KeyPath())
	if cpErr != nil {
		return fmt.Errorf("no audit checkpoint written beside the backup: %w", cpErr)
	}
	if err := store.WriteCheckpoint(dest+".checkpoint", cp); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "audit checkpoint (%s) written to %s\n", cp, dest+".checkpoint")
	return nil
}

// auditCheckpoint verifies the audit chain with the key file's audit keys and
// returns a checkpoint of its end.
func auditCheckpoint(ctx context.Context, db *store.DB, cfg config.Config) (store.Checkpoint, error) {
	if err := setAuditKeys(db, cfg); err != nil {
		return store.Checkpoint{}, err
	}
	return db.AuditCheckpoint(ctx, nil)
}

// setAuditKeys gives db the audit keys of the configured key file, which
// must exist: a new one would find every keyed entry forged.
func setAuditKeys(db *store.DB, cfg config.Config) error {
	ring, err := keys.LoadExisting(cfg.KeyPath())
	if err != nil {
		return fmt.Errorf("the audit trail is keyed by the key file (BINAKERJA_KEY_FILE): %w", err)
	}
	db.SetAuditKeys(app.AuditKeys(ring))
	return nil
}

func runAudit(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "verify" {
		return usagef("audit: want verify")
	}
	cfg := config.Load(env.Getenv)
	fs := flags("audit verify", env)
	cfg.DBFlag(fs)
	checkpoint := fs.String("checkpoint", "", "compare with the signed checkpoint in this file, if there is one, then write the verified head to it")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("audit verify: unexpected argument %q", fs.Arg(0))
	}
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := setAuditKeys(db, cfg); err != nil {
		return err
	}
	if *checkpoint == "" {
		n, err := db.VerifyAudit(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "audit trail intact: %d entries\n", n)
		return nil
	}
	var prev *store.Checkpoint
	switch c, err := db.ReadCheckpoint(*checkpoint); {
	case errors.Is(err, iofs.ErrNotExist):
		fmt.Fprintf(env.Stdout, "no checkpoint at %s yet: writing the first\n", *checkpoint)
	case err != nil:
		return err
	default:
		prev = &c
	}
	cp, err := db.AuditCheckpoint(ctx, prev)
	if err != nil {
		return err
	}
	if prev != nil {
		fmt.Fprintf(env.Stdout, "the checkpoint's %s is in the trail, unchanged\n", prev)
	}
	if err := store.WriteCheckpoint(*checkpoint, cp); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "audit trail intact: %d entries; checkpoint %s written to %s\n", cp.Seq, cp, *checkpoint)
	return nil
}

func runKeys(args []string, env Env) error {
	if len(args) == 0 || args[0] != "rotate" {
		return usagef("keys: want rotate")
	}
	cfg := config.Load(env.Getenv)
	fs := flags("keys rotate", env)
	cfg.DBFlag(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	r, err := keys.Rotate(cfg.KeyPath())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "key %d is now current in %s; %d older kept to verify and decrypt\n", r.Current().ID, cfg.KeyPath(), len(r.Roots)-1)
	fmt.Fprintln(env.Stdout, "restart the server to sign with it, and copy the key file to where its backups are kept")
	return nil
}
