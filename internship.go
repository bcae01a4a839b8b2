package binakerja

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// InternshipStatus is where an internship before release stands.
type InternshipStatus string

// The internship statuses.
const (
	InternshipPending   InternshipStatus = "PENDING"
	InternshipApproved  InternshipStatus = "APPROVED"
	InternshipActive    InternshipStatus = "ACTIVE"
	InternshipCompleted InternshipStatus = "COMPLETED"
	InternshipEnded     InternshipStatus = "ENDED_EARLY"
	InternshipCancelled InternshipStatus = "CANCELLED"
)

// InternshipStatuses lists every status.
var InternshipStatuses = []InternshipStatus{InternshipPending, InternshipApproved, InternshipActive,
	InternshipCompleted, InternshipEnded, InternshipCancelled}

// Started reports whether the internship has begun (and so counts against
// the agreement's places).
func (s InternshipStatus) Started() bool {
	return s == InternshipActive || s == InternshipCompleted || s == InternshipEnded
}

// Holds reports whether the internship holds a place and the person's time:
// it is planned or under way.
func (s InternshipStatus) Holds() bool {
	return s == InternshipPending || s == InternshipApproved || s == InternshipActive
}

// internshipMoves: the status changes an internship may make, and whether the
// change needs a reason.
var internshipMoves = map[InternshipStatus]map[InternshipStatus]bool{
	InternshipPending:  {InternshipApproved: false, InternshipCancelled: true},
	InternshipApproved: {InternshipActive: false, InternshipCancelled: true},
	InternshipActive:   {InternshipCompleted: false, InternshipEnded: true},
}

// CanMove reports whether an internship may go from s to another status,
// and whether that needs a reason.
func (s InternshipStatus) CanMove(to InternshipStatus) (ok, reason bool) {
	reason, ok = internshipMoves[s][to]
	return ok, reason
}

// InternshipRule says who may go out to an internship with a third party
// before release (asimilasi pihak ketiga); versioned in
// rules/internship.json because the thresholds have changed before.
type InternshipRule struct {
	Version          string         `json:"version"`
	Source           string         `json:"source"`
	ValidFrom        Date           `json:"valid_from"`
	MinShareServed   float64        `json:"min_share_served"`
	Statuses         []LegalStatus  `json:"statuses"`
	CleanMonths      int            `json:"clean_conduct_months"`
	RequiresTraining bool           `json:"requires_completed_training"`
	ExcludedOffences []OffenceGroup `json:"excluded_offences"`
	LateAfterMinutes int            `json:"late_after_minutes"`
	MaxDays          int            `json:"max_days"`
}

//go:embed rules/internship.json
var internshipJSON []byte

var internshipRules = func() []InternshipRule {
	var f struct {
		Versions []InternshipRule `json:"versions"`
	}
	if err := json.Unmarshal(internshipJSON, &f); err != nil || len(f.Versions) == 0 {
		panic(fmt.Sprintf("rules/internship.json: %v", err))
	}
	return f.Versions
}()

// InternshipRuleFor returns the rule in force on a date.
func InternshipRuleFor(d Date) InternshipRule {
	best := internshipRules[0]
	for _, r := range internshipRules {
		if !r.ValidFrom.After(d) && !r.ValidFrom.Before(best.ValidFrom) {
			best = r
		}
	}
	return best
}

// InternshipBar is one rule an internship candidate fails.
type InternshipBar string

// The bars.
const (
	BarNotInCustody InternshipBar = "NOT_IN_CUSTODY"
	BarShareServed  InternshipBar = "SHARE_SERVED"
	BarStatus       InternshipBar = "STATUS"
	BarConduct      InternshipBar = "CONDUCT"
	BarTraining     InternshipBar = "TRAINING"
	BarOffence      InternshipBar = "OFFENCE_GROUP"
	BarNoSentence   InternshipBar = "NO_SENTENCE"
)

// CustodyFacts are what the internship rule reads of a custody episode
// beyond the register: the offence group and the last disciplinary record.
type CustodyFacts struct {
	Offence        OffenceGroup
	LastDiscipline Date
}

// Check returns every rule the person in episode e fails for an internship
// starting on start (none when eligible). trained says whether they
// completed a training.
func (r InternshipRule) Check(e *Episode, f CustodyFacts, trained bool, start Date) []InternshipBar {
	if !e.Open() || !e.Status.InCustody() {
		return []InternshipBar{BarNotInCustody}
	}
	var out []InternshipBar
	if !slices.Contains(r.Statuses, e.Status) {
		out = append(out, BarStatus)
	}
	switch end := e.ExpectedRelease; {
	case end.IsZero() || !end.After(e.AdmissionDate):
		out = append(out, BarNoSentence)
	default:
		total := float64(e.AdmissionDate.DaysUntil(end))
		if float64(e.AdmissionDate.DaysUntil(start)) < r.MinShareServed*total {
			out = append(out, BarShareServed)
		}
	}
	if !f.LastDiscipline.IsZero() && start.Before(f.LastDiscipline.AddDate(0, r.CleanMonths, 0)) {
		out = append(out, BarConduct)
	}
	if r.RequiresTraining && !trained {
		out = append(out, BarTraining)
	}
	if f.Offence != "" && slices.Contains(r.ExcludedOffences, f.Offence) {
		out = append(out, BarOffence)
	}
	return out
}

// Internship is a person in custody working by day for a host employer
// under an agreement, before release.
type Internship struct {
	ID           int64
	PersonID     int64
	Name         string
	Facility     string
	FacilityPath string
	Host         string // employer code
	HostName     string
	HostPath     string
	AgreementID  int64
	AgreementNo  string
	StartDate    Date
	EndDate      Date
	Supervisor   string // at the host
	Officer      string // the officer responsible
	Schedule     string // e.g. "Senin–Jumat 07.00–16.00"
	Status       InternshipStatus
	Reason       string
	Evaluation   []UnitEvaluation
	EvalNote     string
	JobOffer     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

// UnitEvaluation is a host's evaluation of one competency unit.
type UnitEvaluation struct {
	Unit   string
	Result UnitResult
}

// Overlaps reports whether two date ranges share a day.
func Overlaps(aFrom, aTo, bFrom, bTo Date) bool {
	return !aTo.Before(bFrom) && !bTo.Before(aFrom)
}

// InternshipLog is one day's leaving and returning.
type InternshipLog struct {
	ID           int64
	InternshipID int64
	Date         Date
	Left         time.Time
	Returned     time.Time // zero while out
	Due          time.Time // when the person was due back
	Late         bool
	Note         string
	RecordedBy   string
}
