package journey

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"binakerja"
	"binakerja/internal/demo"
	"binakerja/internal/servertest"
)

// TestLabourOfficerPlansACohortAndEnrols is the labour officer's training
// journey: plan a cohort of a programme at the prison, engage the
// certification body that will assess it, see the candidates
// ranked with their reasons, enrol the first eligible one, record that
// someone withdrew.
func TestLabourOfficerPlansACohortAndEnrols(t *testing.T) {
	b := newBrowser(t)
	b.signIn(servertest.Email(binakerja.RoleLabourOfficer), demo.Password)
	b.run("open training", click(`nav a[href="/training"]`), waitFor("#f-program"))
	if rows := b.text("tbody"); !strings.Contains(rows, "Pelatihan Pertukangan Kayu") {
		t.Fatalf("the demo cohorts should be listed: %q", rows)
	}
	b.run("plan a cohort", chromedp.SetValue(chromedp.CSS("#f-program"), "PRG-IPL"),
		chromedp.SetValue(chromedp.CSS("#f-facility"), "LP-MARTAPURA"),
		chromedp.SetValue(chromedp.CSS("#f-start_date"), "2027-01-11"),
		chromedp.SetValue(chromedp.CSS("#f-end_date"), "2027-03-31"),
		chromedp.SetValue(chromedp.CSS("#f-capacity"), "10"),
		click(`form[action="/training/cohorts"] button`), waitFor(".flash"))
	if h := b.text("h1"); h != "Pelatihan Instalasi Listrik" {
		t.Fatalf("cohort page: %q", h)
	}
	if body := b.text(`[data-testid="body"]`); body != "Belum ditetapkan" {
		t.Fatalf("a new cohort's certification body: %q", body)
	}
	b.run("engage the certification body", clearFlash(), click("details.panel-details summary"),
		chromedp.SetValue(chromedp.CSS("#f-certification_body"), "LSP-KARYA-SUMSEL"),
		click(`form[action$="/body"] button`), waitFor(".flash"))
	if body := b.text(`[data-testid="body"]`); body != "LSP Karya Mandiri Sumatera Selatan" {
		t.Fatalf("the engaged body: %q", body)
	}
	if c := b.text("#candidates-title + p + table tbody tr:first-child"); !strings.Contains(c, "Memenuhi syarat") {
		t.Fatalf("the first candidate should be eligible: %q", c)
	}
	b.run("enrol the first", clearFlash(), click(`#candidates-title ~ table tbody tr:first-child button`), waitFor(".flash"))
	if p := b.text("#participants-title + table tbody"); !strings.Contains(p, "Terdaftar") {
		t.Fatalf("participants after enrolling: %q", p)
	}
	b.screenshot("cohort")
	b.run("record a withdrawal", clearFlash(), chromedp.SendKeys(chromedp.CSS(`input[name="reason"][id$="MENGUNDURKAN_DIRI"]`), "pindah kerja bakti"),
		click(`form.inline-form:has(input[value="MENGUNDURKAN_DIRI"]) button`), waitFor(".flash"))
	if p := b.text("#participants-title + table tbody"); !strings.Contains(p, "Mengundurkan diri") || !strings.Contains(p, "pindah kerja bakti") {
		t.Fatalf("after the withdrawal: %q", p)
	}
}
