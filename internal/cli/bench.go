package cli

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
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
	if len(args) > 0 && args[0] == "match" {
		return benchMatch(ctx, args[1:], env)
	}
	if len(args) == 0 || args[0] != "import" {
		return usagef("bench: want import or match")
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

	driver, err := driverImport(ctx, dir, file)
	if err != nil {
		return fmt.Errorf("driver baseline: %w", err)
	}
	fmt.Fprintf(w, "baseline  the same rows through the Go SQLite driver into a bare table: %.2f s (%.0f rows/s)\n",
		driver.Seconds(), float64(*rows)/driver.Seconds())

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
	fmt.Fprintf(w, "ratio to the baseline: %.1f× (to the driver's bare table: %.1f×)\n",
		took.Seconds()/baseline.Seconds(), took.Seconds()/driver.Seconds())
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

// driverImport times the plainest load of the file that BinaKerja's own
// SQLite driver can do: every record as text into a bare table, 64 rows to
// a statement, in one transaction. Between it and sqlite3's .import lies the
// cost of the driver; between it and BinaKerja's import, the cost of
// BinaKerja's work.
func driverImport(ctx context.Context, dir, file string) (time.Duration, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	start := time.Now()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "driver.db")+"?_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<16))
	r.Comma, r.ReuseRecord = ';', true
	header, err := r.Read()
	if err != nil {
		return 0, err
	}
	cols := make([]string, len(header))
	for i := range cols {
		cols[i] = "c" + strconv.Itoa(i)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE inmates ("+strings.Join(cols, ", ")+")"); err != nil {
		return 0, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	const per = 64
	statement := func(n int) string {
		return "INSERT INTO inmates VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	}
	full, err := tx.PrepareContext(ctx, statement(per))
	if err != nil {
		return 0, err
	}
	defer full.Close()
	insert := func(args []any) error {
		if n := len(args) / len(cols); n < per {
			_, err := tx.ExecContext(ctx, statement(n), args...)
			return err
		}
		_, err := full.ExecContext(ctx, args...)
		return err
	}
	args := make([]any, 0, per*len(cols))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		for i := range cols {
			v := ""
			if i < len(rec) {
				v = rec[i]
			}
			args = append(args, v)
		}
		if len(args) == per*len(cols) {
			if err := insert(args); err != nil {
				return 0, err
			}
			args = args[:0]
		}
	}
	if len(args) > 0 {
		if err := insert(args); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
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
