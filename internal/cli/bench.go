package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/gen"
	"binakerja/internal/keys"
	"binakerja/internal/store"
)

// runBench measures BinaKerja on generated data, against a baseline measured
// in the same run on the same machine.
func runBench(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "import" {
		return usagef("bench: want import")
	}
	fs := flags("bench import", env)
	rows := fs.Int("rows", 280000, "rows in the generated inmate file")
	dsn := fs.String("db", "", "database to import into (default: a new SQLite file in a temporary directory)")
	seed := fs.Uint64("seed", 1, "generator seed")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *rows < 1 {
		return usagef("bench import: --rows must be at least 1")
	}
	dir, err := os.MkdirTemp("", "binakerja-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	w := env.Stdout
	today := binakerja.DateOf(time.Now())

	file := filepath.Join(dir, "inmates.csv")
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := gen.InmateFile(f, *rows, *seed, "16.08", 1, today); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fi, _ := os.Stat(file)
	fmt.Fprintf(w, "generated %d rows (%.1f MB)\n", *rows, float64(fi.Size())/1e6)

	baseline, err := sqliteImport(ctx, dir, file)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	fmt.Fprintf(w, "baseline  sqlite3 .import into a bare table: %.2f s (%.0f rows/s)\n",
		baseline.Seconds(), float64(*rows)/baseline.Seconds())

	if *dsn == "" {
		*dsn = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	ring, err := keys.Load(filepath.Join(dir, "bench.keys"))
	if err != nil {
		return err
	}
	a, err := app.New(db, ring, nil, app.DefaultSettings)
	if err != nil {
		return err
	}
	ac := app.CLIActor("bench")
	code := "BENCH-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 10)
	if _, err := a.CreateOrganization(ctx, ac, &binakerja.Organization{Code: code, Name: "Lapas Bench",
		Kind: binakerja.OrgFacility, FacilityType: "LAPAS", RegionCode: "16.08"}); err != nil {
		return err
	}
	start := time.Now()
	rep, err := a.ImportInmates(ctx, ac, code, func() (io.ReadCloser, error) { return os.Open(file) },
		app.ImportOptions{FileName: "inmates.csv"})
	if err != nil {
		return describe(err)
	}
	took := time.Since(start)
	fmt.Fprintf(w, "binakerja import (%s): %.2f s (%.0f rows/s), created %d\n", db.Engine(), took.Seconds(),
		float64(rep.Created)/took.Seconds(), rep.Created)
	fmt.Fprintf(w, "ratio to the baseline: %.1f×\n", took.Seconds()/baseline.Seconds())
	if peak := peakRSS(); peak > 0 {
		fmt.Fprintf(w, "peak memory (resident): %d MB\n", peak/1024)
	}
	return nil
}

// sqliteImport times sqlite3's own .import of the file into a bare table: the
// fastest way SQLite can take the same rows, with nothing validated,
// encrypted or audited.
func sqliteImport(ctx context.Context, dir, file string) (time.Duration, error) {
	bin, err := exec.LookPath("sqlite3")
	if err != nil {
		return 0, fmt.Errorf("the sqlite3 command is needed for the baseline (Debian: apt-get install sqlite3)")
	}
	cmd := exec.CommandContext(ctx, bin, filepath.Join(dir, "baseline.db"))
	cmd.Stdin = strings.NewReader(".mode csv\n.separator ;\n.import " + file + " inmates\n")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	return time.Since(start), nil
}

// peakRSS returns the process's peak resident memory in KiB (Linux), or 0.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
