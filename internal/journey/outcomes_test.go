package journey

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/demo"
	"binakerja/internal/i18n"
	"binakerja/internal/servertest"
)

// download fetches a link of the page with the page's own session and
// returns its status, content type and size.
func (b *browser) download(sel string) (status int, ctype string, size int) {
	b.t.Helper()
	out := get(b, "download "+sel, chromedp.Evaluate[[]any](fmt.Sprintf(`(async () => {
		const r = await fetch(document.querySelector(%q).href, {credentials: "same-origin"});
		const body = await r.arrayBuffer();
		return [r.status, r.headers.get("content-type"), body.byteLength];
	})()`, sel), chromedp.EvalAwaitPromise))
	return int(out[0].(float64)), out[1].(string), int(out[2].(float64))
}

// chartsHaveTables checks that every chart on the page has loaded as an
// image and has a table of its numbers after it in its section.
func (b *browser) chartsHaveTables() int {
	b.t.Helper()
	charts := get(b, "read the charts", chromedp.Evaluate[[]map[string]any](`[...document.querySelectorAll("main img.chart")].map(img => {
		const section = img.closest("section");
		let table = false;
		for (let e = img.nextElementSibling; e; e = e.nextElementSibling) {
			if (e.matches("table") || e.querySelector("table")) { table = true; break; }
			if (e.matches("img.chart, h2, h3")) break;
		}
		return {src: img.getAttribute("src"), loaded: img.complete && img.naturalWidth > 0, table, section: section ? section.id || section.getAttribute("aria-labelledby") : ""};
	})`))
	for _, c := range charts {
		if c["loaded"] != true || c["table"] != true {
			b.t.Errorf("the chart %v (loaded %v) has no table of its numbers after it: %v", c["src"], c["loaded"], c["table"])
		}
	}
	return len(charts)
}

// TestAnalystReadsTheRegionDrillsIntoAFacilityAndExports is the regional
// analyst's journey: the region's dashboard under the small-number rules,
// every chart with its table, a facility reached from the region's rows,
// and the report downloaded as XLSX and PDF.
func TestAnalystReadsTheRegionDrillsIntoAFacilityAndExports(t *testing.T) {
	b := newBrowser(t)
	b.signIn(servertest.Email(binakerja.RoleAnalyst), demo.Password)
	b.run("open the outcomes", click(`nav a[href="/outcomes"]`), waitFor(`[data-testid="indicators"]`))
	selected := func() string {
		return get(b, "read the organisation chosen", chromedp.Evaluate[string](`document.querySelector("#f-organization").selectedOptions[0].textContent`))
	}
	if sel := selected(); sel != "Kantor Wilayah Ditjenpas Sumatera Selatan" {
		t.Fatalf("the analyst's dashboard opens on %q", sel)
	}
	for _, part := range []string{"headline", "funnel", "indicators", "quality", "trends", "by-facility", "by-program", "effect",
		"survival-employment", "survival-readmission"} {
		if !b.exists(`[data-testid="` + part + `"]`) {
			t.Errorf("the regional dashboard has no %s", part)
		}
	}
	if n := b.chartsHaveTables(); n < 7 {
		t.Errorf("%d charts on the regional dashboard", n)
	}
	// No count of 1 to 9 in any table the analyst sees; the commitments'
	// targets, and what was due by now, are the agreements' own terms.
	rows := b.rows(`main table:not([data-testid="commitment-rows"])`)
	for _, row := range b.rows(`[data-testid="commitment-rows"]`) {
		rows = append(rows, row[4:])
	}
	for _, row := range rows {
		for _, cell := range row {
			var n int
			if _, err := fmt.Sscan(cell, &n); err == nil && fmt.Sprint(n) == cell && n > 0 && n < 10 {
				t.Fatalf("the analyst sees a count of %d: %q", n, row)
			}
		}
	}
	b.screenshot("outcomes-region")
	b.run("drill into the Lapas", click(`[data-testid="facility-rows"] a[href*="organization=LP-MARTAPURA"]`),
		chromedp.WaitReady(chromedp.CSS(`#f-organization option[value="LP-MARTAPURA"][selected]`)), waitFor(`[data-testid="indicators"]`))
	if !strings.Contains(b.location(), "organization=LP-MARTAPURA") || selected() != "Lapas Kelas IIB Martapura" || b.exists(`[data-testid="by-facility"]`) {
		t.Fatalf("the facility's dashboard: %s", b.location())
	}
	b.chartsHaveTables()
	for format, ctype := range map[string]string{
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"} {
		status, got, size := b.download(`[data-testid="export-` + format + `"]`)
		if status != 200 || got != ctype || size < 2000 {
			t.Errorf("the %s export: %d %s, %d bytes", format, status, got, size)
		}
	}
}

// TestLabourOfficerReadsItsFunnel is the labour officer's journey: the
// home page's figures, then the office's funnel, whose stages are the
// counts of its providers' cohorts of the last full year.
func TestLabourOfficerReadsItsFunnel(t *testing.T) {
	b := newBrowser(t)
	f, err := b.env.App.MetricsFunnel(t.Context(), app.CLIActor("journey"), app.FunnelQuery{Organization: "DISNAKER-OKUT"})
	if err != nil {
		t.Fatal(err)
	}
	b.signIn(servertest.Email(binakerja.RoleLabourOfficer), demo.Password)
	want := i18n.New("id").Percent(*f.CertificationRate)
	if got := b.text(`[data-testid="home-certification-rate"] strong`); got != want {
		t.Fatalf("the home page reads %q certified, want %q", got, want)
	}
	b.run("open the figures", click(`[data-testid="home-figures"] h3 a`), waitFor(`[data-testid="funnel"]`))
	stages := map[string]*int{"participants": f.Participants, "completed": f.Completed, "certified": f.Certified,
		"certified_released": f.CertifiedReleased, "placed": f.Placed}
	for key, n := range stages {
		if got := b.text(`[data-testid="stage-` + key + `"] td.num`); got != fmt.Sprint(*n) {
			t.Errorf("stage %s reads %q, want %d", key, got, *n)
		}
	}
	if got := b.text(`[data-testid="placement-rate"] strong`); got != i18n.New("id").Percent(*f.PlacementRate) {
		t.Errorf("the placement rate reads %q", got)
	}
	b.chartsHaveTables()
	b.run("open a definition", click(`[data-testid="indicator-T3"] a`), waitFor(`#T3`))
	if !strings.HasSuffix(b.location(), "/outcomes/definitions#T3") {
		t.Fatalf("the definition's link: %s", b.location())
	}
	b.screenshot("outcomes-labour-office")
}
