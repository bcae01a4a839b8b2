package web_test

import (
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/demo"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

// readmitAtBaturaja puts two people released from LP-MARTAPURA into the
// import of RUTAN-BATURAJA: Hendra under a longer name, held for review, and
// Rudi under the same name and birth date, re-admitted (which leaves
// LP-MARTAPURA a notice). It returns their ids.
func readmitAtBaturaja(t *testing.T, env *servertest.Env) (hendra, rudi int64) {
	t.Helper()
	cli := app.CLIActor("test")
	src := func(s string) app.ImportSource {
		return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
	}
	const head = "no_registrasi,nama,nik,tanggal_lahir,jenis_kelamin,tanggal_masuk,lama_pidana,status\n"
	first := head + "LPM-9301,Hendra Gunawan,1608011501020001,15-06-1988,L,2024-02-03,1 tahun,NARAPIDANA\n" +
		"LPM-9302,Rudi Hartono,1608011501020002,09-09-1990,L,2024-01-10,1 tahun,NARAPIDANA\n"
	if _, err := env.App.ImportInmates(t.Context(), cli, "LP-MARTAPURA", src(first), app.ImportOptions{FileName: "a.csv"}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, nik := range []string{"1608011501020001", "1608011501020002"} {
		found, _, err := env.App.Inmates(t.Context(), cli, app.InmateQuery{NIK: nik})
		if err != nil || len(found) != 1 {
			t.Fatalf("%s: %v %v", nik, found, err)
		}
		if _, err := env.App.Release(t.Context(), cli, found[0].ID, binakerja.NewDate(2025, 2, 3), binakerja.ReleaseEndOfSentence); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, found[0].ID)
	}
	again := head + "RB-1,Hendra G. Saputra,1608011501020001,15-06-1988,L,2026-06-01,2 tahun,NARAPIDANA\n" +
		"RB-2,Rudi Hartono,1608011501020002,09-09-1990,L,2026-06-01,2 tahun,NARAPIDANA\n"
	rep, err := env.App.ImportInmates(t.Context(), cli, "RUTAN-BATURAJA", src(again), app.ImportOptions{FileName: "rutan.csv"})
	if err != nil || rep.Held != 1 || rep.Readmitted != 1 {
		t.Fatalf("import at RUTAN-BATURAJA: %+v %v", rep, err)
	}
	return ids[0], ids[1]
}

func TestAHeldReadmissionIsConfirmedOnItsPage(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	hendra, rudi := readmitAtBaturaja(t, env)
	const email = "petugas.rutan@binakerja.test"
	if _, _, err := env.App.CreateUser(t.Context(), app.CLIActor("test"), app.NewUser{Email: email, Name: "Petugas Rutan",
		Password: demo.Password, Grants: []app.GrantInput{{Role: binakerja.RoleFacilityOfficer, Org: "RUTAN-BATURAJA"}}}); err != nil {
		t.Fatal(err)
	}
	rutan := env.Login(t, email)
	lapas := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	page := string(env.Do(t, servertest.Request{Method: "GET", Path: "/inmates/reviews", Client: rutan}).Body)
	if !strings.Contains(page, "Hendra G. Saputra") || !strings.Contains(page, "H*** G***") || !strings.Contains(page, "lahir 1988") {
		t.Fatalf("the review page: %s", page)
	}
	for _, leak := range []string{"Gunawan", "LPM-9301", "Martapura", "MARTAPURA"} {
		if strings.Contains(page, leak) {
			t.Fatalf("the review page tells %q", leak)
		}
	}
	if page := string(env.Do(t, servertest.Request{Method: "GET", Path: "/inmates/reviews", Client: lapas}).Body); strings.Contains(page, "Saputra") {
		t.Fatal("LP-MARTAPURA sees the reviews of RUTAN-BATURAJA")
	}
	notices := string(env.Do(t, servertest.Request{Method: "GET", Path: "/notices", Client: lapas}).Body)
	if !strings.Contains(notices, "Rudi Hartono") || !strings.Contains(notices, "LPM-9302") || strings.Contains(notices, "Baturaja") {
		t.Fatalf("LP-MARTAPURA's notices: %s", notices)
	}
	if notices := string(env.Do(t, servertest.Request{Method: "GET", Path: "/notices", Client: rutan}).Body); strings.Contains(notices, "Rudi") {
		t.Fatal("RUTAN-BATURAJA is told of its own admission")
	}

	items, _, err := env.App.ReadmissionReviews(t.Context(), app.CLIActor("test"), store.Page{})
	if err != nil || len(items) != 1 {
		t.Fatalf("reviews: %+v %v", items, err)
	}
	r := env.Form(t, rutan, fmt.Sprintf("/inmates/reviews/%d/confirm", items[0].ID), url.Values{"version": {fmt.Sprint(items[0].Version)}})
	if r.StatusCode != 303 || r.Header.Get("Location") != fmt.Sprintf("/inmates/%d", hendra) {
		t.Fatalf("confirm: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r = env.Form(t, rutan, fmt.Sprintf("/inmates/reviews/%d/reject", items[0].ID), url.Values{"version": {fmt.Sprint(items[0].Version + 1)}})
	if r.StatusCode != 409 || !strings.Contains(string(r.Body), "sudah ditinjau") {
		t.Fatalf("rejecting a confirmed review: %d", r.StatusCode)
	}
	for id, name := range map[int64]string{hendra: "Hendra G. Saputra", rudi: "Rudi Hartono"} {
		person := string(env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/inmates/%d", id), Client: rutan}).Body)
		if !strings.Contains(person, name) || !strings.Contains(person, `data-testid="stays-elsewhere"`) ||
			!strings.Contains(person, "1 masa penahanan sebelumnya di tempat lain, 2024–2025") {
			t.Fatalf("the person page of %s: %s", name, person)
		}
		// The transfer form lists every facility as a destination; the rest
		// of the page must name none of the earlier stay.
		page := regexp.MustCompile(`(?s)<select id="f-to".*?</select>`).ReplaceAllString(person, "")
		for _, leak := range []string{"Martapura", "MARTAPURA", "LPM-93"} {
			if strings.Contains(page, leak) {
				t.Fatalf("the person page of %s tells %q", name, leak)
			}
		}
		if id == hendra && !strings.Contains(person, `data-testid="earlier-names"`) || id == hendra && !strings.Contains(person, "Hendra Gunawan (sampai") {
			t.Fatalf("the earlier name of %s: %s", name, person)
		}
	}
	env.Form(t, rutan, "/language", url.Values{"lang": {"en"}, "next": {"/"}})
	person := string(env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/inmates/%d", hendra), Client: rutan}).Body)
	if !strings.Contains(person, "1 earlier stay elsewhere, 2024–2025") || !strings.Contains(person, "Hendra Gunawan (until") {
		t.Fatalf("in English: %s", person)
	}
}
