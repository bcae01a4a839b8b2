package cli

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"

	"binakerja/internal/app"
	"binakerja/internal/config"
	"binakerja/internal/keys"
	"binakerja/internal/store"
)

// runRestore puts a backup made by `binakerja backup` into a new database:
// a SQLite file that does not exist yet, or an empty PostgreSQL database.
// Then, when the key file is at hand, it checks the restored audit trail,
// against the checkpoint beside the backup if there is one.
func runRestore(ctx context.Context, args []string, env Env) error {
	cfg := config.Load(env.Getenv)
	fs := flags("restore", env)
	cfg.DBFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("restore: want exactly one SRC")
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	src := fs.Arg(0)
	if err := store.Restore(ctx, cfg.DB, src); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "restored %s into %s\n", src, cfg.DB)
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		fmt.Fprintln(env.Stdout, err) // a backup made by an older binakerja
	}
	ring, err := keys.LoadExisting(cfg.KeyPath())
	if err != nil && !errors.Is(err, iofs.ErrNotExist) {
		return err
	}
	if err != nil {
		fmt.Fprintf(env.Stdout, "the key file %s is not there: the backup holds no keys; copy the key file of the backed-up database there (or set BINAKERJA_KEY_FILE), then run binakerja audit verify --checkpoint %s\n",
			cfg.KeyPath(), src+".checkpoint")
		return nil
	}
	db.SetAuditKeys(app.AuditKeys(ring))
	var prev *store.Checkpoint
	cpPath := src + ".checkpoint"
	switch c, err := db.ReadCheckpoint(cpPath); {
	case errors.Is(err, iofs.ErrNotExist):
		fmt.Fprintf(env.Stdout, "no checkpoint at %s: the audit trail is checked alone\n", cpPath)
	case err != nil:
		return err
	default:
		prev = &c
	}
	cp, err := db.AuditCheckpoint(ctx, prev)
	if err != nil {
		return fmt.Errorf("restored, but the audit trail does not verify with the key file %s: %w", cfg.KeyPath(), err)
	}
	if prev != nil {
		fmt.Fprintf(env.Stdout, "audit trail intact: %d entries, the checkpoint's %s among them\n", cp.Seq, prev)
	} else {
		fmt.Fprintf(env.Stdout, "audit trail intact: %d entries\n", cp.Seq)
	}
	return nil
}
