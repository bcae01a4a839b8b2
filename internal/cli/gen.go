package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/config"
	"binakerja/internal/gen"
)

func runGen(ctx context.Context, args []string, env Env) error {
	cfg := config.Load(env.Getenv)
	fs := flags("gen", env)
	cfg.DBFlag(fs)
	scale := fs.String("scale", "facility", "facility, province or national")
	seed := fs.Uint64("seed", 1, "generator seed: the same seed makes the same world")
	if err := parse(fs, args); err != nil {
		return err
	}
	sc, ok := gen.Scales[*scale]
	if !ok {
		names := []string{}
		for n := range gen.Scales {
			names = append(names, n)
		}
		slices.Sort(names)
		return usagef("gen: --scale must be one of %s", strings.Join(names, ", "))
	}
	a, closeDB, err := openMigrated(ctx, cfg, logger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer closeDB()
	start := time.Now()
	var progress func(done, total int)
	if isTerminal(env.Stderr) {
		progress = func(done, total int) { drawProgress(env.Stderr, done, float64(done)/float64(max(total, 1)), "people") }
	}
	st, err := gen.World(ctx, a, sc, *seed, binakerja.DateOf(time.Now()), progress)
	if progress != nil {
		fmt.Fprintln(env.Stderr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "generated a %s world in %.1f s: %d organisations, %d people (%d released since, %d of them admitted again)\n",
		sc.Name, time.Since(start).Seconds(), st.Organizations, st.People, st.Released, st.Readmitted)
	fmt.Fprintf(env.Stdout, "after release: %d hand-overs (%d acknowledged), %d follow-ups recorded (%d reached, %d in work) and %d overdue, %d placements (%d ended)\n",
		st.Handovers, st.Acknowledged, st.FollowUpsDone, st.Contacted, st.InWork, st.FollowUpsOverdue, st.Placements, st.PlacementsEnded)
	return nil
}
