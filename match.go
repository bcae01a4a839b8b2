package binakerja

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Evidence is what shows that a person holds a competency unit, strongest
// first: a valid certificate of a scheme holding it, a K result in an
// assessment, a completed training for a scheme holding it, or an officer's
// report.
type Evidence string

// The kinds of evidence.
const (
	EvidenceCertificate Evidence = "CERTIFICATE"
	EvidenceAssessed    Evidence = "ASSESSED"
	EvidenceTraining    Evidence = "TRAINING"
	EvidenceReported    Evidence = "REPORTED"
)

// Evidences lists the kinds, strongest first.
var Evidences = []Evidence{EvidenceCertificate, EvidenceAssessed, EvidenceTraining, EvidenceReported}

// Stronger reports whether e is stronger evidence than f (any evidence is
// stronger than none).
func (e Evidence) Stronger(f Evidence) bool {
	i, j := slices.Index(Evidences, e), slices.Index(Evidences, f)
	return i >= 0 && (j < 0 || i < j)
}

// Decay is a gaussian decay (as in search engines' function scores): 1 up to
// Offset, then falling to Decay at Offset+Scale.
type Decay struct {
	Offset  float64 `json:"offset"`
	Scale   float64 `json:"scale"`
	Decay   float64 `json:"decay"`
	Unknown float64 `json:"unknown"` // the value when x is not known
}

// At returns the decay's value at x.
func (d Decay) At(x float64) float64 {
	over := math.Max(0, x-d.Offset)
	if over == 0 || d.Scale <= 0 {
		return 1
	}
	sigma2 := -d.Scale * d.Scale / (2 * math.Log(d.Decay))
	return math.Exp(-over * over / (2 * sigma2))
}

// MatchWeights weigh the parts of a match score.
type MatchWeights struct {
	Required     float64 `json:"required"`
	Optional     float64 `json:"optional"`
	Level        float64 `json:"level"`
	Distance     float64 `json:"distance"`
	Availability float64 `json:"availability"`
}

// MatchRule says who is a candidate for a vacancy, what knocks one out and
// how the rest are scored; versioned in rules/matching.json.
type MatchRule struct {
	Version            string               `json:"version"`
	Source             string               `json:"source"`
	ValidFrom          Date                 `json:"valid_from"`
	DueWithinDays      int                  `json:"due_within_days"`      // in custody, release due within this many days
	ReleasedWithinDays int                  `json:"released_within_days"` // or released this recently
	GraceDays          int                  `json:"availability_grace_days"`
	Weights            MatchWeights         `json:"weights"`
	EvidenceValue      map[Evidence]float64 `json:"evidence"`
	Distance           Decay                `json:"distance"`
	Availability       Decay                `json:"availability"`
	LevelOneBelow      float64              `json:"level_one_below"`
	TrainingGapBelow   float64              `json:"training_gap_below"`
}

//go:embed rules/matching.json
var matchingJSON []byte

var matchRules = func() []MatchRule {
	var f struct {
		Versions []MatchRule `json:"versions"`
	}
	if err := json.Unmarshal(matchingJSON, &f); err != nil || len(f.Versions) == 0 {
		panic(fmt.Sprintf("rules/matching.json: %v", err))
	}
	for _, r := range f.Versions {
		for _, e := range Evidences {
			if _, ok := r.EvidenceValue[e]; !ok {
				panic("rules/matching.json: no value for evidence " + string(e) + " in " + r.Version)
			}
		}
		if r.Distance.Decay <= 0 || r.Distance.Decay >= 1 || r.Availability.Decay <= 0 || r.Availability.Decay >= 1 {
			panic("rules/matching.json: a decay must lie between 0 and 1 in " + r.Version)
		}
	}
	return f.Versions
}()

// MatchRuleFor returns the rule in force on a date.
func MatchRuleFor(d Date) MatchRule {
	best := matchRules[0]
	for _, r := range matchRules {
		if !r.ValidFrom.After(d) && !r.ValidFrom.Before(best.ValidFrom) {
			best = r
		}
	}
	return best
}

// KnockOut is why a person is not a candidate for a vacancy. Only staff see
// it; an employer never learns why someone is absent.
type KnockOut string

// The knock-outs, in the order they are checked.
const (
	KnockNoConsent   KnockOut = "NO_CONSENT"
	KnockExcluded    KnockOut = "EMPLOYER_EXCLUSION"
	KnockUnavailable KnockOut = "NOT_AVAILABLE"
	KnockPlaced      KnockOut = "ALREADY_PLACED"
)

// CandidateFacts are what matching knows of a person. It holds nothing of
// their sex, religion, ethnicity or age, and the offence group is read only
// by the employer's exclusions, never by the score.
type CandidateFacts struct {
	PersonID      int64
	Name          string
	RegionCode    string
	InCustody     bool
	AvailableFrom Date
	Consented     bool
	Placed        bool
	Convicted     bool
	Offence       OffenceGroup
	Units         map[string]UnitEvidence // by unit code
}

// UnitEvidence is the best evidence a person has of one unit, with the KKNI
// level of the scheme it came from (0 when none).
type UnitEvidence struct {
	Evidence Evidence
	Level    int
}

// Add keeps the stronger of the person's evidence of a unit and this one.
func (c *CandidateFacts) Add(unit string, ev Evidence, level int) {
	if c.Units == nil {
		c.Units = map[string]UnitEvidence{}
	}
	old, ok := c.Units[unit]
	if !ok || ev.Stronger(old.Evidence) || (ev == old.Evidence && level > old.Level) {
		c.Units[unit] = UnitEvidence{Evidence: ev, Level: level}
	}
}

// ScoreParts are the parts of a match score, each 0–1 (-1: not part of this
// vacancy's score).
type ScoreParts struct {
	Required     float64 `json:"required"`
	Optional     float64 `json:"optional"`
	Level        float64 `json:"level"`
	Distance     float64 `json:"distance"`
	Availability float64 `json:"availability"`
}

// Match is one candidate scored for a vacancy, with what the score rests on.
type Match struct {
	Facts           *CandidateFacts
	Score           float64 // 0–100
	Parts           ScoreParts
	MatchedRequired []string
	MissingRequired []string
	MatchedOptional []string
	Evidence        map[string]Evidence // of the matched units
	DistanceKm      float64             // -1 when not known
	TrainingGap     bool                // too few required units: ranked after the others
}

// KnockOutFor returns why the person may not be proposed for the vacancy of
// employer p, or "" when they may.
func (r MatchRule) KnockOutFor(c *CandidateFacts, v *Vacancy, p *Partner) KnockOut {
	switch {
	case !c.Consented:
		return KnockNoConsent
	case p != nil && !p.Takes(c.Offence, c.Convicted):
		return KnockExcluded
	case !c.AvailableFrom.IsZero() && c.AvailableFrom.After(v.StartDate.AddDate(0, 0, r.GraceDays)):
		return KnockUnavailable
	case c.Placed:
		return KnockPlaced
	}
	return ""
}

// Score scores a candidate for a vacancy: the weighted share of required and
// optional units held (each by the value of its evidence), the KKNI level,
// the distance between the centres of the person's and the vacancy's
// regions, and availability by the start date. A part the vacancy does not
// ask about (no optional units, no level) is left out and the weights of the
// others scaled up.
func (r MatchRule) Score(c *CandidateFacts, v *Vacancy) Match {
	m := Match{Facts: c, Evidence: map[string]Evidence{}, DistanceKm: -1}
	held := func(unit string) (float64, UnitEvidence, bool) {
		ue, ok := c.Units[unit]
		if !ok {
			return 0, ue, false
		}
		return r.EvidenceValue[ue.Evidence], ue, true
	}
	var sum float64
	best := 0
	for _, u := range v.RequiredUnits {
		val, ue, ok := held(u)
		if !ok {
			m.MissingRequired = append(m.MissingRequired, u)
			continue
		}
		sum += val
		m.MatchedRequired = append(m.MatchedRequired, u)
		m.Evidence[u] = ue.Evidence
		best = max(best, ue.Level)
	}
	m.Parts.Required = sum / float64(len(v.RequiredUnits))
	m.Parts.Optional = -1
	if len(v.OptionalUnits) > 0 {
		sum = 0
		for _, u := range v.OptionalUnits {
			if val, ue, ok := held(u); ok {
				sum += val
				m.MatchedOptional = append(m.MatchedOptional, u)
				m.Evidence[u] = ue.Evidence
			}
		}
		m.Parts.Optional = sum / float64(len(v.OptionalUnits))
	}
	m.Parts.Level = -1
	if v.KKNILevel > 0 {
		switch {
		case best >= v.KKNILevel:
			m.Parts.Level = 1
		case best == v.KKNILevel-1:
			m.Parts.Level = r.LevelOneBelow
		default:
			m.Parts.Level = 0
		}
	}
	if km, ok := RegionDistanceKm(c.RegionCode, v.RegionCode); ok {
		m.DistanceKm = km
		m.Parts.Distance = r.Distance.At(km)
	} else {
		m.Parts.Distance = r.Distance.Unknown
	}
	m.Parts.Availability = 1
	if !c.AvailableFrom.IsZero() && c.AvailableFrom.After(v.StartDate) {
		m.Parts.Availability = r.Availability.At(float64(v.StartDate.DaysUntil(c.AvailableFrom)))
	}
	w := r.Weights
	total, weight := 0.0, 0.0
	for _, p := range []struct{ v, w float64 }{
		{m.Parts.Required, w.Required}, {m.Parts.Optional, w.Optional}, {m.Parts.Level, w.Level},
		{m.Parts.Distance, w.Distance}, {m.Parts.Availability, w.Availability},
	} {
		if p.v >= 0 {
			total += p.v * p.w
			weight += p.w
		}
	}
	if weight > 0 {
		m.Score = math.Round(1000*total/weight) / 10
	}
	m.TrainingGap = m.Parts.Required < r.TrainingGapBelow
	return m
}

// RankMatches orders matches for a vacancy: those without a training gap
// first, then by score, then by who is available sooner.
func RankMatches(ms []Match) {
	slices.SortStableFunc(ms, func(x, y Match) int {
		if x.TrainingGap != y.TrainingGap {
			if y.TrainingGap {
				return -1
			}
			return 1
		}
		if x.Score != y.Score {
			if x.Score > y.Score {
				return -1
			}
			return 1
		}
		if c := x.Facts.AvailableFrom.Time().Compare(y.Facts.AvailableFrom.Time()); c != 0 {
			return c
		}
		return cmp.Compare(x.Facts.PersonID, y.Facts.PersonID)
	})
}
