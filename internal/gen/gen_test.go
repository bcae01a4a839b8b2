package gen_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/gen"
	"binakerja/internal/importer"
	"binakerja/internal/keys"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var today = binakerja.NewDate(2026, 11, 26)

// The serials cross 9,999 and 10,000, where a NIK's last four digits
// would turn 0000.
func TestInmateFileIsValidAndUnique(t *testing.T) {
	var b bytes.Buffer
	if err := gen.InmateFile(&b, 2000, 3, "16.08", 9000, today); err != nil {
		t.Fatal(err)
	}
	recs, err := importer.Open(&b, "")
	if err != nil {
		t.Fatal(err)
	}
	defer recs.Close()
	first, _, _ := recs.Next()
	h, missing, _ := importer.ParseHeader(append([]string(nil), first...))
	if len(missing) > 0 || len(h.Unknown) > 0 {
		t.Fatalf("header: missing %v unknown %v", missing, h.Unknown)
	}
	niks, regnos := map[string]bool{}, map[string]bool{}
	n := 0
	for {
		rec, line, ok := recs.Next()
		if !ok {
			break
		}
		row, ps := h.Parse(rec, line, today)
		if len(ps) > 0 {
			t.Fatalf("line %d: %+v", line, ps)
		}
		if niks[row.NIK] || regnos[row.RegistrationNumber] || !strings.HasPrefix(row.NIK, "1608") {
			t.Fatalf("line %d: duplicate or misplaced NIK %s / number %s", line, row.NIK, row.RegistrationNumber)
		}
		niks[row.NIK], regnos[row.RegistrationNumber] = true, true
		n++
	}
	if n != 2000 {
		t.Fatalf("%d rows", n)
	}
}

func TestFacilityWorldOnBothEngines(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		db, err := store.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		ring, _ := keys.Load(filepath.Join(t.TempDir(), "k"))
		a, _ := app.New(db, ring, nil, app.DefaultSettings)
		st, err := gen.World(t.Context(), a, gen.Scales["facility"], 1, binakerja.DateOf(time.Now()), nil)
		if err != nil {
			t.Fatal(err)
		}
		// The national office, the certification body, the regional office,
		// the labour office and its provider, the facility (the employers are
		// registered as partners).
		if st.Organizations != 6 || st.People != 500 || st.Released == 0 || st.Released == st.People ||
			st.Readmitted == 0 || st.Readmitted > st.Released/4 {
			t.Fatalf("stats: %+v", st)
		}
		// Each re-admitted person is one person with two custody episodes,
		// the second one open.
		var again []binakerja.Inmate
		for page := (store.Page{Limit: store.MaxLimit}); ; {
			list, next, err := a.Inmates(t.Context(), app.CLIActor("t"), app.InmateQuery{InCustody: true, Page: page})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range list {
				if strings.HasPrefix(r.Episode.RegistrationNumber, "B.I-5") {
					again = append(again, r)
				}
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		if len(again) != st.Readmitted {
			t.Fatalf("re-admitted people in custody under new numbers: %d of %d", len(again), st.Readmitted)
		}
		for _, r := range again {
			eps, err := db.Episodes(t.Context(), r.Person.ID)
			if err != nil || len(eps) != 2 || !eps[0].Episode.Open() || eps[1].Episode.Open() {
				t.Fatalf("%s: episodes %+v %v", r.Episode.RegistrationNumber, eps, err)
			}
		}
		// The second half of the chain: certificates, a partner MoU, a
		// vacancy of each employer with candidates proposed, and consents.
		cli := app.CLIActor("t")
		vs, _, err := a.Vacancies(t.Context(), cli, store.VacancyFilter{})
		if err != nil || len(vs) != 3 {
			t.Fatalf("vacancies: %d %v", len(vs), err)
		}
		proposed := 0
		for _, v := range vs {
			proposed += v.Applications
		}
		ags, _, err := a.Agreements(t.Context(), cli, app.AgreementListFilter{})
		if err != nil || len(ags) != 1 || proposed == 0 {
			t.Fatalf("agreements %d, proposals %d: %v", len(ags), proposed, err)
		}
		certs, _, err := a.Certificates(t.Context(), cli, "", store.Page{Limit: 5})
		if err != nil || len(certs) == 0 {
			t.Fatalf("certificates: %d %v", len(certs), err)
		}
		// Participants released are handed over with their follow-ups.
		hs, err := a.Handovers(t.Context(), cli, false)
		if err != nil || len(hs) == 0 {
			t.Fatalf("hand-overs: %d %v", len(hs), err)
		}
		fs, _, _, err := a.FollowUps(t.Context(), cli, app.FollowUpQuery{Status: binakerja.FollowUpOverdue})
		if err != nil || len(fs) == 0 {
			t.Fatalf("overdue follow-ups: %d %v", len(fs), err)
		}
		released, _, err := a.Inmates(t.Context(), app.CLIActor("t"), app.InmateQuery{Status: binakerja.StatusClient,
			Page: store.Page{Limit: store.MaxLimit}})
		if err != nil || len(released) == 0 {
			t.Fatalf("parolees: %d %v", len(released), err)
		}
		if _, err := db.VerifyAudit(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := gen.World(t.Context(), a, gen.Scales["facility"], 1, binakerja.DateOf(time.Now()), nil); err == nil {
			t.Fatal("generating twice into one database must be refused")
		}
	})
}
