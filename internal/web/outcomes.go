package web

import (
	"bytes"
	"image/color"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"binakerja"
	"binakerja/internal/api"
	"binakerja/internal/app"
	"binakerja/internal/i18n"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type outcomesData struct {
	Funnel      *app.Funnel
	Survival    []*app.Survival           // time to first work, and to re-admission
	Breakdowns  []*app.Breakdown          // by facility (for an office above facilities), programme, sex and age band
	Metrics     []*app.Metric             // the catalogue's figures for the period
	Trends      []app.Trend               // by quarter, over three years
	Quality     []app.QualityItem         // the data-quality panel
	Effect      *app.Effect               // the programme effect P1
	Commitments []app.CommitmentRow       // the agreement-commitments report
	Agreements  bool                      // the user may open the agreements
	Choices     []*binakerja.Organization // the organisations whose figures the user may ask for
	Org         string
	OrgName     string
	Nation      bool // the user may see the nation's figures, and every organisation's
	P           *i18n.Printer
	From        string
	To          string
	AsOf        string
}

// Stage is one bar of the funnel as the page draws it.
type Stage struct {
	Key      string // the figure's name, for its label
	Count    *int
	Width    int    // of the first stage's, in per cent
	Withheld string // why the count is withheld, if it is
}

// Stages lists the funnel's counts with the widths of their bars.
func (d outcomesData) Stages() []Stage {
	f := d.Funnel
	out := []Stage{{Key: "participants", Count: f.Participants}, {Key: "completed", Count: f.Completed},
		{Key: "certified", Count: f.Certified}, {Key: "certified_released", Count: f.CertifiedReleased}, {Key: "placed", Count: f.Placed}}
	top := 0
	if f.Participants != nil {
		top = *f.Participants
	}
	for i := range out {
		out[i].Withheld = f.Suppressed[out[i].Key]
		if out[i].Count != nil && top > 0 {
			out[i].Width = max(1, *out[i].Count*100/top)
		}
	}
	return out
}

// Query is the page's organisation and period, for its charts and export.
func (d outcomesData) Query() url.Values {
	return url.Values{"organization": {d.Org}, "from": {d.From}, "to": {d.To}, "as_of": {d.AsOf}}
}

// PlotURL is the funnel plot of the facilities.
func (d outcomesData) PlotURL() string { return "/outcomes/funnel-plot.svg?" + d.Query().Encode() }

// ExportURL is the report in a format: csv, xlsx or pdf.
func (d outcomesData) ExportURL(format string) string {
	return "/outcomes/export." + format + "?" + d.Query().Encode()
}

// TrendURL is the chart of a trend.
func (d outcomesData) TrendURL(id string) string {
	q := d.Query()
	q.Set("id", id)
	return "/outcomes/trend.svg?" + q.Encode()
}

// QuarterOf is the number of a date's quarter, and Year its year.
func (outcomesData) QuarterOf(d binakerja.Date) int { return (int(d.Time().Month())-1)/3 + 1 }
func (outcomesData) Year(d binakerja.Date) int      { return d.Time().Year() }

// ChartURL is the chart of a set of curves.
func (d outcomesData) ChartURL(s *app.Survival) string {
	return "/outcomes/survival.svg?" + url.Values{"kind": {s.Kind}, "organization": {d.Org}, "from": {s.From.String()},
		"to": {s.To.String()}, "as_of": {s.AsOf.String()}}.Encode()
}

// DrillURL is the page of one of the organisations the user may choose,
// for the same period; empty for another.
func (d outcomesData) DrillURL(code string) string {
	if d.Nation && code != d.Org {
		q := d.Query()
		q.Set("organization", code)
		return "/outcomes?" + q.Encode()
	}
	for _, o := range d.Choices {
		if o.Code == code && code != d.Org {
			q := d.Query()
			q.Set("organization", code)
			return "/outcomes?" + q.Encode()
		}
	}
	return ""
}

// Count shows a count, "<10" when withheld.
func (outcomesData) Count(n int) string {
	if n < 0 {
		return "<10"
	}
	return strconv.Itoa(n)
}

// printer is the page's, for numbers in its language.
func (d outcomesData) printer() *i18n.Printer {
	if d.P == nil {
		return i18n.New("id")
	}
	return d.P
}

// Percent shows a rate as a percentage, to one place.
func (d outcomesData) Percent(r *float64) string {
	if r == nil {
		return ""
	}
	return d.printer().Percent(*r)
}

// Percent2 shows an estimate as a percentage, to one place.
func (d outcomesData) Percent2(v float64) string { return d.printer().Percent(v) }

// Flag reports whether a rate is named in a list (caution, top-coded).
func (outcomesData) Flag(list []string, name string) bool {
	for _, n := range list {
		if n == name {
			return true
		}
	}
	return false
}

// outcomes shows the headline funnel of an organisation the user may see,
// with the catalogue, trends, breakdowns, curves and data quality.
func (h *Handler) outcomes(w http.ResponseWriter, r *http.Request) error {
	d, err := h.loadOutcomes(r, false)
	p := h.newPage(w, r, "outcomes.title", d)
	d.P = p.Printer
	if err != nil {
		form := newForm(r.URL.Query())
		if !form.fail(p.Printer, err, nil) {
			return err
		}
		p.Form = form
		return h.render(w, http.StatusUnprocessableEntity, "outcomes", p)
	}
	p.Form = orEmpty(nil)
	return h.render(w, http.StatusOK, "outcomes", p)
}

// loadOutcomes computes what the outcomes page shows for the organisation
// and period of the request; export applies the small-number rules
// whoever asks. A bad period or organisation is the error, with the
// choices still filled in.
func (h *Handler) loadOutcomes(r *http.Request, export bool) (*outcomesData, error) {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	d := &outcomesData{Org: q.Get("organization"), From: q.Get("from"), To: q.Get("to"), AsOf: q.Get("as_of")}
	seen := map[string]bool{}
	if _, all := ac.User.Scope(binakerja.ActionMetricsView); all {
		// The nation, and its regions to choose from; their facilities are
		// reached from the rows.
		d.Nation = true
		regions, _, err := h.app.Organizations(r.Context(), ac, store.OrgFilter{Kind: binakerja.OrgRegionalOffice, Page: store.Page{Limit: store.MaxLimit}})
		if err != nil {
			return d, err
		}
		for _, o := range regions {
			seen[o.Code] = true
			d.Choices = append(d.Choices, o)
		}
	}
	for _, g := range ac.User.Grants {
		if !binakerja.Allows(g.Role, binakerja.ActionMetricsView) || g.Org == "" || seen[g.Org] {
			continue
		}
		seen[g.Org] = true
		o, err := h.app.Organization(r.Context(), ac, g.Org)
		if err != nil {
			continue
		}
		d.Choices = append(d.Choices, o)
		if o.Kind == binakerja.OrgRegionalOffice || o.Kind == binakerja.OrgNationalOffice {
			kids, _, err := h.app.Organizations(r.Context(), ac, store.OrgFilter{Parent: o.Code, Page: store.Page{Limit: store.MaxLimit}})
			if err == nil {
				for _, k := range kids {
					if !seen[k.Code] {
						seen[k.Code] = true
						d.Choices = append(d.Choices, k)
					}
				}
			}
		}
	}
	if d.Org == "" && len(d.Choices) > 0 && !d.Nation {
		d.Org = d.Choices[0].Code
	}
	for _, o := range d.Choices {
		if o.Code == d.Org {
			d.OrgName = o.Name
		}
	}
	// The funnel by facility for an office above facilities, and by
	// programme, sex and age band for all, from one reading of its facts.
	bys := []string{"program", "sex", "age_band"}
	wide := d.Org == ""
	for _, o := range d.Choices {
		if o.Code == d.Org {
			wide = o.Kind == binakerja.OrgRegionalOffice || o.Kind == binakerja.OrgNationalOffice
		}
	}
	if wide {
		bys = append([]string{"facility"}, bys...)
	}
	fq := app.FunnelQuery{Organization: d.Org, Program: q.Get("program")}
	var err error
	if fq.From, fq.To, fq.AsOf, err = api.PeriodParams(r); err != nil {
		return d, err
	}
	// Every figure of the page from one reading of each kind of fact.
	ctx, err := h.app.Dashboard(r.Context(), ac, app.MetricQuery{Organization: fq.Organization, From: fq.From, To: fq.To, AsOf: fq.AsOf})
	if err != nil {
		return d, err
	}
	r = r.WithContext(ctx)
	if d.Breakdowns, err = h.app.FunnelBreakdowns(r.Context(), ac, fq, bys, export); err != nil {
		return d, err
	}
	d.Funnel = d.Breakdowns[0].Total
	d.From, d.To, d.AsOf = d.Funnel.From.String(), d.Funnel.To.String(), d.Funnel.AsOf.String()
	mq := app.MetricQuery{Organization: d.Org, From: d.Funnel.From, To: d.Funnel.To, AsOf: d.Funnel.AsOf, Export: export}
	if d.Metrics, err = h.app.MetricValues(r.Context(), ac, mq); err != nil {
		return d, err
	}
	if d.Quality, err = h.app.DataQuality(r.Context(), ac, mq); err != nil {
		return d, err
	}
	if d.Trends, err = h.app.MetricTrends(r.Context(), ac, mq); err != nil {
		return d, err
	}
	if d.Effect, err = h.app.ProgrammeEffect(r.Context(), ac, mq); err != nil {
		return d, err
	}
	if d.Commitments, err = h.app.CommitmentsReport(r.Context(), ac, mq); err != nil {
		return d, err
	}
	d.Agreements = ac.User.Can(binakerja.ActionAgreementView, "")
	d.Survival, err = h.app.MetricsSurvivals(r.Context(), ac, app.SurvivalQuery{Organization: d.Org,
		From: d.Funnel.From, To: d.Funnel.To, AsOf: d.Funnel.AsOf, Export: export}, app.SurvivalKinds)
	return d, err
}

// NotMature lists the catalogue's figures whose window has not closed.
func (d outcomesData) NotMature() []*app.Metric {
	var out []*app.Metric
	for _, m := range d.Metrics {
		if !m.Mature {
			out = append(out, m)
		}
	}
	return out
}

// Points shows a difference of shares in percentage points, signed.
func (d outcomesData) Points(v *float64) string {
	if v == nil {
		return ""
	}
	return d.printer().Decimal(*v*100, 1)
}

// Interval shows a 95 % interval as percentages.
func (d outcomesData) Interval(low, high *float64) string {
	if low == nil || high == nil {
		return ""
	}
	p := d.printer()
	return p.Decimal(*low*100, 1) + "–" + p.Decimal(*high*100, 1) + " %"
}

// Withholding reports whether any figure on the page is withheld.
func (d outcomesData) Withholding() bool {
	if d.Funnel != nil && len(d.Funnel.Suppressed) > 0 {
		return true
	}
	for _, b := range d.Breakdowns {
		for _, r := range b.Rows {
			if len(r.Suppressed) > 0 {
				return true
			}
		}
	}
	for _, m := range d.Metrics {
		if len(m.Suppressed) > 0 {
			return true
		}
	}
	return false
}

// Mark is what a withheld cell reads: "<10" for a small count, "×" for
// one withheld only so that another cannot be worked out (explained under
// the tables).
func (outcomesData) Mark(reason string) string {
	switch reason {
	case "":
		return ""
	case "SUPPRESSED_SMALL_COUNT":
		return "<10"
	}
	return "×"
}

// EffectSummary says in words what the programme effect shows.
func (d outcomesData) EffectSummary() string { return api.EffectSummary(d.printer(), d.Effect) }

// definitions lists what every figure of the outcomes page counts: the
// funnel's stages and the catalogue, each with its maturity rule.
func (h *Handler) definitions(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, http.StatusOK, "definitions", h.newPage(w, r, "definitions.title", struct {
		IDs    []string
		Stages []string
	}{append(slices.Clone(app.MetricIDs), "P1"), []string{"participants", "completed", "certified", "certified_released", "placed"}}))
}

// survivalStyle tells the training statuses apart in a chart (and the
// dashes, for those who do not see colour).
var survivalStyle = map[string]struct {
	color  color.RGBA
	dashes []vg.Length
}{
	app.StatusCertified:  {color.RGBA{R: 0x0b, G: 0x5c, B: 0x7a, A: 0xff}, nil},
	app.StatusTrained:    {color.RGBA{R: 0xb4, G: 0x5f, B: 0x06, A: 0xff}, []vg.Length{vg.Points(6), vg.Points(3)}},
	app.StatusNotTrained: {color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}, []vg.Length{vg.Points(2), vg.Points(2)}},
}

// survivalChart draws the Kaplan–Meier curves of a kind as SVG: the
// probability of the event by each day since release, one stepped line per
// training status, stopping where fewer than 20 remain at risk.
func (h *Handler) survivalChart(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	sq := app.SurvivalQuery{Kind: q.Get("kind"), Organization: q.Get("organization")}
	var err error
	if sq.From, sq.To, sq.AsOf, err = api.PeriodParams(r); err != nil {
		return err
	}
	s, err := h.app.MetricsSurvival(r.Context(), route.ActorFrom(r.Context()), sq)
	if err != nil {
		return err
	}
	pl, err := survivalPlot(h.newPage(w, r, "", nil).Printer, s)
	if err != nil {
		return err
	}
	return writeSVG(w, pl)
}

// survivalPlot draws the curves of a set.
func survivalPlot(p *i18n.Printer, s *app.Survival) (*plot.Plot, error) {
	pl := newPlot(p.T("outcomes.survival."+s.Kind), p.T("outcomes.survival.days"), p.T("outcomes.survival.y."+s.Kind))
	pl.Legend.Top, pl.Legend.Left = true, true
	for _, g := range s.Groups {
		if len(g.Points) == 0 {
			continue
		}
		pts := plotter.XYs{{X: 0, Y: 0}}
		for _, x := range g.Points {
			pts = append(pts, plotter.XY{X: float64(x.Day), Y: x.Estimate})
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		st := survivalStyle[g.Status]
		line.StepStyle, line.Color, line.Width, line.Dashes = plotter.PostStep, st.color, vg.Points(2), st.dashes
		pl.Add(line)
		pl.Legend.Add(p.T("outcomes.status."+g.Status)+" (n = "+strconv.Itoa(g.N)+")", line)
	}
	if !slices.ContainsFunc(s.Groups, func(g app.SurvivalGroup) bool { return len(g.Points) > 0 }) {
		empty(p, pl, 365)
	}
	return pl, nil
}

// empty says on a chart with nothing to draw that there is nothing, over
// axes from 0.
func empty(p *i18n.Printer, pl *plot.Plot, xMax float64) {
	pl.Title.Text += "\n" + p.T("outcomes.chart.empty")
	pl.X.Min, pl.X.Max = 0, xMax
}

// trendChart draws a trend by quarter as SVG: each mature quarter's rate
// with its 95 % interval; a quarter not yet mature, or withheld, has no
// point.
func (h *Handler) trendChart(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	mq := app.MetricQuery{Organization: q.Get("organization")}
	var err error
	if mq.From, mq.To, mq.AsOf, err = api.PeriodParams(r); err != nil {
		return err
	}
	id := q.Get("id")
	if !slices.Contains(app.TrendIDs, id) {
		return binakerja.FieldInvalid("id", "metrics.trend_id")
	}
	ts, err := h.app.MetricTrends(r.Context(), route.ActorFrom(r.Context()), mq)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.ID == id {
			pl, err := trendPlot(h.newPage(w, r, "", nil).Printer, t)
			if err != nil {
				return err
			}
			return writeSVG(w, pl)
		}
	}
	return binakerja.Errorf(binakerja.NotFound, "error.not_found")
}

// trendPlot draws a trend: each quarter's rate with its interval.
func trendPlot(p *i18n.Printer, t app.Trend) (*plot.Plot, error) {
	pl := newPlot(p.T("metric."+t.ID), p.T("outcomes.trend.x"), p.T("outcomes.trend.y"))
	var pts plotter.XYs
	var errs plotter.YErrors
	var ticks []plot.Tick
	for i, m := range t.Points {
		qn := (int(m.From.Time().Month())-1)/3 + 1
		label := ""
		if qn == 1 || i == 0 {
			label = strconv.Itoa(m.From.Time().Year())
		}
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: label + "\n" + p.T("outcomes.quarter_short", qn)})
		if m.Rate != nil && m.Low != nil && m.High != nil {
			pts = append(pts, plotter.XY{X: float64(i), Y: *m.Rate})
			errs = append(errs, struct{ Low, High float64 }{*m.Rate - *m.Low, *m.High - *m.Rate})
		}
	}
	pl.X.Min, pl.X.Max = -0.5, float64(max(len(ticks), 1))-0.5
	pl.X.Tick.Marker = plot.ConstantTicks(ticks)
	if len(pts) > 0 {
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.Color = survivalStyle[app.StatusCertified].color
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.Color, sc.Radius = line.Color, vg.Points(3)
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{pts, errs})
		if err != nil {
			return nil, err
		}
		bars.Color = line.Color
		pl.Add(line, sc, bars)
	} else {
		empty(p, pl, pl.X.Max)
		pl.X.Min = -0.5
	}
	return pl, nil
}

// funnelQuery reads the outcomes page's query: organisation, programme and
// period.
func funnelQuery(r *http.Request) (app.FunnelQuery, error) {
	fq := app.FunnelQuery{Organization: r.URL.Query().Get("organization"), Program: r.URL.Query().Get("program")}
	var err error
	fq.From, fq.To, fq.AsOf, err = api.PeriodParams(r)
	return fq, err
}

// funnelPlot draws the facilities' certification rates against the number
// who completed training, around the whole's rate with its 95 % and 99.8 %
// limits: a comparison that allows for size, not a league table.
func (h *Handler) funnelPlot(w http.ResponseWriter, r *http.Request) error {
	fq, err := funnelQuery(r)
	if err != nil {
		return err
	}
	b, err := h.app.FunnelBreakdown(r.Context(), route.ActorFrom(r.Context()), fq, "facility", false)
	if err != nil {
		return err
	}
	pl, err := funnelPlotOf(h.newPage(w, r, "", nil).Printer, b)
	if err != nil {
		return err
	}
	return writeSVG(w, pl)
}

// funnelPlotOf draws the facilities of a breakdown on a funnel plot.
func funnelPlotOf(p *i18n.Printer, b *app.Breakdown) (*plot.Plot, error) {
	pl := newPlot(p.T("outcomes.funnel_plot.title"), p.T("outcomes.funnel_plot.x"), p.T("outcomes.funnel_plot.y"))
	pl.Legend.Top = true
	var pts plotter.XYs
	most := 10
	for _, row := range b.Rows {
		if row.CertificationRate != nil && row.Completed != nil {
			pts = append(pts, plotter.XY{X: float64(*row.Completed), Y: *row.CertificationRate})
			most = max(most, *row.Completed)
		}
	}
	if p0 := b.Total.CertificationRate; p0 != nil {
		var mean, lo95, hi95, lo998, hi998 plotter.XYs
		for n := 1; n <= most*11/10; n++ {
			a, b, c, d := app.FunnelLimits(*p0, n)
			x := float64(n)
			mean, lo95, hi95, lo998, hi998 = append(mean, plotter.XY{X: x, Y: *p0}), append(lo95, plotter.XY{X: x, Y: a}),
				append(hi95, plotter.XY{X: x, Y: b}), append(lo998, plotter.XY{X: x, Y: c}), append(hi998, plotter.XY{X: x, Y: d})
		}
		for _, l := range []struct {
			xys    plotter.XYs
			label  string
			dashes []vg.Length
		}{{mean, "outcomes.funnel_plot.mean", nil}, {lo95, "outcomes.funnel_plot.l95", []vg.Length{vg.Points(5), vg.Points(3)}},
			{hi95, "", []vg.Length{vg.Points(5), vg.Points(3)}}, {lo998, "outcomes.funnel_plot.l998", []vg.Length{vg.Points(2), vg.Points(2)}},
			{hi998, "", []vg.Length{vg.Points(2), vg.Points(2)}}} {
			line, err := plotter.NewLine(l.xys)
			if err != nil {
				return nil, err
			}
			line.Color, line.Dashes = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}, l.dashes
			pl.Add(line)
			if l.label != "" {
				pl.Legend.Add(p.T(l.label), line)
			}
		}
	}
	if len(pts) > 0 {
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.Color = survivalStyle[app.StatusCertified].color
		sc.Radius = vg.Points(4)
		pl.Add(sc)
	} else {
		empty(p, pl, 10)
	}
	return pl, nil
}

// newPlot starts a chart of a share (0 to 1) against a count from 0, its
// text in a sans-serif face.
func newPlot(title, x, y string) *plot.Plot {
	pl := plot.New()
	sans := font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(11)}
	pl.Title.TextStyle.Font, pl.X.Label.TextStyle.Font, pl.Y.Label.TextStyle.Font = sans, sans, sans
	pl.X.Tick.Label.Font, pl.Y.Tick.Label.Font, pl.Legend.TextStyle.Font = sans, sans, sans
	pl.Title.Text, pl.X.Label.Text, pl.Y.Label.Text = title, x, y
	pl.Y.Min, pl.Y.Max, pl.X.Min = 0, 1, 0
	pl.Y.Tick.Marker = percentTicks{}
	return pl
}

// percentTicks marks a share's axis in percent, every 20.
type percentTicks struct{}

func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for v := 0; v <= 100; v += 10 {
		t := plot.Tick{Value: float64(v) / 100}
		if v%20 == 0 {
			t.Label = strconv.Itoa(v) + " %"
		}
		out = append(out, t)
	}
	return out
}

// writeSVG answers a chart as an SVG image of its own.
func writeSVG(w http.ResponseWriter, pl *plot.Plot) error {
	c := vgsvg.NewWith(vgsvg.UseWH(16*vg.Centimeter, 9*vg.Centimeter), vgsvg.EmbedFonts(false))
	pl.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return err
	}
	// The chart is an image of its own: its inline styles are allowed in
	// it, and nothing else. Its text names a sans-serif face the browser
	// has, so that no font travels with it.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "private, no-store")
	_, err := buf.WriteTo(w)
	return err
}
