package app

import (
	"cmp"
	"context"
	"math"
	"slices"

	"binakerja"
	"binakerja/internal/store"
)

// BreakdownRow is one row of a breakdown of the funnel: a facility (Key
// its code, Name its name), a programme (likewise), a sex (L, P, or empty when not recorded) or an
// age band at the cohort's end (research §4.1: <25, 25-29, 30-39, 40-49,
// 50-59, 60+, or empty when the birth date is not known).
type BreakdownRow struct {
	Key  string
	Name string
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
// table, so the rows come in name order), or per sex or age band.
type Breakdown struct {
	By    string
	Total *Funnel
	Rows  []BreakdownRow
}

// BreakdownKinds are what a funnel may be broken down by.
var BreakdownKinds = []string{"facility", "program", "sex", "age_band"}

// ageBands are research §4.1's, by the lowest age of each.
var ageBands = []struct {
	from int
	name string
}{{60, "60+"}, {50, "50-59"}, {40, "40-49"}, {30, "30-39"}, {25, "25-29"}, {0, "<25"}}

// AgeBands lists the bands in order.
var AgeBands = []string{"<25", "25-29", "30-39", "40-49", "50-59", "60+"}

// rowKey is the row an enrolment counts in.
func rowKey(by string, e store.FunnelEnrolment) (key, name string) {
	switch by {
	case "program":
		return e.Program, e.ProgramTitle
	case "sex":
		return e.Sex, ""
	case "age_band":
		if e.BirthDate.IsZero() {
			return "", ""
		}
		end, born := e.CohortEnd.Time(), e.BirthDate.Time()
		age := end.Year() - born.Year()
		if end.YearDay() < born.YearDay() {
			age--
		}
		for _, b := range ageBands {
			if age >= b.from {
				return b.name, ""
			}
		}
	}
	return e.Facility, e.FacilityName
}

// FunnelBreakdown computes the funnel of an organisation and of each
// facility under it. For an analyst, and in every export, the small-number
// rules hold across the table: a column with exactly one count withheld
// loses its next smallest too, so that no withheld count follows from the
// total.
func (a *App) FunnelBreakdown(ctx context.Context, ac Actor, q FunnelQuery, by string, export bool) (*Breakdown, error) {
	bs, err := a.FunnelBreakdowns(ctx, ac, q, []string{by}, export)
	if err != nil {
		return nil, err
	}
	return bs[0], nil
}

// FunnelBreakdowns computes the breakdowns of one funnel by each of bys,
// from one reading of its facts.
func (a *App) FunnelBreakdowns(ctx context.Context, ac Actor, q FunnelQuery, bys []string, export bool) ([]*Breakdown, error) {
	for _, by := range bys {
		if !slices.Contains(BreakdownKinds, by) {
			return nil, binakerja.FieldInvalid("by", "metrics.by")
		}
	}
	run, err := a.funnelRun(ctx, ac, q)
	if err != nil {
		return nil, err
	}
	var row *Funnel
	if run.analyst() {
		if row, err = a.asSiblingRow(ctx, ac, run); err != nil {
			return nil, err
		}
	}
	var out []*Breakdown
	for _, by := range bys {
		b := run.breakdown(by)
		if row != nil {
			// The facility's total as its row beside its siblings.
			b.Total = row
		}
		if run.analyst() || export {
			// Rows of a facility, or of a facility's people, are small
			// units: their 0 and 100 % are top-coded.
			b.suppress(by != "facility" && !run.facility, !run.facility, row != nil)
		}
		out = append(out, b)
	}
	return out, nil
}

// breakdown counts the run's funnel with a row per group of by.
func (r *funnelRun) breakdown(by string) *Breakdown {
	rows := map[string][]store.FunnelEnrolment{}
	names := map[string]string{}
	for _, e := range r.facts.Enrolments {
		key, name := rowKey(by, e)
		rows[key] = append(rows[key], e)
		names[key] = name
	}
	b := &Breakdown{By: by, Total: r.total()}
	for key, es := range rows {
		sub := *r.facts
		sub.Enrolments = es
		f := countFunnel(&sub, r.q.AsOf)
		f.Organization, f.From, f.To, f.AsOf = r.q.Organization, r.q.From, r.q.To, r.q.AsOf
		if by == "facility" {
			f.Organization = key
		}
		b.Rows = append(b.Rows, BreakdownRow{Key: key, Name: names[key], Funnel: f})
	}
	// Facilities and programmes by name; sexes and age bands in their
	// order, the not recorded last.
	rank := func(r BreakdownRow) int {
		order := AgeBands
		if by == "sex" {
			order = []string{"L", "P"}
		}
		if i := slices.Index(order, r.Key); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(b.Rows, func(x, y BreakdownRow) int {
		if by == "facility" || by == "program" {
			return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.Key, y.Key))
		}
		return cmp.Compare(rank(x), rank(y))
	})
	// Where each row lies against the whole, before anything is withheld.
	if p0 := b.Total.CertificationRate; p0 != nil {
		for i := range b.Rows {
			b.Rows[i].Outside = outside(*p0, b.Rows[i].Certified, b.Rows[i].Completed)
		}
	}
	return b
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

// suppress applies the small-number rules to every row (wide: not small
// units, whose 0 and 100 % need no top-coding) and the total (totalWide),
// then secondary suppression down each column of counts. totalDone: the
// total has been withheld already (as a row of its parent's).
func (b *Breakdown) suppress(wide, totalWide, totalDone bool) {
	if !totalDone {
		b.Total.suppress(totalWide)
	}
	for i := range b.Rows {
		b.Rows[i].Funnel.suppress(wide)
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
	var before func(*Funnel) **int // the stage before c's
	for _, c := range columns {
		prev := before
		before = c.get
		total := *c.get(b.Total)
		if total == nil {
			continue // no total shown: nothing to take the withheld from
		}
		for {
			var cells []bound
			shown, next := 0, -1
			for i := range b.Rows {
				f := b.Rows[i].Funnel
				v := *c.get(f)
				// A stage is at most the stage before it in its row, when
				// that is shown.
				hi := unbounded
				if prev != nil {
					if up := *prev(f); up != nil {
						hi = *up
					}
				}
				switch {
				case v == nil && f.Suppressed[c.name] == "SUPPRESSED_SMALL_COUNT":
					cells = append(cells, bound{1, min(9, hi)})
				case v == nil:
					cells = append(cells, bound{10, hi})
				default:
					shown += *v
					if *v > 0 && (next < 0 || *v < **c.get(b.Rows[next].Funnel)) {
						next = i
					}
				}
			}
			if next < 0 || !pinned(*total-shown, cells) {
				break
			}
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

// unbounded is a bound no count reaches.
const unbounded = 1 << 30

// bound is what a withheld cell may be: small ones, written "<10", lie in
// 1 to 9; those withheld beside them from 10 up; either at most what its
// row shows of the stage before.
type bound struct{ lo, hi int }

// pinned reports whether any of a line's withheld cells could be told from
// the sum s of them all (the total shown less the cells shown) and their
// bounds: a cell is told when its range, given the others', narrows to
// one value.
func pinned(s int, cells []bound) bool {
	if len(cells) == 0 {
		return false
	}
	if len(cells) == 1 {
		return true
	}
	sumLo, sumHi := 0, 0
	for _, c := range cells {
		sumLo += c.lo
		sumHi = min(unbounded, sumHi+c.hi)
	}
	for _, c := range cells {
		lo, hi := c.lo, c.hi
		if othersHi := sumHi - c.hi; sumHi < unbounded && othersHi < unbounded {
			lo = max(lo, s-othersHi)
		}
		hi = min(hi, s-(sumLo-c.lo))
		if lo == hi {
			return true
		}
	}
	return false
}
