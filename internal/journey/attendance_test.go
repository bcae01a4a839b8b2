package journey

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"binakerja"
	"binakerja/internal/demo"
	"binakerja/internal/servertest"
)

// TestOfficerKeepsAttendanceWithTheKeyboard is the facility officer's
// attendance journey: add today's session to the running cohort, and on the
// grid, with the keyboard alone, mark the first participant absent with a
// reason; the session list then counts one absent, and the grid keeps what
// was entered.
func TestOfficerKeepsAttendanceWithTheKeyboard(t *testing.T) {
	b := newBrowser(t)
	b.signIn(servertest.Email(binakerja.RoleFacilityOfficer), demo.Password)
	b.run("open training", click(`nav a[href="/training"]`), waitFor("tbody"))
	b.run("open the running cohort", click(`tbody tr:first-child a[href^="/training/cohorts/"]`), waitFor("#sessions-title"))
	b.run("add today's session", clearFlash(),
		chromedp.SetValue(chromedp.CSS("#f-session_date"), binakerja.DateOf(time.Now()).String()),
		typeInto("#f-topic", "Sambungan ekor burung"), typeInto("#f-hours", "4"),
		click(`form[action$="/sessions"] button`), waitFor("table.attendance"))
	rows := len(get(b, "count the rows", chromedp.Evaluate[[]any](`[...document.querySelectorAll("table.attendance tbody tr")]`)))
	if rows < 2 {
		t.Fatalf("the grid has %d rows", rows)
	}
	absent := b.text("table.attendance tbody tr:first-child th")
	b.run("mark the first absent with the keyboard", clearFlash(),
		chromedp.Focus(chromedp.CSS("table.attendance tbody tr:first-child input[type=checkbox]")),
		chromedp.KeyEvent(" "),          // uncheck
		chromedp.KeyEvent(kb.Tab),       // to the reason
		chromedp.KeyEvent(kb.ArrowDown), // the first reason
		click(`form[action^="/training/sessions/"] button[type="submit"]`), waitFor(".flash"))
	row := get(b, "read the session's row", chromedp.Evaluate[string](`[...document.querySelectorAll("#sessions-title ~ table tbody tr")]
		.find(r => r.textContent.includes("Sambungan ekor burung"))?.textContent ?? ""`))
	if want := fmt.Sprintf("%d dari %d hadir", rows-1, rows); !strings.Contains(row, want) {
		t.Fatalf("the session's row after saving: %q, want %q", row, want)
	}
	b.run("reopen the grid", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("#sessions-title ~ table tbody tr")]
		.find(r => r.textContent.includes("Sambungan ekor burung")).querySelector("a").click()`), waitFor("table.attendance"))
	checked := get(b, "read the first box", chromedp.Evaluate[bool](`document.querySelector("table.attendance tbody tr:first-child input[type=checkbox]").checked`))
	reason := get(b, "read the first reason", chromedp.Value(chromedp.CSS("table.attendance tbody tr:first-child select")))
	others := get(b, "read the other boxes", chromedp.Evaluate[bool](`[...document.querySelectorAll("table.attendance tbody tr:not(:first-child) input[type=checkbox]")].every(c => c.checked)`))
	if checked || reason == "" || !others {
		t.Fatalf("%s: present %v, reason %q; the others present: %v", absent, checked, reason, others)
	}
}
