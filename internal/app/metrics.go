package app

import (
	"context"
	"math"
	"slices"
	"time"

	"binakerja"
	"binakerja/internal/store"
)

// The windows of the funnel (spec/metrics.md).
const (
	certificationWindowDays = 90  // a certificate counts when issued by 90 days after the cohort's end
	employmentWindowDays    = 182 // work counts when it starts within 182 days of release
	smallCount              = 10  // counts 1–9 are shown as "<10" to analysts
	smallDenominator        = 30  // no rate on fewer
	cautionDenominator      = 100 // a rate on fewer is shown with a caution
)

// FunnelQuery asks for a funnel: of an organisation (its facilities'
// cohorts and its training providers' cohorts; empty for the nation), of
// one programme when set, for the cohorts ending in [From, To], as known on
// AsOf (today when zero). Without From and To the period is the last full
// calendar year; with From alone it runs to AsOf.
type FunnelQuery struct {
	Organization string
	Program      string
	From, To     binakerja.Date
	AsOf         binakerja.Date
}

// Funnel is the seed report's chain of figures: trained, certified,
// released long enough ago, and placed in work (spec/metrics.md). A count
// or rate the small-number rules withhold from the viewer is nil, with the
// reason in Suppressed.
type Funnel struct {
	Organization      string
	Program           string
	From, To, AsOf    binakerja.Date
	Participants      *int
	Completed         *int
	Certified         *int
	CertificationRate *float64
	CertifiedReleased *int
	Placed            *int
	PlacementRate     *float64
	// Suppressed gives, for each figure withheld, why: SUPPRESSED_SMALL_COUNT
	// or SMALL_DENOMINATOR (research §4.3).
	Suppressed map[string]string
	// Caution names the rates on a denominator of 30 to 99: shown, but of a
	// group too small to generalise.
	Caution []string
	// TopCoded names the rates of 0 or 1 shown as at most 0.05 or at least
	// 0.95, because for a facility they would tell every member's outcome.
	TopCoded []string
}

// MetricsFunnel computes the funnel for the actor: the operational view of
// one's own organisation in full, and for an analyst under the small-number
// rules. An organisation outside the actor's reach is NotFound.
func (a *App) MetricsFunnel(ctx context.Context, ac Actor, q FunnelQuery) (*Funnel, error) {
	run, err := a.funnelRun(ctx, ac, q)
	if err != nil {
		return nil, err
	}
	f := run.total()
	if run.analyst() {
		f.suppress(!run.facility)
		if row, err := a.asSiblingRow(ctx, ac, run); err != nil || row != nil {
			return row, err
		}
	}
	return f, nil
}

// asSiblingRow is, for an analyst, a facility's funnel as its row of its
// parent's funnel by facility, withheld as it is there beside its siblings:
// asked alone, it would show a count withheld there to protect another,
// which the parent's total less the siblings would then tell. Nil when the
// facility's parent is not within the analyst's reach.
func (a *App) asSiblingRow(ctx context.Context, ac Actor, run *funnelRun) (*Funnel, error) {
	if !run.facility || run.org == nil || run.org.Parent == "" {
		return nil, nil
	}
	parent, err := a.db.Organization(ctx, run.org.Parent)
	if err != nil || !a.canSee(ac, binakerja.ActionMetricsView, parent.Path) {
		return nil, nil
	}
	pq := run.q
	pq.Organization = parent.Code
	prun, err := a.funnelRun(ctx, ac, pq)
	if err != nil {
		return nil, err
	}
	b := prun.breakdown("facility")
	b.suppress(false, parent.Kind != binakerja.OrgFacility, false)
	for _, r := range b.Rows {
		if r.Key == run.org.Code {
			f := r.Funnel
			f.Organization, f.Program = run.q.Organization, run.q.Program
			return f, nil
		}
	}
	return nil, nil
}

// funnelRun is a funnel's query, checked and with its defaults, and the
// facts it counts.
type funnelRun struct {
	role     string
	org      *binakerja.Organization // nil for the nation
	facility bool                    // the organisation is a facility
	q        FunnelQuery
	facts    *store.FunnelFacts
}

func (r *funnelRun) analyst() bool { return r.role == string(binakerja.RoleAnalyst) }

// funnelRun checks a funnel's query, reads its facts and records the view.
func (a *App) funnelRun(ctx context.Context, ac Actor, q FunnelQuery) (*funnelRun, error) {
	mq := MetricQuery{Organization: q.Organization, From: q.From, To: q.To, AsOf: q.AsOf}
	role, path, org, err := a.metricScope(ctx, ac, &mq)
	if err != nil {
		return nil, err
	}
	q.From, q.To, q.AsOf = mq.From, mq.To, mq.AsOf
	if q.Program != "" {
		if _, err := a.db.Program(ctx, q.Program); binakerja.ErrorKind(err) == binakerja.NotFound {
			return nil, binakerja.FieldInvalid("program", "metrics.program_unknown", q.Program)
		} else if err != nil {
			return nil, err
		}
	}
	facts, err := a.funnelFacts(ctx, store.FunnelScope{Path: path, Program: q.Program, From: q.From, To: q.To,
		Cut: a.recordedCut(q.AsOf)})
	if err != nil {
		return nil, err
	}
	err = a.viewed(ctx, ac, role, "funnel", q.Organization,
		map[string]any{"program": q.Program, "from": q.From, "to": q.To, "as_of": q.AsOf})
	return &funnelRun{role: role, org: org, facility: org != nil && org.Kind == binakerja.OrgFacility, q: q, facts: facts}, err
}

// total counts the whole funnel of the run.
func (r *funnelRun) total() *Funnel {
	f := countFunnel(r.facts, r.q.AsOf)
	f.Organization, f.Program, f.From, f.To, f.AsOf = r.q.Organization, r.q.Program, r.q.From, r.q.To, r.q.AsOf
	return f
}

// analystPeriod keeps an analyst to whole calendar years: figures of
// overlapping periods, each above the small-number limits, would tell by
// their difference a count withheld in the part where they differ.
func analystPeriod(p *binakerja.Problems, from, to binakerja.Date) {
	y := from.Time().Year()
	if from != binakerja.NewDate(y, time.January, 1) || to != binakerja.NewDate(y, time.December, 31) {
		p.Add("from", "metrics.analyst_year")
	}
}

// countFunnel counts the funnel of spec/metrics.md from its facts, each
// person once per figure.
func countFunnel(facts *store.FunnelFacts, asOf binakerja.Date) *Funnel {
	type person struct {
		cohorts   []store.FunnelEnrolment
		completed bool
	}
	people := map[int64]*person{}
	for _, e := range facts.Enrolments {
		p := people[e.PersonID]
		if p == nil {
			p = &person{}
			people[e.PersonID] = p
		}
		p.cohorts = append(p.cohorts, e)
		p.completed = p.completed || e.Status == binakerja.EnrollmentCompleted
	}
	certified := map[int64]bool{}
	for _, c := range facts.Certificates {
		p := people[c.PersonID]
		if p == nil || !p.completed || c.Status == binakerja.CertificateRevoked {
			continue
		}
		for _, e := range p.cohorts {
			if e.Scheme == c.Scheme && !c.IssuedOn.After(e.CohortEnd.AddDate(0, 0, certificationWindowDays)) {
				certified[c.PersonID] = true
			}
		}
	}
	// The index release: the first qualifying release since the earliest
	// counted cohort began, complete with its six months by asOf.
	released := map[int64]binakerja.Date{}
	last := asOf.AddDate(0, 0, -employmentWindowDays)
	for _, r := range facts.Releases {
		if !certified[r.PersonID] || !r.Reason.Qualifying() || r.Date.After(last) {
			continue
		}
		first := slices.MinFunc(people[r.PersonID].cohorts, func(x, y store.FunnelEnrolment) int {
			return x.CohortStart.Time().Compare(y.CohortStart.Time())
		}).CohortStart
		if r.Date.Before(first) {
			continue
		}
		if d, ok := released[r.PersonID]; !ok || r.Date.Before(d) {
			released[r.PersonID] = r.Date
		}
	}
	placed := map[int64]bool{}
	for _, pl := range facts.Placements {
		d, ok := released[pl.PersonID]
		if !ok || (pl.Kind != binakerja.PlacementJob && pl.Kind != binakerja.PlacementUMKM && pl.Kind != binakerja.PlacementSelfEmployed) {
			continue
		}
		if !pl.Start.Before(d) && !pl.Start.After(d.AddDate(0, 0, employmentWindowDays)) {
			placed[pl.PersonID] = true
		}
	}
	completed := 0
	for _, p := range people {
		if p.completed {
			completed++
		}
	}
	f := &Funnel{Participants: ptr(len(people)), Completed: ptr(completed), Certified: ptr(len(certified)),
		CertifiedReleased: ptr(len(released)), Placed: ptr(len(placed))}
	f.CertificationRate = rate(len(certified), completed)
	f.PlacementRate = rate(len(placed), len(released))
	return f
}

func ptr[T any](v T) *T { return &v }

// rate is n/d rounded to four places, nil when d is 0.
func rate(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	return ptr(math.Round(float64(n)/float64(d)*10000) / 10000)
}

// suppress applies the small-number rules of research §4.3 to the figures
// an analyst sees: counts of 1 to 9 withheld, rates withheld when their
// numerator is or their denominator is under 30, a caution on those of 30
// to 99, and, for a facility (wide false), rates of 0 or 1 top-coded.
func (f *Funnel) suppress(wide bool) {
	f.Suppressed = map[string]string{}
	count := func(name string, v **int) {
		if *v != nil && **v > 0 && **v < smallCount {
			f.Suppressed[name] = "SUPPRESSED_SMALL_COUNT"
			*v = nil
		}
	}
	// The denominators as they were, before their counts are withheld.
	completed, released := *f.Completed, *f.CertifiedReleased
	count("participants", &f.Participants)
	count("completed", &f.Completed)
	count("certified", &f.Certified)
	count("certified_released", &f.CertifiedReleased)
	count("placed", &f.Placed)
	rateOf := func(name string, r **float64, num **int, den int, denName string) {
		switch {
		case *r == nil:
			return
		case den < smallDenominator:
			f.Suppressed[name] = "SMALL_DENOMINATOR"
			*r = nil
			return
		case *num == nil || f.Suppressed[denName] != "":
			f.Suppressed[name] = "SUPPRESSED_SMALL_COUNT"
			*r = nil
			return
		case den < cautionDenominator:
			f.Caution = append(f.Caution, name)
		}
		if !wide && (**r <= 0.05 || **r >= 0.95) {
			f.TopCoded = append(f.TopCoded, name)
			if **r < 0.05 {
				**r = 0.05
			} else {
				**r = 0.95
			}
		}
	}
	rateOf("certification_rate", &f.CertificationRate, &f.Certified, completed, "completed")
	rateOf("placement_rate", &f.PlacementRate, &f.Placed, released, "certified_released")
}
