package binakerja

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// MilestoneRule computes the ½ and ⅔ dates of a prison term: the fractions
// of the term, counted from admission, at which assimilation and parole come
// into reach. The rules are data (rules/milestones.json), versioned with
// their legal source, because the thresholds have changed before and the
// prison database's own dates take precedence anyway.
type MilestoneRule struct {
	Version   string `json:"version"`
	Source    string `json:"source"`
	ValidFrom Date   `json:"valid_from"`
	Half      [2]int `json:"half"`
	TwoThirds [2]int `json:"two_thirds"`
}

//go:embed rules/milestones.json
var milestoneJSON []byte

var milestoneRules = func() []MilestoneRule {
	var f struct {
		Versions []MilestoneRule `json:"versions"`
	}
	if err := json.Unmarshal(milestoneJSON, &f); err != nil || len(f.Versions) == 0 {
		panic(fmt.Sprintf("rules/milestones.json: %v", err))
	}
	for _, r := range f.Versions {
		if r.Half[1] == 0 || r.TwoThirds[1] == 0 {
			panic("rules/milestones.json: a fraction with denominator 0 in " + r.Version)
		}
	}
	return f.Versions
}()

// MilestoneRuleFor returns the rule in force on the admission date: the
// newest version valid from that date or earlier (the oldest when none is).
func MilestoneRuleFor(admission Date) MilestoneRule {
	best := milestoneRules[0]
	for _, r := range milestoneRules {
		if !r.ValidFrom.After(admission) && !r.ValidFrom.Before(best.ValidFrom) {
			best = r
		}
	}
	return best
}

// Dates returns the ½ and ⅔ dates of a term served from admission: the day
// on which that fraction of the term's days has passed.
func (r MilestoneRule) Dates(admission Date, s Sentence) (half, twoThirds Date) {
	if admission.IsZero() || s.IsZero() {
		return Date{}, Date{}
	}
	days := admission.DaysUntil(s.EndFrom(admission))
	at := func(f [2]int) Date { return admission.AddDate(0, 0, days*f[0]/f[1]) }
	return at(r.Half), at(r.TwoThirds)
}
