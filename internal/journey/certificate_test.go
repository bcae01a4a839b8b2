package journey

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"binakerja"
	"binakerja/internal/demo"
	"binakerja/internal/servertest"
)

// TestAssessorCertifiesAndAnEmployerVerifies is the assessor's journey:
// record an assessment of the running cohort, mark a candidate competent in
// every unit, open the certificate that is issued, and follow its link to the
// public verification page, which an employer reads without signing in and
// which says nothing of where the holder trained. The paper is then lost:
// the assessor issues a replacement, and the old code reads replaced.
func TestAssessorCertifiesAndAnEmployerVerifies(t *testing.T) {
	b := newBrowser(t)
	b.signIn(servertest.Email(binakerja.RoleAssessor), demo.Password)
	b.run("open training", click(`nav a[href="/training"]`), waitFor("tbody"))
	b.run("open the running cohort's assessments", click(`tbody tr:first-child a[href$="/assessments"]`), waitFor("#f-assessor_number"))
	b.run("record the assessment", chromedp.SendKeys(chromedp.CSS("#f-assessor_number"), "MET.000.004217.2019"),
		chromedp.SetValue(chromedp.CSS("#f-date"), binakerja.DateOf(time.Now()).String()),
		click(`main form button[type="submit"]`), waitFor(".result-form"))
	holder := b.text(".result-form legend")
	b.run("mark every unit K for the first candidate",
		chromedp.Click(chromedp.CSS(`.result-form:first-of-type tbody tr:nth-child(1) input[value="K"]`)),
		chromedp.Click(chromedp.CSS(`.result-form:first-of-type tbody tr:nth-child(2) input[value="K"]`)),
		chromedp.Click(chromedp.CSS(`.result-form:first-of-type tbody tr:nth-child(3) input[value="K"]`)),
		click(`.result-form:first-of-type button`), waitFor(".flash a"))
	if f := b.text(".flash"); !strings.Contains(f, "sudah terbit") {
		t.Fatalf("after the results: %q", f)
	}
	b.run("open the certificate", click(".flash a"), waitFor("img[src$='qr.png']"))
	b.screenshot("certificate")
	link := b.text(`dl.summary a[href*="/v/"]`)
	lost := link[strings.LastIndex(link, "/")+1:]

	// The paper is lost: a replacement with a new code takes its place.
	b.run("issue a replacement", clearFlash(), click("details.panel-details summary"),
		chromedp.SendKeys(chromedp.CSS("#f-reason"), "kertas sertifikat hilang"),
		click(`button[value="DIGANTI"]`), waitFor(".flash"))
	if f := b.text(".flash"); !strings.Contains(f, "pengganti sudah terbit") {
		t.Fatalf("after the replacement: %q", f)
	}
	if s := b.text("dl.summary"); !strings.Contains(s, "Menggantikan") || !strings.Contains(s, holder) {
		t.Fatalf("the replacement's page: %q", s)
	}
	link = b.text(`dl.summary a[href*="/v/"]`)
	code := link[strings.LastIndex(link, "/")+1:]
	if code == lost {
		t.Fatal("the replacement kept the old code")
	}
	b.run("sign out", click(`[data-testid="logout"]`), waitFor("#f-email"))

	b.run("an employer opens the verification page", chromedp.Navigate(b.env.URL+"/v/"+code), waitFor(".verdict"))
	if v := b.text(".verdict"); v != "Sertifikat ini sah dan berlaku." {
		t.Fatalf("verdict: %q", v)
	}
	if h := b.text(`[data-testid="holder"]`); h != holder {
		t.Fatalf("holder %q, want %q", h, holder)
	}
	page := b.text("body")
	for _, w := range []string{"Lapas", "Martapura", "Pemasyarakatan", "narapidana", "warga binaan", "Rehabilitasi", "B.I-"} {
		if strings.Contains(page, w) {
			t.Errorf("the verification page shows %q", w)
		}
	}
	b.screenshot("verify")

	b.run("the lost paper's page", chromedp.Navigate(b.env.URL+"/v/"+lost), waitFor(".verdict"))
	if v := b.text(".verdict"); !strings.Contains(v, "sudah diganti") {
		t.Fatalf("the replaced certificate's verdict: %q", v)
	}
}
