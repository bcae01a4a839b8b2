package app

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/store"
)

// recordingLag is how long after an event its record may still be coming
// (research §4.1: 30 days by default): a fixed-window figure is mature only
// that long after its window closed.
const recordingLag = 30

// knownStatusDays is how near to the day of a fixed-window employment
// figure a follow-up with contact must be for the person's status on that
// day to count as known.
const knownStatusDays = 45

// MetricIDs lists the catalogue's figures served one by one (research
// §4.2), with the title key of each.
var MetricIDs = []string{"T1", "T2", "T3", "T4", "T5", "E1", "E1k", "E2", "E3", "E4", "E5", "E6", "E7", "R1", "R4", "R5"}

// curveDays are the days at which E6 and R4 read their Kaplan–Meier curve,
// with the ids of those parts; the last is the headline rate.
var curveDays = map[string][]MetricPart{
	"E6": {{ID: "D30"}, {ID: "D90"}, {ID: "D182"}, {ID: "D365"}},
	"R4": {{ID: "M6"}, {ID: "M12"}, {ID: "M24"}, {ID: "M36"}},
}

var curvePartDays = map[string]int{"D30": 30, "D90": 90, "D182": 182, "D365": 365, "M6": 182, "M12": 365, "M24": 730, "M36": 1095}

// MetricQuery asks for one figure of the catalogue: of an organisation
// (empty for the nation), for the cohort of the period [From, To] (cohort
// ends for training, releases for the rest), as known on AsOf; Years for R1
// (1, 2 or 3).
type MetricQuery struct {
	ID           string
	Organization string
	From, To     binakerja.Date
	AsOf         binakerja.Date
	Years        int
	// Export applies the small-number rules whoever asks: the figures
	// leave the operational system.
	Export bool
}

// MetricPart is one part of a figure, as R1's re-admissions for a new case
// (R1a) and by revocation of a conditional release (R1b).
type MetricPart struct {
	ID        string
	Numerator *int
	Rate      *float64
	Low, High *float64
}

// Metric is one figure of the catalogue: its counts, its rate with a 95 %
// Wilson interval, and whether its window has closed for every member.
type Metric struct {
	ID             string
	Organization   string
	From, To, AsOf binakerja.Date
	Years          int
	Numerator      *int
	Denominator    *int // nil for a count without one (T1)
	Excluded       *int // left out of the denominator, and why is in the definition
	Unknown        *int // of the denominator, those whose status is not known
	Rate           *float64
	Low, High      *float64
	Mature         bool
	MatureOn       binakerja.Date // when the window has closed for every member, with the recording lag
	Parts          []MetricPart
	Value          string // E7: the median wage band
	MedianDays     *int   // E6, R4: the day the curve reaches one half, if it does
	Suppressed     map[string]string
	Caution        []string
	TopCoded       []string
}

// wilson is the 95 % Wilson score interval of x successes in n.
func wilson(x, n int) (low, high float64) {
	const z = 1.959964
	p, fn := float64(x)/float64(n), float64(n)
	d := 1 + z*z/fn
	c := (p + z*z/(2*fn)) / d
	h := z * math.Sqrt(p*(1-p)/fn+z*z/(4*fn*fn)) / d
	return round4(math.Max(0, c-h)), round4(math.Min(1, c+h))
}

func round4(v float64) float64 { return math.Round(v*10000) / 10000 }

// setRate fills the rate and its interval from the numerator and the
// denominator.
func (m *Metric) setRate() {
	if m.Denominator == nil || *m.Denominator == 0 || m.Numerator == nil {
		return
	}
	m.Rate = rate(*m.Numerator, *m.Denominator)
	l, h := wilson(*m.Numerator, *m.Denominator)
	m.Low, m.High = &l, &h
}

// MetricValue computes one figure of the catalogue for the actor, under
// the small-number rules for an analyst.
func (a *App) MetricValue(ctx context.Context, ac Actor, q MetricQuery) (*Metric, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionMetricsView, ""); err != nil {
		return nil, err
	}
	if !slices.Contains(MetricIDs, q.ID) {
		return nil, binakerja.Errorf(binakerja.NotFound, "metrics.unknown")
	}
	ms, err := a.metricValues(ctx, ac, q, []string{q.ID})
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// MetricValues computes every figure of the catalogue for the actor, from
// one reading of each kind of fact: R1 and R5 for their first year.
func (a *App) MetricValues(ctx context.Context, ac Actor, q MetricQuery) ([]*Metric, error) {
	q.ID, q.Years = "", 0
	return a.metricValues(ctx, ac, q, MetricIDs)
}

func (a *App) metricValues(ctx context.Context, ac Actor, q MetricQuery, ids []string) ([]*Metric, error) {
	role, path, org, err := a.metricScope(ctx, ac, &q)
	if err != nil {
		return nil, err
	}
	cut := a.recordedCut(q.AsOf)
	var f metricFacts
	for _, id := range ids {
		switch {
		case id == "T1" && f.byStart == nil:
			f.byStart, err = a.funnelFacts(ctx, store.FunnelScope{Path: path, From: q.From, To: q.To, ByStart: true, Cut: cut})
		case (id == "T2" || id == "T3") && f.byEnd == nil:
			f.byEnd, err = a.funnelFacts(ctx, store.FunnelScope{Path: path, From: q.From, To: q.To, Cut: cut})
		case id != "T1" && id != "T2" && id != "T3" && f.release == nil:
			f.release, err = a.releaseFacts(ctx, store.ReleaseScope{Path: path, From: q.From, To: q.To, Cut: cut})
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]*Metric, 0, len(ids))
	for _, id := range ids {
		mq := q
		mq.ID = id
		if (id == "R1" || id == "R5") && mq.Years == 0 {
			mq.Years = 1
		}
		var m *Metric
		if id[0] == 'T' {
			m = trainingMetric(mq, &f)
		} else {
			m = releaseMetric(mq, f.release)
		}
		m.ID, m.Organization, m.From, m.To, m.AsOf, m.Years = id, mq.Organization, mq.From, mq.To, mq.AsOf, mq.Years
		m.Mature = !m.MatureOn.After(mq.AsOf)
		if role == string(binakerja.RoleAnalyst) || q.Export {
			m.suppress(org == nil || org.Kind != binakerja.OrgFacility)
		}
		out = append(out, m)
	}
	if role == string(binakerja.RoleAnalyst) || q.Export {
		// E1k's denominator is E1's less those unknown: a withheld unknown
		// takes E1k's denominator (and its rate) with it.
		var e1, e1k *Metric
		for _, m := range out {
			switch m.ID {
			case "E1":
				e1 = m
			case "E1k":
				e1k = m
			}
		}
		if e1 != nil && e1k != nil && e1.Suppressed["unknown"] != "" && e1k.Denominator != nil {
			if e1k.Suppressed == nil {
				e1k.Suppressed = map[string]string{}
			}
			e1k.Denominator, e1k.Suppressed["denominator"] = nil, "SUPPRESSED_SECONDARY"
			if e1k.Rate != nil {
				e1k.Rate, e1k.Low, e1k.High, e1k.Suppressed["rate"] = nil, nil, nil, "SUPPRESSED_SECONDARY"
			}
		}
	}
	err = a.viewed(ctx, ac, role, strings.Join(ids, ","), q.Organization,
		map[string]any{"from": q.From, "to": q.To, "as_of": q.AsOf, "years": q.Years})
	return out, err
}

// metricFacts are the facts the catalogue's figures are computed from, each
// read once: the funnel's by cohort start (T1) and end (T2, T3), and the
// releases' (the rest).
type metricFacts struct {
	byStart, byEnd *store.FunnelFacts
	release        *store.ReleaseFacts
}

// metricScope checks a query's period and organisation, filling in the
// defaults (as_of today, the last full year), and returns the actor's role
// and the organisation's path (empty for the nation).
func (a *App) metricScope(ctx context.Context, ac Actor, q *MetricQuery) (role, path string, org *binakerja.Organization, err error) {
	role, err = a.authorize(ctx, ac, binakerja.ActionMetricsView, "")
	if err != nil {
		return "", "", nil, err
	}
	var p binakerja.Problems
	today := a.today()
	if q.AsOf.IsZero() {
		q.AsOf = today
	}
	switch {
	case q.From.IsZero() && q.To.IsZero():
		y := q.AsOf.Time().Year() - 1
		q.From, q.To = binakerja.NewDate(y, time.January, 1), binakerja.NewDate(y, time.December, 31)
	case q.To.IsZero():
		q.To = q.AsOf
	case q.From.IsZero():
		p.Add("from", "field.required")
	}
	if !q.From.IsZero() && q.To.Before(q.From) {
		p.Add("to", "metrics.to_before_from")
	} else if !q.From.IsZero() && q.To.After(q.From.AddDate(10, 0, 0)) {
		p.Add("to", "metrics.period_too_long")
	}
	if q.AsOf.After(today) {
		p.Add("as_of", "metrics.as_of_future")
	}
	if role == string(binakerja.RoleAnalyst) && !q.From.IsZero() {
		analystPeriod(&p, q.From, q.To)
	}
	if q.ID == "R1" || q.ID == "R5" {
		if q.Years == 0 {
			q.Years = 1
		}
		if q.Years < 1 || q.Years > 3 {
			p.Add("years", "metrics.years")
		}
	} else if q.Years != 0 {
		p.Add("years", "metrics.years_r1")
	}
	if err := p.Err(); err != nil {
		return "", "", nil, err
	}
	if q.Organization != "" {
		if org, err = a.db.Organization(ctx, q.Organization); err != nil || !a.canSee(ac, binakerja.ActionMetricsView, org.Path) {
			return "", "", nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
		}
		if org.Kind == binakerja.OrgEmployer || org.Kind == binakerja.OrgCertificationBody {
			// Figures count cohorts and releases: an employer or a
			// certification body has neither.
			return "", "", nil, binakerja.FieldInvalid("organization", "metrics.organization_kind")
		}
		return role, org.Path, org, nil
	}
	if _, all := a.scope(ac, binakerja.ActionMetricsView); !all {
		return "", "", nil, binakerja.FieldInvalid("organization", "metrics.organization_required")
	}
	return role, "", nil, nil
}

// recordedCut is the moment a figure as of asOf stops counting records:
// the end of that day in WIB, or none for today, whose figures count all
// there is (research §4.1's extraction date; contract: stable past figures).
func (a *App) recordedCut(asOf binakerja.Date) time.Time {
	if !asOf.Before(a.today()) {
		return time.Time{}
	}
	y, m, d := asOf.AddDate(0, 0, 1).Time().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, wib).UTC()
}

// trainingMetric computes T1–T5 of research §4.2.
func trainingMetric(q MetricQuery, f *metricFacts) *Metric {
	m := &Metric{MatureOn: q.To.AddDate(0, 0, recordingLag)}
	switch q.ID {
	case "T1", "T2", "T3":
		facts := f.byEnd
		if q.ID == "T1" {
			facts = f.byStart
		}
		switch q.ID {
		case "T1":
			people := map[int64]bool{}
			for _, e := range facts.Enrolments {
				people[e.PersonID] = true
			}
			m.Numerator = ptr(len(people))
			m.MatureOn = q.To
		case "T2":
			// A person completed, or else failed or dropped out, or else
			// left for release or transfer (excluded), or else is still
			// enrolled in a cohort that has ended (unknown).
			status := map[int64]int{} // 4 completed, 3 failed or dropped, 2 left, 1 not recorded
			for _, e := range facts.Enrolments {
				s := 1
				switch e.Status {
				case binakerja.EnrollmentCompleted:
					s = 4
				case "TIDAK_LULUS", "MENGUNDURKAN_DIRI":
					s = 3
				case "KELUAR_KARENA_BEBAS", "KELUAR_KARENA_MUTASI":
					s = 2
				}
				status[e.PersonID] = max(status[e.PersonID], s)
			}
			var n, d, x, u int
			for _, s := range status {
				switch s {
				case 4:
					n, d = n+1, d+1
				case 3:
					d++
				case 2:
					x++
				default:
					u, d = u+1, d+1
				}
			}
			m.Numerator, m.Denominator, m.Excluded, m.Unknown = &n, &d, &x, &u
		case "T3":
			f := countFunnel(facts, q.AsOf)
			m.Numerator, m.Denominator = f.Certified, f.Completed
			m.MatureOn = q.To.AddDate(0, 0, certificationWindowDays+recordingLag)
		}
		m.setRate()
		return m
	}
	facts := f.release
	index := indexReleases(facts)
	var n, d int
	for id, e := range index {
		in := func(day binakerja.Date) bool { return !day.Before(e.Admission) && !day.After(e.Release) }
		switch q.ID {
		case "T4":
			d++
			for _, c := range facts.Certificates {
				if c.PersonID == id && c.Status != binakerja.CertificateRevoked && in(c.IssuedOn) {
					n++
					break
				}
			}
		case "T5":
			trained := slices.ContainsFunc(facts.Training, func(t store.ReleaseTraining) bool {
				return t.PersonID == id && t.Status == binakerja.EnrollmentCompleted && in(t.End)
			})
			if !trained {
				continue
			}
			d++
			if slices.ContainsFunc(facts.Internships, func(r store.FunnelRelease) bool { return r.PersonID == id && in(r.Date) }) {
				n++
			}
		}
	}
	m.Numerator, m.Denominator = &n, &d
	m.setRate()
	return m
}

// indexReleases keeps, for each person released in scope, the first
// qualifying release of the period: the person counts once (research §4.1).
func indexReleases(facts *store.ReleaseFacts) map[int64]store.ReleaseEpisode {
	out := map[int64]store.ReleaseEpisode{}
	for _, e := range facts.Episodes {
		if !e.InScope {
			continue
		}
		if f, ok := out[e.PersonID]; !ok || e.Release.Before(f.Release) {
			out[e.PersonID] = e
		}
	}
	return out
}

// employmentDays are the days of the fixed-window employment figures.
var employmentDays = map[string]int{"E1": 42, "E1k": 42, "E2": 182, "E3": 365, "E4": 182, "E5": 182}

// releaseMetric computes E1–E5 and R1 of research §4.2 for the index
// releases of the period.
func releaseMetric(q MetricQuery, facts *store.ReleaseFacts) *Metric {
	index := indexReleases(facts)
	m := &Metric{}
	byPerson := map[int64][]store.ReleaseEpisode{}
	for _, e := range facts.Episodes {
		byPerson[e.PersonID] = append(byPerson[e.PersonID], e)
	}
	// back is the first episode after the index release, if any.
	back := func(id int64, e store.ReleaseEpisode) *store.ReleaseEpisode {
		var first *store.ReleaseEpisode
		for _, x := range byPerson[id] {
			if x.Admission.After(e.Release) && (first == nil || x.Admission.Before(first.Admission)) {
				x := x
				first = &x
			}
		}
		return first
	}
	switch q.ID {
	case "E6", "R4":
		kind := map[string]string{"E6": "employment", "R4": "readmission"}[q.ID]
		var all []obs
		for _, os := range survivalObs(kind, facts, q.AsOf) {
			all = append(all, os...)
		}
		g := kaplanMeier(all, minAtRisk)
		events := 0
		for _, o := range all {
			if o.event {
				events++
			}
		}
		m.Numerator, m.Denominator, m.MatureOn = ptr(events), ptr(len(all)), q.To
		for _, part := range curveDays[q.ID] {
			if est, low, high, n, ok := g.at(curvePartDays[part.ID]); ok {
				part.Numerator, part.Rate, part.Low, part.High = ptr(n), &est, &low, &high
			}
			m.Parts = append(m.Parts, part)
		}
		if last := m.Parts[len(m.Parts)-1]; last.Rate != nil {
			m.Rate, m.Low, m.High = last.Rate, last.Low, last.High
		}
		if g.Median > 0 {
			m.MedianDays = ptr(g.Median)
		}
		return m
	case "R5":
		// Of those not back by the end of year k−1, those first back in year k.
		lo, hi := (q.Years-1)*365, q.Years*365
		m.MatureOn = q.To.AddDate(0, 0, hi+recordingLag)
		var n, d int
		for id, e := range index {
			b := back(id, e)
			if b != nil && !b.Admission.After(e.Release.AddDate(0, 0, lo)) {
				continue
			}
			d++
			if b != nil && !b.Admission.After(e.Release.AddDate(0, 0, hi)) {
				n++
			}
		}
		m.Numerator, m.Denominator = ptr(n), ptr(d)
		m.setRate()
		return m
	}
	if q.ID == "R1" {
		window := q.Years * 365
		m.MatureOn = q.To.AddDate(0, 0, window+recordingLag)
		var n, newCase, revoked int
		for id, e := range index {
			b := back(id, e)
			if b == nil || b.Admission.After(e.Release.AddDate(0, 0, window)) {
				continue
			}
			n++
			if b.Readmission == binakerja.ReadmissionRevocation {
				revoked++
			} else {
				newCase++
			}
		}
		m.Numerator, m.Denominator = ptr(n), ptr(len(index))
		m.setRate()
		for _, part := range []struct {
			id string
			n  int
		}{{"R1a", newCase}, {"R1b", revoked}} {
			mp := MetricPart{ID: part.id, Numerator: ptr(part.n)}
			if len(index) > 0 {
				mp.Rate = rate(part.n, len(index))
				l, h := wilson(part.n, len(index))
				mp.Low, mp.High = &l, &h
			}
			m.Parts = append(m.Parts, mp)
		}
		return m
	}
	day, ok := employmentDays[q.ID]
	if !ok { // E7 reads the jobs of E2
		day = employmentDays["E2"]
	}
	m.MatureOn = q.To.AddDate(0, 0, day+recordingLag)
	placements := map[int64][]store.ReleasePlacement{}
	for _, p := range facts.Placements {
		placements[p.PersonID] = append(placements[p.PersonID], p)
	}
	covering := func(id int64, d binakerja.Date) *store.ReleasePlacement {
		for _, p := range placements[id] {
			if !p.Start.After(d) && (p.End.IsZero() || !p.End.Before(d)) {
				p := p
				return &p
			}
		}
		return nil
	}
	var n, d, excluded, unknown int
	var bands []int // E7: the wage bands recorded, as indexes of binakerja.WageBands
	working := 0    // in work on the day
	for id, e := range index {
		on := e.Release.AddDate(0, 0, day)
		if b := back(id, e); b != nil && !b.Admission.After(on) && (b.Release.IsZero() || !b.Release.Before(on)) {
			excluded++ // in custody on the day
			continue
		}
		d++
		job := covering(id, on)
		if job == nil {
			known := slices.ContainsFunc(facts.FollowUps, func(f store.ReleaseFollowUp) bool {
				return f.PersonID == id && f.Contacted && f.Outcome != binakerja.OutcomeUnreachable &&
					absDays(f.Contact, on) <= knownStatusDays
			})
			if !known {
				unknown++
			}
			continue
		}
		working++
		switch q.ID {
		case "E4":
			if employedDays(placements[id], e.Release) >= 91 {
				n++
			}
		case "E5":
			if job.Partner {
				n++
			}
		case "E7":
			if i := slices.Index(binakerja.WageBands, job.WageBand); i >= 0 {
				bands = append(bands, i)
			}
		default:
			n++
		}
	}
	switch q.ID {
	case "E7":
		// Of those in work on day 182, those whose wage is recorded; the
		// figure is their median band.
		slices.Sort(bands)
		if len(bands) > 0 {
			m.Value = binakerja.WageBands[bands[(len(bands)-1)/2]]
		}
		m.Numerator, m.Denominator, m.Excluded = ptr(len(bands)), ptr(working), ptr(excluded)
		return m
	case "E1k":
		d -= unknown
	case "E5":
		// Of those in work on day 182.
		d = 0
		for id, e := range index {
			if covering(id, e.Release.AddDate(0, 0, day)) != nil {
				if b := back(id, e); b == nil || b.Admission.After(e.Release.AddDate(0, 0, day)) {
					d++
				}
			}
		}
	}
	m.Numerator, m.Denominator, m.Excluded, m.Unknown = ptr(n), ptr(d), ptr(excluded), ptr(unknown)
	m.setRate()
	return m
}

func absDays(a, b binakerja.Date) int {
	d := int(a.Time().Sub(b.Time()).Hours() / 24)
	if d < 0 {
		return -d
	}
	return d
}

// employedDays counts the days 1–182 after release covered by any
// placement.
func employedDays(ps []store.ReleasePlacement, release binakerja.Date) int {
	n := 0
	for i := 1; i <= 182; i++ {
		d := release.AddDate(0, 0, i)
		if slices.ContainsFunc(ps, func(p store.ReleasePlacement) bool {
			return !p.Start.After(d) && (p.End.IsZero() || !p.End.Before(d))
		}) {
			n++
		}
	}
	return n
}

// suppress applies the small-number rules of research §4.3 to an
// analyst's figure: counts of 1 to 9 withheld, and the rate (with its
// interval and parts) when its numerator is withheld or its denominator is
// under 30; a caution on 30 to 99; a facility's 0 or 1 top-coded.
func (m *Metric) suppress(wide bool) {
	m.Suppressed = map[string]string{}
	den := 0
	if m.Denominator != nil {
		den = *m.Denominator
	}
	for name, v := range map[string]**int{"numerator": &m.Numerator, "denominator": &m.Denominator,
		"excluded": &m.Excluded, "unknown": &m.Unknown} {
		if *v != nil && **v > 0 && **v < smallCount {
			m.Suppressed[name] = "SUPPRESSED_SMALL_COUNT"
			*v = nil
		}
	}
	withhold := func(reason string) {
		m.Suppressed["rate"] = reason
		m.Rate, m.Low, m.High = nil, nil, nil
		for i := range m.Parts {
			m.Parts[i].Numerator, m.Parts[i].Rate, m.Parts[i].Low, m.Parts[i].High = nil, nil, nil, nil
		}
	}
	switch {
	case m.Rate == nil:
	case den < smallDenominator:
		withhold("SMALL_DENOMINATOR")
	case m.Numerator == nil:
		withhold("SUPPRESSED_SMALL_COUNT")
	default:
		if den < cautionDenominator {
			m.Caution = append(m.Caution, "rate")
		}
		if !wide && (*m.Rate <= 0.05 || *m.Rate >= 0.95) {
			m.TopCoded = append(m.TopCoded, "rate")
			*m.Rate = math.Min(math.Max(*m.Rate, 0.05), 0.95)
			m.Low, m.High = nil, nil
			// The count beside the denominator would tell the rate.
			if m.Numerator != nil {
				m.Numerator, m.Suppressed["numerator"] = nil, "SUPPRESSED_SECONDARY"
			}
		}
		// The parts add up to the numerator: withhold one, and the other
		// would tell it, so it goes too (secondary suppression).
		withheld := 0
		for i := range m.Parts {
			if p := &m.Parts[i]; p.Numerator != nil && *p.Numerator > 0 && *p.Numerator < smallCount {
				m.Suppressed[strings.ToLower(p.ID)] = "SUPPRESSED_SMALL_COUNT"
				p.Numerator, p.Rate, p.Low, p.High = nil, nil, nil, nil
				withheld++
			}
		}
		if withheld > 0 {
			for i := range m.Parts {
				if p := &m.Parts[i]; p.Numerator != nil {
					m.Suppressed[strings.ToLower(p.ID)] = "SUPPRESSED_SECONDARY"
					p.Numerator, p.Rate, p.Low, p.High = nil, nil, nil, nil
				}
			}
		}
	}
	// A median of few tells its members' wages; a median day of a curve
	// on few, their days.
	if m.Value != "" && (m.Numerator == nil || *m.Numerator < smallDenominator) {
		m.Value, m.Suppressed["value"] = "", "SMALL_DENOMINATOR"
	}
	if m.MedianDays != nil && den < smallDenominator {
		m.MedianDays, m.Suppressed["median_days"] = nil, "SMALL_DENOMINATOR"
	}
	if len(m.Suppressed) == 0 {
		m.Suppressed = nil
	}
}
