package journey

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"binakerja"
	"binakerja/internal/demo"
	"binakerja/internal/servertest"
)

// TestAdminSignsInSwitchesLanguageOpensOrganisationsAndSignsOut is the first
// journey: an administrator signs in, switches to English, opens the
// organisations, and signs out, after which the pages ask for a sign-in again.
func TestAdminSignsInSwitchesLanguageOpensOrganisationsAndSignsOut(t *testing.T) {
	b := newBrowser(t)

	b.run("open the site", chromedp.Navigate(b.env.URL+"/"), waitFor("#f-email"))
	if loc := b.location(); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("an anonymous visit should land on the sign-in page, not %s", loc)
	}
	if h := b.text("h1"); h != "Masuk" {
		t.Fatalf("the sign-in page should be in Indonesian by default: %q", h)
	}
	b.run("tab to the first control", chromedp.KeyEvent(kb.Tab))
	focused := get(b, "read the focus", chromedp.Evaluate[string](
		`document.activeElement.className + ':' + document.activeElement.getAttribute('href')`))
	if focused != "skip:#main" {
		t.Errorf("the first tab stop should be the skip link, got %q", focused)
	}
	b.screenshot("login")

	b.signIn(servertest.Email(binakerja.RoleAdmin), demo.Password)
	if h := b.text("h1"); h != "Selamat datang, Admin BinaKerja" {
		t.Fatalf("home: %q", h)
	}
	b.screenshot("home")
	if os.Getenv("BINAKERJA_SCREENSHOTS") != "" {
		b.run("open the organisations in Indonesian", chromedp.Navigate(b.env.URL+"/organizations"), waitFor("table"))
		b.screenshot("organizations-id")
		b.run("back home", chromedp.Navigate(b.env.URL+"/"), waitFor("h1"))
	}

	b.run("switch to English", click(`button[name="lang"][value="en"]`), chromedp.WaitReady(chromedp.CSS(`html[lang="en"]`)))
	if h := b.text("h1"); h != "Welcome, Admin BinaKerja" {
		t.Fatalf("home in English: %q", h)
	}

	b.run("open the organisations", click(`nav a[href="/organizations"]`), waitFor("table"))
	if h := b.text("h1"); h != "Organisations" {
		t.Fatalf("organisations page: %q", h)
	}
	table := b.text("table")
	for _, want := range []string{"Lapas Kelas IIB Martapura", "LP-MARTAPURA", "Prison (Lapas/Rutan/LPKA)", "Dinas Tenaga Kerja"} {
		if !strings.Contains(table, want) {
			t.Errorf("the organisations table lacks %q", want)
		}
	}
	if current := b.text(`nav a[aria-current="page"]`); current != "Organisations" {
		t.Errorf("the menu should mark Organisations as current, got %q", current)
	}
	b.screenshot("organizations")

	b.run("search", typeInto("#f-q", "marta"), click(`form.filters button`), chromedp.WaitReady(chromedp.CSS(`input[value="marta"]`)))
	if rows := b.text("tbody"); !strings.Contains(rows, "Martapura") || strings.Contains(rows, "Baturaja") {
		t.Errorf("searching 'marta' shows %q", rows)
	}

	b.run("sign out", click(`[data-testid="logout"]`), waitFor("#f-email"))
	if f := b.text(".flash"); f != "You have signed out." {
		t.Fatalf("after signing out: %q", f)
	}
	b.run("come back to a page", chromedp.Navigate(b.env.URL+"/organizations"), waitFor("#f-email"))
	if loc := b.location(); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("after signing out, a page must ask for a sign-in again, not show %s", loc)
	}
}
