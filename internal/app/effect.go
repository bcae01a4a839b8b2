package app

import (
	"cmp"
	"context"
	"math"
	"slices"

	"binakerja"
	"binakerja/internal/store"
)

// MinMatched is the fewest matched participants a programme effect is
// estimated on (research §4.3 rule 5, the Justice Data Lab's 60).
const MinMatched = 60

// caliperSD is the widest distance between matched scores, in standard
// deviations of the logit of the propensity score.
const caliperSD = 0.2

// matchK is how many comparisons each participant is matched to: one,
// the nearest, balances best where comparisons are few near the
// participants.
const matchK = 1

// Covariates are what participants and their comparison group are matched
// on (research §4.2, P1), as BinaKerja records them: employment before
// custody is not recorded, so it is not among them.
var Covariates = []string{"age", "male", "narcotics", "theft", "violence", "fraud", "sentence_years", "prior_spells",
	"secondary_education", "release_year", "same_region"}

// EffectOutcome is one outcome compared: the share among the matched
// participants and among their matches, the difference in percentage
// points with its 95 % interval, and whether it is significant (the
// interval leaves out zero). N counts the pairs whose window has closed.
type EffectOutcome struct {
	ID                         string // R1 (one year) or E2
	N                          int
	Participants, Comparison   *float64
	Difference, Low, High      *float64
	Significant                bool
	ParticipantCount, CompareN *int // those with the outcome in each group
	Suppressed                 map[string]string
}

// Balance is one covariate's standardised mean difference between the
// participants and the comparison group, before and after matching (below
// 0.1 counts as balanced).
type Balance struct {
	Covariate                   string
	Participants, Before, After float64 // means: participants, all of the pool, the matched
	SMDBefore, SMDAfter         float64
}

// Effect is the programme effect P1: participants (who completed a
// training during the stay) released in the period, each matched to the
// nearest on a propensity score of the people released then who did not
// train (with replacement, within 0.2 standard deviations of its logit). Enough is
// false, with no outcomes, when fewer than 60 could be matched.
type Effect struct {
	Organization                string
	From, To, AsOf              binakerja.Date
	Participants, Pool, Matched int
	Enough                      bool
	Outcomes                    []EffectOutcome
	Balance                     []Balance
}

// ProgrammeEffect estimates P1 for the actor's organisation and period.
func (a *App) ProgrammeEffect(ctx context.Context, ac Actor, q MetricQuery) (*Effect, error) {
	q.ID, q.Years = "", 0
	role, path, _, err := a.metricScope(ctx, ac, &q)
	if err != nil {
		return nil, err
	}
	facts, err := a.releaseFacts(ctx, store.ReleaseScope{Path: path, From: q.From, To: q.To, Cut: a.recordedCut(q.AsOf)})
	if err != nil {
		return nil, err
	}
	ef := programmeEffect(facts, q.AsOf)
	ef.Organization, ef.From, ef.To, ef.AsOf = q.Organization, q.From, q.To, q.AsOf
	if role == string(binakerja.RoleAnalyst) || q.Export {
		ef.suppress()
	}
	err = a.viewed(ctx, ac, role, "P1", q.Organization,
		map[string]any{"from": q.From, "to": q.To, "as_of": q.AsOf})
	return ef, err
}

// subject is one index release with its covariates and outcomes.
type subject struct {
	x           []float64
	treated     bool
	logit       float64
	r1, r1Known bool // back within a year; the year has closed
	e2, e2Known bool // in work on day 182; the day has passed (and not in custody then)
}

// programmeEffect matches and compares; see Effect.
func programmeEffect(facts *store.ReleaseFacts, asOf binakerja.Date) *Effect {
	index := indexReleases(facts)
	byPerson := map[int64][]store.ReleaseEpisode{}
	for _, e := range facts.Episodes {
		byPerson[e.PersonID] = append(byPerson[e.PersonID], e)
	}
	regions := map[string]int{}
	for _, e := range index {
		regions[regionOf(e.Region)]++
	}
	var common string
	for r, n := range regions {
		if n > regions[common] || n == regions[common] && r < common {
			common = r
		}
	}
	ids := slices.Sorted(func(yield func(int64) bool) {
		for id := range index {
			if !yield(id) {
				return
			}
		}
	})
	var subjects []*subject
	for _, id := range ids {
		e := index[id]
		in := func(d binakerja.Date) bool { return !d.Before(e.Admission) && !d.After(e.Release) }
		trained := slices.ContainsFunc(facts.Training, func(t store.ReleaseTraining) bool {
			return t.PersonID == id && t.Status == binakerja.EnrollmentCompleted && in(t.End)
		})
		enrolled := slices.ContainsFunc(facts.Training, func(t store.ReleaseTraining) bool { return t.PersonID == id && in(t.End) })
		if !trained && enrolled {
			continue // started but did not complete: neither group
		}
		prior := 0
		var back *store.ReleaseEpisode
		for _, x := range byPerson[id] {
			if x.Admission.Before(e.Admission) {
				prior++
			}
			if x.Admission.After(e.Release) && (back == nil || x.Admission.Before(back.Admission)) {
				x := x
				back = &x
			}
		}
		age := 0.0
		if !e.BirthDate.IsZero() {
			age = float64(days(e.BirthDate, e.Release)) / 365.25
		}
		flag := func(b bool) float64 {
			if b {
				return 1
			}
			return 0
		}
		s := &subject{treated: trained, x: []float64{age, flag(e.Sex == "L"), flag(e.Offence == string(binakerja.OffenceNarcotics)),
			flag(e.Offence == string(binakerja.OffenceTheft)), flag(e.Offence == string(binakerja.OffenceViolence)),
			flag(e.Offence == string(binakerja.OffenceFraud)),
			float64(e.SentenceYears) + float64(e.SentenceMonths)/12 + float64(e.SentenceDays)/365, float64(min(prior, 3)),
			flag(slices.Contains([]string{"SMA", "SMK", "D3", "S1", "S2"}, e.Education)),
			float64(e.Release.Time().Year()), flag(regionOf(e.Region) == common)}}
		year := e.Release.AddDate(0, 0, 365)
		if s.r1Known = !year.AddDate(0, 0, recordingLag).After(asOf); s.r1Known {
			s.r1 = back != nil && !back.Admission.After(year)
		}
		on := e.Release.AddDate(0, 0, 182)
		inCustody := back != nil && !back.Admission.After(on) && (back.Release.IsZero() || !back.Release.Before(on))
		// Work on day 182 counts only where it is known (a job covering the
		// day, or a follow-up with contact near it, as E1k): the comparison
		// group is seldom followed up, and an unknown status taken as no
		// work would flatter the programme.
		if !on.AddDate(0, 0, recordingLag).After(asOf) && !inCustody {
			s.e2 = slices.ContainsFunc(facts.Placements, func(p store.ReleasePlacement) bool {
				return p.PersonID == id && p.Kind != binakerja.PlacementInternship && !p.Start.After(on) && (p.End.IsZero() || !p.End.Before(on))
			})
			s.e2Known = s.e2 || slices.ContainsFunc(facts.FollowUps, func(f store.ReleaseFollowUp) bool {
				return f.PersonID == id && f.Contacted && f.Outcome != binakerja.OutcomeUnreachable && absDays(f.Contact, on) <= knownStatusDays
			})
		}
		subjects = append(subjects, s)
	}
	return matchSubjects(subjects)
}

// regionOf is a region code's province.
func regionOf(code string) string {
	if len(code) >= 2 {
		return code[:2]
	}
	return code
}

// matchSubjects fits the propensity score, matches each participant to the
// nearest comparison within the caliper, and compares their outcomes.
func matchSubjects(subjects []*subject) *Effect {
	ef := &Effect{}
	var treated, pool []*subject
	for _, s := range subjects {
		if s.treated {
			treated = append(treated, s)
		} else {
			pool = append(pool, s)
		}
	}
	ef.Participants, ef.Pool = len(treated), len(pool)
	if len(treated) < MinMatched || len(pool) < MinMatched {
		return ef
	}
	standardise(subjects)
	beta := logistic(subjects)
	var sum, sq float64
	for _, s := range subjects {
		s.logit = dot(beta, s.x)
		sum += s.logit
		sq += s.logit * s.logit
	}
	n := float64(len(subjects))
	caliper := caliperSD * math.Sqrt(math.Max(sq/n-(sum/n)*(sum/n), 0))
	// With replacement: each participant's matchK nearest comparisons
	// within the caliper, which may serve several (as the Justice Data Lab
	// matches), each counting 1/k.
	slices.SortStableFunc(pool, func(a, b *subject) int { return cmp.Compare(a.logit, b.logit) })
	type match struct {
		t  *subject
		cs []*subject
	}
	var matches []match
	for _, t := range treated {
		j, _ := slices.BinarySearchFunc(pool, t.logit, func(c *subject, v float64) int { return cmp.Compare(c.logit, v) })
		lo, hi := j-1, j
		var cs []*subject
		for len(cs) < matchK {
			dl, dh := math.Inf(1), math.Inf(1)
			if lo >= 0 {
				dl = t.logit - pool[lo].logit
			}
			if hi < len(pool) {
				dh = pool[hi].logit - t.logit
			}
			if math.Min(dl, dh) > caliper {
				break
			}
			if dl <= dh {
				cs, lo = append(cs, pool[lo]), lo-1
			} else {
				cs, hi = append(cs, pool[hi]), hi+1
			}
		}
		if len(cs) > 0 {
			matches = append(matches, match{t, cs})
		}
	}
	ef.Matched = len(matches)
	if ef.Matched < MinMatched {
		return ef
	}
	ef.Enough = true
	for _, o := range []struct {
		id    string
		value func(*subject) (bool, bool)
	}{{"R1", func(s *subject) (bool, bool) { return s.r1, s.r1Known }}, {"E2", func(s *subject) (bool, bool) { return s.e2, s.e2Known }}} {
		out := EffectOutcome{ID: o.id}
		var xt int
		var xc float64
		for _, m := range matches {
			vt, kt := o.value(m.t)
			if !kt {
				continue
			}
			known, yes := 0, 0
			for _, c := range m.cs {
				if vc, kc := o.value(c); kc {
					known++
					if vc {
						yes++
					}
				}
			}
			if known == 0 {
				continue
			}
			out.N++
			if vt {
				xt++
			}
			xc += float64(yes) / float64(known)
		}
		if out.N > 0 {
			pt, pc := float64(xt)/float64(out.N), xc/float64(out.N)
			d := pt - pc
			se := math.Sqrt(pt*(1-pt)/float64(out.N) + pc*(1-pc)/float64(out.N))
			lo, hi := d-1.959964*se, d+1.959964*se
			out.Participants, out.Comparison = ptrf(round4(pt)), ptrf(round4(pc))
			out.Difference, out.Low, out.High = ptrf(round4(d)), ptrf(round4(lo)), ptrf(round4(hi))
			out.Significant = lo > 0 || hi < 0
			out.ParticipantCount, out.CompareN = ptr(xt), ptr(int(math.Round(xc)))
		}
		ef.Outcomes = append(ef.Outcomes, out)
	}
	// The balance table, on the covariates as recorded (not standardised),
	// each difference on the pooled standard deviation of the groups before
	// matching, so that before and after compare.
	for k, name := range Covariates {
		var mt, mp []float64
		for _, s := range treated {
			mt = append(mt, s.raw(k))
		}
		for _, s := range pool {
			mp = append(mp, s.raw(k))
		}
		after := 0.0
		for _, m := range matches {
			for _, c := range m.cs {
				after += c.raw(k) / float64(len(m.cs))
			}
		}
		after /= float64(len(matches))
		sd := math.Sqrt((stddev(mt)*stddev(mt) + stddev(mp)*stddev(mp)) / 2)
		smdOf := func(m float64) float64 {
			if sd == 0 {
				return 0
			}
			return (mean(mt) - m) / sd
		}
		ef.Balance = append(ef.Balance, Balance{Covariate: name, Participants: round4(mean(mt)), Before: round4(mean(mp)),
			After: round4(after), SMDBefore: round4(smdOf(mean(mp))), SMDAfter: round4(smdOf(after))})
	}
	return ef
}

// raw is a covariate as recorded: standardise keeps it in the last part of
// x.
func (s *subject) raw(k int) float64 { return s.x[len(Covariates)+1+k] }

// standardise rewrites every subject's x as 1 (the intercept) followed by
// the covariates scaled to mean 0 and standard deviation 1, keeping the
// covariates as recorded after them.
func standardise(subjects []*subject) {
	k := len(Covariates)
	m, sd := make([]float64, k), make([]float64, k)
	for j := range k {
		var v []float64
		for _, s := range subjects {
			v = append(v, s.x[j])
		}
		m[j] = mean(v)
		sd[j] = stddev(v)
	}
	for _, s := range subjects {
		x := make([]float64, 0, 1+2*k)
		x = append(x, 1)
		for j := range k {
			if sd[j] > 0 {
				x = append(x, (s.x[j]-m[j])/sd[j])
			} else {
				x = append(x, 0)
			}
		}
		s.x = append(x, s.x...)
	}
}

// logistic fits a logistic regression of treatment on the standardised
// covariates (the first 1+len(Covariates) of x) by Newton–Raphson, with a
// small ridge so that a covariate that separates the groups cannot make it
// diverge.
func logistic(subjects []*subject) []float64 {
	p := 1 + len(Covariates)
	beta := make([]float64, p)
	const ridge = 1e-2
	for range 25 {
		grad := make([]float64, p)
		hess := make([][]float64, p)
		for i := range hess {
			hess[i] = make([]float64, p)
			hess[i][i] = ridge
		}
		for j := 1; j < p; j++ {
			grad[j] = -ridge * beta[j]
		}
		for _, s := range subjects {
			x := s.x[:p]
			mu := 1 / (1 + math.Exp(-dot(beta, x)))
			y := 0.0
			if s.treated {
				y = 1
			}
			w := mu * (1 - mu)
			for i := range p {
				grad[i] += (y - mu) * x[i]
				for j := range p {
					hess[i][j] += w * x[i] * x[j]
				}
			}
		}
		step, ok := solve(hess, grad)
		if !ok {
			break
		}
		change := 0.0
		for i := range beta {
			beta[i] += step[i]
			change = math.Max(change, math.Abs(step[i]))
		}
		if change < 1e-8 {
			break
		}
	}
	return beta
}

func dot(b, x []float64) float64 {
	s := 0.0
	for i := range b {
		s += b[i] * x[i]
	}
	return s
}

// solve solves a x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, bool) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(slices.Clone(a[i]), b[i])
	}
	for c := range n {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[piv][c]) {
				piv = r
			}
		}
		if math.Abs(m[piv][c]) < 1e-12 {
			return nil, false
		}
		m[c], m[piv] = m[piv], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, true
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func stddev(v []float64) float64 {
	if len(v) < 2 {
		return 0
	}
	m, s := mean(v), 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)-1))
}

func ptrf(v float64) *float64 { return &v }

// suppress withholds, from an analyst and from exports, the counts of 1
// to 9 (as −1), and the shares of an outcome counted on 1 to 9 people in
// either group, with its difference.
func (ef *Effect) suppress() {
	for _, n := range []*int{&ef.Participants, &ef.Pool, &ef.Matched} {
		if *n > 0 && *n < smallCount {
			*n = -1
		}
	}
	for i := range ef.Outcomes {
		o := &ef.Outcomes[i]
		for _, n := range []*int{o.ParticipantCount, o.CompareN} {
			if n != nil && *n > 0 && *n < smallCount {
				o.Participants, o.Comparison, o.Difference, o.Low, o.High, o.ParticipantCount, o.CompareN = nil, nil, nil, nil, nil, nil, nil
				o.Significant = false
				o.Suppressed = map[string]string{"outcome": "SUPPRESSED_SMALL_COUNT"}
				break
			}
		}
	}
}
