package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

type internshipBody struct {
	ID       int64
	Host     string
	InmateID int64 `json:"inmate_id"`
	Status   string
	JobOffer bool `json:"job_offer"`
}

func TestInternshipsFollowTheRuleTableAndTheAgreement(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		today := binakerja.DateOf(time.Now())
		var list struct{ Items []internshipBody }
		mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/internships?facility=LP-MARTAPURA"), &list)
		if len(list.Items) != 2 {
			t.Fatalf("the demo's internships: %+v", list.Items)
		}
		var active internshipBody
		for _, it := range list.Items {
			if it.Status == "ACTIVE" {
				active = it
			}
		}
		// The PKS's internship places are counted from the internships
		// started under it.
		var ags struct {
			Items []struct {
				Commitments []struct {
					Kind           string
					Target, Actual int
				}
			}
		}
		mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/agreements"), &ags)
		places := 0
		for _, ag := range ags.Items {
			for _, c := range ag.Commitments {
				if c.Kind == "INTERNSHIP_PLACES" {
					places += c.Actual
				}
			}
		}
		if places != 2 {
			t.Errorf("internship places taken under the agreements: %d, want the demo's 2", places)
		}
		// A person just admitted, untrained, with most of the sentence ahead:
		// every rule failed is named.
		ctx, cli := t.Context(), app.CLIActor("test")
		people, _, err := env.App.Inmates(ctx, cli, app.InmateQuery{Facility: "LP-MARTAPURA", InCustody: true, Page: store.Page{Limit: 500}})
		if err != nil {
			t.Fatal(err)
		}
		var fresh int64
		for _, p := range people {
			el, err := env.App.InternshipCheck(ctx, cli, p.ID, today)
			if err != nil {
				t.Fatal(err)
			}
			if len(el.Bars) >= 2 && p.ID != active.InmateID {
				fresh = p.ID
				break
			}
		}
		body := func(person int64, agreement int, start, end binakerja.Date) string {
			return fmt.Sprintf(`{"inmate_id":%d,"host":"CV-MEBEL-JATI","agreement_id":%d,"start_date":"%s","end_date":"%s","supervisor":"Budi"}`,
				person, agreement, start, end)
		}
		r := post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/internships", body(fresh, 2, today, today.AddDate(0, 0, 20)))
		e := decodeError(t, r)
		if r.StatusCode != 422 || len(e.Error.Fields) < 2 || !strings.Contains(string(r.Body), "PERMENKUMHAM") {
			t.Errorf("not yet eligible: %d %s", r.StatusCode, r.Body)
		}
		// Overlapping the active one; an agreement that promises no
		// internship places; a host that is no party.
		r = post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/internships", body(active.InmateID, 2, today, today.AddDate(0, 0, 10)))
		if r.StatusCode != 422 || !strings.Contains(fieldsOf(decodeError(t, r)), "start_date") {
			t.Errorf("overlapping: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/internships", strings.Replace(body(active.InmateID, 1, today.AddDate(0, 2, 0),
			today.AddDate(0, 2, 10)), "CV-MEBEL-JATI", "BENGKEL-SINAR", 1)); r.StatusCode != 422 || !strings.Contains(fieldsOf(decodeError(t, r)), "agreement_id") {
			t.Errorf("a host that is no party: %d %s", r.StatusCode, r.Body)
		}
		// An agreement's internship places run out: one place, taken by a
		// later internship of the same intern, refuses the next.
		r = post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/agreements", fmt.Sprintf(`{"type":"PKS","number":"PKS/1-TEMPAT",
			"parties":["LP-MARTAPURA","%s"],"signed_date":"%s","valid_from":"%s","valid_until":"%s",
			"commitments":[{"kind":"INTERNSHIP_PLACES","target":1}]}`, active.Host, today.AddDate(0, 0, -2), today.AddDate(0, 0, -1), today.AddDate(1, 0, 0)))
		var one struct{ ID int64 }
		mustJSON(t, r, &one)
		later := func(from int) string {
			return strings.Replace(body(active.InmateID, int(one.ID), today.AddDate(0, 0, from), today.AddDate(0, 0, from+5)),
				"CV-MEBEL-JATI", active.Host, 1)
		}
		if r := post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/internships", later(50)); r.StatusCode != 201 {
			t.Fatalf("the one place: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/internships", later(60)); r.StatusCode != 422 ||
			!strings.Contains(string(r.Body), "sudah terisi") {
			t.Errorf("past its places: %d %s", r.StatusCode, r.Body)
		}
		// Ending the PKS early leaves it not in force.
		r = post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/agreements/2/end", `{"reason":"Bengkel tutup sementara"}`)
		if r.StatusCode != 200 {
			t.Fatalf("end the PKS: %d %s", r.StatusCode, r.Body)
		}
		r = post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/internships", body(active.InmateID, 2, today.AddDate(0, 1, 0), today.AddDate(0, 1, 5)))
		if r.StatusCode != 422 || !strings.Contains(fieldsOf(decodeError(t, r)), "agreement_id") {
			t.Errorf("under an ended agreement: %d %s", r.StatusCode, r.Body)
		}
		// The daily log: out now and already due back, then back late.
		path := fmt.Sprintf("/api/v1/internships/%d", active.ID)
		var detail struct {
			Logs []struct {
				ID       int64
				Late     bool
				Returned *time.Time `json:"returned_at"`
			}
		}
		mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, path), &detail)
		var open int64
		lates := 0
		for _, l := range detail.Logs {
			if l.Returned == nil {
				open = l.ID
			}
			if l.Late {
				lates++
			}
		}
		if open == 0 || lates != 1 {
			t.Fatalf("the demo's log: %+v", detail.Logs)
		}
		b, err := env.App.Board(ctx, app.Actor{User: env.Users[binakerja.RoleFacilityOfficer]}, "LP-MARTAPURA")
		if err != nil || len(b.Out) != 1 || !b.Out[0].Late {
			t.Fatalf("the board: %+v %v", b, err)
		}
		r = post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("%s/logs/%d/return", path, open),
			fmt.Sprintf(`{"returned_at":"%s"}`, time.Now().UTC().Format(time.RFC3339)))
		var back struct{ Late bool }
		mustJSON(t, r, &back)
		if r.StatusCode != 200 || !back.Late {
			t.Errorf("a late return: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("%s/logs/%d/return", path, open),
			fmt.Sprintf(`{"returned_at":"%s"}`, time.Now().UTC().Format(time.RFC3339))); r.StatusCode != 409 {
			t.Errorf("a second return: %d", r.StatusCode)
		}
		// The host's people read and evaluate; a job offer is recorded.
		if _, _, err := env.App.CreateUser(ctx, cli, app.NewUser{Email: "host@umkm.test", Name: "Pembimbing", Password: "kopi tubruk pagi hari",
			Grants: []app.GrantInput{{Role: binakerja.RoleEmployer, Org: active.Host}}}); err != nil {
			t.Fatal(err)
		}
		host, _, _ := env.App.CreateAPIToken(ctx, cli, "host@umkm.test", "t")
		r = env.Do(t, servertest.Request{Method: "PUT", Path: path + "/evaluation", Token: host,
			Body: `{"units":[{"code":"F.45KYU01.001.1","result":"K"}],"note":"baik","job_offer":true}`})
		var ev internshipBody
		mustJSON(t, r, &ev)
		if r.StatusCode != 200 || !ev.JobOffer {
			t.Errorf("the host's evaluation: %d %s", r.StatusCode, r.Body)
		}
		if r := env.Do(t, servertest.Request{Method: "POST", Path: path + "/status", Token: host, Body: `{"status":"COMPLETED"}`}); r.StatusCode != 403 {
			t.Errorf("the host completing the internship: %d", r.StatusCode)
		}
		if r := post(t, env, binakerja.RoleFacilityOfficer, path+"/status", `{"status":"ENDED_EARLY"}`); r.StatusCode != 422 {
			t.Errorf("ending early without a reason: %d", r.StatusCode)
		}
	})
}
