package binakerja

import (
	"slices"
	"time"
)

// ApplicationStatus is where a candidate's application for a vacancy stands.
// Proposing a candidate opens one; the employer moves it on; the staff (or a
// withdrawn consent) may withdraw it.
type ApplicationStatus string

// The application statuses.
const (
	ApplicationProposed    ApplicationStatus = "PROPOSED"
	ApplicationViewed      ApplicationStatus = "VIEWED"
	ApplicationInterview   ApplicationStatus = "INTERVIEW"
	ApplicationOffered     ApplicationStatus = "OFFERED"
	ApplicationHired       ApplicationStatus = "HIRED"
	ApplicationNotSelected ApplicationStatus = "NOT_SELECTED"
	ApplicationWithdrawn   ApplicationStatus = "WITHDRAWN"
)

// ApplicationStatuses lists every status in the order of the pipeline.
var ApplicationStatuses = []ApplicationStatus{ApplicationProposed, ApplicationViewed, ApplicationInterview,
	ApplicationOffered, ApplicationHired, ApplicationNotSelected, ApplicationWithdrawn}

// Open reports whether an application is still under way.
func (s ApplicationStatus) Open() bool {
	return s == ApplicationProposed || s == ApplicationViewed || s == ApplicationInterview || s == ApplicationOffered
}

// ApplicationMove is one allowed change of an application's status: which
// roles may make it and whether it needs a reason.
type ApplicationMove struct {
	From, To ApplicationStatus
	Roles    []Role
	Reason   bool
}

var staffRoles = []Role{RoleAdmin, RoleLabourOfficer}
var employerRoles = []Role{RoleAdmin, RoleEmployer}

// ApplicationMoves is the transition table of applications. Viewing is
// recorded when the employer first opens the candidate.
var ApplicationMoves = func() []ApplicationMove {
	var ms []ApplicationMove
	add := func(from []ApplicationStatus, to ApplicationStatus, roles []Role, reason bool) {
		for _, f := range from {
			ms = append(ms, ApplicationMove{From: f, To: to, Roles: roles, Reason: reason})
		}
	}
	add([]ApplicationStatus{ApplicationProposed}, ApplicationViewed, employerRoles, false)
	add([]ApplicationStatus{ApplicationProposed, ApplicationViewed}, ApplicationInterview, employerRoles, false)
	add([]ApplicationStatus{ApplicationViewed, ApplicationInterview}, ApplicationOffered, employerRoles, false)
	add([]ApplicationStatus{ApplicationOffered}, ApplicationHired, employerRoles, false)
	add([]ApplicationStatus{ApplicationProposed, ApplicationViewed, ApplicationInterview, ApplicationOffered},
		ApplicationNotSelected, employerRoles, true)
	add([]ApplicationStatus{ApplicationProposed, ApplicationViewed, ApplicationInterview, ApplicationOffered},
		ApplicationWithdrawn, staffRoles, true)
	return ms
}()

// ApplicationMoveOf returns the move from one status to another, if allowed.
func ApplicationMoveOf(from, to ApplicationStatus) (ApplicationMove, bool) {
	for _, m := range ApplicationMoves {
		if m.From == from && m.To == to {
			return m, true
		}
	}
	return ApplicationMove{}, false
}

// Allows reports whether a user holding role r may make the move.
func (m ApplicationMove) Allows(r Role) bool { return slices.Contains(m.Roles, r) }

// NextStatuses returns the statuses an application may move to from s.
func (s ApplicationStatus) NextStatuses() []ApplicationStatus {
	var out []ApplicationStatus
	for _, m := range ApplicationMoves {
		if m.From == s && m.To != ApplicationViewed {
			out = append(out, m.To)
		}
	}
	return out
}

// ApplicationEvent is one step of an application: who moved it, when, why.
type ApplicationEvent struct {
	From   ApplicationStatus
	To     ApplicationStatus
	By     string
	At     time.Time
	Reason string
}

// Application is a candidate proposed for a vacancy, with the score and its
// parts as they stood when proposed (kept so that the weights can be refitted
// on real outcomes).
type Application struct {
	ID           int64
	VacancyID    int64
	VacancyTitle string
	Employer     string
	EmployerName string
	PersonID     int64
	Name         string
	Status       ApplicationStatus
	Score        float64
	Parts        ScoreParts
	ProposedBy   string
	Events       []ApplicationEvent
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}
