package web_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/servertest"
)

// The outcomes page shows the facility officer its own funnel in full, and
// the region's analyst the same figures with every count under 10 written
// "<10".
func TestTheOutcomesPageShowsTheFunnelToEachRole(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	today := env.App.Today()
	path := fmt.Sprintf("/outcomes?from=2000-01-01&to=%s", today)
	officer := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	page := string(env.Do(t, servertest.Request{Method: "GET", Path: path, Client: officer}).Body)
	f, err := env.App.MetricsFunnel(t.Context(), app.CLIActor("t"), app.FunnelQuery{Organization: "LP-MARTAPURA",
		From: binakerja.NewDate(2000, 1, 1), To: today})
	if err != nil {
		t.Fatal(err)
	}
	cell := regexp.MustCompile(`data-testid="stage-participants">[\s\S]*?<td class="num">([^<]*)</td>`)
	if m := cell.FindStringSubmatch(page); m == nil || m[1] != fmt.Sprint(*f.Participants) {
		t.Fatalf("the officer's participants: %v, want %d", m, *f.Participants)
	}
	if !strings.Contains(page, `data-testid="certification-rate"`) || !strings.Contains(page, "Lapas Kelas IIB Martapura") {
		t.Fatal("the officer's headline is missing")
	}
	analyst := env.Login(t, servertest.Email(binakerja.RoleAnalyst))
	page = string(env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes?organization=KANWIL-SUMSEL", Client: analyst}).Body)
	if n := len(regexp.MustCompile(`data-testid="stage-`).FindAllString(page, -1)); n != 5 {
		t.Fatalf("the analyst's funnel has %d stages", n)
	}
	// No count of 1 to 9 anywhere on the page: funnel, facilities, curves.
	nums := regexp.MustCompile(`<td class="num">([0-9]+)(?:<|$)`).FindAllStringSubmatch(page, -1)
	for _, m := range nums {
		var n int
		if _, err := fmt.Sscan(m[1], &n); err == nil && n > 0 && n < 10 {
			t.Fatalf("the analyst sees a count of %d", n)
		}
	}
	// The curves: an SVG image of their own, for each kind.
	for _, kind := range app.SurvivalKinds {
		if !strings.Contains(page, `data-testid="survival-`+kind+`"`) {
			t.Fatalf("no %s curves on the page", kind)
		}
		r := env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes/survival.svg?organization=LP-MARTAPURA&from=2020-01-01&kind=" + kind, Client: officer})
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(string(r.Body), "<svg") ||
			!strings.Contains(string(r.Body), "Hari sejak bebas") {
			t.Fatalf("the %s chart: %d %s", kind, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes/survival.svg?kind=other", Client: officer}); r.StatusCode != 422 {
		t.Fatalf("an unknown kind of curve: %d", r.StatusCode)
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes?organization=RUTAN-BATURAJA", Client: officer}); r.StatusCode != 404 {
		t.Fatalf("another facility's outcomes: %d", r.StatusCode)
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes?from=2026-13-01", Client: officer}); r.StatusCode != 422 ||
		!strings.Contains(string(r.Body), "TTTT-BB-HH") {
		t.Fatalf("a bad date: %d", r.StatusCode)
	}
}
