package binakerja

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// UnitCodeFormat says which generation of SKKNI unit codes a code follows
// (research §2.2, §7.9). All are accepted; a code of no known form is kept as
// written and flagged.
type UnitCodeFormat string

// The unit code formats.
const (
	UnitCodeCurrent  UnitCodeFormat = "current"  // J.620100.001.01 (Permenakertrans 8/2012)
	UnitCodeOlder    UnitCodeFormat = "older"    // F.45ABC00.001.2 (about 2007–2012)
	UnitCodeSectoral UnitCodeFormat = "sectoral" // TIK.MM01.007.01
	UnitCodeOther    UnitCodeFormat = "other"
)

var (
	unitCurrentRE  = regexp.MustCompile(`^[A-Z]\.\d{6}\.\d{3}\.\d{2}$`)
	unitOlderRE    = regexp.MustCompile(`^[A-Z]\.\d{2}[A-Z0-9]{3}\d{2}\.\d{3}\.\d{1,2}$`)
	unitSectoralRE = regexp.MustCompile(`^[A-Z]{2,4}\.[A-Z]{2}\d{2}\.\d{3}\.\d{2}$`)
	kbjiRE         = regexp.MustCompile(`^\d{4}(\.\d{2})?$`)
)

// UnitCodeFormatOf returns the format of a unit code.
func UnitCodeFormatOf(code string) UnitCodeFormat {
	switch {
	case unitCurrentRE.MatchString(code):
		return UnitCodeCurrent
	case unitOlderRE.MatchString(code):
		return UnitCodeOlder
	case unitSectoralRE.MatchString(code):
		return UnitCodeSectoral
	}
	return UnitCodeOther
}

// Unit is a competency unit (unit kompetensi) of a national standard.
type Unit struct {
	Code   string
	Title  string
	Format UnitCodeFormat
}

// Scheme is a certification scheme (skema sertifikasi): the units a candidate
// must be found competent (K) in, the KKNI level, the occupation (KBJI) and how
// long a certificate stays valid.
type Scheme struct {
	ID            int64
	Code          string
	Title         string
	KKNILevel     int
	KBJICode      string
	ValidityYears int
	Units         []Unit
	CreatedAt     time.Time
}

func cleanText(s string) string { return strings.Join(strings.Fields(s), " ") }

// Validate normalises and checks the scheme, naming every field at fault.
func (s *Scheme) Validate() error {
	var p Problems
	s.Code, s.Title, s.KBJICode = strings.TrimSpace(s.Code), cleanText(s.Title), strings.TrimSpace(s.KBJICode)
	if s.Code == "" || utf8.RuneCountInString(s.Code) > 60 {
		p.Add("code", "field.required")
	}
	if s.Title == "" || utf8.RuneCountInString(s.Title) > 200 {
		p.Add("title", "field.required")
	}
	if s.KKNILevel < 1 || s.KKNILevel > 9 {
		p.Add("kkni_level", "scheme.kkni_level")
	}
	if s.KBJICode != "" && !kbjiRE.MatchString(s.KBJICode) {
		p.Add("kbji_code", "scheme.kbji_code")
	}
	if s.ValidityYears < 1 || s.ValidityYears > 10 {
		p.Add("validity_years", "scheme.validity_years")
	}
	if len(s.Units) == 0 {
		p.Add("units", "scheme.units.required")
	}
	seen := map[string]bool{}
	for i := range s.Units {
		u := &s.Units[i]
		u.Code, u.Title = strings.ToUpper(strings.TrimSpace(u.Code)), cleanText(u.Title)
		field := fmt.Sprintf("units[%d]", i)
		switch {
		case u.Code == "" || utf8.RuneCountInString(u.Code) > 40:
			p.Add(field+".code", "field.required")
		case seen[u.Code]:
			p.Add(field+".code", "scheme.unit.twice")
		}
		seen[u.Code] = true
		if u.Title == "" || utf8.RuneCountInString(u.Title) > 300 {
			p.Add(field+".title", "field.required")
		}
		u.Format = UnitCodeFormatOf(u.Code)
	}
	return p.Err()
}

// Program is a training programme: a provider's course that prepares people
// for a scheme, in hours of lessons (JP).
type Program struct {
	ID           int64
	Code         string
	Title        string
	Provider     string // organisation code
	ProviderName string
	ProviderPath string
	Scheme       string // scheme code
	SchemeTitle  string
	Hours        int
	SkillArea    string // e.g. KONSTRUKSI, PERTANIAN, KELISTRIKAN
	CreatedAt    time.Time
}

// Validate normalises and checks the programme's own fields.
func (p *Program) Validate() error {
	var ps Problems
	p.Code, p.Title = strings.TrimSpace(p.Code), cleanText(p.Title)
	p.Provider, p.Scheme = NormalizeOrgCode(p.Provider), strings.TrimSpace(p.Scheme)
	if p.Code == "" || utf8.RuneCountInString(p.Code) > 60 {
		ps.Add("code", "field.required")
	}
	if p.Title == "" || utf8.RuneCountInString(p.Title) > 200 {
		ps.Add("title", "field.required")
	}
	if p.Provider == "" {
		ps.Add("provider", "field.required")
	}
	if p.Scheme == "" {
		ps.Add("scheme", "field.required")
	}
	if p.Hours < 1 || p.Hours > 2000 {
		ps.Add("hours", "program.hours")
	}
	if p.SkillArea = strings.ToUpper(strings.TrimSpace(p.SkillArea)); utf8.RuneCountInString(p.SkillArea) > 60 {
		ps.Add("skill_area", "field.too_long", 60)
	}
	return ps.Err()
}

// ProviderKinds are the kinds of organisation that may run training.
var ProviderKinds = []OrgKind{OrgTrainingProvider, OrgLabourOffice, OrgFacility}

// Cohort is one run of a programme for the people of one facility.
type Cohort struct {
	ID           int64
	Program      string // programme code
	ProgramTitle string
	Scheme       string
	Provider     string
	ProviderPath string
	Facility     string
	FacilityName string
	FacilityPath string
	// CertificationBody is the body engaged to assess the cohort (empty
	// until one is): only its assessors see the cohort's candidates.
	CertificationBody string
	BodyName          string
	BodyPath          string
	StartDate         Date
	EndDate           Date
	Capacity          int
	Instructors       []string
	Enrolled          int // holding a place
	Waiting           int // on the waiting list
	CreatedAt         time.Time
	Version           int
}

// Full reports whether every place is taken.
func (c *Cohort) Full() bool { return c.Enrolled >= c.Capacity }

// ValidateDates checks the cohort's dates and capacity.
func (c *Cohort) ValidateDates() error {
	var p Problems
	if c.StartDate.IsZero() {
		p.Add("start_date", "field.required")
	}
	switch {
	case c.EndDate.IsZero():
		p.Add("end_date", "field.required")
	case !c.StartDate.IsZero() && c.EndDate.Before(c.StartDate):
		p.Add("end_date", "cohort.end_before_start")
	case !c.StartDate.IsZero() && c.StartDate.DaysUntil(c.EndDate) > 730:
		p.Add("end_date", "cohort.too_long")
	}
	if c.Capacity < 1 || c.Capacity > 500 {
		p.Add("capacity", "cohort.capacity")
	}
	return p.Err()
}

// EnrollmentStatus is where a person stands in a cohort (research §7.5).
type EnrollmentStatus string

// The enrolment statuses.
const (
	EnrollmentEnrolled    EnrollmentStatus = "TERDAFTAR"            // holds a place
	EnrollmentWaiting     EnrollmentStatus = "DAFTAR_TUNGGU"        // on the waiting list
	EnrollmentCompleted   EnrollmentStatus = "LULUS"                // completed the training
	EnrollmentFailed      EnrollmentStatus = "TIDAK_LULUS"          // did not meet the completion rule
	EnrollmentWithdrawn   EnrollmentStatus = "MENGUNDURKAN_DIRI"    // withdrew
	EnrollmentReleased    EnrollmentStatus = "KELUAR_KARENA_BEBAS"  // left on release
	EnrollmentTransferred EnrollmentStatus = "KELUAR_KARENA_MUTASI" // left on transfer
	EnrollmentCancelled   EnrollmentStatus = "DIBATALKAN"           // cancelled before the start
)

// EnrollmentStatuses lists every status.
var EnrollmentStatuses = []EnrollmentStatus{EnrollmentEnrolled, EnrollmentWaiting, EnrollmentCompleted,
	EnrollmentFailed, EnrollmentWithdrawn, EnrollmentReleased, EnrollmentTransferred, EnrollmentCancelled}

// HoldsPlace reports whether an enrolment of this status takes one of the
// cohort's places.
func (s EnrollmentStatus) HoldsPlace() bool {
	return s == EnrollmentEnrolled || s == EnrollmentCompleted
}

// Open reports whether the enrolment can still change.
func (s EnrollmentStatus) Open() bool { return s == EnrollmentEnrolled || s == EnrollmentWaiting }

// EnrollmentTransition is a change of enrolment status that the given roles
// may make. Which role may make which change is this table, not code.
type EnrollmentTransition struct {
	From, To EnrollmentStatus
	Roles    []Role
	Reason   bool // a reason must be given
}

// EnrollmentTransitions are the allowed changes of enrolment status.
var EnrollmentTransitions = []EnrollmentTransition{
	{From: EnrollmentEnrolled, To: EnrollmentCompleted, Roles: []Role{RoleFacilityOfficer, RoleLabourOfficer, RoleAdmin}},
	{From: EnrollmentEnrolled, To: EnrollmentFailed, Roles: []Role{RoleFacilityOfficer, RoleLabourOfficer, RoleAdmin}, Reason: true},
	{From: EnrollmentEnrolled, To: EnrollmentWithdrawn, Roles: []Role{RoleFacilityOfficer, RoleLabourOfficer, RoleAdmin}, Reason: true},
	{From: EnrollmentEnrolled, To: EnrollmentReleased, Roles: []Role{RoleFacilityOfficer, RoleAdmin}},
	{From: EnrollmentEnrolled, To: EnrollmentTransferred, Roles: []Role{RoleFacilityOfficer, RoleAdmin}},
	{From: EnrollmentEnrolled, To: EnrollmentCancelled, Roles: []Role{RoleFacilityOfficer, RoleLabourOfficer, RoleAdmin}, Reason: true},
	{From: EnrollmentWaiting, To: EnrollmentEnrolled, Roles: []Role{RoleFacilityOfficer, RoleLabourOfficer, RoleAdmin}},
	{From: EnrollmentWaiting, To: EnrollmentWithdrawn, Roles: []Role{RoleFacilityOfficer, RoleLabourOfficer, RoleAdmin}, Reason: true},
	{From: EnrollmentWaiting, To: EnrollmentCancelled, Roles: []Role{RoleFacilityOfficer, RoleLabourOfficer, RoleAdmin}, Reason: true},
}

// Transition returns the allowed change from one status to another, if any.
func Transition(from, to EnrollmentStatus) (EnrollmentTransition, bool) {
	for _, t := range EnrollmentTransitions {
		if t.From == from && t.To == to {
			return t, true
		}
	}
	return EnrollmentTransition{}, false
}

// MayChange reports whether u may make the transition t.
func (u *User) MayChange(t EnrollmentTransition) bool {
	return slices.ContainsFunc(u.Grants, func(g Grant) bool { return slices.Contains(t.Roles, g.Role) })
}

// Enrollment is one person's place (or waiting) in a cohort.
type Enrollment struct {
	ID        int64
	CohortID  int64
	PersonID  int64
	Name      string
	Status    EnrollmentStatus
	Reason    string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// EligibilityRule says who may join a cohort, versioned in
// rules/eligibility.json.
type EligibilityRule struct {
	Version                string        `json:"version"`
	Source                 string        `json:"source"`
	ValidFrom              Date          `json:"valid_from"`
	AssessmentDaysAfterEnd int           `json:"assessment_days_after_end"`
	MinAttendanceShare     float64       `json:"min_attendance_share"` // of the sessions held, to complete
	Statuses               []LegalStatus `json:"statuses"`
	RegisterClasses        []string      `json:"register_classes"`
}

//go:embed rules/eligibility.json
var eligibilityJSON []byte

var eligibilityRules = func() []EligibilityRule {
	var f struct {
		Versions []EligibilityRule `json:"versions"`
	}
	if err := json.Unmarshal(eligibilityJSON, &f); err != nil || len(f.Versions) == 0 {
		panic(fmt.Sprintf("rules/eligibility.json: %v", err))
	}
	return f.Versions
}()

// EligibilityRuleFor returns the rule in force on a date.
func EligibilityRuleFor(d Date) EligibilityRule {
	best := eligibilityRules[0]
	for _, r := range eligibilityRules {
		if !r.ValidFrom.After(d) && !r.ValidFrom.Before(best.ValidFrom) {
			best = r
		}
	}
	return best
}

// Ineligibility is one reason a person may not join a cohort.
type Ineligibility string

// The reasons.
const (
	IneligibleNotInCustody  Ineligibility = "NOT_IN_CUSTODY"
	IneligibleOtherFacility Ineligibility = "OTHER_FACILITY"
	IneligibleStatus        Ineligibility = "STATUS"
	IneligibleRegisterClass Ineligibility = "REGISTER_CLASS"
	IneligibleTimeLeft      Ineligibility = "TIME_LEFT"
	IneligibleEnrolled      Ineligibility = "ALREADY_ENROLLED"
)

// Check returns every reason the person in episode e may not join cohort c
// under the rule (none when eligible).
func (r EligibilityRule) Check(e *Episode, c *Cohort) []Ineligibility {
	var out []Ineligibility
	if !e.Open() || e.AdmissionDate.After(c.EndDate) {
		return []Ineligibility{IneligibleNotInCustody}
	}
	if e.Facility != c.Facility {
		out = append(out, IneligibleOtherFacility)
	}
	if !slices.Contains(r.Statuses, e.Status) {
		out = append(out, IneligibleStatus)
	}
	if !slices.Contains(r.RegisterClasses, e.RegisterClass) {
		out = append(out, IneligibleRegisterClass)
	}
	if need := c.EndDate.AddDate(0, 0, r.AssessmentDaysAfterEnd); !e.ExpectedRelease.IsZero() && e.ExpectedRelease.Before(need) {
		out = append(out, IneligibleTimeLeft)
	}
	return out
}

// AbsenceReasons are why someone missed a session.
var AbsenceReasons = []string{"SAKIT", "IZIN", "KEGIATAN_LAIN", "TANPA_KETERANGAN"}

// Session is one day (or part of a day) of a cohort's training.
type Session struct {
	ID       int64
	CohortID int64
	Date     Date
	Topic    string
	Hours    int
	Present  int // how many were marked present
	Marked   int // how many were marked at all
}

// Attendance is one participant's presence at a session.
type Attendance struct {
	EnrollmentID  int64
	Name          string
	Present       bool
	AbsenceReason string
	Marked        bool
}

// AttendanceShare returns the share of sessions a participant attended, and
// whether any session was held.
func AttendanceShare(attended, held int) (float64, bool) {
	if held == 0 {
		return 0, false
	}
	return float64(attended) / float64(held), true
}
