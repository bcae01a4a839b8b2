package app_test

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/gen"
	"binakerja/internal/keys"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
)

// BenchmarkImportInmates imports a generated file of 10,000 people into an
// empty register, on each engine, and reports rows per second. Compare it
// with `binakerja bench import`, which also measures sqlite3's own .import
// of the same file as a baseline.
func BenchmarkImportInmates(b *testing.B) {
	const rows = 10000
	var file bytes.Buffer
	if err := gen.InmateFile(&file, rows, 1, "16.08", 1, binakerja.DateOf(time.Now())); err != nil {
		b.Fatal(err)
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				dsn := "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
				if engine == "postgres" {
					dsn = pgtest.DSN(b)
				}
				db, err := store.Open(b.Context(), dsn)
				if err != nil {
					b.Fatal(err)
				}
				db.Migrate(b.Context())
				ring, _ := keys.Load(filepath.Join(b.TempDir(), "k"))
				a, _ := app.New(db, ring, nil, app.DefaultSettings)
				ac := app.CLIActor("bench")
				a.CreateOrganization(b.Context(), ac, &binakerja.Organization{Code: "LP-B", Name: "B",
					Kind: binakerja.OrgFacility, FacilityType: "LAPAS", RegionCode: "16.08"})
				b.StartTimer()
				rep, err := a.ImportInmates(b.Context(), ac, "LP-B", func() (io.ReadCloser, error) {
					return io.NopCloser(bytes.NewReader(file.Bytes())), nil
				}, app.ImportOptions{})
				if err != nil || rep.Created != rows {
					b.Fatalf("%+v %v", rep, err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
