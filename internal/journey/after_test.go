package journey

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/demo"
	"binakerja/internal/i18n"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

// freshBrowser opens a second browser on the same server with a browser
// context of its own: no cookie or session of the first reaches it.
func (b *browser) freshBrowser() *browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open a fresh browser context: %v", err)
	}
	return &browser{t: b.t, ctx: ctx, env: b.env}
}

// rows returns the text of the cells of every row of the table body
// matching sel.
func (b *browser) rows(sel string) [][]string {
	b.t.Helper()
	return get(b, "read the rows of "+sel, chromedp.Evaluate[[][]string](fmt.Sprintf(
		`[...document.querySelectorAll(%q)].map(r => [...r.cells].map(c => c.textContent.trim()))`, sel+" tbody tr")))
}

// attrs returns the attribute name of every element matching sel.
func (b *browser) attrs(sel, name string) []string {
	b.t.Helper()
	return get(b, "read "+name+" of "+sel, chromedp.Evaluate[[]string](fmt.Sprintf(
		`[...document.querySelectorAll(%q)].map(e => e.getAttribute(%q) ?? "")`, sel, name)))
}

// TestFacilityOfficerWorksTheReleaseBoardAndHandsOver is the facility
// officer's journey before and at release: the release board over the next
// 180 days with each person's readiness; one person's sheet, whose
// documents checklist is saved and kept and then named on the board; the
// printout with one sheet for each row; and the release of a programme
// participant, whose hand-over to the mentor the board then lists as
// waiting for the mentor's confirmation.
func TestFacilityOfficerWorksTheReleaseBoardAndHandsOver(t *testing.T) {
	b := newBrowser(t)
	ctx, cli := t.Context(), app.CLIActor("journey")
	a := b.env.App
	today := a.Today()
	p := i18n.New("id")

	want, err := a.ReleaseBoard(ctx, cli, "LP-MARTAPURA", 180)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 2 {
		t.Fatalf("the demo's board over 180 days should hold several people: %d", len(want))
	}

	b.signIn(servertest.Email(binakerja.RoleFacilityOfficer), demo.Password)
	if l := b.text(`nav a[href="/release-board"]`); l != "Papan bebas" {
		t.Fatalf("the navigation's link to the board: %q", l)
	}
	b.run("open the release board", click(`nav a[href="/release-board"]`), waitFor("#f-days"))
	if h := b.text("h1"); h != "Papan menjelang bebas" {
		t.Fatalf("the board's heading: %q", h)
	}
	b.run("choose 180 days", setValue("#f-days", "180"), click(`form[action="/release-board"] button[type="submit"]`),
		chromedp.WaitReady(chromedp.CSS(`#f-days option[value="180"][selected]`)), waitFor(`[data-testid="release-board"]`))
	if loc := b.location(); !strings.Contains(loc, "days=180") {
		t.Errorf("the board's address after choosing 180 days: %q", loc)
	}
	rows := get(b, "read the board", chromedp.Evaluate[[][]string](`[...document.querySelectorAll('[data-testid="release-board"] tbody tr')]
		.map(r => [r.querySelector('a[data-testid^="sheet-"]')?.textContent.trim() ?? "", r.querySelector('a[data-testid^="sheet-"]')?.dataset.testid ?? "",
			r.cells[2].querySelector(".tag")?.textContent.trim() ?? "", r.cells[4].textContent.trim()])`))
	if len(rows) != len(want) {
		t.Fatalf("the board over 180 days lists %d people, the register %d: %q", len(rows), len(want), rows)
	}
	for i, w := range want {
		tag := p.T("board.readiness." + string(w.Readiness))
		if rows[i][0] != w.Inmate.Name || rows[i][1] != fmt.Sprintf("sheet-%d", w.Inmate.ID) || rows[i][2] != tag {
			t.Errorf("row %d of the board: %q, want %s (sheet-%d) tagged %q", i, rows[i], w.Inmate.Name, w.Inmate.ID, tag)
		}
	}
	b.screenshot("release-board")

	// One person's sheet, and their documents checklist.
	person := want[0].Inmate
	b.run("open "+person.Name+"'s sheet", click(`a[data-testid^="sheet-"]`), waitFor(`[data-testid="documents-form"]`))
	if loc, w := b.location(), fmt.Sprintf("/release-board/%d", person.ID); loc != w {
		t.Fatalf("the sheet's address: %q, want %q", loc, w)
	}
	if h := b.text(`[data-testid="release-sheet"] h1`); h != person.Name {
		t.Fatalf("the sheet's heading: %q, want %q", h, person.Name)
	}
	docs := []struct{ kind, state string }{
		{"KTP", "HELD"}, {"KK", "HELD"}, {"BPJS_KESEHATAN", "IN_PROGRESS"}, {"BPJS_KETENAGAKERJAAN", ""},
		{"REKENING", "IN_PROGRESS"}, {"CV", "HELD"}, {"SKCK", ""},
	}
	var set []chromedp.Action[chromedp.Void]
	for _, d := range docs {
		set = append(set, setValue("#f-doc_"+d.kind, d.state))
	}
	set = append(set, clearMessages(), click(`[data-testid="documents-save"]`), chromedp.WaitVisible(chromedp.CSS(".flash, .error-summary")))
	b.run("set the documents", set...)
	if f := b.textContent(".flash"); f != "Daftar dokumen sudah disimpan." {
		t.Fatalf("after saving the documents: %q (errors: %q)", f, b.textContent(".error-summary"))
	}
	for _, d := range docs {
		if v := get(b, "read the state of "+d.kind, chromedp.Value(chromedp.CSS("#f-doc_"+d.kind))); v != d.state {
			t.Errorf("after saving, %s is %q, want %q", d.kind, v, d.state)
		}
	}
	checklist := b.textContent(`[data-testid="release-sheet"] ul.checklist`)
	for _, line := range []string{"☑ KTP (kartu tanda penduduk) — Sudah ada", "☐ BPJS Kesehatan — Sedang diurus", "☐ SKCK (surat keterangan catatan kepolisian)\n"} {
		if !strings.Contains(checklist+"\n", line) {
			t.Errorf("the printed checklist lacks %q: %q", line, checklist)
		}
	}
	b.screenshot("release-sheet")

	b.run("back to the board", chromedp.Navigate(b.env.URL+"/release-board?days=180"), waitFor(`[data-testid="release-board"]`))
	missing := b.textContent(fmt.Sprintf(`[data-testid="release-board"] tr:has([data-testid="sheet-%d"]) td:nth-child(5)`, person.ID))
	if !strings.Contains(missing, "dokumen: BPJS Ketenagakerjaan, SKCK") {
		t.Errorf("the board should name the two documents missing: %q", missing)
	}

	// The printout: one sheet for each row of the board.
	b.run("print all", click(`[data-testid="print-all"]`), waitFor(`[data-testid="release-sheet"]`))
	if loc := b.location(); !strings.HasPrefix(loc, "/release-board/print?") || !strings.Contains(loc, "days=180") {
		t.Errorf("the printout's address: %q", loc)
	}
	sheets := get(b, "read the sheets", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="release-sheet"]')].map(s => s.querySelector("h1").textContent.trim())`))
	var names []string
	for _, r := range rows {
		names = append(names, r[0])
	}
	if !slices.Equal(sheets, names) {
		t.Errorf("the printout should hold one sheet per row of the board, in its order: %q, want %q", sheets, names)
	}
	if b.exists(`[data-testid="documents-form"]`) {
		t.Error("the printout shows the documents form")
	}
	b.screenshot("release-print")
	b.run("back from the printout", click(`p.actions a[href^="/release-board?"]`), waitFor("#f-days"))
	if !b.exists(`#f-days option[value="180"][selected]`) {
		t.Errorf("back from the printout the board shows %q, not the 180 days printed (at %q)",
			get(b, "read the days", chromedp.Value(chromedp.CSS("#f-days"))), b.location())
	}

	// The release of a programme participant.
	people, _, err := a.Inmates(ctx, cli, app.InmateQuery{Facility: "LP-MARTAPURA", InCustody: true, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	var participant *binakerja.Inmate
	for i := range people {
		units, err := a.TrainedUnits(ctx, cli, people[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(units) > 0 {
			participant = &people[i]
			break
		}
	}
	if participant == nil {
		t.Fatal("the demo register should hold a trained person in custody at LP-MARTAPURA")
	}
	b.run("open "+participant.Name, chromedp.Navigate(fmt.Sprintf("%s/inmates/%d", b.env.URL, participant.ID)), waitFor("#f-release_date"))
	if h := b.text("h1"); h != participant.Name {
		t.Fatalf("the person page: %q, want %q", h, participant.Name)
	}
	// A conditional release names its Bapas when the form asks for one;
	// the form without the choice releases at the end of the sentence,
	// handing over to the labour office.
	reason, mentor := "HABIS_MASA_PIDANA", "Dinas Tenaga Kerja dan Transmigrasi Kabupaten OKU Timur"
	release := []chromedp.Action[chromedp.Void]{setValue("#f-release_date", today.String())}
	if b.exists("#f-supervisor") {
		reason, mentor = "PB", "Bapas Kelas II Baturaja"
		release = append(release, chooseByText("#f-supervisor", mentor))
	}
	release = append(release, setValue("#f-release_reason", reason), clearMessages(),
		click(`form[action$="/release"] button[type="submit"]`), chromedp.WaitVisible(chromedp.CSS(".flash, .error-summary")))
	b.run("release "+participant.Name+" ("+reason+")", release...)
	if f := b.textContent(".flash"); f != "Pembebasan sudah dicatat." {
		t.Fatalf("after the release: %q (errors: %q)", f, b.textContent(".error-summary"))
	}
	if s := b.text("dl.summary dd"); !strings.Contains(s, p.T("release.reason."+reason)) || !strings.Contains(s, p.Day(today)) {
		t.Errorf("the status after the release: %q", s)
	}
	if h := b.textContent(`[data-testid="handover"]`); !strings.Contains(h, "Diserahkan kepada "+mentor) || !strings.Contains(h, "belum dikonfirmasi") {
		t.Errorf("the person page should show the hand-over to %s waiting: %q", mentor, h)
	}
	if b.exists("#f-release_date") {
		t.Error("the release form is still offered after the release")
	}
	b.screenshot("released")

	b.run("the board again", click(`nav a[href="/release-board"]`), waitFor(`[data-testid="facility-handovers"]`))
	if h := b.text("#handovers-title"); h != "Serah terima yang belum dikonfirmasi pendamping" {
		t.Errorf("the hand-overs' heading: %q", h)
	}
	items := get(b, "read the hand-overs", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="facility-handovers"] li')].map(l => l.textContent.trim())`))
	if !slices.ContainsFunc(items, func(s string) bool {
		return strings.HasPrefix(s, participant.Name+" — diserahkan ke "+mentor+" pada ")
	}) {
		t.Errorf("the board should list %s handed over to %s and waiting: %q", participant.Name, mentor, items)
	}
	if b.exists(fmt.Sprintf(`[data-testid="sheet-%d"]`, participant.ID)) {
		t.Errorf("%s, released, is still on the board", participant.Name)
	}
	b.screenshot("release-board-handovers")
}

// TestMentorAcknowledgesPlacesAndWorksOverdueFollowUps is the labour
// officer's journey as mentor after release: read the notices the badge
// counts and mark them read; confirm the hand-over waiting; record an
// overdue follow-up, refused first for a contact date still to come; and
// record the placement of a person in the caseload, refusing a second
// full-time job that overlaps it.
func TestMentorAcknowledgesPlacesAndWorksOverdueFollowUps(t *testing.T) {
	b := newBrowser(t)
	ctx, cli := t.Context(), app.CLIActor("journey")
	a := b.env.App
	today := a.Today()
	p := i18n.New("id")

	hs, err := a.Handovers(ctx, cli, true)
	if err != nil {
		t.Fatal(err)
	}
	var waiting *binakerja.Handover
	for _, h := range hs {
		if h.Mentor == "DISNAKER-OKUT" {
			waiting = h
			break
		}
	}
	if waiting == nil {
		t.Fatal("the demo should leave a hand-over to DISNAKER-OKUT waiting")
	}

	b.signIn(servertest.Email(binakerja.RoleLabourOfficer), demo.Password)
	b.run("the unread badge", waitFor(`[data-testid="unread-badge"]`))
	badge := b.text(`[data-testid="unread-badge"]`)
	if n, err := strconv.Atoi(strings.TrimSuffix(badge, "+")); err != nil || n < 1 {
		t.Fatalf("the unread badge: %q", badge)
	}
	b.run("open the notices", click(`[data-testid="nav-notices"]`), waitFor(`[data-testid="notices"]`))
	if h := b.text("h1"); h != "Pemberitahuan" {
		t.Fatalf("the notices' heading: %q", h)
	}
	if c := b.text(`[data-testid="unread-count"]`); !strings.HasSuffix(badge, "+") && c != badge+" belum dibaca" {
		t.Errorf("the page counts %q unread, the badge %q", c, badge)
	}
	if notices := b.text(`[data-testid="notices"] tbody`); !strings.Contains(notices, "Serah terima baru") ||
		!strings.Contains(notices, waiting.Name+" diserahterimakan ke sini untuk pendampingan setelah bebas.") {
		t.Errorf("the notices should tell of the hand-over of %s: %q", waiting.Name, notices)
	}
	if !b.exists(`[data-testid="unread-notice"]`) {
		t.Error("no notice is marked unread")
	}
	b.screenshot("notices")
	b.run("mark all read", clearMessages(), click(`[data-testid="mark-read"]`), waitFor(".flash"))
	if f := b.text(".flash"); f != "Pemberitahuan ditandai sudah dibaca." {
		t.Fatalf("after marking the notices read: %q", f)
	}
	if b.exists(`[data-testid="unread-badge"]`) {
		t.Errorf("the badge is still shown: %q", b.textContent(`[data-testid="unread-badge"]`))
	}
	if b.exists(`[data-testid="unread-notice"]`) || b.exists(`[data-testid="mark-read"]`) {
		t.Error("notices are still unread after marking all read")
	}
	if c := b.text(`[data-testid="unread-count"]`); c != "0 belum dibaca" {
		t.Errorf("the unread count after marking all read: %q", c)
	}

	// The hand-over waiting.
	ack := fmt.Sprintf(`[data-testid="ack-%d"]`, waiting.ID)
	if l := b.text(`nav a[href="/followups"]`); l != "Pendampingan" {
		t.Errorf("the navigation's link to the caseload: %q", l)
	}
	b.run("open the caseload", click(`nav a[href="/followups"]`), waitFor(ack))
	if h := b.text("h1"); h != "Pendampingan setelah bebas" {
		t.Fatalf("the caseload's heading: %q", h)
	}
	if l := b.text(`[data-testid="pending-handovers"]`); !strings.Contains(l, waiting.Name) {
		t.Fatalf("the hand-overs waiting: %q", l)
	}
	b.screenshot("caseload-handover")
	b.run("acknowledge "+waiting.Name, clearMessages(), click(ack), chromedp.WaitVisible(chromedp.CSS(".flash, .error-summary")))
	if f := b.textContent(".flash"); f != "Serah terima sudah dikonfirmasi: orang ini dalam dampingan Anda." {
		t.Fatalf("after acknowledging: %q (errors: %q)", f, b.textContent(".error-summary"))
	}
	if b.exists(ack) || strings.Contains(b.textContent(`[data-testid="pending-handovers"]`), waiting.Name) {
		t.Errorf("%s still waits for acknowledgement: %q", waiting.Name, b.textContent(`[data-testid="pending-handovers"]`))
	}

	// An overdue follow-up.
	b.run("the overdue tab", click(`nav.tabs a[href="/followups?status=overdue"]`),
		chromedp.WaitReady(chromedp.CSS(`nav.tabs a[href="/followups?status=overdue"][aria-current="page"]`)), waitFor(`[data-testid="followups"]`))
	overdue := b.attrs(`[data-testid="followups"] tr:has([data-testid="overdue"]) [data-testid^="record-"]`, "data-testid")
	if len(overdue) == 0 || len(overdue) != len(b.attrs(`[data-testid="followups"] tbody tr`, "class")) {
		t.Fatalf("the overdue tab should list only overdue follow-ups, each to record: %q of %q", overdue, b.rows(`[data-testid="followups"]`))
	}
	id, _ := strings.CutPrefix(overdue[0], "record-")
	fid, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	row := fmt.Sprintf(`[data-testid="followups"] tr:has([data-testid="record-%d"])`, fid)
	who := b.textContent(row + ` td:first-child a`)
	label := b.textContent(fmt.Sprintf(`label[for="f-contact_date-%d"]`, fid))
	if label != "Tanggal kontak" {
		t.Errorf("the contact date's label: %q", label)
	}
	b.screenshot("caseload-overdue")
	record := func(date binakerja.Date) {
		t.Helper()
		b.run(fmt.Sprintf("record the follow-up of %s on %s", who, date), chromedp.WaitReady(chromedp.CSS(row)),
			click(row+" details > summary"), waitFor(fmt.Sprintf("#f-contact_date-%d", fid)),
			setValue(fmt.Sprintf("#f-contact_date-%d", fid), date.String()), setValue(fmt.Sprintf("#f-outcome-%d", fid), "BEKERJA_UMKM"),
			clearMessages(), click(fmt.Sprintf(`[data-testid="record-%d"]`, fid)), chromedp.WaitVisible(chromedp.CSS(".flash, .error-summary")))
	}
	record(today.AddDate(0, 0, 1))
	if !b.exists(".error-summary") {
		t.Fatalf("a contact date tomorrow was not refused: %q", b.textContent(".flash"))
	}
	summary := b.text(".error-summary")
	if !strings.Contains(summary, "Ada yang perlu diperbaiki") {
		t.Errorf("the error summary: %q", summary)
	}
	if label == "" || !strings.Contains(summary, label) {
		t.Errorf("the error summary should name the field %q: %q", label, summary)
	}
	for _, href := range b.attrs(".error-summary a", "href") {
		if !b.exists(href) {
			t.Errorf("the error summary links to %q, which is not on the page", href)
		}
	}
	kept := get(b, "read the refused form", chromedp.Evaluate[[]string](fmt.Sprintf(
		`[document.querySelector("#f-contact_date-%d")?.value ?? "", document.querySelector("#f-outcome-%d")?.value ?? ""]`, fid, fid)))
	if w := []string{today.AddDate(0, 0, 1).String(), "BEKERJA_UMKM"}; !slices.Equal(kept, w) {
		t.Errorf("the refused form should keep what was typed: %q, want %q", kept, w)
	}
	if f, err := b.env.DB.FollowUp(ctx, fid); err != nil || f.Status != binakerja.FollowUpDue {
		t.Fatalf("the refused follow-up: %+v %v", f, err)
	}
	b.screenshot("followup-refused")
	b.run("back to the overdue tab", chromedp.Navigate(b.env.URL+"/followups?status=overdue"), waitFor(`[data-testid="followups"]`))
	record(today)
	if f := b.textContent(".flash"); f != "Pendampingan sudah dicatat." {
		t.Fatalf("after recording the follow-up: %q (errors: %q)", f, b.textContent(".error-summary"))
	}
	if f, err := b.env.DB.FollowUp(ctx, fid); err != nil || f.Status != binakerja.FollowUpDone || f.ContactDate.String() != today.String() || f.Outcome != binakerja.OutcomeUMKM {
		t.Errorf("the recorded follow-up: %+v %v", f, err)
	}
	b.run("the overdue tab again", chromedp.Navigate(b.env.URL+"/followups?status=overdue"), waitFor("nav.tabs"))
	if b.exists(fmt.Sprintf(`[data-testid="record-%d"]`, fid)) {
		t.Errorf("the follow-up of %s is still overdue after recording it", who)
	}
	if n := len(b.attrs(`[data-testid="followups"] tbody tr`, "class")); n != len(overdue)-1 {
		t.Errorf("the overdue tab lists %d, want %d", n, len(overdue)-1)
	}

	// A placement for a person in the caseload who has none.
	b.run("the caseload", click(`nav a[href="/followups"]`), waitFor(`[data-testid="followups"]`))
	var placed *app.InmateDetail
	for _, href := range b.attrs(`[data-testid="followups"] a[href^="/released/"]`, "href") {
		pid, err := strconv.ParseInt(strings.TrimPrefix(href, "/released/"), 10, 64)
		if err != nil {
			t.Fatalf("a caseload link: %q", href)
		}
		have, err := a.Placements(ctx, cli, pid)
		if err != nil {
			t.Fatal(err)
		}
		if len(have) == 0 {
			if placed, err = a.Inmate(ctx, cli, pid); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if placed == nil {
		t.Fatal("the caseload should list someone without a placement")
	}
	b.run("open "+placed.Name, click(fmt.Sprintf(`[data-testid="followups"] a[href="/released/%d"]`, placed.ID)),
		waitFor(`[data-testid="released-summary"]`))
	if loc, w := b.location(), fmt.Sprintf("/released/%d", placed.ID); loc != w {
		t.Fatalf("the person's page after release: %q, want %q", loc, w)
	}
	if h := b.text("h1"); h != placed.Name {
		t.Fatalf("the person's page: %q, want %q", h, placed.Name)
	}
	if b.exists(`[data-testid="placements"]`) {
		t.Fatalf("%s already has placements: %q", placed.Name, b.text(`[data-testid="placements"]`))
	}
	start := placed.Episode.ReleaseDate.AddDate(0, 0, 7)
	place := func(kind, employer, position string, from binakerja.Date) {
		t.Helper()
		b.run(fmt.Sprintf("record a placement at %s from %s", employer, from),
			click(`details:has([data-testid="placement-form"]) > summary`), waitFor("#f-kind"),
			setValue("#f-kind", kind), setValue("#f-employer", employer), setValue("#f-position", position),
			setValue("#f-placement_start", from.String()), clearMessages(), click(`[data-testid="placement-save"]`),
			chromedp.WaitVisible(chromedp.CSS(".flash, .error-summary")))
	}
	place("UMKM", "UD-TANI-MAKMUR", "Pekerja kebun", start)
	if f := b.textContent(".flash"); f != "Penempatan sudah dicatat." {
		t.Fatalf("after recording the placement: %q (errors: %q)", f, b.textContent(".error-summary"))
	}
	want := [][]string{{"UD Tani Makmur", "Pekerja kebun", "Bekerja di UMKM", p.Day(start) + " – masih berjalan"}}
	if got := b.rows(`[data-testid="placements"]`); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("the placements: %q, want %q", got, want)
	}
	b.screenshot("placement")

	// A second full-time job overlapping the first is refused.
	place("JOB", "Toko Bangunan Sejahtera", "Pramuniaga", start.AddDate(0, 0, 30))
	if !b.exists(".error-summary") {
		t.Fatalf("an overlapping full-time job was not refused: %q", b.textContent(".flash"))
	}
	conflict := "Ini bertumpang tindih dengan pekerjaan di UD Tani Makmur yang belum berakhir"
	if s := b.text(".error-summary"); !strings.Contains(s, conflict) {
		t.Errorf("the refusal should name the job it overlaps: %q", s)
	}
	if e := b.textContent("#placement_start-error"); !strings.Contains(e, conflict) {
		t.Errorf("the start date should carry the conflict: %q", e)
	}
	if v := get(b, "read the employer kept", chromedp.Value(chromedp.CSS("#f-employer"))); v != "Toko Bangunan Sejahtera" {
		t.Errorf("the refused form should keep the employer typed: %q", v)
	}
	if got := b.rows(`[data-testid="placements"]`); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("the refusal added a placement: %q", got)
	}
	if have, err := a.Placements(ctx, cli, placed.ID); err != nil || len(have) != 1 {
		t.Errorf("the placements recorded: %d %v", len(have), err)
	}
	b.screenshot("placement-overlap")
}

// TestProbationOfficerOpensAClient is the probation officer's journey: the
// Bapas's clients on conditional release, one client's page with the end of
// their supervision and their follow-ups and no way into the register; and,
// for the officer of another Bapas, no clients and a page not found for
// that client.
func TestProbationOfficerOpensAClient(t *testing.T) {
	b := newBrowser(t)
	ctx, cli := t.Context(), app.CLIActor("journey")
	a := b.env.App
	today := a.Today()
	p := i18n.New("id")

	clients, _, err := a.Clients(ctx, cli, store.Page{Limit: store.MaxLimit})
	if err != nil || len(clients) == 0 {
		t.Fatalf("the demo's clients: %d %v", len(clients), err)
	}
	var ids []string
	for _, c := range clients {
		if c.Supervisor != "BAPAS-BATURAJA" {
			t.Fatalf("the demo's client %s is supervised by %s", c.Person.Name, c.Supervisor)
		}
		ids = append(ids, fmt.Sprintf("client-%d", c.Person.ID))
	}

	b.signIn(servertest.Email(binakerja.RoleProbationOfficer), demo.Password)
	if l := b.text(`nav a[href="/clients"]`); l != "Klien" {
		t.Fatalf("the navigation's link to the clients: %q", l)
	}
	b.run("open the clients", click(`nav a[href="/clients"]`), waitFor(`[data-testid="clients"]`))
	if h := b.text("h1"); h != "Klien pemasyarakatan" {
		t.Fatalf("the clients' heading: %q", h)
	}
	listed := b.attrs(`a[data-testid^="client-"]`, "data-testid")
	if !slices.Equal(slices.Sorted(slices.Values(listed)), slices.Sorted(slices.Values(ids))) {
		t.Fatalf("the clients listed: %q, want %q", listed, ids)
	}
	b.screenshot("clients")

	first := listed[0]
	var c *store.Client
	for _, x := range clients {
		if fmt.Sprintf("client-%d", x.Person.ID) == first {
			c = x
		}
	}
	b.run("open "+c.Person.Name, click(`a[data-testid^="client-"]`), waitFor(`[data-testid="supervision-until"]`))
	if loc, w := b.location(), fmt.Sprintf("/released/%d", c.Person.ID); loc != w {
		t.Fatalf("the client's page: %q, want %q", loc, w)
	}
	if h := b.text("h1"); h != c.Person.Name {
		t.Fatalf("the client's page: %q, want %q", h, c.Person.Name)
	}
	until, w := b.text(`[data-testid="supervision-until"]`), p.Day(c.Episode.SupervisionEnd())+" ("+p.T("client.status."+c.Status(today))+")"
	if until != w {
		t.Errorf("the end of supervision: %q, want %q", until, w)
	}
	if fs := b.rows(`[data-testid="person-followups"]`); len(fs) == 0 {
		t.Errorf("the client's follow-ups: %q", b.textContent("main"))
	}
	if b.exists(`a[href^="/inmates/"]`) || strings.Contains(get(b, "read the page", chromedp.Evaluate[string](`document.documentElement.outerHTML`)), "/inmates/") {
		t.Error("the client's page leads into the register")
	}
	b.screenshot("client")

	// The officer of another Bapas, in another region.
	if _, err := a.CreateOrganization(ctx, cli, &binakerja.Organization{Code: "BAPAS-PALEMBANG", Name: "Bapas Kelas I Palembang",
		Kind: binakerja.OrgProbationOffice, RegionCode: "16.71"}); err != nil {
		t.Fatal(err)
	}
	const other = "bapas.palembang@binakerja.test"
	if _, _, err := a.CreateUser(ctx, cli, app.NewUser{Email: other, Name: "Yuni Lestari", Password: demo.Password,
		Grants: []app.GrantInput{{Role: binakerja.RoleProbationOfficer, Org: "BAPAS-PALEMBANG"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.EnrolDemoTOTP(ctx, cli, other); err != nil {
		t.Fatal(err)
	}
	o := b.freshBrowser()
	o.signIn(other, demo.Password)
	o.run("open the clients", click(`nav a[href="/clients"]`), waitFor("main p.empty"))
	if e := o.text("main p.empty"); e != "Belum ada klien di bawah bimbingan Bapas Anda." {
		t.Errorf("the other Bapas's clients: %q", e)
	}
	if o.exists(`[data-testid="clients"]`) || o.exists(`a[href^="/released/"]`) {
		t.Errorf("the other Bapas lists clients: %q", o.textContent("main"))
	}
	o.screenshot("clients-other")
	resp := get(o, "open the first Bapas's client", chromedp.NavigateResponse(fmt.Sprintf("%s/released/%d", o.env.URL, c.Person.ID)))
	if resp.Status != 404 {
		t.Errorf("another Bapas opening %s: %d, want 404", c.Person.Name, resp.Status)
	}
	if h, lead := o.text("h1"), o.text("main p.lead"); h != "Ada masalah" || lead != "Halaman atau data ini tidak ada, atau tidak dapat Anda akses." {
		t.Errorf("the page not found: %q, %q", h, lead)
	}
	if m := o.textContent("main"); strings.Contains(m, c.Person.Name) {
		t.Errorf("the page not found names the client: %q", m)
	}
	o.screenshot("client-not-found")
}
