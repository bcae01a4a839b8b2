package app

import (
	"cmp"
	"context"
	"math"
	"slices"

	"binakerja"
	"binakerja/internal/store"
)

// FacilityFunnel is one facility's row of a breakdown of the funnel.
type FacilityFunnel struct {
	Facility     string
	FacilityName string
	*Funnel
	// Outside says where the facility's certification rate lies against
	// the whole's on a funnel plot: "" within the 95 % limits, "95" outside
	// them, "99.8" outside the 99.8 % ones too. Empty for an analyst when
	// the rate is withheld.
	Outside string
}

// Breakdown is the funnel of an organisation with a row per facility whose
// cohorts it counts, for the comparison of facilities on a funnel plot
// (rate against its denominator with 95 % and 99.8 % limits: not a league
// table, so the rows come in name order).
type Breakdown struct {
	Total *Funnel
	Rows  []FacilityFunnel
}

// FunnelBreakdown computes the funnel of an organisation and of each
// facility under it. For an analyst, and in every export, the small-number
// rules hold across the table: a column with exactly one count withheld
// loses its next smallest too, so that no withheld count follows from the
// total.
func (a *App) FunnelBreakdown(ctx context.Context, ac Actor, q FunnelQuery, export bool) (*Breakdown, error) {
	total, err := a.MetricsFunnel(ctx, ac, q)
	if err != nil {
		return nil, err
	}
	q.From, q.To, q.AsOf = total.From, total.To, total.AsOf
	path := ""
	if q.Organization != "" {
		o, err := a.db.Organization(ctx, q.Organization)
		if err != nil {
			return nil, err
		}
		path = o.Path
	}
	facts, err := a.db.FunnelFacts(ctx, store.FunnelScope{Path: path, Program: q.Program, From: q.From, To: q.To})
	if err != nil {
		return nil, err
	}
	byFacility := map[string][]store.FunnelEnrolment{}
	names := map[string]string{}
	for _, e := range facts.Enrolments {
		byFacility[e.Facility] = append(byFacility[e.Facility], e)
		names[e.Facility] = e.FacilityName
	}
	b := &Breakdown{Total: countFunnel(facts, q.AsOf)}
	b.Total.Organization, b.Total.Program, b.Total.From, b.Total.To, b.Total.AsOf = q.Organization, q.Program, q.From, q.To, q.AsOf
	for code, es := range byFacility {
		sub := *facts
		sub.Enrolments = es
		f := countFunnel(&sub, q.AsOf)
		f.Organization, f.From, f.To, f.AsOf = code, q.From, q.To, q.AsOf
		b.Rows = append(b.Rows, FacilityFunnel{Facility: code, FacilityName: names[code], Funnel: f})
	}
	slices.SortFunc(b.Rows, func(x, y FacilityFunnel) int { return cmp.Compare(x.FacilityName, y.FacilityName) })
	// Where each facility lies against the whole, before anything is
	// withheld.
	if p0 := b.Total.CertificationRate; p0 != nil {
		for i := range b.Rows {
			b.Rows[i].Outside = outside(*p0, b.Rows[i].Certified, b.Rows[i].Completed)
		}
	}
	analyst := false
	if ac.User != nil {
		for _, g := range ac.User.Grants {
			analyst = analyst || g.Role == binakerja.RoleAnalyst
		}
	}
	if analyst || export {
		b.suppress()
	}
	return b, nil
}

// outside places a rate of certified/completed against p0 on a funnel
// plot: "" inside the 95 % limits, "95" or "99.8" outside them.
func outside(p0 float64, num, den *int) string {
	if num == nil || den == nil || *den == 0 {
		return ""
	}
	p, n := float64(*num)/float64(*den), float64(*den)
	se := math.Sqrt(p0 * (1 - p0) / n)
	switch d := math.Abs(p - p0); {
	case d > 3.09*se:
		return "99.8"
	case d > 1.96*se:
		return "95"
	}
	return ""
}

// FunnelLimits are the control limits of a funnel plot around p0 for a
// denominator n: 95 % (z = 1.96) and 99.8 % (z = 3.09).
func FunnelLimits(p0 float64, n int) (lo95, hi95, lo998, hi998 float64) {
	se := math.Sqrt(p0 * (1 - p0) / float64(n))
	clamp := func(v float64) float64 { return math.Min(1, math.Max(0, v)) }
	return clamp(p0 - 1.96*se), clamp(p0 + 1.96*se), clamp(p0 - 3.09*se), clamp(p0 + 3.09*se)
}

// suppress applies the small-number rules to every row and the total, then
// secondary suppression down each column of counts.
func (b *Breakdown) suppress() {
	b.Total.suppress(true)
	for i := range b.Rows {
		b.Rows[i].Funnel.suppress(false)
		if b.Rows[i].CertificationRate == nil {
			b.Rows[i].Outside = ""
		}
	}
	columns := []struct {
		name string
		get  func(*Funnel) **int
	}{
		{"participants", func(f *Funnel) **int { return &f.Participants }},
		{"completed", func(f *Funnel) **int { return &f.Completed }},
		{"certified", func(f *Funnel) **int { return &f.Certified }},
		{"certified_released", func(f *Funnel) **int { return &f.CertifiedReleased }},
		{"placed", func(f *Funnel) **int { return &f.Placed }},
	}
	for _, c := range columns {
		withheld, next := 0, -1
		for i := range b.Rows {
			v := *c.get(b.Rows[i].Funnel)
			switch {
			case v == nil:
				withheld++
			case *v > 0 && (next < 0 || *v < **c.get(b.Rows[next].Funnel)):
				next = i
			}
		}
		// A total is shown: one withheld cell would be the total less the
		// others.
		if withheld == 1 && next >= 0 && *c.get(b.Total) != nil {
			f := b.Rows[next].Funnel
			*c.get(f) = nil
			f.Suppressed[c.name] = "SUPPRESSED_SECONDARY"
			// A rate built on it goes with it.
			switch c.name {
			case "completed", "certified":
				if f.CertificationRate != nil {
					f.CertificationRate = nil
					f.Suppressed["certification_rate"] = "SUPPRESSED_SECONDARY"
					b.Rows[next].Outside = ""
				}
			case "certified_released", "placed":
				if f.PlacementRate != nil {
					f.PlacementRate = nil
					f.Suppressed["placement_rate"] = "SUPPRESSED_SECONDARY"
				}
			}
		}
	}
}
