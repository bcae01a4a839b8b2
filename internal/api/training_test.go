package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
)

func post(t *testing.T, env *servertest.Env, role binakerja.Role, path, body string) *servertest.Response {
	t.Helper()
	return env.Do(t, servertest.Request{Method: "POST", Path: path, Token: env.Tokens[role], Body: body})
}

func TestSchemeProgramCohortAndEnrolmentOverTheAPI(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		r := post(t, env, binakerja.RoleAssessor, "/api/v1/schemes", `{"code":"SKM-KAYU-2","title":"Tukang Kayu Konstruksi",
			"kkni_level":2,"kbji_code":"7115","validity_years":3,"units":[
			{"code":"F.45ABC00.001.2","title":"Menerapkan K3"},{"code":"C.161000.002.01","title":"Membuat sambungan kayu"},
			{"code":"tukang-3","title":"Merakit kusen"}]}`)
		if r.StatusCode != 201 || !strings.Contains(string(r.Body), `"format":"older"`) || !strings.Contains(string(r.Body), `"code":"TUKANG-3","title":"Merakit kusen","format":"other"`) {
			t.Fatalf("scheme: %d %s", r.StatusCode, r.Body)
		}
		r = post(t, env, binakerja.RoleAssessor, "/api/v1/schemes", `{"code":"X","title":"","kkni_level":12,"kbji_code":"71","validity_years":0,"units":[]}`)
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "title,kkni_level,kbji_code,validity_years,units" {
			t.Fatalf("bad scheme: %d %s", r.StatusCode, r.Body)
		}
		r = post(t, env, binakerja.RoleLabourOfficer, "/api/v1/programs", `{"code":"PRG-KAYU","title":"Pelatihan Pertukangan Kayu","provider":"BLK-OKUT","scheme":"SKM-KAYU-2","hours":160}`)
		if r.StatusCode != 201 {
			t.Fatalf("program: %d %s", r.StatusCode, r.Body)
		}
		r = post(t, env, binakerja.RoleLabourOfficer, "/api/v1/programs", `{"code":"PRG-X","title":"X","provider":"LSP-KARYA-SUMSEL","scheme":"NOPE","hours":160}`)
		if r.StatusCode != 422 {
			t.Fatalf("a provider out of reach: %d %s", r.StatusCode, r.Body)
		}
		today := binakerja.DateOf(time.Now())
		start, end := today.AddDate(0, 0, 14), today.AddDate(0, 3, 0)
		r = post(t, env, binakerja.RoleEmployer, "/api/v1/cohorts", fmt.Sprintf(`{"program":"PRG-KAYU","facility":"LP-MARTAPURA","start_date":"%s","end_date":"%s","capacity":2}`, start, end))
		if r.StatusCode != 403 {
			t.Fatalf("an employer planning a cohort: %d", r.StatusCode)
		}
		r = post(t, env, binakerja.RoleLabourOfficer, "/api/v1/cohorts", fmt.Sprintf(`{"program":"PRG-KAYU","facility":"LP-MARTAPURA","start_date":"%s","end_date":"%s","capacity":2}`, end, start))
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "end_date" {
			t.Fatalf("dates out of order: %d %s", r.StatusCode, r.Body)
		}
		r = post(t, env, binakerja.RoleLabourOfficer, "/api/v1/cohorts", fmt.Sprintf(`{"program":"PRG-KAYU","facility":"LP-MARTAPURA","start_date":"%s","end_date":"%s","capacity":2}`, start, end))
		var c struct{ ID int64 }
		json.Unmarshal(r.Body, &c)
		if r.StatusCode != 201 || c.ID == 0 {
			t.Fatalf("cohort: %d %s", r.StatusCode, r.Body)
		}
		cohort := fmt.Sprintf("/api/v1/cohorts/%d", c.ID)
		r = env.Do(t, servertest.Request{Method: "GET", Path: cohort + "/candidates", Token: env.Tokens[binakerja.RoleFacilityOfficer]})
		var cands struct {
			Items []struct {
				InmateID int64 `json:"inmate_id"`
				Eligible bool
				Reasons  []string
			}
		}
		json.Unmarshal(r.Body, &cands)
		var eligible []int64
		var tooShort int64
		for _, it := range cands.Items {
			if it.Eligible {
				eligible = append(eligible, it.InmateID)
			} else if len(it.Reasons) == 1 && it.Reasons[0] == "TIME_LEFT" {
				tooShort = it.InmateID
			}
		}
		if r.StatusCode != 200 || len(eligible) < 4 || tooShort == 0 {
			t.Fatalf("candidates: %d eligible %d, short %d: %s", r.StatusCode, len(eligible), tooShort, r.Body)
		}
		enrol := func(role binakerja.Role, id int64, extra string) *servertest.Response {
			return post(t, env, role, cohort+"/enrollments", fmt.Sprintf(`{"inmate_id":%d%s}`, id, extra))
		}
		r = enrol(binakerja.RoleFacilityOfficer, tooShort, "")
		if r.StatusCode != 422 || !strings.Contains(decodeError(t, r).Error.Fields[0].Message, "TIME_LEFT") {
			t.Fatalf("someone released before the assessment: %d %s", r.StatusCode, r.Body)
		}
		var first struct{ ID int64 }
		r = enrol(binakerja.RoleFacilityOfficer, eligible[0], "")
		json.Unmarshal(r.Body, &first)
		if r.StatusCode != 201 || !strings.Contains(string(r.Body), `"status":"TERDAFTAR"`) {
			t.Fatalf("enrol: %d %s", r.StatusCode, r.Body)
		}
		if r := enrol(binakerja.RoleLabourOfficer, eligible[0], ""); r.StatusCode != 409 {
			t.Fatalf("a second enrolment: %d %s", r.StatusCode, r.Body)
		}
		if r := enrol(binakerja.RoleLabourOfficer, eligible[1], ""); r.StatusCode != 201 {
			t.Fatalf("the second place: %d %s", r.StatusCode, r.Body)
		}
		if r := enrol(binakerja.RoleLabourOfficer, eligible[2], ""); r.StatusCode != 409 || decodeError(t, r).Error.Code != "conflict" {
			t.Fatalf("a full cohort: %d %s", r.StatusCode, r.Body)
		}
		if r := enrol(binakerja.RoleLabourOfficer, eligible[2], `,"waitlist":true`); r.StatusCode != 201 || !strings.Contains(string(r.Body), "DAFTAR_TUNGGU") {
			t.Fatalf("the waiting list: %d %s", r.StatusCode, r.Body)
		}
		path := fmt.Sprintf("/api/v1/enrollments/%d", first.ID)
		if r := post(t, env, binakerja.RoleFacilityOfficer, path+"/withdraw", `{}`); r.StatusCode != 422 {
			t.Fatalf("a withdrawal without a reason: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleFacilityOfficer, path+"/withdraw", `{"reason":"sakit"}`); r.StatusCode != 200 {
			t.Fatalf("withdraw: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleFacilityOfficer, path+"/complete", `{}`); r.StatusCode != 409 {
			t.Fatalf("completing a withdrawn enrolment: %d %s", r.StatusCode, r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "GET", Path: cohort, Token: env.Tokens[binakerja.RoleLabourOfficer]})
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"enrolled":2`) || !strings.Contains(string(r.Body), `"waiting":0`) {
			t.Fatalf("the waiting person should have taken the freed place: %s", r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "GET", Path: cohort, Token: env.Tokens[binakerja.RoleEmployer]})
		if r.StatusCode != 403 {
			t.Fatalf("an employer reading the participants: %d", r.StatusCode)
		}
	})
}

func TestReleaseEndsTheEnrolmentAndFreesThePlace(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	post(t, env, binakerja.RoleAssessor, "/api/v1/schemes", `{"code":"SKM-TANI","title":"Petani","kkni_level":2,"validity_years":3,"units":[{"code":"A.011100.001.01","title":"Menanam"}]}`)
	post(t, env, binakerja.RoleLabourOfficer, "/api/v1/programs", `{"code":"PRG-TANI","title":"Pertanian","provider":"DISNAKER-OKUT","scheme":"SKM-TANI","hours":80}`)
	today := binakerja.DateOf(time.Now())
	r := post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/cohorts", fmt.Sprintf(`{"program":"PRG-TANI","facility":"LP-MARTAPURA","start_date":"%s","end_date":"%s","capacity":1}`, today.AddDate(0, 0, -7), today.AddDate(0, 1, 0)))
	var c struct{ ID int64 }
	json.Unmarshal(r.Body, &c)
	cohort := fmt.Sprintf("/api/v1/cohorts/%d", c.ID)
	r = env.Do(t, servertest.Request{Method: "GET", Path: cohort + "/candidates", Token: env.Tokens[binakerja.RoleFacilityOfficer]})
	var cands struct {
		Items []struct {
			InmateID int64 `json:"inmate_id"`
			Eligible bool
		}
	}
	json.Unmarshal(r.Body, &cands)
	a, b := cands.Items[0].InmateID, cands.Items[1].InmateID
	post(t, env, binakerja.RoleFacilityOfficer, cohort+"/enrollments", fmt.Sprintf(`{"inmate_id":%d}`, a))
	post(t, env, binakerja.RoleFacilityOfficer, cohort+"/enrollments", fmt.Sprintf(`{"inmate_id":%d,"waitlist":true}`, b))
	r = post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/inmates/%d/release", a), fmt.Sprintf(`{"date":"%s","reason":"PB"}`, today))
	if r.StatusCode != 200 {
		t.Fatalf("release: %d %s", r.StatusCode, r.Body)
	}
	r = env.Do(t, servertest.Request{Method: "GET", Path: cohort, Token: env.Tokens[binakerja.RoleFacilityOfficer]})
	body := string(r.Body)
	if r := post(t, env, binakerja.RoleFacilityOfficer, cohort+"/enrollments", fmt.Sprintf(`{"inmate_id":%d}`, a)); r.StatusCode != 422 {
		t.Fatalf("enrolling a released person: %d %s", r.StatusCode, r.Body)
	}
	if !strings.Contains(body, `"status":"KELUAR_KARENA_BEBAS","reason":"PB"`) || !strings.Contains(body, fmt.Sprintf(`"inmate_id":%d,`, b)) ||
		!strings.Contains(body, `"enrolled":1`) || !strings.Contains(body, `"waiting":0`) {
		t.Fatalf("after the release: %s", body)
	}
}

func TestAttendanceDecidesCompletion(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		officer := env.Tokens[binakerja.RoleFacilityOfficer]
		r := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/cohorts?program=PRG-TKK", Token: officer})
		var cs struct {
			Items []struct {
				ID        int64
				StartDate string `json:"start_date"`
			}
		}
		json.Unmarshal(r.Body, &cs)
		c := cs.Items[0] // the running cohort is the newest
		r = env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/api/v1/cohorts/%d", c.ID), Token: officer})
		var detail struct {
			Enrollments []struct {
				ID     int64
				Status string
			}
		}
		json.Unmarshal(r.Body, &detail)
		if len(detail.Enrollments) < 2 {
			t.Fatalf("the running cohort: %s", r.Body)
		}
		good, poor := detail.Enrollments[0].ID, detail.Enrollments[1].ID
		start, _ := binakerja.ParseISODate(c.StartDate)
		r = post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/cohorts/%d/sessions", c.ID),
			fmt.Sprintf(`{"date":"%s","topic":"x","hours":20}`, start))
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "hours" {
			t.Fatalf("a 20-hour session: %d %s", r.StatusCode, r.Body)
		}
		for i := range 3 {
			r = post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/cohorts/%d/sessions", c.ID),
				fmt.Sprintf(`{"date":"%s","topic":"Sambungan kayu %d","hours":4}`, start.AddDate(0, 0, i), i+1))
			var s struct{ ID int64 }
			json.Unmarshal(r.Body, &s)
			if r.StatusCode != 201 {
				t.Fatalf("session: %d %s", r.StatusCode, r.Body)
			}
			poorHere := i == 0
			r = env.Do(t, servertest.Request{Method: "PUT", Path: fmt.Sprintf("/api/v1/sessions/%d/attendance", s.ID), Token: officer,
				Body: fmt.Sprintf(`{"records":[{"enrollment_id":%d,"present":true},{"enrollment_id":%d,"present":%v,"absence_reason":"SAKIT"}]}`, good, poor, poorHere)})
			if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"marked":2`) {
				t.Fatalf("attendance: %d %s", r.StatusCode, r.Body)
			}
		}
		r = post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/enrollments/%d/complete", poor), `{}`)
		if r.StatusCode != 422 || !strings.Contains(decodeError(t, r).Error.Message, "33%") {
			t.Fatalf("completing with a third of the sessions: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/enrollments/%d/complete", good), `{}`); r.StatusCode != 200 {
			t.Fatalf("completing with every session: %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestSchemeImportFromCSV(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	csv := "Kode Skema;Judul Skema;Jenjang KKNI;Kode KBJI;Masa Berlaku;Kode Unit;Judul Unit\n" +
		"SKM-LAS-2;Juru Las;2;7212;3;C.25LAS00.001.1;Menerapkan K3 pengelasan\n" +
		"SKM-LAS-2;Juru Las;2;7212;3;C.25LAS00.004.1;Mengelas dengan proses las busur manual\n" +
		"SKM-JAHIT-2;Penjahit;2;7531;3;C.141000.001.01;Menjahit pakaian\n"
	r := env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/schemes/import", Token: env.Tokens[binakerja.RoleAssessor],
		Body: csv, Header: map[string]string{"Content-Type": "text/csv"}})
	if r.StatusCode != 201 || !strings.Contains(string(r.Body), `"schemes":["SKM-LAS-2","SKM-JAHIT-2"]`) {
		t.Fatalf("import: %d %s", r.StatusCode, r.Body)
	}
	bad := "kode_skema,judul_skema,jenjang_kkni,masa_berlaku,kode_unit,judul_unit\nSKM-X,X,11,3,A.1,\n"
	r = env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/schemes/import", Token: env.Tokens[binakerja.RoleAssessor],
		Body: bad, Header: map[string]string{"Content-Type": "text/csv"}})
	if r.StatusCode != 422 || !strings.Contains(string(r.Body), `"line":2`) {
		t.Fatalf("a bad file: %d %s", r.StatusCode, r.Body)
	}
	r = env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/schemes/import", Token: env.Tokens[binakerja.RoleAssessor],
		Body: csv, Header: map[string]string{"Content-Type": "text/csv"}})
	if r.StatusCode != 422 || !strings.Contains(string(r.Body), "SKM-LAS-2") {
		t.Fatalf("importing again: %d %s", r.StatusCode, r.Body)
	}
}
