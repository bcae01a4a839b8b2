package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

// releasedParticipant releases a trained person in custody at the demo's
// Lapas for the first time, for a reason, and returns their id.
func releasedParticipant(t *testing.T, env *servertest.Env, reason string, supervisor string) int64 {
	t.Helper()
	ctx, cli := t.Context(), app.CLIActor("test")
	people, _, err := env.App.Inmates(ctx, cli, app.InmateQuery{Facility: "LP-MARTAPURA", InCustody: true, Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if p.Episode.PreviousEpisode != 0 {
			continue // back in custody, with the hand-over of the earlier release
		}
		if env.Int(t, `SELECT count(*) FROM placements WHERE person_id = $1`, p.ID) > 0 {
			continue // hired before release, with the job waiting
		}
		units, err := env.App.TrainedUnits(ctx, cli, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(units) == 0 {
			continue
		}
		body := fmt.Sprintf(`{"date":"%s","reason":"%s"`, binakerja.DateOf(time.Now()).AddDate(0, 0, -1), reason)
		if supervisor != "" {
			body += `,"supervisor":"` + supervisor + `"`
		}
		r := post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/inmates/%d/release", p.ID), body+"}")
		if r.StatusCode != 200 {
			t.Fatalf("release: %d %s", r.StatusCode, r.Body)
		}
		return p.ID
	}
	t.Fatal("no trained person in custody")
	return 0
}

func TestAReleasedParticipantIsHandedOverWithFollowUpsAndPlaced(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		person := releasedParticipant(t, env, "HABIS_MASA_PIDANA", "")
		var rec struct {
			Handovers []struct {
				ID     int64
				Mentor string
			}
			FollowUps []struct {
				ID     int64
				Month  int
				Status string
			} `json:"followups"`
		}
		mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/inmates/%d", person)), &rec)
		if len(rec.Handovers) != 1 || rec.Handovers[0].Mentor != "DISNAKER-OKUT" || len(rec.FollowUps) != 4 {
			t.Fatalf("after release: %+v", rec)
		}
		// The labour office acknowledges and sees the schedule.
		r := post(t, env, binakerja.RoleLabourOfficer, fmt.Sprintf("/api/v1/handovers/%d/acknowledge", rec.Handovers[0].ID), `{}`)
		if r.StatusCode != 200 {
			t.Fatalf("acknowledge: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleLabourOfficer, fmt.Sprintf("/api/v1/handovers/%d/acknowledge", rec.Handovers[0].ID), `{}`); r.StatusCode != 409 {
			t.Errorf("a second acknowledgement: %d", r.StatusCode)
		}
		if r := post(t, env, binakerja.RoleProbationOfficer, fmt.Sprintf("/api/v1/handovers/%d/acknowledge", rec.Handovers[0].ID), `{}`); r.StatusCode != 404 {
			t.Errorf("the Bapas acknowledges another's hand-over: %d", r.StatusCode)
		}
		first := rec.FollowUps[0]
		today := binakerja.DateOf(time.Now())
		path := fmt.Sprintf("/api/v1/followups/%d", first.ID)
		for body, field := range map[string]string{
			fmt.Sprintf(`{"contact_date":"%s","contacted":true,"outcome":"BEKERJA_UMKM"}`, today.AddDate(0, 0, 3)):           "contact_date",
			fmt.Sprintf(`{"contact_date":"%s","contacted":true,"outcome":"BEKERJA_UMKM"}`, today.AddDate(0, 0, -30)):         "contact_date",
			fmt.Sprintf(`{"contact_date":"%s","contacted":true}`, today):                                                     "outcome",
			fmt.Sprintf(`{"contact_date":"%s","contacted":true,"outcome":"BELUM_BEKERJA","employer_confirmed":true}`, today): "confirmed",
			fmt.Sprintf(`{"contact_date":"%s","contacted":true,"outcome":"TIDAK_DAPAT_DIHUBUNGI"}`, today):                   "outcome",
			fmt.Sprintf(`{"contact_date":"%s","contacted":false,"outcome":"BEKERJA_MITRA"}`, today):                          "contacted",
		} {
			if r := post(t, env, binakerja.RoleLabourOfficer, path, body); r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != field {
				t.Errorf("%s: %d %s, want %s", body, r.StatusCode, r.Body, field)
			}
		}
		r = post(t, env, binakerja.RoleLabourOfficer, path, fmt.Sprintf(`{"contact_date":"%s","contacted":true,"outcome":"BEKERJA_UMKM","employer_confirmed":true,"employer":"UD Tani Makmur"}`, today))
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"status":"DONE"`) {
			t.Fatalf("record: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleLabourOfficer, path, fmt.Sprintf(`{"contact_date":"%s","contacted":false}`, today)); r.StatusCode != 409 {
			t.Errorf("recording a follow-up twice: %d", r.StatusCode)
		}
		var due struct {
			Items []struct {
				InmateID int64 `json:"inmate_id"`
			}
		}
		mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, "/api/v1/followups?status=done"), &due)
		if len(due.Items) == 0 {
			t.Error("the done follow-up is not listed")
		}
		// A placement: not before release; no overlap unless both part-time.
		place := func(start binakerja.Date, partTime bool, employer string) *servertest.Response {
			return post(t, env, binakerja.RoleLabourOfficer, "/api/v1/placements", fmt.Sprintf(`{"inmate_id":%d,"employer":"%s",
				"kind":"UMKM","start_date":"%s","position":"Pekerja kebun","part_time":%v}`, person, employer, start, partTime))
		}
		if r := place(today.AddDate(0, 0, -10), false, "UD-TANI-MAKMUR"); r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "start_date" {
			t.Errorf("a placement before release: %d %s", r.StatusCode, r.Body)
		}
		r = place(today, true, "UD-TANI-MAKMUR")
		var pl struct {
			ID           int64
			EmployerName string `json:"employer_name"`
		}
		mustJSON(t, r, &pl)
		if r.StatusCode != 201 || pl.EmployerName != "UD Tani Makmur" {
			t.Fatalf("a placement: %d %s", r.StatusCode, r.Body)
		}
		if r := place(today, false, "Warung Bu Siti"); r.StatusCode != 422 {
			t.Errorf("an overlapping full-time job: %d %s", r.StatusCode, r.Body)
		}
		if r := place(today, true, "Warung Bu Siti"); r.StatusCode != 201 || !strings.Contains(string(r.Body), `"employer":""`) {
			t.Errorf("a second part-time job with an employer not a partner: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleLabourOfficer, fmt.Sprintf("/api/v1/placements/%d/end", pl.ID),
			fmt.Sprintf(`{"date":"%s","reason":"KONTRAK_SELESAI"}`, today)); r.StatusCode != 200 {
			t.Errorf("end the placement: %d %s", r.StatusCode, r.Body)
		}
		// Work arranged to start next month that will not take place ends
		// on the day it would have begun.
		var later struct{ ID int64 }
		mustJSON(t, place(today.AddDate(0, 1, 0), true, "Bengkel Las Sentosa"), &later)
		r = post(t, env, binakerja.RoleLabourOfficer, fmt.Sprintf("/api/v1/placements/%d/end", later.ID),
			fmt.Sprintf(`{"date":"%s","reason":"LAINNYA"}`, today))
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), fmt.Sprintf(`"end_date":"%s"`, today.AddDate(0, 1, 0))) {
			t.Errorf("end work not yet begun: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleEmployer, "/api/v1/placements", `{"inmate_id":1,"kind":"JOB","start_date":"2026-01-01","position":"x"}`); r.StatusCode != 403 {
			t.Errorf("an employer records a placement: %d", r.StatusCode)
		}
	})
}

func TestAConditionalReleaseIsTheBapasClient(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	person := releasedParticipant(t, env, "PB", "")
	var rec struct {
		Supervisor string
		Handovers  []struct{ Mentor string }
	}
	mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/inmates/%d", person)), &rec)
	if rec.Supervisor != "BAPAS-BATURAJA" || len(rec.Handovers) != 1 || rec.Handovers[0].Mentor != "BAPAS-BATURAJA" {
		t.Fatalf("a parole: %+v", rec)
	}
	var fs struct {
		Items []struct {
			InmateID int64 `json:"inmate_id"`
		}
	}
	mustJSON(t, get(t, env, binakerja.RoleProbationOfficer, "/api/v1/followups"), &fs)
	found := false
	for _, f := range fs.Items {
		found = found || f.InmateID == person
	}
	if !found {
		t.Errorf("the Bapas does not see its client's follow-ups: %+v", fs.Items)
	}
	mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, "/api/v1/followups"), &fs)
	for _, f := range fs.Items {
		if f.InmateID == person {
			t.Error("the labour office sees the Bapas's client's follow-ups")
		}
	}
	// A supervisor for an unconditional release is refused.
	ctx, cli := t.Context(), app.CLIActor("test")
	people, _, _ := env.App.Inmates(ctx, cli, app.InmateQuery{Facility: "LP-MARTAPURA", InCustody: true, Page: store.Page{Limit: 1}})
	r := post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/inmates/%d/release", people[0].ID),
		fmt.Sprintf(`{"date":"%s","reason":"HABIS_MASA_PIDANA","supervisor":"BAPAS-BATURAJA"}`, binakerja.DateOf(time.Now())))
	if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "supervisor" {
		t.Errorf("a supervisor of an unconditional release: %d %s", r.StatusCode, r.Body)
	}
}

func TestTheReleaseBoardSaysWhatIsMissing(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	officer := app.Actor{User: env.Users[binakerja.RoleFacilityOfficer]}
	rows, err := env.App.ReleaseBoard(t.Context(), officer, "LP-MARTAPURA", 180)
	if err != nil || len(rows) == 0 {
		t.Fatalf("board: %d %v", len(rows), err)
	}
	seen := map[app.Readiness]int{}
	for i, r := range rows {
		seen[r.Readiness]++
		if i > 0 && r.Inmate.Episode.ExpectedRelease.Before(rows[i-1].Inmate.Episode.ExpectedRelease) {
			t.Errorf("row %d is due before the one above it", i)
		}
		if _, ktp := r.Documents[binakerja.DocumentKTP]; r.Readiness == app.ReadyForWork && (!r.Trained || r.Consent == nil || !ktp) {
			t.Errorf("ready without training, consent or identity card: %+v", r)
		}
		if r.Readiness != app.ReadyForWork && r.Readiness != app.NotWilling && len(r.Missing) == 0 {
			t.Errorf("%s says nothing is missing", r.Readiness)
		}
		if due := r.Inmate.Episode.ExpectedRelease; due.After(binakerja.DateOf(time.Now()).AddDate(0, 0, 181)) {
			t.Errorf("due %s, beyond 180 days", due)
		}
	}
	if len(seen) < 2 {
		t.Errorf("the demo's board has only %v", seen)
	}
	if _, err := env.App.ReleaseBoard(t.Context(), app.Actor{User: env.Users[binakerja.RoleEmployer]}, "LP-MARTAPURA", 180); err == nil {
		t.Error("an employer reads the release board")
	}
}

// The documents checklist of the release board: an unknown document is
// refused by name and writes nothing; a recorded one shows on the board,
// and what is still missing is named.
func TestTheReleaseBoardKeepsTheDocumentsChecklist(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		var board struct {
			Items []struct {
				InmateID  int64 `json:"inmate_id"`
				Documents map[string]string
				Missing   []string
			}
		}
		mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/organizations/LP-MARTAPURA/release-board?days=180"), &board)
		if len(board.Items) == 0 {
			t.Fatal("an empty board")
		}
		var row = board.Items[len(board.Items)-1]
		for _, x := range board.Items {
			if len(x.Documents) == 0 {
				row = x
				break
			}
		}
		path := fmt.Sprintf("/api/v1/inmates/%d/documents", row.InmateID)
		audited := env.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'release.documents'`)
		r := env.Do(t, servertest.Request{Method: "PUT", Path: path, Token: env.Tokens[binakerja.RoleFacilityOfficer],
			Body: `{"documents":{"KTP":"HELD","PASPOR":"HELD"}}`})
		if e := decodeError(t, r); r.StatusCode != 422 || len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "documents" ||
			!strings.Contains(e.Error.Fields[0].Message, "PASPOR") {
			t.Fatalf("an unknown document: %d %s", r.StatusCode, r.Body)
		}
		if n := env.Int(t, `SELECT count(*) FROM release_documents WHERE person_id = $1`, row.InmateID); n != len(row.Documents) {
			t.Fatalf("a refused checklist wrote %d rows", n)
		}
		if r := env.Do(t, servertest.Request{Method: "PUT", Path: path, Token: env.Tokens[binakerja.RoleLabourOfficer],
			Body: `{"documents":{"KTP":"HELD"}}`}); r.StatusCode != 403 {
			t.Fatalf("the labour office writes the checklist: %d", r.StatusCode)
		}
		r = env.Do(t, servertest.Request{Method: "PUT", Path: path, Token: env.Tokens[binakerja.RoleFacilityOfficer],
			Body: `{"documents":{"KTP":"HELD","SKCK":"IN_PROGRESS"}}`})
		if r.StatusCode != 204 {
			t.Fatalf("the checklist: %d %s", r.StatusCode, r.Body)
		}
		mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/organizations/LP-MARTAPURA/release-board?days=180"), &board)
		for _, x := range board.Items {
			if x.InmateID != row.InmateID {
				continue
			}
			if x.Documents["KTP"] != "HELD" || x.Documents["SKCK"] != "IN_PROGRESS" || len(x.Documents) != 2 ||
				!slices.Contains(x.Missing, "documents") {
				t.Fatalf("after the checklist: %+v", x)
			}
		}
		if r := get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/organizations/LP-MARTAPURA/release-board?days=45"); r.StatusCode != 422 {
			t.Fatalf("45 days: %d", r.StatusCode)
		}
		if r := get(t, env, binakerja.RoleEmployer, "/api/v1/organizations/LP-MARTAPURA/release-board"); r.StatusCode != 403 {
			t.Fatalf("an employer reads the board: %d", r.StatusCode)
		}
		if n := env.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'release.documents'`); n != audited+1 {
			t.Fatalf("audited checklists: %d", n)
		}
	})
}
