package app

import (
	"context"
	"math"
	"slices"

	"binakerja"
	"binakerja/internal/store"
)

// The survival curves of research §4.2 (E6, R4): Kaplan–Meier estimates of
// the time from the index release to the first job, or to re-admission, by
// training status. A curve stops where fewer than minAtRisk remain at risk.
const minAtRisk = 20

// The training statuses the curves are drawn for.
const (
	StatusCertified  = "certified"   // holding a certificate earned during the stay
	StatusTrained    = "trained"     // completed a training, not certified
	StatusNotTrained = "not_trained" // neither
)

// SurvivalKinds are the curves there are: time to first work, and to
// re-admission.
var SurvivalKinds = []string{"employment", "readmission"}

// atRiskDays are the days of the at-risk table under a chart.
var atRiskDays = []int{0, 30, 90, 182, 365, 730, 1095}

// SurvivalPoint is one step of a curve: on Day, Events happened among
// AtRisk, and Estimate is the probability of the event by that day
// (1 − S(t)). A count withheld from an analyst (1 to 9) is −1.
type SurvivalPoint struct {
	Day      int
	AtRisk   int
	Events   int
	Censored int
	Estimate float64
	se       float64 // Greenwood's standard error of the estimate
	// Beyond: in the at-risk table, a day past the curve's end (it stopped
	// with fewer than 20 at risk, or no one is followed that long), whose
	// estimate is not known.
	Beyond bool
}

// SurvivalGroup is the curve of one training status.
type SurvivalGroup struct {
	Status    string
	N         int
	Points    []SurvivalPoint
	AtRisk    []SurvivalPoint // at the days of atRiskDays, with the estimate then
	Truncated bool            // the curve stops where fewer than 20 remained at risk
	Median    int             // the day the estimate reaches one half; 0 if it does not
	Withheld  string          // why the analyst does not see this group, if not
}

// Survival is a set of curves.
type Survival struct {
	Kind           string
	Organization   string
	From, To, AsOf binakerja.Date
	Groups         []SurvivalGroup
}

// SurvivalQuery asks for the curves of a kind, of an organisation (empty for
// the nation), for the releases of [From, To], as known on AsOf.
type SurvivalQuery struct {
	Kind         string
	Organization string
	From, To     binakerja.Date
	AsOf         binakerja.Date
	Export       bool // the small-number rules whoever asks
}

// MetricsSurvival computes the curves for the actor. An analyst sees no
// group of fewer than 30 people, and no count at risk of 1 to 9.
func (a *App) MetricsSurvival(ctx context.Context, ac Actor, q SurvivalQuery) (*Survival, error) {
	ss, err := a.MetricsSurvivals(ctx, ac, q, []string{q.Kind})
	if err != nil {
		return nil, err
	}
	return ss[0], nil
}

// MetricsSurvivals computes the curves of each of kinds from one reading of
// the releases' facts.
func (a *App) MetricsSurvivals(ctx context.Context, ac Actor, q SurvivalQuery, kinds []string) ([]*Survival, error) {
	for _, k := range kinds {
		if !slices.Contains(SurvivalKinds, k) {
			return nil, binakerja.FieldInvalid("kind", "metrics.survival_kind")
		}
	}
	mq := MetricQuery{Organization: q.Organization, From: q.From, To: q.To, AsOf: q.AsOf}
	role, path, _, err := a.metricScope(ctx, ac, &mq)
	if err != nil {
		return nil, err
	}
	q.From, q.To, q.AsOf = mq.From, mq.To, mq.AsOf
	facts, err := a.releaseFacts(ctx, store.ReleaseScope{Path: path, From: q.From, To: q.To, Cut: a.recordedCut(q.AsOf)})
	if err != nil {
		return nil, err
	}
	var out []*Survival
	for _, k := range kinds {
		s := survivalOf(k, facts, q.AsOf)
		s.Organization, s.From, s.To, s.AsOf = q.Organization, q.From, q.To, q.AsOf
		if role == string(binakerja.RoleAnalyst) || q.Export {
			s.suppress()
		}
		out = append(out, s)
	}
	err = a.viewed(ctx, ac, role, "survival", q.Organization,
		map[string]any{"kinds": kinds, "from": q.From, "to": q.To, "as_of": q.AsOf})
	return out, err
}

// obs is one person's observation: the event on day days, or censored then.
type obs struct {
	days  int
	event bool
}

// survivalOf estimates the curves of a kind from the facts.
func survivalOf(kind string, facts *store.ReleaseFacts, asOf binakerja.Date) *Survival {
	groups := survivalObs(kind, facts, asOf)
	s := &Survival{Kind: kind}
	for _, status := range []string{StatusCertified, StatusTrained, StatusNotTrained} {
		g := kaplanMeier(groups[status], minAtRisk)
		g.Status = status
		s.Groups = append(s.Groups, g)
	}
	return s
}

// survivalObs observes every index release of the facts for the event of
// a kind (a first job, or re-admission) by training status, censored on
// asOf; for a first job, also on going back into custody.
func survivalObs(kind string, facts *store.ReleaseFacts, asOf binakerja.Date) map[string][]obs {
	index := indexReleases(facts)
	groups := map[string][]obs{}
	for id, e := range index {
		in := func(d binakerja.Date) bool { return !d.Before(e.Admission) && !d.After(e.Release) }
		status := StatusNotTrained
		if slices.ContainsFunc(facts.Certificates, func(c store.FunnelCertificate) bool {
			return c.PersonID == id && c.Status != binakerja.CertificateRevoked && in(c.IssuedOn)
		}) {
			status = StatusCertified
		} else if slices.ContainsFunc(facts.Training, func(t store.ReleaseTraining) bool {
			return t.PersonID == id && t.Status == binakerja.EnrollmentCompleted && in(t.End)
		}) {
			status = StatusTrained
		}
		end := days(e.Release, asOf) // censored at asOf
		var back binakerja.Date
		for _, x := range facts.Episodes {
			if x.PersonID == id && x.Admission.After(e.Release) && (back.IsZero() || x.Admission.Before(back)) {
				back = x.Admission
			}
		}
		o := obs{days: end}
		switch kind {
		case "readmission":
			if !back.IsZero() && !back.After(asOf) {
				o = obs{days: days(e.Release, back), event: true}
			}
		default:
			if !back.IsZero() && !back.After(asOf) {
				o.days = days(e.Release, back) // back in custody: no longer at risk of a first job
			}
			first := -1
			for _, p := range facts.Placements {
				if p.PersonID == id && !p.Start.Before(e.Release) && !p.Start.After(asOf) {
					if d := days(e.Release, p.Start); first < 0 || d < first {
						first = d
					}
				}
			}
			if first >= 0 && first <= o.days {
				o = obs{days: first, event: true}
			}
		}
		groups[status] = append(groups[status], o)
	}
	return groups
}

// kaplanMeier is the product-limit estimate of the observations, with
// Greenwood's variance, stopped where fewer than floor remain at risk.
func kaplanMeier(os []obs, floor int) SurvivalGroup {
	os = slices.Clone(os)
	g := SurvivalGroup{N: len(os)}
	slices.SortFunc(os, func(x, y obs) int { return x.days - y.days })
	atRisk, surv, greenwood := len(os), 1.0, 0.0
	for i := 0; i < len(os); {
		day := os[i].days
		var ev, cens int
		for ; i < len(os) && os[i].days == day; i++ {
			if os[i].event {
				ev++
			} else {
				cens++
			}
		}
		if atRisk < floor {
			g.Truncated = true
			break
		}
		if ev > 0 {
			surv *= 1 - float64(ev)/float64(atRisk)
			if ev < atRisk {
				greenwood += float64(ev) / float64(atRisk*(atRisk-ev))
			}
		}
		g.Points = append(g.Points, SurvivalPoint{Day: day, AtRisk: atRisk, Events: ev, Censored: cens,
			Estimate: round4(1 - surv), se: surv * math.Sqrt(greenwood)})
		if g.Median == 0 && 1-surv >= 0.5 {
			g.Median = day
		}
		atRisk -= ev + cens
	}
	for _, d := range atRiskDays {
		p := SurvivalPoint{Day: d}
		for _, o := range os {
			if o.days >= d {
				p.AtRisk++
			}
		}
		for _, x := range g.Points {
			if x.Day <= d {
				p.Estimate = x.Estimate
			}
		}
		last := -1
		if len(g.Points) > 0 {
			last = g.Points[len(g.Points)-1].Day
		}
		p.Beyond = g.Truncated && d > last || p.AtRisk == 0 && d > 0
		g.AtRisk = append(g.AtRisk, p)
	}
	return g
}

// at is the estimate by day t with its 95 % interval (Greenwood), and the
// events by then; ok is false when the curve does not reach t: it was
// truncated before, or no one has been followed that long.
func (g SurvivalGroup) at(t int) (estimate, low, high float64, events int, ok bool) {
	last := -1
	for i, p := range g.Points {
		if p.Day > t {
			break
		}
		last, events = i, events+p.Events
	}
	followed := false
	for _, p := range g.Points {
		if p.Day >= t {
			followed = true
			break
		}
	}
	if !followed || g.N == 0 {
		return 0, 0, 0, 0, false
	}
	if last < 0 {
		return 0, 0, 0, 0, true
	}
	p := g.Points[last]
	return p.Estimate, round4(math.Max(0, p.Estimate-1.959964*p.se)), round4(math.Min(1, p.Estimate+1.959964*p.se)), events, true
}

func days(from, to binakerja.Date) int { return int(to.Time().Sub(from.Time()).Hours() / 24) }

// suppress withholds from an analyst the groups of fewer than 30 people,
// and in the others every count at risk, of events or censored of 1 to 9.
func (s *Survival) suppress() {
	for i := range s.Groups {
		g := &s.Groups[i]
		if g.N < smallDenominator {
			*g = SurvivalGroup{Status: g.Status, Withheld: "SMALL_DENOMINATOR"}
			continue
		}
		small := func(n *int) {
			if *n > 0 && *n < smallCount {
				*n = -1 // shown as "<10"
			}
		}
		for j := range g.Points {
			small(&g.Points[j].AtRisk)
			small(&g.Points[j].Events)
			small(&g.Points[j].Censored)
		}
		for j := range g.AtRisk {
			small(&g.AtRisk[j].AtRisk)
		}
	}
}
