package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/config"
	"binakerja/internal/i18n"
)

func runImport(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && args[0] == "schemes" {
		return runImportSchemes(ctx, args[1:], env)
	}
	if len(args) == 0 || args[0] != "inmates" {
		return usagef("import: want inmates or schemes")
	}
	cfg := config.Load(env.Getenv)
	fs := flags("import inmates", env)
	cfg.DBFlag(fs)
	org := fs.String("org", "", "code of the facility whose register the file is (required)")
	dry := fs.Bool("dry-run", false, "report what would happen; write nothing")
	onError := fs.String("on-error", "abort", "abort: any error writes nothing; skip: write the valid rows")
	sheet := fs.String("sheet", "", "XLSX sheet (default: the first)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *org == "" || fs.NArg() != 1 {
		return usagef("import inmates: want --org CODE and one FILE")
	}
	if *onError != "abort" && *onError != "skip" {
		return usagef("import inmates: --on-error must be abort or skip")
	}
	path := fs.Arg(0)
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	a, closeDB, err := openApp(ctx, cfg, logger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer closeDB()
	opts := app.ImportOptions{FileName: filepath.Base(path), Sheet: *sheet, Size: fi.Size(), DryRun: *dry,
		SkipErrors: *onError == "skip"}
	bar := isTerminal(env.Stderr)
	if bar {
		opts.Progress = func(done int, read float64) { drawProgress(env.Stderr, done, read, "rows") }
	}
	rep, err := a.ImportInmates(ctx, app.CLIActor(osUser(env)), *org, func() (io.ReadCloser, error) {
		return os.Open(path) // #nosec G304 -- the file the operator named on the command line
	}, opts)
	if bar {
		fmt.Fprintln(env.Stderr)
	}
	if rep == nil {
		return describe(err)
	}
	p := i18n.New("en")
	w := env.Stdout
	fmt.Fprintf(w, "rows %d: created %d, updated %d, unchanged %d, readmitted %d, held for review %d, rejected %d\n",
		rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Readmitted, rep.Held, rep.Rejected)
	if rep.Held > 0 {
		fmt.Fprintln(w, p.T("import.held.note"))
	}
	if len(rep.UnknownColumns) > 0 {
		more := ""
		if rep.MoreUnknownColumns > 0 {
			more = fmt.Sprintf(" and %d more", rep.MoreUnknownColumns)
		}
		fmt.Fprintf(w, "unknown columns (ignored): %s%s\n", strings.Join(rep.UnknownColumns, ", "), more)
	}
	for _, pr := range rep.Problems {
		where := "file"
		if pr.Line > 0 {
			where = fmt.Sprintf("line %d", pr.Line)
		}
		if pr.Field != "" {
			where += ", " + pr.Field
		}
		fmt.Fprintf(w, "%s: %s\n", where, p.T(pr.Key, pr.Args...))
	}
	if rep.MoreProblems > 0 {
		fmt.Fprintf(w, "… and %d more errors\n", rep.MoreProblems)
	}
	switch {
	case err != nil && binakerja.ErrorKind(err) == binakerja.Invalid:
		return fmt.Errorf("import refused: nothing was written (%d rows with errors)", rep.Rejected)
	case err != nil:
		return describe(err)
	case rep.DryRun:
		fmt.Fprintln(w, "dry run: nothing was written")
	default:
		fmt.Fprintf(w, "import %d written\n", rep.ImportID)
	}
	return nil
}

// drawProgress redraws a progress bar on one terminal line: done items, and
// the share of the work done (a count alone when it is negative).
func drawProgress(w io.Writer, done int, frac float64, items string) {
	if frac < 0 {
		fmt.Fprintf(w, "\r%d %s", done, items)
		return
	}
	const width = 30
	n := int(min(frac, 1) * width)
	fmt.Fprintf(w, "\r[%s%s] %3.0f%% %d %s", strings.Repeat("#", n), strings.Repeat("-", width-n), frac*100, done, items)
}

func runImportSchemes(ctx context.Context, args []string, env Env) error {
	cfg := config.Load(env.Getenv)
	fs := flags("import schemes", env)
	cfg.DBFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("import schemes: want one FILE")
	}
	path := fs.Arg(0)
	a, closeDB, err := openApp(ctx, cfg, logger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer closeDB()
	schemes, problems, err := a.ImportSchemes(ctx, app.CLIActor(osUser(env)), func() (io.ReadCloser, error) {
		return os.Open(path) // #nosec G304 -- the file the operator named on the command line
	})
	if err != nil {
		return describe(err)
	}
	p := i18n.New("en")
	for _, pr := range problems {
		fmt.Fprintf(env.Stdout, "line %d, %s: %s\n", pr.Line, pr.Field, p.T(pr.Key, pr.Args...))
	}
	if len(problems) > 0 {
		return fmt.Errorf("import refused: nothing was written")
	}
	for _, s := range schemes {
		fmt.Fprintf(env.Stdout, "added scheme %s (%d units)\n", s.Code, len(s.Units))
	}
	return nil
}
