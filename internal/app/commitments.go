package app

import (
	"context"
	"math"

	"binakerja"
	"binakerja/internal/store"
)

// CommitmentRow is one commitment of an agreement in the
// agreement-commitments report: what was promised, what the records show,
// and what was due by the report's day at an even pace.
type CommitmentRow struct {
	Agreement  *binakerja.Agreement
	Commitment binakerja.Commitment
	Expected   int  // the target in proportion to the share of its period gone by as_of
	OnTrack    bool // the actual reaches what was expected
	// Withheld: the actual, a count of people, is 1 to 9 and the viewer
	// an analyst (or the report an export). The target and what was due
	// are the agreement's own terms, not counts of people.
	Withheld bool
}

// CommitmentsReport lists the commitments of the agreements with a party
// within the organisation (or anywhere, for the nation) whose term
// overlaps the period, each agreement's in turn: what was reached by as_of,
// as recorded by its end.
func (a *App) CommitmentsReport(ctx context.Context, ac Actor, q MetricQuery) ([]CommitmentRow, error) {
	q.ID, q.Years = "", 0
	role, path, _, err := a.metricScope(ctx, ac, &q)
	if err != nil {
		return nil, err
	}
	f := store.AgreementFilter{All: path == "", Page: store.Page{Limit: store.MaxLimit}}
	if path != "" {
		f.Within = []string{path}
	}
	ags, _, err := a.db.Agreements(ctx, f)
	if err != nil {
		return nil, err
	}
	// As of a past day, what had been reached and recorded by then.
	var past map[int64]int
	if cut := a.recordedCut(q.AsOf); !cut.IsZero() {
		var ids []int64
		for _, ag := range ags {
			ids = append(ids, ag.ID)
		}
		if past, err = a.db.CommitmentActualsAsOf(ctx, ids, q.AsOf, cut); err != nil {
			return nil, err
		}
	}
	var out []CommitmentRow
	for _, ag := range ags {
		if ag.Status == binakerja.AgreementDraft || ag.ValidFrom.After(q.To) || ag.ValidUntil.Before(q.From) {
			continue
		}
		for _, c := range ag.Commitments {
			if past != nil {
				c.Actual = past[c.ID]
			}
			from, until := c.From, c.Until
			if from.IsZero() {
				from, until = ag.ValidFrom, ag.ValidUntil
			}
			share := 1.0
			if total := days(from, until); total > 0 {
				share = math.Min(1, math.Max(0, float64(days(from, q.AsOf))/float64(total)))
			}
			expected := int(math.Round(float64(c.Target) * share))
			row := CommitmentRow{Agreement: ag, Commitment: c, Expected: expected, OnTrack: c.Actual >= expected}
			if (role == string(binakerja.RoleAnalyst) || q.Export) && c.Actual > 0 && c.Actual < smallCount {
				row.Withheld, row.Commitment.Actual = true, -1
			}
			out = append(out, row)
		}
	}
	return out, nil
}
