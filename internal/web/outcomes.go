package web

import (
	"net/http"
	"strconv"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type outcomesData struct {
	Funnel  *app.Funnel
	Choices []*binakerja.Organization // the organisations whose figures the user may ask for
	Org     string
	From    string
	To      string
	AsOf    string
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

// Percent shows a rate as a percentage, to one place.
func (outcomesData) Percent(r *float64) string {
	if r == nil {
		return ""
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + " %"
}

// Flag reports whether a rate is named in a list (caution, top-coded).
func (outcomesData) Flag(list []string, name string) bool {
	for _, n := range list {
		if n == name {
			return true
		}
	}
	return false
}

// outcomes shows the headline funnel of an organisation the user may see.
func (h *Handler) outcomes(w http.ResponseWriter, r *http.Request) error {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	d := outcomesData{Org: q.Get("organization"), From: q.Get("from"), To: q.Get("to"), AsOf: q.Get("as_of")}
	seen := map[string]bool{}
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
	if d.Org == "" && len(d.Choices) > 0 {
		d.Org = d.Choices[0].Code
	}
	fq := app.FunnelQuery{Organization: d.Org, Program: q.Get("program")}
	var bad binakerja.Problems
	for name, v := range map[string]string{"from": d.From, "to": d.To, "as_of": d.AsOf} {
		if v == "" {
			continue
		}
		day, err := binakerja.ParseISODate(v)
		if err != nil {
			bad.Add(name, "date.format")
			continue
		}
		switch name {
		case "from":
			fq.From = day
		case "to":
			fq.To = day
		default:
			fq.AsOf = day
		}
	}
	err := bad.Err()
	if err == nil {
		d.Funnel, err = h.app.MetricsFunnel(r.Context(), ac, fq)
	}
	p := h.newPage(w, r, "outcomes.title", &d)
	if err != nil {
		form := newForm(q)
		if !form.fail(p.Printer, err, nil) {
			return err
		}
		p.Form = form
		return h.render(w, http.StatusUnprocessableEntity, "outcomes", p)
	}
	p.Form = orEmpty(nil)
	d.From, d.To, d.AsOf = d.Funnel.From.String(), d.Funnel.To.String(), d.Funnel.AsOf.String()
	return h.render(w, http.StatusOK, "outcomes", p)
}
