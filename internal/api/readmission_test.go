package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/demo"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
)

// officerToken adds a facility officer at fac and returns an API token of
// theirs.
func officerToken(t *testing.T, env *servertest.Env, email, fac string) string {
	t.Helper()
	cli := app.CLIActor("test")
	if _, _, err := env.App.CreateUser(t.Context(), cli, app.NewUser{Email: email, Name: "Petugas " + fac,
		Password: demo.Password, Grants: []app.GrantInput{{Role: binakerja.RoleFacilityOfficer, Org: fac}}}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := env.App.CreateAPIToken(t.Context(), cli, email, "test")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

type heldReport struct {
	report
	Held int
}

func importInto(t *testing.T, env *servertest.Env, token, fac, query, body, lang string) (*servertest.Response, heldReport) {
	t.Helper()
	r := env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations/" + fac + "/inmates/import" + query,
		Token: token, Body: body, Header: map[string]string{"Content-Type": "text/csv", "Accept-Language": lang}})
	var rep heldReport
	if err := json.Unmarshal(r.Body, &rep); err != nil {
		t.Fatalf("%d %s", r.StatusCode, r.Body)
	}
	return r, rep
}

func findInmate(t *testing.T, env *servertest.Env, token, query string) int64 {
	t.Helper()
	r := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/inmates?" + query, Token: token})
	var list struct{ Items []struct{ ID int64 } }
	json.Unmarshal(r.Body, &list)
	if r.StatusCode != 200 || len(list.Items) != 1 {
		t.Fatalf("find %s: %d %s", query, r.StatusCode, r.Body)
	}
	return list.Items[0].ID
}

const readmissionHeader = "no_registrasi,nama,nik,tanggal_lahir,jenis_kelamin,tanggal_masuk,lama_pidana,status\n"

// The import over the API, seen from a second facility: a NIK in custody at
// the first is refused without naming it, a re-admission under another name
// is held (the answer says so), one under the same name and birth date goes
// through, and the person's record then shows the stay at the first
// facility only as a summary.
func TestReadmissionElsewhereOverTheAPI(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		lapas := env.Tokens[binakerja.RoleFacilityOfficer] // LP-MARTAPURA
		rutan := officerToken(t, env, "petugas.rutan@binakerja.test", "RUTAN-BATURAJA")
		first := readmissionHeader +
			"LPM-9201,Hendra Gunawan,1608011501010001,15-06-1988,L,2024-02-03,1 tahun,NARAPIDANA\n" +
			"LPM-9202,Yusuf Hidayat,1608011501010002,01-01-1985,L,2024-03-01,5 tahun,NARAPIDANA\n" +
			"LPM-9203,Rudi Hartono,1608011501010003,09-09-1990,L,2024-01-10,1 tahun,NARAPIDANA\n"
		if r, rep := importInto(t, env, lapas, "LP-MARTAPURA", "", first, "id"); r.StatusCode != 200 || rep.Created != 3 {
			t.Fatalf("import at LP-MARTAPURA: %d %s", r.StatusCode, r.Body)
		}
		for _, q := range []string{"q=LPM-9201", "q=LPM-9203"} {
			id := findInmate(t, env, lapas, "organization=LP-MARTAPURA&"+q)
			r := env.Do(t, servertest.Request{Method: "POST", Path: fmt.Sprintf("/api/v1/inmates/%d/release", id), Token: lapas,
				Body: `{"date":"2025-02-03","reason":"HABIS_MASA_PIDANA"}`})
			if r.StatusCode != 200 {
				t.Fatalf("release: %d %s", r.StatusCode, r.Body)
			}
		}

		// Yusuf is held at LP-MARTAPURA: the refusal names nothing of it.
		yusuf := readmissionHeader + "RB-1,Yusuf Hidayat,1608011501010002,01-01-1985,L,2026-06-01,1 tahun,NARAPIDANA\n"
		for _, lang := range []string{"id", "en"} {
			r, rep := importInto(t, env, rutan, "RUTAN-BATURAJA", "?dry_run=true", yusuf, lang)
			if r.StatusCode != 422 || rep.Rejected != 1 || len(rep.Errors) != 1 || rep.Errors[0].Field != "nik" {
				t.Fatalf("%s: in custody elsewhere: %d %s", lang, r.StatusCode, r.Body)
			}
			for _, leak := range []string{"MARTAPURA", "Martapura", "ditahan di", "in custody at"} {
				if strings.Contains(string(r.Body), leak) {
					t.Fatalf("%s: the refusal tells %q: %s", lang, leak, r.Body)
				}
			}
		}

		// Hendra under a longer name: held, not merged.
		hendra := readmissionHeader + "RB-2,Hendra Gunawan Saputra,1608011501010001,15-06-1988,L,2026-06-01,2 tahun,NARAPIDANA\n"
		r, rep := importInto(t, env, rutan, "RUTAN-BATURAJA", "", hendra, "id")
		if r.StatusCode != 200 || rep.Held != 1 || rep.Readmitted != 0 || !rep.Written || !strings.Contains(string(r.Body), `"held":1`) {
			t.Fatalf("held: %d %s", r.StatusCode, r.Body)
		}
		hendraID := findInmate(t, env, lapas, "organization=LP-MARTAPURA&q=LPM-9201")
		if r := env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/api/v1/inmates/%d", hendraID), Token: rutan}); r.StatusCode != 404 {
			t.Fatalf("a held row gives the record away: %d %s", r.StatusCode, r.Body)
		}

		// Rudi under the same name and birth date: re-admitted at once.
		rudi := readmissionHeader + "RB-3,Rudi Hartono,1608011501010003,09-09-1990,L,2026-06-01,2 tahun,NARAPIDANA\n"
		if r, rep := importInto(t, env, rutan, "RUTAN-BATURAJA", "", rudi, "id"); r.StatusCode != 200 || rep.Readmitted != 1 || rep.Held != 0 {
			t.Fatalf("re-admission: %d %s", r.StatusCode, r.Body)
		}
		id := findInmate(t, env, rutan, "q=RB-3")
		r = env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/api/v1/inmates/%d", id), Token: rutan})
		var d struct {
			Organization    string
			CustodyEpisodes []struct {
				Organization       string
				RegistrationNumber string `json:"registration_number"`
			} `json:"custody_episodes"`
			StaysElsewhere *struct {
				Count    int
				FromYear int `json:"from_year"`
				ToYear   int `json:"to_year"`
			} `json:"stays_elsewhere"`
		}
		if err := json.Unmarshal(r.Body, &d); err != nil || r.StatusCode != 200 {
			t.Fatalf("record: %d %s", r.StatusCode, r.Body)
		}
		if d.Organization != "RUTAN-BATURAJA" || len(d.CustodyEpisodes) != 1 || d.CustodyEpisodes[0].RegistrationNumber != "RB-3" ||
			d.StaysElsewhere == nil || d.StaysElsewhere.Count != 1 || d.StaysElsewhere.FromYear != 2024 || d.StaysElsewhere.ToYear != 2025 {
			t.Fatalf("record to the new facility: %s", r.Body)
		}
		for _, leak := range []string{"MARTAPURA", "Martapura", "LPM-9203"} {
			if strings.Contains(string(r.Body), leak) {
				t.Fatalf("the record tells the new facility %q: %s", leak, r.Body)
			}
		}
		// The command line's view and the facility's own are whole.
		r = env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/api/v1/inmates/%d", id), Token: env.Tokens[binakerja.RoleAdmin]})
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), "LPM-9203") || strings.Contains(string(r.Body), "stays_elsewhere") {
			t.Fatalf("the admin's view: %d %s", r.StatusCode, r.Body)
		}
	})
}
