package app_test

import (
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/store"
)

// BenchmarkInmateList lists the first page of a province's register (15
// facilities, 7,500 people, re-admissions included) the ways officers ask
// for it, on each engine. Each list also reports its time as a multiple of
// opening one person's record, measured in the same run ("x-lookup"), so
// that a list which grows with the register shows at once.
func BenchmarkInmateList(b *testing.B) {
	today := binakerja.DateOf(time.Now())
	queries := map[string]app.InmateQuery{
		"all":            {},
		"one-facility":   {Facility: "G-LP-16-01"},
		"name":           {Query: "agus"},
		"release-window": {InCustody: true, ReleaseTo: today.AddDate(0, 3, 0)},
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			a := benchWorld(b, engine)
			ac := app.CLIActor("bench")
			first, _, err := a.Inmates(b.Context(), ac, app.InmateQuery{})
			if err != nil || len(first) == 0 {
				b.Fatalf("no one listed: %v", err)
			}
			// One person, by their registration number and by their whole
			// name: the searches that match few people.
			queries["registration-number"] = app.InmateQuery{Query: first[0].Episode.RegistrationNumber}
			queries["whole-name"] = app.InmateQuery{Query: first[0].Name}
			lookup := func() time.Duration {
				const n = 200
				start := time.Now()
				for range n {
					if _, err := a.Inmate(b.Context(), ac, first[0].Person.ID); err != nil {
						b.Fatal(err)
					}
				}
				return time.Since(start) / n
			}
			for name, q := range queries {
				b.Run(name, func(b *testing.B) {
					q.Page = store.Page{Limit: 50}
					for b.Loop() {
						list, _, err := a.Inmates(b.Context(), ac, q)
						if err != nil || len(list) == 0 {
							b.Fatalf("%d listed: %v", len(list), err)
						}
					}
					per := b.Elapsed() / time.Duration(b.N)
					b.ReportMetric(float64(per)/float64(lookup()), "x-lookup")
				})
			}
		})
	}
}
