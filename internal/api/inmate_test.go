package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"binakerja"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
)

const inmateCSV = "no_registrasi,nama,nik,tanggal_lahir,jenis_kelamin,tanggal_masuk,lama_pidana,status\n" +
	"LPM-9101,Gilang Ramadhan,1608011506880003,15-06-1988,L,2025-02-03,3 tahun,NARAPIDANA\n" +
	"LPM-9102,Rizky Maulana,,,L,10 Maret 2025,1 tahun 6 bulan,NARAPIDANA\n"

type report struct {
	Rows, Created, Updated, Unchanged, Readmitted, Rejected int
	Errors                                                  []struct {
		Line           int
		Field, Message string
	}
	Written bool
}

func importCSV(t *testing.T, env *servertest.Env, role binakerja.Role, query, body string) (*servertest.Response, report) {
	t.Helper()
	r := env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations/LP-MARTAPURA/inmates/import" + query,
		Token: env.Tokens[role], Body: body, Header: map[string]string{"Content-Type": "text/csv; charset=utf-8"}})
	var rep report
	json.Unmarshal(r.Body, &rep)
	return r, rep
}

func TestInmateImportFindReleaseOverTheAPI(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		r, rep := importCSV(t, env, binakerja.RoleFacilityOfficer, "?dry_run=true", inmateCSV)
		if r.StatusCode != 200 || rep.Created != 2 || rep.Written {
			t.Fatalf("dry run: %d %s", r.StatusCode, r.Body)
		}
		r, rep = importCSV(t, env, binakerja.RoleFacilityOfficer, "", inmateCSV)
		if r.StatusCode != 200 || rep.Created != 2 || !rep.Written {
			t.Fatalf("import: %d %s", r.StatusCode, r.Body)
		}
		officer := env.Tokens[binakerja.RoleFacilityOfficer]
		r = env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/inmates?organization=LP-MARTAPURA&q=gilang", Token: officer})
		var list struct{ Items []map[string]any }
		json.Unmarshal(r.Body, &list)
		if r.StatusCode != 200 || len(list.Items) != 1 || list.Items[0]["nik_masked"] != "1608**********03" ||
			list.Items[0]["expected_release_date"] != "2028-02-03" {
			t.Fatalf("list: %d %s", r.StatusCode, r.Body)
		}
		if strings.Contains(string(r.Body), "1608011506880003") {
			t.Fatal("a list must never show the full NIK")
		}
		id := int64(list.Items[0]["id"].(float64))
		path := fmt.Sprintf("/api/v1/inmates/%d", id)
		r = env.Do(t, servertest.Request{Method: "GET", Path: path, Token: officer})
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"custody_episodes":[{`) {
			t.Fatalf("show: %d %s", r.StatusCode, r.Body)
		}
		for _, role := range []binakerja.Role{binakerja.RoleEmployer, binakerja.RoleAnalyst, binakerja.RoleAssessor} {
			if r := env.Do(t, servertest.Request{Method: "GET", Path: path, Token: env.Tokens[role]}); r.StatusCode != 403 {
				t.Errorf("%s reading an inmate: %d", role, r.StatusCode)
			}
		}
		r = env.Do(t, servertest.Request{Method: "POST", Path: path + "/nik", Token: officer, Body: `{"reason":"x"}`})
		if r.StatusCode != 422 {
			t.Fatalf("a NIK without a reason: %d", r.StatusCode)
		}
		r = env.Do(t, servertest.Request{Method: "POST", Path: path + "/nik", Token: officer, Body: `{"reason":"pendaftaran uji kompetensi"}`,
			Header: reauth(t, env, binakerja.RoleFacilityOfficer)})
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), "1608011506880003") {
			t.Fatalf("reveal: %d %s", r.StatusCode, r.Body)
		}
		if r := env.Do(t, servertest.Request{Method: "POST", Path: path + "/nik", Token: env.Tokens[binakerja.RoleAdmin],
			Body: `{"reason":"ingin tahu saja"}`}); r.StatusCode != 403 {
			t.Fatalf("an admin must not see a full NIK: %d", r.StatusCode)
		}
		r = env.Do(t, servertest.Request{Method: "POST", Path: path + "/release", Token: officer, Body: `{"date":"2026-01-31","reason":"MUTASI"}`})
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "reason" {
			t.Fatalf("a transfer is not a release: %d %s", r.StatusCode, r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "POST", Path: path + "/release", Token: officer, Body: `{"date":"2026-13-01","reason":"PB"}`})
		if r.StatusCode != 400 || fieldsOf(decodeError(t, r)) != "date" {
			t.Fatalf("a bad date: %d %s", r.StatusCode, r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "POST", Path: path + "/release", Token: officer, Body: `{"date":"2026-01-31","reason":"PB"}`})
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"status":"KLIEN"`) {
			t.Fatalf("release: %d %s", r.StatusCode, r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "GET", Path: path + "/export", Token: officer, Header: reauth(t, env, binakerja.RoleFacilityOfficer)})
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"action":"nik.view"`) || !strings.Contains(string(r.Body), `"nik":"1608011506880003"`) {
			t.Fatalf("export: %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestInmateImportRefusalsOverTheAPI(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	bad := inmateCSV + "LPM-9103,Yanto,16080115068800,,L,2025-02-03,,\n"
	r, rep := importCSV(t, env, binakerja.RoleFacilityOfficer, "", bad)
	if r.StatusCode != 422 || rep.Rejected != 1 || rep.Written || len(rep.Errors) != 1 || rep.Errors[0].Line != 4 || rep.Errors[0].Field != "nik" {
		t.Fatalf("abort: %d %s", r.StatusCode, r.Body)
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/inmates", Token: env.Tokens[binakerja.RoleFacilityOfficer]}); strings.Contains(string(r.Body), "Gilang") {
		t.Fatal("a refused import wrote rows")
	}
	r, rep = importCSV(t, env, binakerja.RoleFacilityOfficer, "?on_error=skip", bad)
	if r.StatusCode != 200 || rep.Created != 2 || rep.Rejected != 1 {
		t.Fatalf("skip: %d %s", r.StatusCode, r.Body)
	}
	r = env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations/LP-MARTAPURA/inmates/import",
		Token: env.Tokens[binakerja.RoleFacilityOfficer], Body: "%PDF-1.4", Header: map[string]string{"Content-Type": "application/pdf"}})
	if r.StatusCode != 415 {
		t.Fatalf("a PDF: %d", r.StatusCode)
	}
	r, _ = importCSV(t, env, binakerja.RoleFacilityOfficer, "?on_error=maybe", inmateCSV)
	if r.StatusCode != 422 {
		t.Fatalf("on_error=maybe: %d", r.StatusCode)
	}
	r = env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations/RUTAN-BATURAJA/inmates/import",
		Token: env.Tokens[binakerja.RoleFacilityOfficer], Body: inmateCSV, Header: map[string]string{"Content-Type": "text/csv"}})
	if r.StatusCode != 422 {
		t.Fatalf("another facility's register: %d %s", r.StatusCode, r.Body)
	}
	r, _ = importCSV(t, env, binakerja.RoleEmployer, "", inmateCSV)
	if r.StatusCode != 403 {
		t.Fatalf("an employer importing: %d", r.StatusCode)
	}
	r, rep = importCSV(t, env, binakerja.RoleFacilityOfficer, "", "\x00\x01binary")
	if r.StatusCode != 422 || len(rep.Errors) != 1 || rep.Errors[0].Line != 0 {
		t.Fatalf("a binary file: %d %s", r.StatusCode, r.Body)
	}
}

func TestTransferAndXLSXImportOverTheAPI(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"Registration Number", "Name", "Admission Date", "Sentence"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"LPM-7001", "Aris Munandar", 45658, "2 th 6 bl"}) // 45658 = 2025-01-01
		var buf bytes.Buffer
		f.Write(&buf)
		r := env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations/LP-MARTAPURA/inmates/import",
			Token: env.Tokens[binakerja.RoleAdmin], Body: buf.String(),
			Header: map[string]string{"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}})
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"created":1`) {
			t.Fatalf("xlsx import: %d %s", r.StatusCode, r.Body)
		}
		admin := env.Tokens[binakerja.RoleAdmin]
		r = env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/inmates?q=LPM-7001", Token: admin})
		var list struct{ Items []struct{ ID int64 } }
		json.Unmarshal(r.Body, &list)
		if len(list.Items) != 1 {
			t.Fatalf("find by number: %s", r.Body)
		}
		path := fmt.Sprintf("/api/v1/inmates/%d", list.Items[0].ID)
		r = env.Do(t, servertest.Request{Method: "POST", Path: path + "/transfer", Token: admin,
			Body: `{"to":"CV-MEBEL-JATI","date":"2025-06-01"}`})
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "to" {
			t.Fatalf("a transfer to an employer: %d %s", r.StatusCode, r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "POST", Path: path + "/transfer", Token: admin,
			Body: `{"to":"RUTAN-BATURAJA","date":"2025-06-01","registration_number":"RB-1"}`})
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"organization":"RUTAN-BATURAJA"`) ||
			!strings.Contains(string(r.Body), `"status":"NARAPIDANA"`) {
			t.Fatalf("transfer: %d %s", r.StatusCode, r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "GET", Path: path, Token: env.Tokens[binakerja.RoleFacilityOfficer]})
		if r.StatusCode != 404 {
			t.Fatalf("after the transfer, the first prison's officer must no longer see the person: %d", r.StatusCode)
		}
		r = env.Do(t, servertest.Request{Method: "GET", Path: path, Token: admin})
		if !strings.Contains(string(r.Body), `"transfers":[{"from":"LP-MARTAPURA","to":"RUTAN-BATURAJA"`) {
			t.Fatalf("the episode should carry the transfer: %s", r.Body)
		}
	})
}
