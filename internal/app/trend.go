package app

import (
	"context"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/store"
)

// TrendIDs are the figures drawn as trends by quarter (research §4.4):
// certification, work at 6 weeks and 6 months, re-admission within a year.
var TrendIDs = []string{"T3", "E1", "E2", "R1"}

// trendQuarters is how many quarters a trend spans: three years.
const trendQuarters = 12

// Trend is one figure of the catalogue for each quarter of three years,
// the last the quarter of the period's end. A quarter whose window has not
// closed by as_of is in Points with Mature false and no rate: only mature
// cohorts are drawn.
type Trend struct {
	ID     string
	Points []*Metric
}

// MetricTrends computes the trends of TrendIDs for the actor, from one
// reading of the facts of the three years. For an analyst every quarter
// follows the small-number rules, and across the four quarters of a year
// (whose total the year's figure shows) one withheld count takes the next
// smallest with it.
func (a *App) MetricTrends(ctx context.Context, ac Actor, q MetricQuery) ([]Trend, error) {
	q.ID, q.Years = "", 0
	role, path, org, err := a.metricScope(ctx, ac, &q)
	if err != nil {
		return nil, err
	}
	y, m, _ := q.To.Time().Date()
	lastStart := binakerja.NewDate(y, time.Month((int(m)-1)/3*3+1), 1)
	first := lastStart.AddDate(0, -3*(trendQuarters-1), 0)
	last := lastStart.AddDate(0, 3, -1)
	cut := a.recordedCut(q.AsOf)
	funnel, err := a.funnelFacts(ctx, store.FunnelScope{Path: path, From: first, To: last, Cut: cut})
	if err != nil {
		return nil, err
	}
	release, err := a.releaseFacts(ctx, store.ReleaseScope{Path: path, From: first, To: last, Cut: cut})
	if err != nil {
		return nil, err
	}
	var out []Trend
	for _, id := range TrendIDs {
		t := Trend{ID: id}
		for i := range trendQuarters {
			from := first.AddDate(0, 3*i, 0)
			mq := MetricQuery{ID: id, Organization: q.Organization, From: from, To: from.AddDate(0, 3, -1), AsOf: q.AsOf}
			if id == "R1" {
				mq.Years = 1
			}
			if mq.To.After(q.AsOf) {
				break
			}
			var m *Metric
			if id == "T3" {
				f := &metricFacts{byEnd: funnel.Within(mq.From, mq.To, false)}
				m = trainingMetric(mq, f)
			} else {
				m = releaseMetric(mq, release.Within(mq.From, mq.To))
			}
			m.ID, m.Organization, m.From, m.To, m.AsOf, m.Years = id, mq.Organization, mq.From, mq.To, mq.AsOf, mq.Years
			m.Mature = !m.MatureOn.After(q.AsOf)
			if !m.Mature {
				m.Rate, m.Low, m.High, m.Parts = nil, nil, nil, nil
				m.Suppressed = map[string]string{"rate": "NOT_MATURE"}
			}
			t.Points = append(t.Points, m)
		}
		if role == string(binakerja.RoleAnalyst) || q.Export {
			wide := org == nil || org.Kind != binakerja.OrgFacility
			truth := make([][2]int, len(t.Points))
			for i, m := range t.Points {
				if m.Numerator != nil {
					truth[i][0] = *m.Numerator
				}
				if m.Denominator != nil {
					truth[i][1] = *m.Denominator
				}
			}
			for _, m := range t.Points {
				notMature := m.Suppressed["rate"]
				m.suppress(wide)
				if notMature != "" {
					if m.Suppressed == nil {
						m.Suppressed = map[string]string{}
					}
					m.Suppressed["rate"] = notMature
				}
			}
			suppressAcrossYears(t.Points, truth)
		}
		out = append(out, t)
	}
	err = a.viewed(ctx, ac, role, "trend:"+strings.Join(TrendIDs, ","), q.Organization,
		map[string]any{"from": first, "to": last, "as_of": q.AsOf})
	return out, err
}

// suppressAcrossYears withholds, within each calendar year's quarters
// (whose sum the year's own figure tells), the next smallest numerator or
// denominator beside withheld ones for as long as a withheld one could be
// told from that sum. truth holds each point's counts before suppression.
func suppressAcrossYears(points []*Metric, truth [][2]int) {
	byYear := map[int][]int{}
	for i, m := range points {
		byYear[m.From.Time().Year()] = append(byYear[m.From.Time().Year()], i)
	}
	for _, idx := range byYear {
		for c, col := range []struct {
			name string
			get  func(*Metric) **int
		}{{"numerator", func(m *Metric) **int { return &m.Numerator }}, {"denominator", func(m *Metric) **int { return &m.Denominator }}} {
			for {
				sum, shown := 0, 0
				var cells []bound
				next := -1
				for _, i := range idx {
					m := points[i]
					sum += truth[i][c]
					switch v := *col.get(m); {
					case v == nil && m.Suppressed[col.name] == "SUPPRESSED_SMALL_COUNT":
						cells = append(cells, bound{1, 9})
					case v == nil:
						cells = append(cells, bound{10, unbounded})
					default:
						shown += *v
						if *v > 0 && (next < 0 || *v < **col.get(points[next])) {
							next = i
						}
					}
				}
				if next < 0 || !pinned(sum-shown, cells) {
					break
				}
				m := points[next]
				*col.get(m) = nil
				if m.Suppressed == nil {
					m.Suppressed = map[string]string{}
				}
				m.Suppressed[col.name] = "SUPPRESSED_SECONDARY"
				m.Rate, m.Low, m.High = nil, nil, nil
				if m.Suppressed["rate"] == "" {
					m.Suppressed["rate"] = "SUPPRESSED_SECONDARY"
				}
			}
		}
	}
}
