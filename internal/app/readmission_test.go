package app_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/i18n"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
)

// officer adds a facility officer at fac and returns them as an actor.
func (e *env) officer(t *testing.T, email, fac string) app.Actor {
	t.Helper()
	e.user(t, email, binakerja.RoleFacilityOfficer, fac)
	u, err := e.db.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return app.Actor{User: u}
}

const ahmadNIK = "1608011203900001"

// twoFacilities sets up LP-A, where Ahmad Fauzi (born 12-03-1990) was held
// and released on 2026-02-01, and LP-B, with an officer at each.
func twoFacilities(t *testing.T, e *env) (ahmad int64, atA, atB app.Actor) {
	t.Helper()
	e.facility(t, "LP-A")
	e.facility(t, "LP-B")
	atA, atB = e.officer(t, "petugas.a@example.id", "LP-A"), e.officer(t, "petugas.b@example.id", "LP-B")
	if _, err := e.importFile(t, "LP-A", threeRows, app.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	list, _, err := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{NIK: ahmadNIK})
	if err != nil || len(list) != 1 {
		t.Fatalf("Ahmad: %v %v", list, err)
	}
	if _, err := e.app.Release(t.Context(), e.cli, list[0].ID, binakerja.NewDate(2026, 2, 1), binakerja.ReleaseParole); err != nil {
		t.Fatal(err)
	}
	return list[0].ID, atA, atB
}

func importAs(t *testing.T, e *env, ac app.Actor, fac, content string, opts app.ImportOptions) (*app.ImportReport, error) {
	t.Helper()
	opts.FileName = "b.csv"
	return e.app.ImportInmates(t.Context(), ac, fac, source(content), opts)
}

// importEvents returns the summaries of the audit events of imports, oldest
// first.
func importEvents(t *testing.T, e *env) []map[string]any {
	t.Helper()
	evs, _, err := e.db.AuditEvents(t.Context(), store.AuditFilter{Action: "inmate.import", Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for i := len(evs) - 1; i >= 0; i-- {
		var m map[string]any
		if err := json.Unmarshal([]byte(evs[i].Summary), &m); err != nil {
			t.Fatal(err)
		}
		if after, ok := m["after"].(map[string]any); ok {
			m = after
		}
		out = append(out, m)
	}
	return out
}

func matchedIDs(m map[string]any) []int64 {
	var ids []int64
	list, _ := m["matched"].([]any)
	for _, v := range list {
		ids = append(ids, int64(v.(float64)))
	}
	return ids
}

// An officer of another facility asking about a NIK, in a dry run or not,
// learns only that the person cannot be imported there: not the facility,
// not whether they are held or were released, not a date of theirs. And the
// question is in the audit trail with the person it matched.
func TestARefusalElsewhereNamesNoFacilityAndEveryImportIsAudited(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ahmad, _, atB := twoFacilities(t, e)
		siti, _, _ := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{NIK: "1608014507950002"}) // held at LP-A
		before := len(importEvents(t, e))

		held := header + "X-1;Siti Nur'aini;1608014507950002;05-07-1995;P;2026-04-01;1 tahun;NARAPIDANA\n"
		early := header + "X-2;Ahmad Fauzi;" + ahmadNIK + ";12-03-1990;L;2026-01-15;1 tahun;NARAPIDANA\n" // before his release
		var keys []string
		for _, file := range []string{held, early} {
			for _, dry := range []bool{true, false} {
				rep, err := importAs(t, e, atB, "LP-B", file, app.ImportOptions{DryRun: dry})
				if binakerja.ErrorKind(err) != binakerja.Invalid || rep.Rejected != 1 || len(rep.Problems) != 1 || rep.Written {
					t.Fatalf("dry run %v: %+v %v", dry, rep, err)
				}
				p := rep.Problems[0]
				keys = append(keys, p.Key)
				for _, lang := range i18n.Languages {
					msg := i18n.New(lang).T(p.Key, p.Args...)
					for _, leak := range []string{"LP-A", "Org LP-A", "2026-02-01", "1 Februari 2026", "1 February 2026"} {
						if strings.Contains(msg, leak) {
							t.Errorf("%s: the refusal %q tells %q", lang, msg, leak)
						}
					}
				}
			}
		}
		if !slices.Equal(keys, []string{"import.nik.not_here", "import.nik.not_here", "import.nik.not_here", "import.nik.not_here"}) {
			t.Fatalf("held elsewhere and released elsewhere must read the same: %v", keys)
		}

		evs := importEvents(t, e)[before:]
		if len(evs) != 4 {
			t.Fatalf("four imports refused or dry, %d audited: %v", len(evs), evs)
		}
		for i, ev := range evs {
			want := siti[0].ID
			if i >= 2 {
				want = ahmad
			}
			if ev["dry_run"] != (i%2 == 0) || ev["written"] != false || ev["rejected"] != float64(1) ||
				!slices.Equal(matchedIDs(ev), []int64{want}) {
				t.Errorf("audit event %d: %v, want person %d matched", i, ev, want)
			}
		}
		// The command line, which can read every register, is told where.
		rep, _ := e.importFile(t, "LP-B", held, app.ImportOptions{DryRun: true})
		if rep.Problems[0].Key != "import.nik.elsewhere" {
			t.Fatalf("to the command line: %+v", rep.Problems)
		}
		if n, err := e.db.VerifyAudit(t.Context()); err != nil || n == 0 {
			t.Fatalf("audit chain: %d %v", n, err)
		}
	})
}

func TestADryRunWritesItsAuditEvent(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ahmad, _, atB := twoFacilities(t, e)
		file := header + "B-1;Ahmad Fauzi;" + ahmadNIK + ";12-03-1990;L;2026-04-01;1 tahun;NARAPIDANA\n" +
			"B-2;Budi Santoso;1608011111900003;;L;2026-04-01;;\n"
		rep, err := importAs(t, e, atB, "LP-B", file, app.ImportOptions{DryRun: true})
		if err != nil || rep.Readmitted != 1 || rep.Created != 1 || rep.Written {
			t.Fatalf("dry run: %+v %v", rep, err)
		}
		evs := importEvents(t, e)
		last := evs[len(evs)-1]
		if last["dry_run"] != true || last["readmitted"] != float64(1) || last["created"] != float64(1) ||
			!slices.Equal(matchedIDs(last), []int64{ahmad}) || last["sha256"] == "" {
			t.Fatalf("the dry run's audit event: %v", last)
		}
		d, _ := e.app.Inmate(t.Context(), e.cli, ahmad)
		if d.Episode.Open() || len(d.Episodes) != 1 {
			t.Fatalf("a dry run re-admitted: %+v", d.Episodes)
		}
		if ns, _ := notices(t, e, e.cli); len(ns) != 0 {
			t.Fatalf("a dry run left notices: %+v", ns)
		}
	})
}

// A re-admission under another name is held, not merged: the stored record
// stays as it was, the reviewer at the importing facility sees of it only the
// initials and the birth year, and confirming re-admits the person with the
// old name kept as history and the facility that released them told.
func TestAReadmissionUnderAnotherNameIsHeldUntilConfirmed(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ahmad, atA, atB := twoFacilities(t, e)
		file := header + "B.I-500/2026;Achmad Fauzy;" + ahmadNIK + ";12-03-1990;L;2026-04-01;2 tahun;NARAPIDANA\n"
		for range 2 { // importing the same file again adds no second review
			rep, err := importAs(t, e, atB, "LP-B", file, app.ImportOptions{})
			if err != nil || rep.Held != 1 || rep.Readmitted != 0 || rep.Created != 0 || !rep.Written {
				t.Fatalf("import: %+v %v", rep, err)
			}
		}
		r, _ := e.db.Inmate(t.Context(), ahmad)
		if r.Name != "Ahmad Fauzi" || r.Episode.Open() || r.Episode.Facility != "LP-A" {
			t.Fatalf("a held row changed the record: %+v", r.Inmate)
		}
		if evs := importEvents(t, e); evs[len(evs)-1]["held"] != float64(1) {
			t.Fatalf("the audit event counts the held row: %v", evs[len(evs)-1])
		}

		items, _, err := e.app.ReadmissionReviews(t.Context(), atB, store.Page{})
		if err != nil || len(items) != 1 {
			t.Fatalf("reviews at LP-B: %+v %v", items, err)
		}
		it := items[0]
		if it.Name != "Achmad Fauzy" || it.StoredName != "A*** F***" || it.StoredBirthYear != 1990 || !it.NameDiffers ||
			it.BirthDateDiffers || it.RegistrationNumber != "B.I-500/2026" {
			t.Fatalf("review item: %+v", it)
		}
		if s := fmt.Sprintf("%+v", it); strings.Contains(s, "Ahmad") || strings.Contains(s, "B.I-001") || strings.Contains(s, "LP-A") {
			t.Fatalf("the review shows the stored record: %s", s)
		}
		if mine, _, _ := e.app.ReadmissionReviews(t.Context(), atA, store.Page{}); len(mine) != 0 {
			t.Fatalf("LP-A sees LP-B's reviews: %+v", mine)
		}
		if _, err := e.app.ConfirmReadmission(t.Context(), atA, it.ID, it.Version); binakerja.ErrorKind(err) != binakerja.NotFound {
			t.Fatalf("LP-A confirming LP-B's review: %v", err)
		}

		id, err := e.app.ConfirmReadmission(t.Context(), atB, it.ID, it.Version)
		if err != nil || id != ahmad {
			t.Fatalf("confirm: %d %v", id, err)
		}
		if _, err := e.app.ConfirmReadmission(t.Context(), atB, it.ID, it.Version+1); binakerja.ErrorKind(err) != binakerja.Conflict {
			t.Fatalf("confirming twice: %v", err)
		}
		d, err := e.app.Inmate(t.Context(), atB, ahmad)
		if err != nil || d.Name != "Achmad Fauzy" || !d.Episode.Open() || d.Episode.Facility != "LP-B" ||
			d.Episode.RegistrationNumber != "B.I-500/2026" {
			t.Fatalf("after the confirmation: %+v %v", d, err)
		}
		if len(d.EarlierNames) != 1 || d.EarlierNames[0].Name != "Ahmad Fauzi" || d.EarlierNames[0].Source != "review" {
			t.Fatalf("the old name kept as history: %+v", d.EarlierNames)
		}
		if left, _, _ := e.app.ReadmissionReviews(t.Context(), atB, store.Page{}); len(left) != 0 {
			t.Fatalf("a decided review is still listed: %+v", left)
		}
		ns, err := notices(t, e, atA)
		if err != nil || len(ns) != 1 || ns[0].Kind != store.NoticeReadmittedElsewhere || ns[0].PersonID != ahmad ||
			ns[0].Org != "LP-A" || ns[0].Registration != "B.I-001/2025" || ns[0].PersonName != "Achmad Fauzy" {
			t.Fatalf("LP-A's notices: %+v %v", ns, err)
		}
		if ns, _ := notices(t, e, atB); len(ns) != 0 {
			t.Fatalf("LP-B told of its own admission: %+v", ns)
		}
		if as := auditActions(t, e); count(as, "inmate.readmission.confirm") != 1 {
			t.Fatalf("audit: %v", as)
		}
	})
}

func TestARejectedReviewWritesNothing(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ahmad, _, atB := twoFacilities(t, e)
		file := header + "B-9;Dewi Lestari;" + ahmadNIK + ";01-01-1999;P;2026-04-01;1 tahun;NARAPIDANA\n"
		if rep, err := importAs(t, e, atB, "LP-B", file, app.ImportOptions{}); err != nil || rep.Held != 1 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		items, _, _ := e.app.ReadmissionReviews(t.Context(), atB, store.Page{})
		if len(items) != 1 || !items[0].NameDiffers || !items[0].BirthDateDiffers {
			t.Fatalf("review: %+v", items)
		}
		if err := e.app.RejectReadmission(t.Context(), atB, items[0].ID, items[0].Version); err != nil {
			t.Fatal(err)
		}
		d, _ := e.app.Inmate(t.Context(), e.cli, ahmad)
		if d.Name != "Ahmad Fauzi" || d.Episode.Open() || len(d.Episodes) != 1 || len(d.EarlierNames) != 0 {
			t.Fatalf("a rejected review changed the record: %+v", d)
		}
		if ns, _ := notices(t, e, e.cli); len(ns) != 0 {
			t.Fatalf("notices after a rejection: %+v", ns)
		}
		if as := auditActions(t, e); count(as, "inmate.readmission.reject") != 1 {
			t.Fatalf("audit: %v", as)
		}
	})
}

// Reoffending is still known: the same name (written otherwise) and birth
// date re-admit directly. The new facility sees the earlier stay only as a
// summary, the earlier facility is told, and the name as the new file writes
// it replaces the old, which is kept.
func TestAReadmissionWithTheSameNameAndBirthDateGoesThrough(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ahmad, atA, atB := twoFacilities(t, e)
		file := header + "B-7;AHMAD  FAUZI;" + ahmadNIK + ";12-03-1990;L;2026-04-01;1 tahun;NARAPIDANA\n"
		rep, err := importAs(t, e, atB, "LP-B", file, app.ImportOptions{})
		if err != nil || rep.Readmitted != 1 || rep.Held != 0 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		d, err := e.app.Inmate(t.Context(), atB, ahmad)
		if err != nil || d.Episode.Facility != "LP-B" || len(d.Episodes) != 1 || d.Episodes[0].Facility != "LP-B" {
			t.Fatalf("LP-B's view: %+v %v", d, err)
		}
		if d.Elsewhere != (app.StaysElsewhere{Count: 1, FromYear: 2025, ToYear: 2026}) || d.Elsewhere.Years() != "2025–2026" {
			t.Fatalf("the earlier stay, summed up: %+v", d.Elsewhere)
		}
		if s := fmt.Sprintf("%+v", d.Episodes); strings.Contains(s, "LP-A") || strings.Contains(s, "B.I-001/2025") {
			t.Fatalf("LP-B sees the stay at LP-A: %s", s)
		}
		if len(d.EarlierNames) != 1 || d.EarlierNames[0].Name != "Ahmad Fauzi" {
			t.Fatalf("earlier names: %+v", d.EarlierNames)
		}
		full, _ := e.app.Inmate(t.Context(), e.cli, ahmad)
		if len(full.Episodes) != 2 || full.Elsewhere.Count != 0 {
			t.Fatalf("the command line sees every stay: %+v", full)
		}
		if _, err := e.app.Inmate(t.Context(), atA, ahmad); binakerja.ErrorKind(err) != binakerja.NotFound {
			t.Fatalf("LP-A reading the person held at LP-B: %v", err)
		}
		if ns, _ := notices(t, e, atA); len(ns) != 1 || ns[0].PersonID != ahmad {
			t.Fatalf("LP-A's notices: %+v", ns)
		}
	})
}

// A name changed by an import of someone in custody is kept as history too.
func TestAnImportThatRenamesKeepsTheOldName(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	e.facility(t, "LP-A")
	if _, err := e.importFile(t, "LP-A", threeRows, app.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	renamed := strings.Replace(threeRows, "Siti Nur'aini", "Siti Nuraini Rahma", 1)
	if rep, err := e.importFile(t, "LP-A", renamed, app.ImportOptions{}); err != nil || rep.Updated != 1 {
		t.Fatalf("rename: %+v %v", rep, err)
	}
	list, _, _ := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{NIK: "1608014507950002"})
	d, err := e.app.Inmate(t.Context(), e.cli, list[0].ID)
	if err != nil || d.Name != "Siti Nuraini Rahma" || len(d.EarlierNames) != 1 || d.EarlierNames[0].Name != "Siti Nur'aini" {
		t.Fatalf("%+v %v", d, err)
	}
}

// notices lists the notices addressed to an actor.
func notices(t *testing.T, e *env, ac app.Actor) ([]*store.Notice, error) {
	t.Helper()
	ns, _, _, err := e.app.Notifications(t.Context(), ac, false, store.Page{})
	return ns, err
}
