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
		now := binakerja.DateOf(time.Now())
		st, err := gen.World(t.Context(), a, gen.Scales["facility"], 1, now, nil)
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
		// Participants released are handed over with their follow-ups, and
		// their mentors have worked them.
		afterRelease(t, a, st, now)
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

// afterRelease checks the work after release of a generated world: hand-overs
// acknowledged and waiting, most follow-ups past their grace recorded and
// some overdue, a plausible share of those reached found in work, and each
// follow-up's outcome in agreement with the person's placements.
func afterRelease(t *testing.T, a *app.App, st gen.Stats, today binakerja.Date) {
	t.Helper()
	cli := app.CLIActor("t")
	hs, err := a.Handovers(t.Context(), cli, false)
	if err != nil || len(hs) == 0 {
		t.Fatalf("hand-overs: %d %v", len(hs), err)
	}
	released := map[int64]binakerja.Date{}
	acknowledged := 0
	for _, h := range hs {
		released[h.PersonID] = h.ReleaseDate
		if !h.AcknowledgedAt.IsZero() {
			acknowledged++
		}
	}
	if acknowledged == 0 || acknowledged == len(hs) || st.Handovers != len(hs) || st.Acknowledged != acknowledged {
		t.Fatalf("hand-overs: %d of %d acknowledged; stats %+v", acknowledged, len(hs), st)
	}
	list := func(status binakerja.FollowUpStatus) []*binakerja.FollowUp {
		var out []*binakerja.FollowUp
		for page := (store.Page{Limit: store.MaxLimit}); ; {
			fs, next, _, err := a.FollowUps(t.Context(), cli, app.FollowUpQuery{Status: status, Page: page})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				if f.Status != binakerja.FollowUpClosed { // closed at a re-admission
					out = append(out, f)
				}
			}
			if next == "" {
				return out
			}
			page.Cursor = next
		}
	}
	done, overdue := list(binakerja.FollowUpDone), list(binakerja.FollowUpOverdue)
	if len(overdue) == 0 || len(done) < 3*len(overdue) || st.FollowUpsDone != len(done) {
		t.Fatalf("follow-ups past their grace: %d done, %d overdue; stats %+v", len(done), len(overdue), st)
	}
	reached, inWork, placed := 0, 0, map[int64]bool{}
	for _, f := range done {
		if f.ContactDate.Before(f.DueDate) || f.ContactDate.After(today) {
			t.Fatalf("follow-up due %s contacted %s", f.DueDate, f.ContactDate)
		}
		if !f.Contacted {
			if f.Outcome != binakerja.OutcomeUnreachable {
				t.Fatalf("not reached, outcome %s", f.Outcome)
			}
			continue
		}
		reached++
		ps, err := a.Placements(t.Context(), cli, f.PersonID)
		if err != nil {
			t.Fatal(err)
		}
		var at *binakerja.Placement
		for _, p := range ps {
			if p.Current(f.ContactDate) {
				at = p
			}
		}
		switch {
		case f.Outcome.Employed() && at == nil, f.Outcome == binakerja.OutcomeUnemployed && at != nil,
			!f.Outcome.Employed() && f.Outcome != binakerja.OutcomeUnemployed:
			t.Fatalf("follow-up of %d on %s: %s, placements %+v", f.PersonID, f.ContactDate, f.Outcome, ps)
		case at != nil:
			inWork++
			if !placed[f.PersonID] {
				placed[f.PersonID] = true
				for _, p := range ps {
					if p.StartDate.Before(released[p.PersonID]) || p.StartDate.After(today) || p.EndDate.After(today) ||
						(!p.EndDate.IsZero() && (p.EndReason == "" || p.EndReason == "KEMBALI_KE_LAPAS")) {
						t.Fatalf("placement of one released on %s: %+v", released[p.PersonID], p)
					}
				}
			}
		}
	}
	if len(placed) == 0 || st.Placements == 0 {
		t.Fatalf("nobody placed; stats %+v", st)
	}
	// The share reached who are in work, as the outcome figures count it.
	if share := 100 * inWork / max(reached, 1); reached < len(done)/2 || share < 40 || share > 75 {
		t.Fatalf("%d of %d follow-ups reached, %d of them in work (%d %%)", reached, len(done), inWork, share)
	}
}
