package cli

import (
	"context"
	"fmt"
	"slices"
	"time"

	"binakerja/internal/app"
	"binakerja/internal/config"
)

// benchMatch times matching one vacancy against every candidate in the
// country (top 20 with reasons) on a generated world, beside the plain
// query that selects the same candidate set with their unit results.
func benchMatch(ctx context.Context, args []string, env Env) error {
	fs := flags("bench match", env)
	cfg := config.Load(env.Getenv)
	cfg.DBFlag(fs)
	runs := fs.Int("runs", 50, "how many times to match")
	vacancy := fs.Int64("vacancy", 1, "the vacancy to match")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *runs < 2 {
		return usagef("bench match: --runs must be at least 2")
	}
	a, closeDB, err := openApp(ctx, cfg, logger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer closeDB()
	ac := app.CLIActor("bench")
	m, err := a.MatchNationally(ctx, ac, *vacancy, 20)
	if err != nil {
		return fmt.Errorf("bench match: %w (fill the database with binakerja gen first)", err)
	}
	rows, err := a.MatchBaseline(ctx, ac, *vacancy)
	if err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintf(w, "vacancy %d: %d scored, %d knocked out, %d rows in the baseline's candidate set\n",
		*vacancy, len(m.Items), len(m.KnockedOut), rows)
	time1 := func(f func() error) ([]time.Duration, error) {
		var ds []time.Duration
		for range *runs {
			start := time.Now()
			if err := f(); err != nil {
				return nil, err
			}
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds, nil
	}
	base, err := time1(func() error { _, err := a.MatchBaseline(ctx, ac, *vacancy); return err })
	if err != nil {
		return err
	}
	match, err := time1(func() error { _, err := a.MatchNationally(ctx, ac, *vacancy, 20); return err })
	if err != nil {
		return err
	}
	pct := func(ds []time.Duration, p int) time.Duration { return ds[(len(ds)-1)*p/100] }
	fmt.Fprintf(w, "baseline  plain query of the candidate set with unit results: p50 %.1f ms, p95 %.1f ms\n",
		ms(pct(base, 50)), ms(pct(base, 95)))
	fmt.Fprintf(w, "match     top 20 with reasons: p50 %.1f ms, p95 %.1f ms (%.1fx the baseline at p95)\n",
		ms(pct(match, 50)), ms(pct(match, 95)), float64(pct(match, 95))/float64(pct(base, 95)))
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
