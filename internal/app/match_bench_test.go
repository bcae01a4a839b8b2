package app_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/gen"
	"binakerja/internal/keys"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
)

// benchWorld fills a new database on the engine with a province's world.
func benchWorld(b *testing.B, engine string) *app.App {
	b.Helper()
	dsn := "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
	if engine == "postgres" {
		dsn = pgtest.DSN(b)
	}
	db, err := store.Open(b.Context(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	ring, _ := keys.Load(filepath.Join(b.TempDir(), "k"))
	a, _ := app.New(db, ring, nil, app.DefaultSettings)
	if _, err := gen.World(b.Context(), a, gen.Scales["province"], 1, binakerja.DateOf(time.Now()), nil); err != nil {
		b.Fatal(err)
	}
	return a
}

// p95 runs f n times and returns the 95th percentile of its time.
func p95(b *testing.B, n int, f func() error) time.Duration {
	b.Helper()
	var ds []time.Duration
	for range n {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[(len(ds)-1)*95/100]
}

// BenchmarkMatch scores a vacancy against every candidate of a province
// (top 20 with reasons) on each engine, and reports its time as a multiple
// of the plain query that selects the same candidate set with their unit
// results, measured in the same run ("x-baseline"), and its p95.
func BenchmarkMatch(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			a := benchWorld(b, engine)
			ac := app.CLIActor("bench")
			m, err := a.MatchNationally(b.Context(), ac, 1, 20)
			if err != nil || len(m.Items) == 0 {
				b.Fatalf("no candidates: %v", err)
			}
			base := p95(b, 30, func() error { _, err := a.MatchBaseline(b.Context(), ac, 1); return err })
			for b.Loop() {
				if _, err := a.MatchNationally(b.Context(), ac, 1, 20); err != nil {
					b.Fatal(err)
				}
			}
			per := b.Elapsed() / time.Duration(b.N)
			match := p95(b, 30, func() error { _, err := a.MatchNationally(b.Context(), ac, 1, 20); return err })
			b.ReportMetric(float64(per)/float64(base), "x-baseline")
			b.ReportMetric(float64(match)/1e6, "p95-ms")
			b.ReportMetric(float64(len(m.Items)+len(m.KnockedOut)), "candidates")
		})
	}
}

// BenchmarkEmployerPages reads what an employer's pages show (the portal:
// agreements, vacancies, candidates awaiting a decision; a vacancy with its
// matches and applications) for an employer with 50 vacancies and 200
// proposals, and reports the p95 of each page.
func BenchmarkEmployerPages(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			a := benchWorld(b, engine)
			ctx, ac := b.Context(), app.CLIActor("bench")
			const employer = "G-EMP-16-1"
			today := a.Today()
			var first int64
			proposals := 0
			for i := range 50 {
				v, err := a.CreateVacancy(ctx, ac, app.NewVacancy{Vacancy: binakerja.Vacancy{Employer: employer,
					Title: fmt.Sprintf("Lowongan %d", i), RequiredUnits: []string{"G.KAYU.001", "G.KAYU.002"}, Places: 5,
					RegionCode: "16.01", ClosingDate: today.AddDate(0, 0, 20), StartDate: today.AddDate(0, 1, 0)}})
				if err != nil {
					b.Fatal(err)
				}
				if first == 0 {
					first = v.ID
				}
				m, err := a.Match(ctx, ac, v.ID, 4)
				if err != nil {
					b.Fatal(err)
				}
				for _, it := range m.Items {
					if _, err := a.Propose(ctx, ac, v.ID, it.Facts.PersonID); err != nil {
						b.Fatal(err)
					}
					proposals++
				}
			}
			users, _, err := a.CreateUser(ctx, ac, app.NewUser{Email: "emp@bench.test", Name: "Pemberi Kerja",
				Password: "kopi tubruk pagi hari", Grants: []app.GrantInput{{Role: binakerja.RoleEmployer, Org: employer}}})
			if err != nil {
				b.Fatal(err)
			}
			emp := app.Actor{User: users}
			if u, err := a.DB().UserByEmail(ctx, "emp@bench.test"); err == nil {
				emp.User = u
			}
			portal := func() error {
				if _, _, err := a.Agreements(ctx, emp, app.AgreementListFilter{Party: employer, Page: store.Page{Limit: 50}}); err != nil {
					return err
				}
				if _, _, err := a.Vacancies(ctx, emp, store.VacancyFilter{Employer: employer, Page: store.Page{Limit: 50}}); err != nil {
					return err
				}
				_, _, err := a.EmployerApplications(ctx, emp, employer, true, store.Page{Limit: 100})
				return err
			}
			vacancy := func() error {
				if _, err := a.Match(ctx, emp, first, 20); err != nil {
					return err
				}
				_, err := a.Applications(ctx, emp, first)
				return err
			}
			for b.Loop() {
				if err := portal(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(p95(b, 50, portal))/1e6, "portal-p95-ms")
			b.ReportMetric(float64(p95(b, 50, vacancy))/1e6, "vacancy-p95-ms")
			b.ReportMetric(float64(proposals), "proposals")
		})
	}
}
