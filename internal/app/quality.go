package app

import (
	"context"
	"math"
	"time"

	"binakerja"
	"binakerja/internal/store"
)

// QualityKeys are the data-quality panel's measures (research §4.4): the
// share of those counted by E1 and E2 whose status on the day is unknown,
// and the share of releases, placements, follow-ups and certificates
// recorded more than the recording lag (30 days) after the day they
// happened.
var QualityKeys = []string{"unknown_e1", "unknown_e2", "late_release", "late_placement", "late_followup", "late_certificate"}

// QualityItem is one measure: Count of Of, and their share.
type QualityItem struct {
	Key        string
	Count, Of  *int
	Rate       *float64
	Suppressed map[string]string
	Caution    bool // a share of 30 to 99: shown, but of a group too small to generalise
	TopCoded   bool // a facility's share of 0 or 1, shown as at most 0.05 or at least 0.95
}

// DataQuality computes the data-quality panel for an organisation and
// period: of the releases of the period (and their people's placements
// and follow-ups since) and of the certificates of the cohorts ending in
// it. An analyst's counts follow the small-number rules.
func (a *App) DataQuality(ctx context.Context, ac Actor, q MetricQuery) ([]QualityItem, error) {
	q.ID, q.Years = "", 0
	role, path, org, err := a.metricScope(ctx, ac, &q)
	if err != nil {
		return nil, err
	}
	cut := a.recordedCut(q.AsOf)
	release, err := a.releaseFacts(ctx, store.ReleaseScope{Path: path, From: q.From, To: q.To, Cut: cut})
	if err != nil {
		return nil, err
	}
	funnel, err := a.funnelFacts(ctx, store.FunnelScope{Path: path, From: q.From, To: q.To, Cut: cut})
	if err != nil {
		return nil, err
	}
	late := func(day binakerja.Date, recorded time.Time) bool {
		y, m, d := day.AddDate(0, 0, recordingLag+1).Time().Date()
		return !recorded.Before(time.Date(y, m, d, 0, 0, 0, 0, wib))
	}
	counts := map[string][2]int{}
	add := func(key string, isLate bool) {
		c := counts[key]
		c[1]++
		if isLate {
			c[0]++
		}
		counts[key] = c
	}
	index := indexReleases(release)
	for _, e := range index {
		add("late_release", late(e.Release, e.Recorded))
	}
	for _, p := range release.Placements {
		if e, ok := index[p.PersonID]; ok && !p.Start.Before(e.Release) {
			add("late_placement", late(p.Start, p.Recorded))
		}
	}
	for _, f := range release.FollowUps {
		if e, ok := index[f.PersonID]; ok && !f.Contact.Before(e.Release) {
			add("late_followup", late(f.Contact, f.Recorded))
		}
	}
	trainees := map[int64]bool{}
	for _, e := range funnel.Enrolments {
		trainees[e.PersonID] = true
	}
	for _, c := range funnel.Certificates {
		if trainees[c.PersonID] {
			add("late_certificate", late(c.IssuedOn, c.Recorded))
		}
	}
	for key, id := range map[string]string{"unknown_e1": "E1", "unknown_e2": "E2"} {
		m := releaseMetric(MetricQuery{ID: id, From: q.From, To: q.To, AsOf: q.AsOf}, release)
		counts[key] = [2]int{*m.Unknown, *m.Denominator}
	}
	var out []QualityItem
	for _, key := range QualityKeys {
		c := counts[key]
		it := QualityItem{Key: key, Count: ptr(c[0]), Of: ptr(c[1])}
		if c[1] > 0 {
			it.Rate = rate(c[0], c[1])
		}
		if role == string(binakerja.RoleAnalyst) || q.Export {
			it.suppress(org == nil || org.Kind != binakerja.OrgFacility)
		}
		out = append(out, it)
	}
	err = a.viewed(ctx, ac, role, "quality", q.Organization,
		map[string]any{"from": q.From, "to": q.To, "as_of": q.AsOf})
	return out, err
}

// suppress withholds a count of 1 to 9 and the share of fewer than 30,
// cautions one of 30 to 99 and top-codes a facility's 0 or 1 (wide: not a
// facility).
func (it *QualityItem) suppress(wide bool) {
	it.Suppressed = map[string]string{}
	for name, v := range map[string]**int{"count": &it.Count, "of": &it.Of} {
		if **v > 0 && **v < smallCount {
			*v, it.Suppressed[name] = nil, "SUPPRESSED_SMALL_COUNT"
		}
	}
	switch {
	case it.Rate == nil:
	case it.Of == nil || *it.Of < smallDenominator:
		it.Rate, it.Suppressed["rate"] = nil, "SMALL_DENOMINATOR"
	case it.Count == nil:
		it.Rate, it.Suppressed["rate"] = nil, "SUPPRESSED_SMALL_COUNT"
	default:
		it.Caution = *it.Of < cautionDenominator
		if !wide && (*it.Rate <= 0.05 || *it.Rate >= 0.95) {
			// The share would tell every member's: the count goes too.
			it.TopCoded = true
			*it.Rate = math.Min(math.Max(*it.Rate, 0.05), 0.95)
			it.Count, it.Suppressed["count"] = nil, "SUPPRESSED_SECONDARY"
		}
	}
	if len(it.Suppressed) == 0 {
		it.Suppressed = nil
	}
}
