package journey

import (
	"context"
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

// setValue sets the value of the form control matching the CSS selector sel.
func setValue(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.CSS(sel), v)
}

// chooseByText selects the option of the select matching sel whose text
// contains text, failing when there is none.
func chooseByText(sel, text string) chromedp.Action[chromedp.Void] {
	choose := chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const s = document.querySelector(%q);
		const o = s && [...s.options].find(o => o.textContent.includes(%q));
		if (!o) return false;
		s.value = o.value;
		return true })()`, sel, text))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ok, err := choose(ctx, t)
		if err == nil && !ok {
			err = fmt.Errorf("%s has no option %q", sel, text)
		}
		return chromedp.Void{}, err
	}
}

// clearMessages removes the page's flash and error summary, so that waiting
// for either waits for the next page.
func clearMessages() chromedp.Action[chromedp.Void] {
	remove := chromedp.Evaluate[bool](`(() => { document.querySelectorAll('.flash, .error-summary').forEach(e => e.remove()); return true })()`)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := remove(ctx, t)
		return chromedp.Void{}, err
	}
}

// textContent returns the text of the first element matching sel as written
// in the page, before any CSS changes its case.
func (b *browser) textContent(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(get(b, "read "+sel, chromedp.Evaluate[string](
		fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ""`, sel))))
}

// exists reports whether an element matches sel.
func (b *browser) exists(sel string) bool {
	b.t.Helper()
	return get(b, "look for "+sel, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q) !== null`, sel)))
}

// TestLabourOfficerRecordsAnAgreementPostsAVacancyAndProposes is the labour
// officer's partnership journey: record an MoU with a workshop that has no
// agreement yet, with a hiring target, and read it back with nothing
// achieved; post a vacancy for that workshop from a competency scheme, which
// is refused first for a closing date already past (keeping what was typed),
// then propose the two best matched candidates from the vacancy page and see
// them proposed.
func TestLabourOfficerRecordsAnAgreementPostsAVacancyAndProposes(t *testing.T) {
	b := newBrowser(t)
	today := b.env.App.Today()
	b.signIn(servertest.Email(binakerja.RoleLabourOfficer), demo.Password)

	number := fmt.Sprintf("560/%d/DISNAKER-OKUT/MOU-07", today.Time().Year())
	b.run("open the agreements", click(`nav a[href="/agreements"]`), waitFor("#f-parties"))
	if rows := b.text("table tbody"); !strings.Contains(rows, "MOU-01") || !strings.Contains(rows, "PKS-03") {
		t.Fatalf("the demo agreements should be listed: %q", rows)
	}
	b.run("record the MoU", setValue("#f-type", "MOU"), typeInto("#f-number", number),
		typeInto("#f-title", "Penempatan kerja lulusan pelatihan listrik di Bengkel Sinar"),
		setValue("#f-parties", "DISNAKER-OKUT\nLP-MARTAPURA\nBENGKEL-SINAR"),
		setValue("#f-signed_date", today.AddDate(0, 0, -3).String()),
		setValue("#f-valid_from", today.String()),
		setValue("#f-valid_until", today.AddDate(2, 0, 0).String()),
		typeInto("#f-target_HIRES", "5"),
		click(`form[method="post"][action="/agreements"] button[type="submit"]`), waitFor(".flash"))
	if f := b.text(".flash"); f != "Perjanjian sudah dicatat." {
		t.Fatalf("after recording the agreement: %q (errors: %q)", f, b.textContent(".error-summary"))
	}
	agreementPage := b.location()
	if h := b.text("h1"); h != number {
		t.Fatalf("the agreement's page: %q", h)
	}
	if s := b.text(`[data-testid="agreement-status"]`); s != "Berlaku" {
		t.Errorf("an agreement in force from today: %q", s)
	}
	parties := b.text("dl.facts")
	for _, code := range []string{"DISNAKER-OKUT", "LP-MARTAPURA", "BENGKEL-SINAR"} {
		if !strings.Contains(parties, code) {
			t.Errorf("the parties lack %s: %q", code, parties)
		}
	}
	cells := get(b, "read the commitments", chromedp.Evaluate[[][]string](`[...document.querySelectorAll('[data-testid="commitments"] tbody tr')]
		.map(r => [...r.cells].map(c => c.textContent.trim()))`))
	if len(cells) != 1 || len(cells[0]) != 5 || cells[0][0] != "Penyerapan tenaga kerja" || cells[0][2] != "5" || cells[0][3] != "0" ||
		!strings.HasPrefix(cells[0][4], "0%") {
		t.Fatalf("the commitments of a new MoU with a hiring target of 5: %q", cells)
	}
	b.screenshot("agreement")

	// A vacancy closing yesterday is refused, with what was typed kept.
	b.run("open the vacancies", click(`nav a[href="/vacancies"]`), waitFor("#f-employer"))
	b.run("post a vacancy closing yesterday", setValue("#f-employer", "BENGKEL-SINAR"),
		typeInto("#f-title", "Teknisi listrik bangunan"), typeInto("#f-required_schemes", "SKM-IPL-2"),
		typeInto("#f-places", "2"), typeInto("#f-region_code", "16.08"),
		setValue("#f-closing_date", today.AddDate(0, 0, -1).String()),
		setValue("#f-start_date", today.AddDate(0, 0, 30).String()),
		chooseByText("#f-agreement_id", number),
		click(`form[method="post"][action="/vacancies"] button[type="submit"]`), waitFor(".error-summary"))
	if s := b.text(".error-summary"); !strings.Contains(s, "Ada yang perlu diperbaiki") || !strings.Contains(s, "Tanggal penutupan sudah lewat.") {
		t.Fatalf("the error summary of a vacancy closing yesterday: %q", s)
	}
	if href := get(b, "read the summary's link", chromedp.Evaluate[string](`document.querySelector(".error-summary a")?.getAttribute("href") ?? ""`)); href != "#f-closing_date" {
		t.Errorf("the summary should link to the closing date, links to %q", href)
	}
	if !b.exists(`.field.has-error #f-closing_date[aria-invalid="true"]`) {
		t.Error("the closing date should be marked as the field at fault")
	}
	kept := map[string]string{"#f-employer": "BENGKEL-SINAR", "#f-title": "Teknisi listrik bangunan", "#f-required_schemes": "SKM-IPL-2",
		"#f-places": "2", "#f-region_code": "16.08", "#f-closing_date": today.AddDate(0, 0, -1).String(),
		"#f-start_date": today.AddDate(0, 0, 30).String()}
	for sel, want := range kept {
		if v := get(b, "read "+sel, chromedp.Value(chromedp.CSS(sel))); v != want {
			t.Errorf("after the refusal %s holds %q, want %q", sel, v, want)
		}
	}
	if ag := get(b, "read the agreement chosen", chromedp.Evaluate[string](`(s => s.options[s.selectedIndex].textContent)(document.querySelector("#f-agreement_id"))`)); ag != number {
		t.Errorf("after the refusal the agreement chosen is %q, want %q", ag, number)
	}
	b.screenshot("vacancy-refused")

	b.run("correct the closing date", setValue("#f-closing_date", today.AddDate(0, 0, 14).String()),
		click(`form[method="post"][action="/vacancies"] button[type="submit"]`), waitFor(".flash"))
	if f := b.text(".flash"); f != "Lowongan sudah dipasang." {
		t.Fatalf("after posting the vacancy: %q", f)
	}
	if h, lead := b.text("h1"), b.text("p.lead"); h != "Teknisi listrik bangunan" || !strings.Contains(lead, "Bengkel") || !strings.Contains(lead, "Dibuka") {
		t.Fatalf("the vacancy's page: %q, %q", h, lead)
	}
	if units := b.text("dl.facts"); !strings.Contains(units, "D.351000.001.01") {
		t.Errorf("the scheme's units should be the vacancy's required units: %q", units)
	}
	if b.exists(`[data-testid="applications"]`) {
		t.Fatalf("a new vacancy already has applications: %q", b.text(`[data-testid="applications"]`))
	}
	buttons := get(b, "read the proposal buttons", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="matches"] button[data-testid^="propose-"]')]
		.map(e => e.dataset.testid)`))
	if len(buttons) < 2 {
		t.Fatalf("matched candidates with a button to propose them: %q (matches: %q)", buttons, b.textContent("main"))
	}
	b.screenshot("vacancy-matches")
	var proposed []string
	for _, testid := range buttons[:2] {
		sel := fmt.Sprintf(`[data-testid="%s"]`, testid)
		name := get(b, "read the candidate's name", chromedp.Evaluate[string](fmt.Sprintf(
			`document.querySelector(%q).closest("tr").cells[0].childNodes[0].textContent.trim()`, sel)))
		proposed = append(proposed, name)
		b.run("propose "+name, clearFlash(), click(sel), waitFor(".flash"))
		if f := b.text(".flash"); f != "Kandidat sudah diusulkan kepada pemberi kerja." {
			t.Fatalf("after proposing %s: %q (errors: %q)", name, f, b.textContent(".error-summary"))
		}
		if b.exists(sel) {
			t.Errorf("%s can still be proposed after the proposal", name)
		}
	}
	rows := get(b, "read the applications", chromedp.Evaluate[[][]string](`[...document.querySelectorAll('[data-testid="applications"] tbody tr')]
		.map(r => [...r.cells].map(c => c.textContent.trim()))`))
	if len(rows) != 2 {
		t.Fatalf("the applications after two proposals: %q", rows)
	}
	for _, name := range proposed {
		if !slices.ContainsFunc(rows, func(r []string) bool { return r[0] == name && r[2] == "Diusulkan" }) {
			t.Errorf("%s should be in the applications as Diusulkan: %q", name, rows)
		}
	}
	b.screenshot("vacancy-proposed")

	// The hires commitment counts hires, not proposals.
	b.run("reopen the agreement", chromedp.Navigate(b.env.URL+agreementPage), waitFor(`[data-testid="commitments"]`))
	if actual := b.textContent(`[data-testid="commitments"] tbody tr td:nth-child(4)`); actual != "0" {
		t.Errorf("proposals should not count as hires: %q", actual)
	}
}

// TestOfficerRecordsConsentPlansAnInternshipAndLogsALateReturn is the
// facility officer's work journey: find a person who was never asked about
// being proposed to employers and record their consent; plan an internship,
// which is refused for someone who has not served enough of their sentence
// nor finished a training (naming both rules) and accepted for a trained
// person; and record the return of the intern who is out and late, which the
// log then marks late.
func TestOfficerRecordsConsentPlansAnInternshipAndLogsALateReturn(t *testing.T) {
	b := newBrowser(t)
	ctx := context.Background()
	a, ac := b.env.App, app.CLIActor("journey")
	today := a.Today()
	day := i18n.New("id").Day
	start, end := today.AddDate(0, 0, 7), today.AddDate(0, 0, 37)

	// The people the journey needs, chosen from the register as it is.
	people, _, err := a.Inmates(ctx, ac, app.InmateQuery{Facility: "LP-MARTAPURA", InCustody: true, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	var unasked, barred, eligible *binakerja.Inmate
	for i := range people {
		p := &people[i]
		cs, err := a.Consents(ctx, ac, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if unasked == nil && len(cs) == 0 {
			unasked = p
		}
		el, err := a.InternshipCheck(ctx, ac, p.ID, start)
		if err != nil {
			t.Fatal(err)
		}
		units, err := a.TrainedUnits(ctx, ac, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		its, _, err := a.Internships(ctx, ac, store.InternshipFilter{Facility: "LP-MARTAPURA", Page: store.Page{Limit: 50}})
		if err != nil {
			t.Fatal(err)
		}
		interned := slices.ContainsFunc(its, func(it *binakerja.Internship) bool { return it.PersonID == p.ID })
		grower := slices.ContainsFunc(units, func(u binakerja.Unit) bool { return strings.HasPrefix(u.Code, "A.011100") })
		if barred == nil && p.Episode.ExpectedRelease.Before(today.AddDate(2, 0, 0)) && slices.Contains(el.Bars, binakerja.BarShareServed) && slices.Contains(el.Bars, binakerja.BarTraining) {
			barred = p
		}
		if eligible == nil && len(el.Bars) == 0 && grower && !interned && !p.Episode.ExpectedRelease.Before(end) {
			eligible = p
		}
	}
	if unasked == nil || barred == nil || eligible == nil {
		t.Fatalf("the demo register should hold someone never asked (%v), someone barred (%v) and a trained grower free to go out (%v)",
			unasked != nil, barred != nil, eligible != nil)
	}

	b.signIn(servertest.Email(binakerja.RoleFacilityOfficer), demo.Password)
	b.run("find the person by registration number", click(`nav a[href="/inmates"]`), waitFor("#f-q"),
		typeInto("#f-q", unasked.Episode.RegistrationNumber), click(`form.filters button[type="submit"]`),
		chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`#f-q[value=%q]`, unasked.Episode.RegistrationNumber))), waitFor("tbody a"))
	b.run("open the person", click(`tbody a`), waitFor(`[data-testid="consent-state"]`))
	if h := b.text("h1"); h != unasked.Name {
		t.Fatalf("person page: %q, want %q", h, unasked.Name)
	}
	if s := b.text(`[data-testid="consent-state"]`); !strings.HasPrefix(s, "Belum ditanyakan") {
		t.Fatalf("the consent of someone never asked: %q", s)
	}
	b.run("record the consent", setValue("#f-consent_date", today.String()), typeInto("#f-consent_note", "Bersedia, ditanyakan saat pembinaan"),
		click(`form[action$="/consents"] button[type="submit"]`), waitFor(".flash"))
	if f := b.text(".flash"); !strings.HasPrefix(f, "Persetujuan dicatat") {
		t.Fatalf("after recording the consent: %q (errors: %q)", f, b.textContent(".error-summary"))
	}
	if s, want := b.text(`[data-testid="consent-state"]`), "Setuju diusulkan kepada pemberi kerja (sejak "+day(today)+")."; s != want {
		t.Fatalf("the consent state: %q, want %q", s, want)
	}
	if hist := b.text(`#consent ~ table tbody tr:first-child`); !strings.Contains(hist, "Diberikan") || !strings.Contains(hist, "Bersedia, ditanyakan saat pembinaan") {
		t.Errorf("the consent history: %q", hist)
	}
	if btn := b.text(`form[action$="/consents"] button`); btn != "Catat persetujuan ditarik" {
		t.Errorf("once given, the form should offer the withdrawal: %q", btn)
	}
	b.screenshot("consent")

	// Planning: first someone the rules bar, then a trained grower.
	plan := func(who *binakerja.Inmate) {
		b.t.Helper()
		b.run("plan an internship for "+who.Name, setValue("#f-inmate_id", strconv.FormatInt(who.ID, 10)),
			setValue("#f-host", "UD-TANI-MAKMUR"), chooseByText("#f-agreement_id", "MOU-01"),
			setValue("#f-start_date", start.String()), setValue("#f-end_date", end.String()),
			setValue("#f-supervisor", "Sumarni"), setValue("#f-schedule", "Senin–Jumat 07.00–16.00"),
			clearMessages(), click(`form[method="post"][action="/internships"] button[type="submit"]`),
			chromedp.WaitVisible(chromedp.CSS(".flash, .error-summary")))
	}
	b.run("open the internships", click(`nav a[href="/internships"]`), waitFor("#f-inmate_id"))
	plan(barred)
	if !b.exists(".error-summary") {
		t.Fatalf("an internship for %s, who is barred, was not refused: %q", barred.Name, b.text("main"))
	}
	bars := b.text("#inmate_id-error")
	for _, rule := range []string{"Belum menjalani bagian pidana yang disyaratkan", "Belum lulus pelatihan"} {
		if !strings.Contains(bars, rule) {
			t.Errorf("the refusal should name the rule %q: %q", rule, bars)
		}
	}
	if !strings.Contains(bars, "(aturan ") {
		t.Errorf("the refusal should name the rule's version: %q", bars)
	}
	if v := get(b, "read the person kept", chromedp.Value(chromedp.CSS("#f-inmate_id"))); v != strconv.FormatInt(barred.ID, 10) {
		t.Errorf("the refused form should keep the person chosen: %q", v)
	}
	if v := get(b, "read the supervisor kept", chromedp.Value(chromedp.CSS("#f-supervisor"))); v != "Sumarni" {
		t.Errorf("the refused form should keep the supervisor: %q", v)
	}
	b.screenshot("internship-refused")
	plan(eligible)
	if f := b.textContent(".flash"); f != "Magang sudah direncanakan." {
		t.Fatalf("an internship for %s: %q (errors: %q)", eligible.Name, f, b.textContent(".error-summary"))
	}
	if h, s := b.text("h1"), b.text(`[data-testid="internship-status"]`); h != eligible.Name || s != "Direncanakan" {
		t.Fatalf("the planned internship: %q, %q", h, s)
	}
	if facts := b.text("dl.facts"); !strings.Contains(facts, day(start)+" – "+day(end)) || !strings.Contains(facts, "MOU-01") || !strings.Contains(facts, "Sumarni") {
		t.Errorf("the planned internship's facts: %q", facts)
	}

	// The intern out today and late back.
	b.run("back to the board", click(`nav a[href="/internships"]`), waitFor(`[data-testid="out-today"]`))
	late := get(b, "read the late rows", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="out-today"] tbody tr')]
		.filter(r => r.querySelector('[data-testid="late"]')).map(r => r.querySelector("a").textContent.trim())`))
	if len(late) != 1 {
		t.Fatalf("the board should show one intern out and late: %q", b.text(`[data-testid="out-today"]`))
	}
	if tag := b.textContent(`[data-testid="late"]`); tag != "terlambat" {
		t.Errorf("the late tag: %q", tag)
	}
	b.screenshot("board-late")
	b.run("open the late intern", click(`[data-testid="out-today"] tr:has([data-testid="late"]) a`), waitFor(`[data-testid="log-return"]`))
	if h := b.text("h1"); h != late[0] {
		t.Fatalf("the late intern's page: %q, want %q", h, late[0])
	}
	b.run("record the return", clearFlash(), click(`[data-testid="log-return"]`), waitFor(".flash"))
	if f := b.textContent(".flash"); f != "Kembali sudah dicatat: TERLAMBAT." {
		t.Fatalf("after the late return: %q (errors: %q)", f, b.textContent(".error-summary"))
	}
	if b.exists(`[data-testid="log-return"]`) {
		t.Error("the return can still be recorded after recording it")
	}
	if b.exists(`[data-testid="log-leave"]`) {
		t.Error("a second leaving on the same day is offered: the log holds one a day")
	}
	todays := get(b, "read today's log", chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll('[data-testid="log"] tbody tr')]
		.filter(r => r.cells[0].textContent.trim() === %q).map(r => r.className + "|" + r.cells[3].textContent.trim())`, day(today))))
	if len(todays) != 1 || !strings.HasPrefix(todays[0], "late|") || !strings.HasSuffix(todays[0], "terlambat") {
		t.Fatalf("today's line of the log should be marked late: %q", todays)
	}
	b.screenshot("internship-log")
	b.run("the board again", click(`nav a[href="/internships"]`), waitFor("#out-title"))
	if b.exists(`[data-testid="out-today"]`) {
		t.Errorf("nobody should be out any more: %q", b.text(`[data-testid="out-today"]`))
	}
	if back := b.textContent("#out-title ~ ul"); !strings.Contains(back, late[0]) || !strings.Contains(back, "terlambat") {
		t.Errorf("the board's back today: %q", back)
	}
}

// TestEmployerInterviewsOffersAndHires is the employer's journey: from its
// portal open a candidate proposed to it, read their competencies and the
// link to verify their certificate and nothing of their custody, and take
// them through interview, offer and hire.
func TestEmployerInterviewsOffersAndHires(t *testing.T) {
	b := newBrowser(t)
	b.signIn(servertest.Email(binakerja.RoleEmployer), demo.Password)
	b.run("the portal", waitFor(`[data-testid="employer-portal"]`))
	portal := b.text(`[data-testid="employer-portal"]`)
	if !strings.Contains(portal, "Kandidat yang menunggu keputusan Anda") {
		t.Fatalf("the portal: %q", portal)
	}
	name := get(b, "find a proposed candidate", chromedp.Evaluate[string](`[...document.querySelectorAll('[data-testid="portal-candidates"] tbody tr')]
		.find(r => r.cells[2].textContent.trim() === "Diusulkan")?.cells[0].textContent.trim() ?? ""`))
	if name == "" {
		t.Fatalf("the portal should list a proposed candidate: %q", b.text(`[data-testid="portal-candidates"]`))
	}
	b.screenshot("employer-portal")
	b.run("open "+name, chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('[data-testid="portal-candidates"] tbody tr')]
		.find(r => r.cells[2].textContent.trim() === "Diusulkan").querySelector("a").click()`), waitFor(`[data-testid="application-status"]`))
	if h := b.text("h1"); h != name {
		t.Fatalf("the candidate's page: %q, want %q", h, name)
	}
	if s := b.text(`[data-testid="application-status"]`); s != "Dilihat pemberi kerja" {
		t.Errorf("a proposal the employer opens reads as viewed: %q", s)
	}
	if units := b.text(`[data-testid="competencies"] tbody`); !strings.Contains(units, "F.45KYU01") {
		t.Errorf("the competencies should list the carpentry units: %q", units)
	}
	if !b.exists(`[data-testid="certificates"] a[href^="/v/"]`) {
		t.Errorf("the candidate's certificate should link to its verification page: %q", b.textContent("main"))
	}
	hidden := func(when string) {
		t.Helper()
		// The site's footer says whom BinaKerja serves, on every page; the
		// header and the page itself must say nothing of the candidate's
		// custody.
		page := b.textContent("header.top") + "\n" + b.textContent("main")
		for _, w := range []string{"B.I-", "Lapas", "lapas", "narapidana", "Narapidana", "warga binaan", "Warga binaan", "pidana", "Lapas Kelas IIB Martapura", "LP-MARTAPURA"} {
			if strings.Contains(page, w) {
				i := strings.Index(page, w)
				t.Errorf("%s the employer's page shows %q: …%s…", when, w, page[max(0, i-60):min(len(page), i+60)])
			}
		}
	}
	hidden("on opening,")
	b.screenshot("employer-candidate")

	for _, step := range []struct{ move, status string }{
		{"INTERVIEW", "Wawancara"}, {"OFFERED", "Ditawari kerja"}, {"HIRED", "Diterima bekerja"},
	} {
		b.run("move to "+step.move, clearFlash(), click(fmt.Sprintf(`[data-testid="move-%s"]`, step.move)), waitFor(".flash"))
		if s := b.text(`[data-testid="application-status"]`); s != step.status {
			t.Fatalf("after %s the status is %q, want %q (errors: %q)", step.move, s, step.status, b.textContent(".error-summary"))
		}
		if last := b.textContent(".timeline li:last-child"); !strings.Contains(last, step.status) {
			t.Errorf("the history should end with %q: %q", step.status, b.textContent(".timeline"))
		}
		hidden("after " + step.move + ",")
	}
	if b.exists(`#decide-title`) {
		t.Errorf("a hire is final, yet the page offers %q", b.text(`#decide-title + form`))
	}
	b.run("back home", chromedp.Navigate(b.env.URL+"/"), waitFor(`[data-testid="employer-portal"]`))
	if b.exists(`[data-testid="portal-candidates"]`) {
		if open := b.text(`[data-testid="portal-candidates"]`); strings.Contains(open, name) {
			t.Errorf("a hired candidate still waits for a decision: %q", open)
		}
	}
}
