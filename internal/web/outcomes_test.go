package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/i18n"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
)

// The outcomes page shows the facility officer its own funnel in full, and
// the region's analyst the same figures with every count under 10 written
// "<10".
func TestTheOutcomesPageShowsTheFunnelToEachRole(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	today := env.App.Today()
	path := fmt.Sprintf("/outcomes?from=2020-01-01&to=%s", today)
	officer := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	page := string(env.Do(t, servertest.Request{Method: "GET", Path: path, Client: officer}).Body)
	f, err := env.App.MetricsFunnel(t.Context(), app.CLIActor("t"), app.FunnelQuery{Organization: "LP-MARTAPURA",
		From: binakerja.NewDate(2020, 1, 1), To: today})
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

// The page lists every figure of the catalogue with its counts, each
// linking to its definition, which the definitions page holds; the region's
// analyst drills from the region into a facility, and sees the funnel by
// programme.
func TestTheOutcomesPageListsTheCatalogueAndDrillsDown(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	today := env.App.Today()
	officer := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	page := string(env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/outcomes?from=2020-01-01&to=%s", today), Client: officer}).Body)
	defs := string(env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes/definitions", Client: officer}).Body)
	for _, id := range app.MetricIDs {
		if !strings.Contains(page, `data-testid="indicator-`+id+`"`) || !strings.Contains(page, `href="/outcomes/definitions#`+id+`"`) {
			t.Fatalf("%s is not on the page with a link to its definition", id)
		}
		if !strings.Contains(defs, `id="`+id+`"`) {
			t.Fatalf("%s has no definition", id)
		}
	}
	m, err := env.App.MetricValue(t.Context(), app.CLIActor("t"), app.MetricQuery{ID: "T3", Organization: "LP-MARTAPURA",
		From: binakerja.NewDate(2020, 1, 1), To: today})
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`data-testid="indicator-T3">[\s\S]*?<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>`)
	if got := row.FindStringSubmatch(page); got == nil || got[1] != fmt.Sprint(*m.Numerator) || got[2] != fmt.Sprint(*m.Denominator) {
		t.Fatalf("T3 on the page %v, want %d of %d", got, *m.Numerator, *m.Denominator)
	}
	analyst := env.Login(t, servertest.Email(binakerja.RoleAnalyst))
	page = string(env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes?organization=KANWIL-SUMSEL", Client: analyst}).Body)
	if !strings.Contains(page, `data-testid="by-program"`) {
		t.Fatal("no breakdown by programme")
	}
	link := regexp.MustCompile(`href="(/outcomes\?[^"]*organization=LP-MARTAPURA[^"]*)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatal("the region's facility rows do not lead to the facility")
	}
	r := env.Do(t, servertest.Request{Method: "GET", Path: strings.ReplaceAll(link[1], "&amp;", "&"), Client: analyst})
	if r.StatusCode != 200 || !strings.Contains(string(r.Body), `<option value="LP-MARTAPURA" selected>`) {
		t.Fatalf("drilling into the facility: %d", r.StatusCode)
	}
	// The nation, for a system-wide admin: its regions to choose from, and
	// its facilities reached from its rows.
	admin := env.Login(t, servertest.Email(binakerja.RoleAdmin))
	page = string(env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes", Client: admin}).Body)
	if !strings.Contains(page, `<option value="" selected>Nasional</option>`) || !strings.Contains(page, `<option value="KANWIL-SUMSEL">`) ||
		!regexp.MustCompile(`href="/outcomes\?[^"]*organization=LP-MARTAPURA`).MatchString(page) {
		t.Fatal("the nation's dashboard: no nation, no region to choose, or no facility to drill into")
	}
}

// The trends by quarter: each quarter's figure the one asked for that
// quarter alone; only mature quarters carry a rate; each chart an SVG
// beside its table.
func TestTheTrendsAreTheQuartersFigures(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	today := env.App.Today()
	ac := app.CLIActor("t")
	ts, err := env.App.MetricTrends(t.Context(), ac, app.MetricQuery{Organization: "LP-MARTAPURA", From: binakerja.NewDate(2020, 1, 1), To: today})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != len(app.TrendIDs) {
		t.Fatalf("%d trends", len(ts))
	}
	shown := 0
	for _, tr := range ts {
		for _, p := range tr.Points {
			m, err := env.App.MetricValue(t.Context(), ac, app.MetricQuery{ID: tr.ID, Organization: "LP-MARTAPURA", From: p.From, To: p.To, Years: p.Years})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(deref(m.Numerator), deref(m.Denominator)) != fmt.Sprint(deref(p.Numerator), deref(p.Denominator)) || m.Mature != p.Mature {
				t.Fatalf("%s %s: trend %v/%v, alone %v/%v", tr.ID, p.From, deref(p.Numerator), deref(p.Denominator), deref(m.Numerator), deref(m.Denominator))
			}
			if !p.Mature && p.Rate != nil {
				t.Fatalf("%s %s: a rate before maturity", tr.ID, p.From)
			}
			if p.Rate != nil {
				shown++
			}
		}
	}
	if shown == 0 {
		t.Fatal("no quarter of the demo has a mature rate")
	}
	officer := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	page := string(env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes?from=2020-01-01", Client: officer}).Body)
	for _, id := range app.TrendIDs {
		if !strings.Contains(page, `data-testid="trend-`+id+`"`) {
			t.Fatalf("no table of the %s trend", id)
		}
		r := env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes/trend.svg?organization=LP-MARTAPURA&from=2020-01-01&id=" + id, Client: officer})
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), "<svg") {
			t.Fatalf("the %s chart: %d", id, r.StatusCode)
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// The report exports as XLSX, PDF and CSV, with its filters and as_of and
// the definitions on them, under the small-number rules whoever asks: the
// facility officer's own export withholds counts of 1 to 9 too.
func TestTheOutcomesReportExports(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	officer := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	q := "?organization=LP-MARTAPURA&from=2020-01-01&to=" + env.App.Today().String()
	r := env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes/export.xlsx" + q, Client: officer})
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("xlsx: %d %s", r.StatusCode, r.Header.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) < 8 || sheets[0] != "Filter" || !slices.Contains(sheets, "Definisi angka capaian") {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := f.GetRows("Filter")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		if len(row) == 2 && row[0] == "Per tanggal" && row[1] == env.App.Today().String() {
			found = true
		}
	}
	if !found {
		t.Fatalf("no as_of on the filter sheet: %v", rows)
	}
	for _, sh := range sheets {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		// The commitments' targets, and what was due by now, are the
		// agreements' own terms, not counts of people.
		terms := map[int]bool{}
		for i, row := range rows {
			if sh == "Komitmen perjanjian" && i > 0 && len(row) > 3 && row[2] == "Target" {
				terms[2], terms[3] = true, true
			}
		}
		for _, row := range rows {
			for j, c := range row {
				if n, err := strconv.Atoi(c); err == nil && n > 0 && n < 10 && !terms[j] {
					t.Fatalf("sheet %s shows a count of %d: %v", sh, n, row)
				}
			}
		}
	}
	r = env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes/export.pdf" + q, Client: officer})
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) ||
		bytes.Count(r.Body, []byte("/Type /Page\n")) < 5 || !bytes.Contains(r.Body, []byte("/Subtype /Image")) {
		t.Fatalf("pdf: %d %s, %d pages", r.StatusCode, r.Header.Get("Content-Type"), bytes.Count(r.Body, []byte("/Type /Page\n")))
	}
	r = env.Do(t, servertest.Request{Method: "GET", Path: "/outcomes/export.csv" + q, Client: officer})
	if body := string(r.Body); r.StatusCode != 200 || !strings.Contains(body, "Per tanggal,"+env.App.Today().String()) ||
		!strings.Contains(body, "T3,") {
		t.Fatalf("csv: %d %s", r.StatusCode, body)
	}
}

// The demo tells the seed's story: the labour office's figures for the last
// full year, computed from the demo's records, read about 72 % certified
// and about 58 % of them in work after release, on its home page and its
// outcomes page; every role that may see figures finds them at home.
func TestTheDemoTellsTheSeedsStory(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	f, err := env.App.MetricsFunnel(t.Context(), app.CLIActor("t"), app.FunnelQuery{Organization: "DISNAKER-OKUT"})
	if err != nil {
		t.Fatal(err)
	}
	if y := env.App.Today().Time().Year() - 1; f.From != binakerja.NewDate(y, 1, 1) || f.To != binakerja.NewDate(y, 12, 31) {
		t.Fatalf("the default period %s – %s", f.From, f.To)
	}
	if c, p := *f.CertificationRate, *f.PlacementRate; c < 0.70 || c > 0.74 || p < 0.55 || p > 0.61 {
		t.Fatalf("the story reads %.1f %% certified, %.1f %% placed", c*100, p*100)
	}
	want := i18n.New("id").Percent(*f.CertificationRate)
	for _, role := range []binakerja.Role{binakerja.RoleLabourOfficer, binakerja.RoleFacilityOfficer, binakerja.RoleAnalyst, binakerja.RoleAdmin} {
		c := env.Login(t, servertest.Email(role))
		home := string(env.Do(t, servertest.Request{Method: "GET", Path: "/", Client: c}).Body)
		if !strings.Contains(home, `data-testid="home-figures"`) || !strings.Contains(home, `data-testid="home-placement-rate"`) {
			t.Fatalf("%s: no figures at home", role)
		}
		if role == binakerja.RoleLabourOfficer && !strings.Contains(home, want) {
			t.Fatalf("the labour office's home does not read %s", want)
		}
	}
	for _, role := range []binakerja.Role{binakerja.RoleAssessor, binakerja.RoleEmployer, binakerja.RoleProbationOfficer} {
		home := string(env.Do(t, servertest.Request{Method: "GET", Path: "/", Client: env.Login(t, servertest.Email(role))}).Body)
		if strings.Contains(home, `data-testid="home-figures"`) {
			t.Fatalf("%s sees outcome figures", role)
		}
	}
}

// The agreement-commitments report lists the demo's MoU and PKS
// commitments with what was due by today at an even pace, and the
// facility officer reaches each agreement from it.
func TestTheCommitmentsReport(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	today := env.App.Today()
	rows, err := env.App.CommitmentsReport(t.Context(), app.CLIActor("t"), app.MetricQuery{Organization: "LP-MARTAPURA", From: today.AddDate(-1, 0, 0), To: today})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 {
		t.Fatalf("%d commitments", len(rows))
	}
	for _, r := range rows {
		from, until := r.Agreement.ValidFrom, r.Agreement.ValidUntil
		share := float64(from.DaysUntil(today)) / float64(from.DaysUntil(until))
		if want := int(float64(r.Commitment.Target)*min(share, 1) + 0.5); r.Expected != want || r.OnTrack != (r.Commitment.Actual >= want) {
			t.Errorf("%s %s: due %d (on track %v), want %d of %d by a share of %.2f", r.Agreement.Number, r.Commitment.Kind,
				r.Expected, r.OnTrack, want, r.Commitment.Target, share)
		}
	}
	officer := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	page := string(env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/outcomes?from=%s&to=%s", today.AddDate(-1, 0, 0), today),
		Client: officer}).Body)
	if !strings.Contains(page, `data-testid="commitment-rows"`) || !strings.Contains(page, fmt.Sprintf(`href="/agreements/%d"`, rows[0].Agreement.ID)) {
		t.Fatal("the commitments are not on the page, with their agreements")
	}
}

// The figures of a dashboard, read from its one reading of the facts, are
// the figures asked one by one; and the page records one view, not one a
// figure.
func TestTheDashboardsFiguresAreTheFiguresAskedAlone(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	ac := app.Actor{User: env.Users[binakerja.RoleLabourOfficer]}
	y := env.App.Today().Time().Year() - 1
	q := app.MetricQuery{Organization: "DISNAKER-OKUT", From: binakerja.NewDate(y, 1, 1), To: binakerja.NewDate(y, 12, 31), AsOf: env.App.Today()}
	figures := func(ctx context.Context) []any {
		var out []any
		for _, f := range []func() (any, error){
			func() (any, error) { return env.App.MetricValues(ctx, ac, q) },
			func() (any, error) { return env.App.DataQuality(ctx, ac, q) },
			func() (any, error) { return env.App.MetricTrends(ctx, ac, q) },
			func() (any, error) { return env.App.ProgrammeEffect(ctx, ac, q) },
			func() (any, error) {
				return env.App.MetricsSurvivals(ctx, ac, app.SurvivalQuery{Organization: q.Organization, From: q.From, To: q.To, AsOf: q.AsOf}, app.SurvivalKinds)
			},
			func() (any, error) {
				return env.App.FunnelBreakdowns(ctx, ac, app.FunnelQuery{Organization: q.Organization, From: q.From, To: q.To, AsOf: q.AsOf},
					[]string{"program", "sex", "age_band"}, false)
			},
		} {
			v, err := f()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	alone := figures(t.Context())
	views := env.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'metrics.view'`)
	ctx, err := env.App.Dashboard(t.Context(), ac, q)
	if err != nil {
		t.Fatal(err)
	}
	together := figures(ctx)
	for i := range alone {
		if !reflect.DeepEqual(alone[i], together[i]) {
			t.Errorf("figure %d differs on the dashboard:\n%+v\n%+v", i, alone[i], together[i])
		}
	}
	if n := env.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'metrics.view'`) - views; n != 1 {
		t.Fatalf("the dashboard recorded %d views", n)
	}
}

// The demo's records are dated as its story tells them: the story's
// figures as of the last day of its year are those of today (every
// certificate of the story was recorded by then), and few entries are late.
func TestTheDemoIsRecordedAsItsStoryHappened(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	ac := app.CLIActor("t")
	y := env.App.Today().Time().Year() - 1
	q := app.FunnelQuery{Organization: "DISNAKER-OKUT", From: binakerja.NewDate(y, 1, 1), To: binakerja.NewDate(y, 6, 30)}
	now, err := env.App.MetricsFunnel(t.Context(), ac, q)
	if err != nil {
		t.Fatal(err)
	}
	q.AsOf = binakerja.NewDate(y, 12, 31)
	then, err := env.App.MetricsFunnel(t.Context(), ac, q)
	if err != nil {
		t.Fatal(err)
	}
	if *then.Participants != *now.Participants || *then.Completed != *now.Completed || *then.Certified != *now.Certified {
		t.Fatalf("as of %s: %d, %d, %d; today %d, %d, %d", q.AsOf, *then.Participants, *then.Completed, *then.Certified,
			*now.Participants, *now.Completed, *now.Certified)
	}
	items, err := env.App.DataQuality(t.Context(), ac, app.MetricQuery{Organization: "LP-MARTAPURA", From: binakerja.NewDate(y, 1, 1), To: binakerja.NewDate(y, 12, 31)})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if strings.HasPrefix(it.Key, "late_") && it.Rate != nil && *it.Rate > 0.2 {
			t.Errorf("%s: %.0f %% of the demo's entries late", it.Key, *it.Rate*100)
		}
	}
}

// As of a past day, a commitment counts what had been reached by then: the
// MoU's training places as of the day before its first cohort started are
// none, and as of today those of every cohort it supports.
func TestACommitmentAsOfAPastDay(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) { commitmentAsOf(t, servertest.New(t, dsn)) })
}

func commitmentAsOf(t *testing.T, env *servertest.Env) {
	today := env.App.Today()
	y := today.Time().Year() - 1
	ac := app.CLIActor("t")
	training := func(asOf binakerja.Date) int {
		rows, err := env.App.CommitmentsReport(t.Context(), ac, app.MetricQuery{Organization: "LP-MARTAPURA",
			From: binakerja.NewDate(y, 1, 1), To: binakerja.NewDate(y, 12, 31), AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Agreement.Type == binakerja.AgreementMoU && r.Commitment.Kind == binakerja.CommitTraining {
				return r.Commitment.Actual
			}
		}
		t.Fatal("no MoU training commitment")
		return 0
	}
	first := binakerja.NewDate(y, 1, 12) // the day before the story's first cohort
	if n := training(first); n != 0 {
		t.Fatalf("as of %s: %d training places reached", first, n)
	}
	if then, now := training(binakerja.NewDate(y, 12, 31)), training(today); then != 30 || now < then {
		t.Fatalf("training places reached: %d by the story's year end, %d today", then, now)
	}
}

// An analyst asking for a facility's funnel alone gets its row of the
// region's table, withheld as it is there: a count withheld in the region's
// table to protect a sibling is not shown when the facility is asked alone.
func TestAFacilityAskedAloneIsWithheldAsBesideItsSiblings(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	ac := app.Actor{User: env.Users[binakerja.RoleAnalyst]}
	// A sibling for the demo's Lapas: a Rutan cohort of six in the story's
	// year, five completing, whose count of five the region's table
	// withholds, and with it the Lapas's 28.
	cli := app.CLIActor("t")
	y := env.App.Today().Time().Year() - 1
	var csv strings.Builder
	csv.WriteString("no_registrasi;nama;nik;tanggal_lahir;jenis_kelamin;tanggal_masuk;lama_pidana;status\n")
	for i := range 6 {
		fmt.Fprintf(&csv, "R-%d/%d;Orang Rutan %c;16010101%02d85%04d;19%02d-01-01;L;%d-01-10;4 tahun 0 bulan;NARAPIDANA\n", i, y-1, 'A'+i, 1+i, 9000+i, 80+i, y-1)
	}
	if _, err := env.App.ImportInmates(t.Context(), cli, "RUTAN-BATURAJA", func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(csv.String())), nil
	}, app.ImportOptions{FileName: "rutan.csv"}); err != nil {
		t.Fatal(err)
	}
	c, err := env.App.CreateCohort(t.Context(), cli, app.NewCohort{Program: "PRG-TKK", Facility: "RUTAN-BATURAJA",
		StartDate: binakerja.NewDate(y, 3, 1), EndDate: binakerja.NewDate(y, 5, 31), Capacity: 10, CertificationBody: "LSP-KARYA-SUMSEL"})
	if err != nil {
		t.Fatal(err)
	}
	cands, err := env.App.Candidates(t.Context(), cli, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, cand := range cands {
		if len(cand.Reasons) > 0 {
			continue
		}
		e, err := env.App.Enroll(t.Context(), cli, c.ID, cand.Inmate.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if n < 5 {
			if _, err := env.App.ChangeEnrollment(t.Context(), cli, e.ID, binakerja.EnrollmentCompleted, ""); err != nil {
				t.Fatal(err)
			}
		}
		n++
	}
	if n != 6 {
		t.Fatalf("%d enrolled at the Rutan", n)
	}
	region, err := env.App.FunnelBreakdown(t.Context(), ac, app.FunnelQuery{Organization: "KANWIL-SUMSEL"}, "facility", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(region.Rows) != 2 || region.Rows[0].Key != "LP-MARTAPURA" || region.Rows[0].Suppressed["completed"] != "SUPPRESSED_SECONDARY" {
		t.Fatalf("the region's rows: %+v", region.Rows)
	}
	for _, row := range region.Rows {
		alone, err := env.App.MetricsFunnel(t.Context(), ac, app.FunnelQuery{Organization: row.Key})
		if err != nil {
			t.Fatal(err)
		}
		for name, pair := range map[string][2]*int{"participants": {row.Participants, alone.Participants}, "completed": {row.Completed, alone.Completed},
			"certified": {row.Certified, alone.Certified}, "placed": {row.Placed, alone.Placed}} {
			if fmt.Sprint(deref(pair[0])) != fmt.Sprint(deref(pair[1])) {
				t.Errorf("%s %s: %v beside its siblings, %v alone", row.Key, name, deref(pair[0]), deref(pair[1]))
			}
		}
	}
}
