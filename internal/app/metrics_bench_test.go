package app_test

import (
	"slices"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/store"
)

// BenchmarkOutcomes measures, on a generated province (15 facilities,
// 7,500 people with training, certificates, releases, placements and
// follow-ups), on each engine:
//   - a facility's whole dashboard (funnel and its breakdowns, the
//     catalogue, data quality, trends, the programme effect, commitments
//     and curves), reporting its p95 in ms;
//   - the nation's funnel, beside the same first three figures counted by
//     one plain SQL aggregation over the raw tables in the same run
//     ("x-raw": the funnel's time as a multiple of the aggregation's).
func BenchmarkOutcomes(b *testing.B) {
	today := binakerja.DateOf(time.Now())
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			a := benchWorld(b, engine)
			db := a.DB()
			ac := app.CLIActor("bench")
			facs, _, err := a.Organizations(b.Context(), ac, store.OrgFilter{All: true, Kind: binakerja.OrgFacility, Page: store.Page{Limit: 1}})
			if err != nil || len(facs) == 0 {
				b.Fatalf("no facility: %v", err)
			}
			fac := facs[0].Code
			b.Run("facility-dashboard", func(b *testing.B) {
				var took []time.Duration
				for b.Loop() {
					start := time.Now()
					dashboard(b, a, ac, fac)
					took = append(took, time.Since(start))
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
			})
			y := today.Time().Year() - 1
			from, to := binakerja.NewDate(y-4, time.January, 1), binakerja.NewDate(y, time.December, 31)
			raw := func() time.Duration {
				const n = 20
				start := time.Now()
				for range n {
					if _, _, _, err := db.FunnelBaseline(b.Context(), store.FunnelScope{From: from, To: to}); err != nil {
						b.Fatal(err)
					}
				}
				return time.Since(start) / n
			}
			b.Run("national-funnel", func(b *testing.B) {
				floor := raw()
				start := time.Now()
				for b.Loop() {
					if _, err := a.MetricsFunnel(b.Context(), ac, app.FunnelQuery{From: from, To: to}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(floor), "x-raw")
			})
		})
	}
}

// dashboard computes what a facility's outcomes page shows for the last
// full year, as the page does: from one reading of each kind of fact.
func dashboard(b *testing.B, a *app.App, ac app.Actor, org string) {
	y := a.Today().Time().Year() - 1
	q := app.MetricQuery{Organization: org, From: binakerja.NewDate(y, time.January, 1), To: binakerja.NewDate(y, time.December, 31), AsOf: a.Today()}
	ctx, err := a.Dashboard(b.Context(), ac, q)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.FunnelBreakdowns(ctx, ac, app.FunnelQuery{Organization: org, From: q.From, To: q.To, AsOf: q.AsOf},
		[]string{"program", "sex", "age_band"}, false); err != nil {
		b.Fatal(err)
	}
	if _, err := a.MetricValues(ctx, ac, q); err != nil {
		b.Fatal(err)
	}
	if _, err := a.DataQuality(ctx, ac, q); err != nil {
		b.Fatal(err)
	}
	if _, err := a.MetricTrends(ctx, ac, q); err != nil {
		b.Fatal(err)
	}
	if _, err := a.ProgrammeEffect(ctx, ac, q); err != nil {
		b.Fatal(err)
	}
	if _, err := a.CommitmentsReport(ctx, ac, q); err != nil {
		b.Fatal(err)
	}
	if _, err := a.MetricsSurvivals(ctx, ac, app.SurvivalQuery{Organization: org, From: q.From, To: q.To, AsOf: q.AsOf}, app.SurvivalKinds); err != nil {
		b.Fatal(err)
	}
}
