package api

import (
	"net/http"
	"strconv"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/i18n"
	"binakerja/internal/route"
)

type funnel struct {
	Organization      string            `json:"organization,omitempty"`
	Program           string            `json:"program,omitempty"`
	From              binakerja.Date    `json:"from"`
	To                binakerja.Date    `json:"to"`
	AsOf              binakerja.Date    `json:"as_of"`
	Participants      *int              `json:"participants"`
	Completed         *int              `json:"completed"`
	Certified         *int              `json:"certified"`
	CertificationRate *float64          `json:"certification_rate"`
	CertifiedReleased *int              `json:"certified_released"`
	Placed            *int              `json:"placed"`
	PlacementRate     *float64          `json:"placement_rate"`
	Suppressed        map[string]string `json:"suppressed,omitempty"`
	Caution           []string          `json:"caution,omitempty"`
	TopCoded          []string          `json:"top_coded,omitempty"`
	FacilityName      string            `json:"organization_name,omitempty"`
	Group             string            `json:"group,omitempty"`
	ProgramTitle      string            `json:"program_title,omitempty"`
	Outside           string            `json:"outside_limits,omitempty"`
	Breakdown         []funnel          `json:"breakdown,omitempty"`
}

func funnelJSON(f *app.Funnel) funnel {
	return funnel{Organization: f.Organization, Program: f.Program, From: f.From, To: f.To,
		AsOf: f.AsOf, Participants: f.Participants, Completed: f.Completed, Certified: f.Certified,
		CertificationRate: f.CertificationRate, CertifiedReleased: f.CertifiedReleased, Placed: f.Placed,
		PlacementRate: f.PlacementRate, Suppressed: f.Suppressed, Caution: f.Caution, TopCoded: f.TopCoded}
}

// metricsFunnel answers the seed report's two figures (spec/metrics.md).
func (h *Handler) metricsFunnel(w http.ResponseWriter, r *http.Request) error {
	q := app.FunnelQuery{Organization: r.URL.Query().Get("organization"), Program: r.URL.Query().Get("program")}
	var err error
	if q.From, q.To, q.AsOf, err = PeriodParams(r); err != nil {
		return err
	}
	switch r.URL.Query().Get("by") {
	case "":
		f, err := h.app.MetricsFunnel(r.Context(), route.ActorFrom(r.Context()), q)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, funnelJSON(f))
	}
	b, err := h.app.FunnelBreakdown(r.Context(), route.ActorFrom(r.Context()), q, r.URL.Query().Get("by"), false)
	if err != nil {
		return err
	}
	out := funnelJSON(b.Total)
	out.Breakdown = []funnel{}
	for _, row := range b.Rows {
		x := funnelJSON(row.Funnel)
		x.Outside = row.Outside
		switch b.By {
		case "facility":
			x.FacilityName = row.Name
		case "program":
			x.Program, x.ProgramTitle = row.Key, row.Name
		default:
			x.Group = row.Key
			if x.Group == "" {
				x.Group = "unknown"
			}
		}
		out.Breakdown = append(out.Breakdown, x)
	}
	return writeJSON(w, http.StatusOK, out)
}

type metricPart struct {
	ID        string   `json:"id"`
	Numerator *int     `json:"numerator"`
	Rate      *float64 `json:"rate"`
	Low       *float64 `json:"ci_low"`
	High      *float64 `json:"ci_high"`
}

type metric struct {
	ID           string            `json:"id"`
	Title        string            `json:"title"`
	Definition   string            `json:"definition"`
	Organization string            `json:"organization,omitempty"`
	From         binakerja.Date    `json:"from"`
	To           binakerja.Date    `json:"to"`
	AsOf         binakerja.Date    `json:"as_of"`
	Years        int               `json:"years,omitempty"`
	Numerator    *int              `json:"numerator"`
	Denominator  *int              `json:"denominator"`
	Excluded     *int              `json:"excluded"`
	Unknown      *int              `json:"unknown"`
	Rate         *float64          `json:"rate"`
	Low          *float64          `json:"ci_low"`
	High         *float64          `json:"ci_high"`
	Mature       bool              `json:"mature"`
	MatureOn     binakerja.Date    `json:"mature_on"`
	MaturityRule string            `json:"maturity_rule"`
	Parts        []metricPart      `json:"parts,omitempty"`
	Value        string            `json:"value,omitempty"`
	MedianDays   *int              `json:"median_days,omitempty"`
	Suppressed   map[string]string `json:"suppressed,omitempty"`
	Caution      []string          `json:"caution,omitempty"`
	TopCoded     []string          `json:"top_coded,omitempty"`
}

// metricShow answers one figure of the catalogue (research §4.2).
func (h *Handler) metricShow(w http.ResponseWriter, r *http.Request) error {
	q := app.MetricQuery{ID: r.PathValue("id"), Organization: r.URL.Query().Get("organization")}
	var bad binakerja.Problems
	var err error
	q.From, q.To, q.AsOf, err = PeriodParams(r)
	if e, ok := err.(*binakerja.Error); ok {
		bad = append(bad, e.Fields...)
	}
	if v := r.URL.Query().Get("years"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			bad.Add("years", "metrics.years")
		}
		q.Years = n
	}
	if err := bad.Err(); err != nil {
		return err
	}
	m, err := h.app.MetricValue(r.Context(), route.ActorFrom(r.Context()), q)
	if err != nil {
		return err
	}
	p := Printer(r)
	out := metric{ID: m.ID, Title: p.T("metric." + m.ID), Definition: p.T("metric." + m.ID + ".definition"),
		Organization: m.Organization, From: m.From, To: m.To, AsOf: m.AsOf, Years: m.Years,
		Numerator: m.Numerator, Denominator: m.Denominator, Excluded: m.Excluded, Unknown: m.Unknown,
		Rate: m.Rate, Low: m.Low, High: m.High, Mature: m.Mature, MatureOn: m.MatureOn,
		MaturityRule: p.T("metric." + m.ID + ".maturity"), Suppressed: m.Suppressed, Caution: m.Caution, TopCoded: m.TopCoded,
		Value: m.Value, MedianDays: m.MedianDays}
	for _, x := range m.Parts {
		out.Parts = append(out.Parts, metricPart{ID: x.ID, Numerator: x.Numerator, Rate: x.Rate, Low: x.Low, High: x.High})
	}
	return writeJSON(w, http.StatusOK, out)
}

type survivalPoint struct {
	Day      int     `json:"day"`
	AtRisk   *int    `json:"at_risk"`
	Events   *int    `json:"events,omitempty"`
	Censored *int    `json:"censored,omitempty"`
	Estimate float64 `json:"estimate"`
	Beyond   bool    `json:"beyond,omitempty"`
}

type survivalGroup struct {
	Status    string          `json:"status"`
	N         *int            `json:"n"`
	Points    []survivalPoint `json:"points"`
	AtRisk    []survivalPoint `json:"at_risk_table"`
	Truncated bool            `json:"truncated"`
	Median    *int            `json:"median_days"`
	Withheld  string          `json:"withheld,omitempty"`
}

// count is a count as the API shows it: null when withheld (−1).
func count(n int) *int {
	if n < 0 {
		return nil
	}
	return &n
}

func survivalPoints(ps []app.SurvivalPoint, table bool) []survivalPoint {
	out := []survivalPoint{}
	for _, p := range ps {
		x := survivalPoint{Day: p.Day, AtRisk: count(p.AtRisk), Estimate: p.Estimate, Beyond: p.Beyond}
		if !table {
			x.Events, x.Censored = count(p.Events), count(p.Censored)
		}
		out = append(out, x)
	}
	return out
}

// metricsSurvival answers the Kaplan–Meier curves of time to first work or
// to re-admission by training status.
func (h *Handler) metricsSurvival(w http.ResponseWriter, r *http.Request) error {
	q := app.SurvivalQuery{Kind: r.URL.Query().Get("kind"), Organization: r.URL.Query().Get("organization")}
	var err error
	if q.From, q.To, q.AsOf, err = PeriodParams(r); err != nil {
		return err
	}
	s, err := h.app.MetricsSurvival(r.Context(), route.ActorFrom(r.Context()), q)
	if err != nil {
		return err
	}
	out := struct {
		Kind         string          `json:"kind"`
		Organization string          `json:"organization,omitempty"`
		From         binakerja.Date  `json:"from"`
		To           binakerja.Date  `json:"to"`
		AsOf         binakerja.Date  `json:"as_of"`
		Groups       []survivalGroup `json:"groups"`
	}{Kind: s.Kind, Organization: s.Organization, From: s.From, To: s.To, AsOf: s.AsOf, Groups: []survivalGroup{}}
	for _, g := range s.Groups {
		sg := survivalGroup{Status: g.Status, Points: survivalPoints(g.Points, false), AtRisk: survivalPoints(g.AtRisk, true),
			Truncated: g.Truncated, Withheld: g.Withheld}
		if g.Withheld == "" {
			sg.N = &g.N
		}
		if g.Median > 0 {
			sg.Median = &g.Median
		}
		out.Groups = append(out.Groups, sg)
	}
	return writeJSON(w, http.StatusOK, out)
}

// PeriodParams reads the period of a figure from the query: from, to and
// as_of, each YYYY-MM-DD or absent; a malformed one is named.
func PeriodParams(r *http.Request) (from, to, asOf binakerja.Date, err error) {
	var bad binakerja.Problems
	for name, d := range map[string]*binakerja.Date{"from": &from, "to": &to, "as_of": &asOf} {
		v, err := dateParam(r, name)
		if err != nil {
			bad.Add(name, "date.format")
		}
		*d = v
	}
	return from, to, asOf, bad.Err()
}

type effectOutcome struct {
	ID           string            `json:"id"`
	N            int               `json:"n"`
	Participants *float64          `json:"participants"`
	Comparison   *float64          `json:"comparison"`
	Difference   *float64          `json:"difference"`
	Low          *float64          `json:"ci_low"`
	High         *float64          `json:"ci_high"`
	Significant  bool              `json:"significant"`
	Suppressed   map[string]string `json:"suppressed,omitempty"`
}

type effectBalance struct {
	Covariate    string  `json:"covariate"`
	Participants float64 `json:"participants"`
	Before       float64 `json:"pool"`
	After        float64 `json:"matched"`
	SMDBefore    float64 `json:"smd_before"`
	SMDAfter     float64 `json:"smd_after"`
}

// metricsEffect answers the programme effect P1: participants against a
// matched comparison group, or why there are not enough to compare.
func (h *Handler) metricsEffect(w http.ResponseWriter, r *http.Request) error {
	q := app.MetricQuery{Organization: r.URL.Query().Get("organization")}
	var err error
	if q.From, q.To, q.AsOf, err = PeriodParams(r); err != nil {
		return err
	}
	ef, err := h.app.ProgrammeEffect(r.Context(), route.ActorFrom(r.Context()), q)
	if err != nil {
		return err
	}
	out := struct {
		Organization string          `json:"organization,omitempty"`
		From         binakerja.Date  `json:"from"`
		To           binakerja.Date  `json:"to"`
		AsOf         binakerja.Date  `json:"as_of"`
		Participants *int            `json:"participants"`
		Pool         *int            `json:"pool"`
		Matched      *int            `json:"matched"`
		MinMatched   int             `json:"min_matched"`
		Enough       bool            `json:"enough"`
		Summary      string          `json:"summary"`
		Covariates   []string        `json:"covariates"`
		Outcomes     []effectOutcome `json:"outcomes"`
		Balance      []effectBalance `json:"balance"`
	}{Organization: ef.Organization, From: ef.From, To: ef.To, AsOf: ef.AsOf, Participants: count(ef.Participants), Pool: count(ef.Pool),
		Matched: count(ef.Matched), MinMatched: app.MinMatched, Enough: ef.Enough, Summary: EffectSummary(Printer(r), ef),
		Covariates: app.Covariates, Outcomes: []effectOutcome{}, Balance: []effectBalance{}}
	for _, o := range ef.Outcomes {
		out.Outcomes = append(out.Outcomes, effectOutcome{ID: o.ID, N: o.N, Participants: o.Participants, Comparison: o.Comparison,
			Difference: o.Difference, Low: o.Low, High: o.High, Significant: o.Significant, Suppressed: o.Suppressed})
	}
	for _, b := range ef.Balance {
		out.Balance = append(out.Balance, effectBalance{Covariate: b.Covariate, Participants: b.Participants, Before: b.Before,
			After: b.After, SMDBefore: b.SMDBefore, SMDAfter: b.SMDAfter})
	}
	return writeJSON(w, http.StatusOK, out)
}

// EffectSummary says in words what a programme effect shows, or why it
// shows nothing.
func EffectSummary(p *i18n.Printer, ef *app.Effect) string {
	n := func(v int) string {
		if v < 0 {
			return "<10"
		}
		return p.Number(int64(v))
	}
	if !ef.Enough {
		return p.T("effect.not_enough", n(ef.Participants), n(ef.Pool), n(ef.Matched), app.MinMatched)
	}
	return p.T("effect.summary", n(ef.Matched), n(ef.Participants), n(ef.Pool))
}
