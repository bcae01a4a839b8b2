package api_test

import (
	"encoding/json"
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

func get(t *testing.T, env *servertest.Env, role binakerja.Role, path string) *servertest.Response {
	t.Helper()
	return env.Do(t, servertest.Request{Method: "GET", Path: path, Token: env.Tokens[role]})
}

func mustJSON(t *testing.T, r *servertest.Response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%d %s: %v", r.StatusCode, r.Body, err)
	}
}

// otherProvince adds a labour office in West Sumatra with a provider and a
// programme, and a labour officer there, returning the officer's token.
func otherProvince(t *testing.T, env *servertest.Env) string {
	t.Helper()
	ctx, cli := t.Context(), app.CLIActor("test")
	for _, o := range []binakerja.Organization{
		{Code: "DISNAKER-PADANG", Name: "Disnaker Kota Padang", Kind: binakerja.OrgLabourOffice, RegionCode: "13.71", Parent: "DITJENPAS"},
		{Code: "BLK-PADANG", Name: "BLK Padang", Kind: binakerja.OrgTrainingProvider, RegionCode: "13.71", Parent: "DISNAKER-PADANG"},
	} {
		if _, err := env.App.CreateOrganization(ctx, cli, &o); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.App.CreateProgram(ctx, cli, &binakerja.Program{Code: "PRG-PDG", Title: "Pertukangan Padang", Provider: "BLK-PADANG",
		Scheme: "SKM-TKK-2", Hours: 100}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.App.CreateUser(ctx, cli, app.NewUser{Email: "padang@binakerja.test", Name: "Petugas Padang",
		Password: "kopi tubruk pagi hari", Grants: []app.GrantInput{{Role: binakerja.RoleLabourOfficer, Org: "DISNAKER-PADANG"}}}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := env.App.CreateAPIToken(ctx, cli, "padang@binakerja.test", "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestALabourOfficeReachesOnlyTheFacilitiesItWorksWith(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		padang := otherProvince(t, env)
		today := binakerja.DateOf(time.Now())
		cohort := fmt.Sprintf(`{"program":"PRG-PDG","facility":"LP-MARTAPURA","start_date":"%s","end_date":"%s","capacity":5}`,
			today.AddDate(0, 0, 10), today.AddDate(0, 2, 0))
		r := env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/cohorts", Token: padang, Body: cohort})
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "facility" {
			t.Fatalf("a labour office of another province plans a cohort at Martapura: %d %s", r.StatusCode, r.Body)
		}
		// Nor does it reach the candidates of a cohort there through its
		// provider.
		r = post(t, env, binakerja.RoleLabourOfficer, "/api/v1/cohorts", strings.Replace(cohort, "PRG-PDG", "PRG-TKK", 1))
		var c struct{ ID int64 }
		mustJSON(t, r, &c)
		if r.StatusCode != 201 {
			t.Fatalf("the district's own labour office: %d %s", r.StatusCode, r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/api/v1/cohorts/%d/candidates", c.ID), Token: padang})
		if r.StatusCode != 404 {
			t.Fatalf("another province's officer reads candidates: %d", r.StatusCode)
		}
		// An agreement in force between the two brings the facility in reach.
		r = post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/agreements", fmt.Sprintf(`{"type":"MOU","number":"MOU/PDG/1",
			"parties":["LP-MARTAPURA","DISNAKER-PADANG"],"signed_date":"%s","valid_from":"%s","valid_until":"%s"}`,
			today.AddDate(0, 0, -3), today.AddDate(0, 0, -1), today.AddDate(1, 0, 0)))
		if r.StatusCode != 201 {
			t.Fatalf("agreement: %d %s", r.StatusCode, r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/cohorts", Token: padang, Body: cohort})
		if r.StatusCode != 201 {
			t.Fatalf("under an agreement in force: %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestAgreementCommitmentsAreCountedFromTheRecords(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		var list struct {
			Items []struct {
				ID          int64
				Type        string
				Commitments []struct {
					Kind    string
					Target  int
					Actual  int
					Percent int
				}
			}
		}
		r := get(t, env, binakerja.RoleLabourOfficer, "/api/v1/agreements")
		mustJSON(t, r, &list)
		var mou int64
		actual := map[string]int{}
		for _, a := range list.Items {
			if a.Type == "MOU" {
				mou = a.ID
				for _, c := range a.Commitments {
					actual[c.Kind] = c.Actual
				}
			}
		}
		// The demo's MoU supports the cohorts since it was signed and took
		// one hire through its vacancy: both counted, not typed.
		enrolled := env.Int(t, `SELECT COUNT(*) FROM enrollments e JOIN cohorts c ON c.id = e.cohort_id
			WHERE c.agreement_id = $1 AND e.status NOT IN ('DAFTAR_TUNGGU', 'DIBATALKAN')`, mou)
		hired := env.Int(t, `SELECT COUNT(*) FROM applications WHERE status = 'HIRED'`)
		if mou == 0 || enrolled == 0 || actual["TRAINING_PLACES"] != enrolled || actual["HIRES"] != hired || hired != 1 {
			t.Fatalf("MoU %d: actual %v, enrolled %d, hired %d", mou, actual, enrolled, hired)
		}
		// Hiring one more through the MoU's vacancy moves the actual.
		var apps struct {
			Items []struct {
				ID     int64
				Status string
			}
		}
		mustJSON(t, get(t, env, binakerja.RoleEmployer, "/api/v1/vacancies/1/applications"), &apps)
		var offered int64
		for _, a := range apps.Items {
			if a.Status == "OFFERED" {
				offered = a.ID
			}
		}
		r = post(t, env, binakerja.RoleEmployer, fmt.Sprintf("/api/v1/applications/%d/status", offered), `{"status":"HIRED"}`)
		if r.StatusCode != 200 {
			t.Fatalf("hire: %d %s", r.StatusCode, r.Body)
		}
		var ag struct {
			Commitments []struct {
				Kind   string
				Actual int
			}
			ElapsedPercent int `json:"elapsed_percent"`
		}
		mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, fmt.Sprintf("/api/v1/agreements/%d", mou)), &ag)
		for _, c := range ag.Commitments {
			if c.Kind == "HIRES" && c.Actual != 2 {
				t.Errorf("hires after a second hire: %d", c.Actual)
			}
		}
		if ag.ElapsedPercent <= 0 || ag.ElapsedPercent >= 100 {
			t.Errorf("elapsed %d%%", ag.ElapsedPercent)
		}
		// Agreements ending within 90 days: the demo's PKS, not the MoU.
		var ending struct{ Items []struct{ Type string } }
		mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/agreements?ending_within=90"), &ending)
		if len(ending.Items) != 1 || ending.Items[0].Type != "PKS" {
			t.Errorf("ending within 90 days: %+v", ending.Items)
		}
	})
}

func TestAgreementBadInputNamesTheFieldAndWritesNothing(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	for body, fields := range map[string]string{
		`{"type":"NDA","number":"","parties":["LP-MARTAPURA"],"signed_date":"2026-01-01","valid_from":"2026-01-01","valid_until":"2025-01-01",
			"commitments":[{"kind":"HIRES","target":0}]}`: "type,number,parties,valid_until,commitments",
		`{"type":"PKS","number":"X/1","parties":["LP-MARTAPURA","NOWHERE"],"signed_date":"2026-01-01","valid_from":"2026-01-01","valid_until":"2027-01-01"}`:         "parties",
		`{"type":"PKS","number":"X/2","parties":["RUTAN-BATURAJA","CV-MEBEL-JATI"],"signed_date":"2026-01-01","valid_from":"2026-01-01","valid_until":"2027-01-01"}`: "parties",
	} {
		r := post(t, env, binakerja.RoleFacilityOfficer, "/api/v1/agreements", body)
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != fields {
			t.Errorf("%s: %d %s, want fields %s", body, r.StatusCode, r.Body, fields)
		}
	}
	if n := env.Int(t, `SELECT COUNT(*) FROM agreements`); n != 2 {
		t.Errorf("agreements after refusals: %d", n)
	}
}

func TestAgreementDocumentsAreCheckedByContentAndServedToThePartiesOnly(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	pdf := "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
	upload := func(role binakerja.Role, ct, body string) *servertest.Response {
		return env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/agreements/2/documents?name=pks.pdf",
			Token: env.Tokens[role], Body: body, Header: map[string]string{"Content-Type": ct}})
	}
	r := upload(binakerja.RoleFacilityOfficer, "application/pdf", pdf)
	var d struct {
		ID     int64
		SHA256 string
	}
	mustJSON(t, r, &d)
	if r.StatusCode != 201 || len(d.SHA256) != 64 {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	if r := upload(binakerja.RoleFacilityOfficer, "application/pdf", "MZ\x90\x00 not a pdf at all"); r.StatusCode != 422 ||
		fieldsOf(decodeError(t, r)) != "file" {
		t.Errorf("an executable declared as PDF: %d %s", r.StatusCode, r.Body)
	}
	if r := upload(binakerja.RoleFacilityOfficer, "image/png", pdf); r.StatusCode != 422 {
		t.Errorf("a PDF declared as PNG: %d %s", r.StatusCode, r.Body)
	}
	if r := upload(binakerja.RoleFacilityOfficer, "application/pdf", pdf+strings.Repeat("x", binakerja.MaxDocumentSize)); r.StatusCode != 413 {
		t.Errorf("over 10 MB: %d", r.StatusCode)
	}
	doc := fmt.Sprintf("/api/v1/agreements/2/documents/%d", d.ID)
	r = get(t, env, binakerja.RoleEmployer, doc) // CV Mebel Jati is a party to the PKS
	if r.StatusCode != 200 || string(r.Body) != pdf || r.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("a party reads the document: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	// PT Agro is a partner of the MoU, not of the PKS.
	ctx, cli := t.Context(), app.CLIActor("test")
	if _, _, err := env.App.CreateUser(ctx, cli, app.NewUser{Email: "sdm@agro.test", Name: "SDM Agro", Password: "kopi tubruk pagi hari",
		Grants: []app.GrantInput{{Role: binakerja.RoleEmployer, Org: "PT-AGRO-OKU"}}}); err != nil {
		t.Fatal(err)
	}
	agro, _, _ := env.App.CreateAPIToken(ctx, cli, "sdm@agro.test", "t")
	for _, p := range []string{doc, "/api/v1/agreements/2"} {
		if r := env.Do(t, servertest.Request{Method: "GET", Path: p, Token: agro}); r.StatusCode != 404 {
			t.Errorf("another employer reads %s: %d", p, r.StatusCode)
		}
	}
	evs, _, err := env.DB.AuditEvents(ctx, store.AuditFilter{Action: "agreement.document_view", Page: store.Page{Limit: 10}})
	if err != nil || len(evs) != 1 {
		t.Errorf("document views audited: %d %v", len(evs), err)
	}
}

type matchesBody struct {
	Items []struct {
		InmateID        int64 `json:"inmate_id"`
		Name            string
		Score           float64
		MatchedRequired []string          `json:"matched_required"`
		MissingRequired []string          `json:"missing_required"`
		Evidence        map[string]string `json:"evidence"`
		Why             string
		TrainingGap     bool    `json:"training_gap"`
		Application     string  `json:"application_status"`
		AvailableFrom   *string `json:"available_from"`
	}
	KnockedOut []struct {
		InmateID int64 `json:"inmate_id"`
		Reason   string
	} `json:"knocked_out"`
}

func TestMatchingKnocksOutThenScoresWithReasons(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		var staff, employer matchesBody
		mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, "/api/v1/vacancies/1/matches?limit=50"), &staff)
		mustJSON(t, get(t, env, binakerja.RoleEmployer, "/api/v1/vacancies/1/matches?limit=50"), &employer)
		if len(staff.Items) < 5 || len(staff.KnockedOut) == 0 {
			t.Fatalf("staff sees %d candidates and %d knock-outs", len(staff.Items), len(staff.KnockedOut))
		}
		reasons := map[string]int{}
		for _, k := range staff.KnockedOut {
			reasons[k.Reason]++
		}
		if reasons["NO_CONSENT"] == 0 || reasons["ALREADY_PLACED"] == 0 {
			t.Errorf("knock-out reasons: %v", reasons)
		}
		// The employer sees only those proposed to it, never who was left
		// out or why, and availability by the month only.
		proposed := map[int64]bool{}
		for _, it := range staff.Items {
			if it.Application != "" && it.Application != "WITHDRAWN" {
				proposed[it.InmateID] = true
			}
		}
		if len(employer.KnockedOut) != 0 || len(employer.Items) != len(proposed) || len(proposed) == 0 {
			t.Errorf("the employer sees %d knock-outs and %d candidates (%d proposed)", len(employer.KnockedOut), len(employer.Items), len(proposed))
		}
		for _, it := range employer.Items {
			if !proposed[it.InmateID] || it.AvailableFrom != nil && (*it.AvailableFrom)[8:] != "01" {
				t.Errorf("the employer sees %+v", it)
			}
		}
		top := staff.Items[0]
		if len(top.MissingRequired) != 0 || top.Evidence[top.MatchedRequired[0]] != "CERTIFICATE" ||
			!strings.HasPrefix(top.Why, "K pada 3 dari 3 unit wajib; 0 dari 1 unit tambahan; 0 km;") {
			t.Errorf("the best candidate: %+v", top)
		}
		for i := 1; i < len(staff.Items); i++ {
			a, b := staff.Items[i-1], staff.Items[i]
			if a.TrainingGap && !b.TrainingGap || a.TrainingGap == b.TrainingGap && a.Score < b.Score {
				t.Errorf("rank %d (%v, %.1f) before (%v, %.1f)", i, a.TrainingGap, a.Score, b.TrainingGap, b.Score)
			}
		}
		last := staff.Items[len(staff.Items)-1]
		if !last.TrainingGap || len(last.MissingRequired) == 0 {
			t.Errorf("the last candidate should show a training gap with the units to offer: %+v", last)
		}
		// English on request.
		r := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/vacancies/1/matches", Token: env.Tokens[binakerja.RoleLabourOfficer],
			Header: map[string]string{"Accept-Language": "en"}})
		if !strings.Contains(string(r.Body), "K in 3 of 3 required units") {
			t.Errorf("English reasons: %.300s", r.Body)
		}
		// Nothing of the custody record reaches the employer.
		body := string(get(t, env, binakerja.RoleEmployer, "/api/v1/vacancies/1/matches").Body)
		for _, leak := range []string{"offence", "NARKOTIKA", "sentence", "registration", "B.I-", "Lapas", "LP-MARTAPURA", "NO_CONSENT"} {
			if strings.Contains(body, leak) {
				t.Errorf("the employer's matches mention %q", leak)
			}
		}
	})
}

// The score reads none of sex, age and offence: changing each of them in
// the register moves no candidate's score. (Religion and ethnicity are not
// held at all.)
func TestTheScoreIgnoresSexAgeAndOffence(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		scores := func() map[int64]float64 {
			var m matchesBody
			mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, "/api/v1/vacancies/1/matches?limit=100"), &m)
			out := map[int64]float64{}
			for _, it := range m.Items {
				out[it.InmateID] = it.Score
			}
			return out
		}
		before := scores()
		for _, change := range []string{
			`UPDATE persons SET sex = CASE sex WHEN 'L' THEN 'P' ELSE 'L' END`,
			`UPDATE persons SET birth_date = '1950-01-01'`,
			`UPDATE custody_episodes SET offence_group = 'LALU_LINTAS'`,
		} {
			env.SQL(t, change)
			after := scores()
			if len(after) != len(before) {
				t.Errorf("%s: %d candidates, were %d", change, len(after), len(before))
			}
			for id, s := range before {
				if after[id] != s {
					t.Errorf("%s: person %d scored %.1f, was %.1f", change, id, after[id], s)
				}
			}
		}
		// The employer's exclusion still applies, inside matching only: the
		// electrician's workshop excludes fraud.
		env.SQL(t, `UPDATE custody_episodes SET offence_group = 'PENIPUAN'`)
		var m matchesBody
		mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, "/api/v1/vacancies/3/matches?limit=100"), &m)
		excluded := 0
		for _, k := range m.KnockedOut {
			if k.Reason == "EMPLOYER_EXCLUSION" {
				excluded++
			}
		}
		if excluded == 0 {
			t.Errorf("nobody excluded by the workshop's conditions: %+v", m.KnockedOut)
		}
	})
}

func TestWithdrawingConsentWithdrawsOpenApplicationsAtOnce(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		var apps struct {
			Items []struct {
				ID       int64
				InmateID int64 `json:"inmate_id"`
				Status   string
			}
		}
		mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, "/api/v1/vacancies/1/applications"), &apps)
		var interview struct{ id, person int64 }
		for _, a := range apps.Items {
			if a.Status == "INTERVIEW" {
				interview.id, interview.person = a.ID, a.InmateID
			}
		}
		if interview.id == 0 {
			t.Fatalf("no application at INTERVIEW: %+v", apps.Items)
		}
		r := post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/inmates/%d/consents", interview.person),
			`{"scope":"EMPLOYER_PROPOSALS","given":false}`)
		var c struct {
			Withdrawn []int64 `json:"withdrawn_applications"`
		}
		mustJSON(t, r, &c)
		if r.StatusCode != 201 || len(c.Withdrawn) != 1 || c.Withdrawn[0] != interview.id {
			t.Fatalf("withdrawal: %d %s", r.StatusCode, r.Body)
		}
		r = get(t, env, binakerja.RoleEmployer, fmt.Sprintf("/api/v1/applications/%d", interview.id))
		var seen struct {
			Status    string
			Name      string
			Candidate *struct{} `json:"candidate"`
			Events    []struct{ Reason, By string }
		}
		mustJSON(t, r, &seen)
		if seen.Status != "WITHDRAWN" || seen.Name != "" || seen.Candidate != nil || strings.Contains(string(r.Body), "consent") {
			t.Errorf("the employer sees: %s", r.Body)
		}
		evs, _, err := env.DB.AuditEvents(t.Context(), store.AuditFilter{Action: "application.status", Entity: "person",
			EntityID: fmt.Sprint(interview.person), Page: store.Page{Limit: 10}})
		if err != nil || len(evs) == 0 || !strings.Contains(evs[0].Summary, "consent withdrawn") {
			t.Errorf("the withdrawal is not audited: %v %v", evs, err)
		}
		// The person is no longer proposed nor proposable.
		r = post(t, env, binakerja.RoleLabourOfficer, "/api/v1/vacancies/2/applications", fmt.Sprintf(`{"inmate_id":%d}`, interview.person))
		if r.StatusCode != 422 || !strings.Contains(string(r.Body), "belum menyetujui") {
			t.Errorf("proposing without consent: %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestTheEmployerSeesItsOwnCandidatesWithTheMinimumAndEveryViewIsListed(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		var apps struct {
			Items []struct {
				ID       int64
				InmateID int64 `json:"inmate_id"`
				Status   string
			}
		}
		mustJSON(t, get(t, env, binakerja.RoleEmployer, "/api/v1/vacancies/1/applications"), &apps)
		var proposed struct{ id, person int64 }
		for _, a := range apps.Items {
			if a.Status == "PROPOSED" {
				proposed.id, proposed.person = a.ID, a.InmateID
			}
		}
		r := get(t, env, binakerja.RoleEmployer, fmt.Sprintf("/api/v1/applications/%d", proposed.id))
		var a struct {
			Status    string
			Candidate struct {
				Name         string
				Units        []struct{ Code, Evidence string }
				Certificates []struct {
					VerificationURL string `json:"verification_url"`
				}
			}
		}
		mustJSON(t, r, &a)
		if r.StatusCode != 200 || a.Status != "VIEWED" || a.Candidate.Name == "" || len(a.Candidate.Certificates) == 0 ||
			!strings.Contains(a.Candidate.Certificates[0].VerificationURL, "/v/") {
			t.Fatalf("the employer opens a candidate: %d %s", r.StatusCode, r.Body)
		}
		for _, leak := range []string{"registration", "B.I-", "sentence", "lama_pidana", "offence", "Lapas", "LP-MARTAPURA", "nik"} {
			if strings.Contains(strings.ToLower(string(r.Body)), strings.ToLower(leak)) {
				t.Errorf("the candidate view mentions %q", leak)
			}
		}
		// Listed on the person's record.
		views, err := env.App.CandidateViews(t.Context(), app.CLIActor("test"), proposed.person)
		if err != nil || len(views) != 1 || views[0].Actor != servertest.Email(binakerja.RoleEmployer) {
			t.Errorf("employer views on the record: %v %v", views, err)
		}
		// Another employer gets 404 for the vacancy, its matches and the
		// candidate.
		ctx, cli := t.Context(), app.CLIActor("test")
		if _, _, err := env.App.CreateUser(ctx, cli, app.NewUser{Email: "tani@umkm.test", Name: "UD Tani", Password: "kopi tubruk pagi hari",
			Grants: []app.GrantInput{{Role: binakerja.RoleEmployer, Org: "UD-TANI-MAKMUR"}}}); err != nil {
			t.Fatal(err)
		}
		tani, _, _ := env.App.CreateAPIToken(ctx, cli, "tani@umkm.test", "t")
		for _, p := range []string{"/api/v1/vacancies/1", "/api/v1/vacancies/1/matches", fmt.Sprintf("/api/v1/applications/%d", proposed.id)} {
			if r := env.Do(t, servertest.Request{Method: "GET", Path: p, Token: tani}); r.StatusCode != 404 {
				t.Errorf("another employer reads %s: %d", p, r.StatusCode)
			}
		}
		// The employer moves its application on; it may not withdraw it,
		// and a skipped step is refused.
		path := fmt.Sprintf("/api/v1/applications/%d/status", proposed.id)
		for _, step := range []struct {
			body string
			want int
		}{
			{`{"status":"HIRED"}`, 409}, {`{"status":"WITHDRAWN","reason":"x"}`, 403},
			{`{"status":"NOT_SELECTED"}`, 422}, {`{"status":"INTERVIEW"}`, 200}, {`{"status":"OFFERED"}`, 200},
		} {
			if r := post(t, env, binakerja.RoleEmployer, path, step.body); r.StatusCode != step.want {
				t.Errorf("%s: %d %s, want %d", step.body, r.StatusCode, r.Body, step.want)
			}
		}
	})
}

func TestVacancyBadInputNamesTheField(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	today := binakerja.DateOf(time.Now())
	for body, fields := range map[string]string{
		fmt.Sprintf(`{"employer":"CV-MEBEL-JATI","title":"Tukang","places":1,"region_code":"16.08","required_units":[],"start_date":"%s","closing_date":"%s"}`,
			today.AddDate(0, 1, 0), today.AddDate(0, 0, 10)): "required_units",
		fmt.Sprintf(`{"employer":"CV-MEBEL-JATI","title":"Tukang","places":1,"region_code":"16.08","required_units":["F.45KYU01.001.1"],"start_date":"%s","closing_date":"%s"}`,
			today.AddDate(0, 1, 0), today.AddDate(0, 0, -1)): "closing_date",
		fmt.Sprintf(`{"employer":"CV-MEBEL-JATI","title":"Tukang","places":1,"region_code":"16.08","required_units":["F.45KYU01.001.1"],"start_date":"%s","closing_date":"%s"}`,
			today.AddDate(0, 0, 5), today.AddDate(0, 0, 10)): "start_date",
		fmt.Sprintf(`{"employer":"CV-MEBEL-JATI","title":"Tukang","places":0,"region_code":"16.99","required_units":["NOPE.1"],"start_date":"%s","closing_date":"%s"}`,
			today.AddDate(0, 1, 0), today.AddDate(0, 0, 10)): "places,region_code,required_units",
	} {
		r := post(t, env, binakerja.RoleLabourOfficer, "/api/v1/vacancies", body)
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != fields {
			t.Errorf("%s: %d %s, want %s", body, r.StatusCode, r.Body, fields)
		}
	}
	// A whole scheme may stand for its units.
	r := post(t, env, binakerja.RoleEmployer, "/api/v1/vacancies", fmt.Sprintf(`{"employer":"CV-MEBEL-JATI","title":"Tukang kusen","places":2,
		"region_code":"16.08","required_schemes":["SKM-TKK-2"],"start_date":"%s","closing_date":"%s"}`, today.AddDate(0, 1, 0), today.AddDate(0, 0, 10)))
	var v struct {
		RequiredUnits []string `json:"required_units"`
		LabourOffice  string   `json:"labour_office"`
	}
	mustJSON(t, r, &v)
	if r.StatusCode != 201 || len(v.RequiredUnits) != 3 || v.LabourOffice != "DISNAKER-OKUT" {
		t.Errorf("a vacancy from a scheme: %d %s", r.StatusCode, r.Body)
	}
	// An employer posts only for itself.
	r = post(t, env, binakerja.RoleEmployer, "/api/v1/vacancies", fmt.Sprintf(`{"employer":"PT-AGRO-OKU","title":"Pemanen","places":2,
		"region_code":"16.08","required_schemes":["SKM-BTH-2"],"start_date":"%s","closing_date":"%s"}`, today.AddDate(0, 1, 0), today.AddDate(0, 0, 10)))
	if r.StatusCode != 422 && r.StatusCode != 403 && r.StatusCode != 404 {
		t.Errorf("an employer posting for another: %d %s", r.StatusCode, r.Body)
	}
}

func TestConsentKeepsAScanOfTheSignedFormCheckedByContent(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	people, _, err := env.App.Inmates(t.Context(), app.CLIActor("test"), app.InmateQuery{Facility: "LP-MARTAPURA", InCustody: true,
		Page: store.Page{Limit: 1}})
	if err != nil || len(people) == 0 {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/inmates/%d/consents", people[0].ID)
	png := "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
	r := post(t, env, binakerja.RoleFacilityOfficer, path, `{"given":true,"form":"`+png+`","form_type":"image/png"}`)
	var c struct {
		FormSHA256 string `json:"form_sha256"`
	}
	mustJSON(t, r, &c)
	if r.StatusCode != 201 || len(c.FormSHA256) != 64 {
		t.Errorf("a consent with its scan: %d %s", r.StatusCode, r.Body)
	}
	r = post(t, env, binakerja.RoleFacilityOfficer, path, `{"given":true,"form":"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAA==","form_type":"image/png"}`)
	if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "form" {
		t.Errorf("an executable as the scan: %d %s", r.StatusCode, r.Body)
	}
	if r := post(t, env, binakerja.RoleEmployer, path, `{"given":true}`); r.StatusCode != 403 {
		t.Errorf("an employer records consent: %d", r.StatusCode)
	}
}
