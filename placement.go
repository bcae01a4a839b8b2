package binakerja

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// PlacementKind is what kind of work a placement is (contract §3).
type PlacementKind string

// The placement kinds.
const (
	PlacementJob          PlacementKind = "JOB"
	PlacementUMKM         PlacementKind = "UMKM"
	PlacementSelfEmployed PlacementKind = "SELF_EMPLOYED"
	PlacementInternship   PlacementKind = "INTERNSHIP"
)

// PlacementKinds lists every kind.
var PlacementKinds = []PlacementKind{PlacementJob, PlacementUMKM, PlacementSelfEmployed, PlacementInternship}

// WageBands are the monthly wage bands a placement may record, in rupiah
// ("<1J" under one million, "1-2J" one to two million, …): a band, not a
// figure, being enough for the outcome figures.
var WageBands = []string{"<1J", "1-2J", "2-3J", "3-5J", ">5J"}

// EmploymentEndReasons are why an employment period ended.
var EmploymentEndReasons = []string{"KONTRAK_SELESAI", "MENGUNDURKAN_DIRI", "DIBERHENTIKAN", "USAHA_TUTUP",
	"PINDAH_KERJA", "KEMBALI_KE_LAPAS", "LAINNYA"}

// Placement is a period of work: a job with an employer (a partner or not),
// work in a small business, self-employment, or an internship. Its end date
// and reason close the employment period.
type Placement struct {
	ID            int64
	PersonID      int64
	Name          string
	Kind          PlacementKind
	Employer      string // organisation code of a partner; empty for one not (yet) a partner
	EmployerName  string
	Position      string
	StartDate     Date
	EndDate       Date // zero while the work goes on
	EndReason     string
	WageBand      string
	ContractType  ContractType
	PartTime      bool
	ApplicationID int64 // the application it came from, if any
	AgreementID   int64 // the agreement it was made under, if any
	RecordedBy    string
	CreatedAt     time.Time
	Version       int
}

// Current reports whether the placement is under way on a day.
func (p *Placement) Current(d Date) bool {
	return !p.StartDate.After(d) && (p.EndDate.IsZero() || !p.EndDate.Before(d))
}

// Normalize trims the placement's text.
func (p *Placement) Normalize() {
	p.Kind = PlacementKind(strings.ToUpper(strings.TrimSpace(string(p.Kind))))
	p.EmployerName = strings.Join(strings.Fields(p.EmployerName), " ")
	p.Position = strings.Join(strings.Fields(p.Position), " ")
	p.WageBand = strings.TrimSpace(p.WageBand)
	p.ContractType = ContractType(strings.ToUpper(strings.TrimSpace(string(p.ContractType))))
}

// Validate checks the placement's own fields.
func (p *Placement) Validate() error {
	var pr Problems
	if !slices.Contains(PlacementKinds, p.Kind) {
		pr.Add("kind", "placement.kind")
	}
	if p.Kind != PlacementSelfEmployed && p.EmployerName == "" {
		pr.Add("employer", "field.required")
	}
	if utf8.RuneCountInString(p.EmployerName) > 200 {
		pr.Add("employer", "field.too_long", 200)
	}
	switch n := utf8.RuneCountInString(p.Position); {
	case n == 0:
		pr.Add("position", "field.required")
	case n > 200:
		pr.Add("position", "field.too_long", 200)
	}
	if p.StartDate.IsZero() {
		pr.Add("start_date", "field.required")
	}
	if p.WageBand != "" && !slices.Contains(WageBands, p.WageBand) {
		pr.Add("wage_band", "placement.wage_band")
	}
	if p.ContractType != "" && !slices.Contains(ContractTypes, p.ContractType) {
		pr.Add("contract_type", "vacancy.contract_type")
	}
	return pr.Err()
}

// Outcome is how a released person stands at a follow-up (research §7.7),
// unknown kept distinct from out of work.
type Outcome string

// The outcomes.
const (
	OutcomePartner      Outcome = "BEKERJA_MITRA"
	OutcomeUMKM         Outcome = "BEKERJA_UMKM"
	OutcomeOther        Outcome = "BEKERJA_LAIN"
	OutcomeSelfEmployed Outcome = "WIRAUSAHA"
	OutcomeApprentice   Outcome = "MAGANG"
	OutcomeUnemployed   Outcome = "BELUM_BEKERJA"
	OutcomeUnreachable  Outcome = "TIDAK_DAPAT_DIHUBUNGI"
	OutcomeDeclined     Outcome = "TIDAK_BERSEDIA"
	OutcomeReadmitted   Outcome = "KEMBALI_KE_LAPAS"
)

// Outcomes lists every outcome.
var Outcomes = []Outcome{OutcomePartner, OutcomeUMKM, OutcomeOther, OutcomeSelfEmployed, OutcomeApprentice,
	OutcomeUnemployed, OutcomeUnreachable, OutcomeDeclined, OutcomeReadmitted}

// Employed reports whether the outcome is work of any kind.
func (o Outcome) Employed() bool {
	return o == OutcomePartner || o == OutcomeUMKM || o == OutcomeOther || o == OutcomeSelfEmployed || o == OutcomeApprentice
}

// FollowUpStatus is where a scheduled follow-up stands.
type FollowUpStatus string

// The follow-up statuses. A follow-up due is overdue once past its grace.
const (
	FollowUpDue     FollowUpStatus = "DUE"
	FollowUpOverdue FollowUpStatus = "OVERDUE"
	FollowUpDone    FollowUpStatus = "DONE"
	FollowUpClosed  FollowUpStatus = "CLOSED" // closed without contact: the person came back to custody
)

// FollowUp is one scheduled contact with a released person by their mentor
// (a labour office, or the Bapas of a conditional release).
type FollowUp struct {
	ID          int64
	PersonID    int64
	Name        string
	Mentor      string // organisation code
	MentorName  string
	MentorPath  string
	Month       int // months after release
	DueDate     Date
	Status      FollowUpStatus // DUE, DONE or CLOSED as stored; see StatusOn
	ContactDate Date
	Contacted   bool
	Outcome     Outcome
	Confirmed   bool // the employer confirmed the work
	Employer    string
	Needs       string
	Notes       string
	RecordedBy  string
	Version     int
}

// StatusOn returns the follow-up's status on a day: a due one past its
// grace is overdue.
func (f *FollowUp) StatusOn(today Date, grace int) FollowUpStatus {
	if f.Status == FollowUpDue && today.After(f.DueDate.AddDate(0, 0, grace)) {
		return FollowUpOverdue
	}
	return f.Status
}

// FollowUpRule is the schedule of follow-ups after release, versioned in
// rules/followups.json.
type FollowUpRule struct {
	Version   string `json:"version"`
	Source    string `json:"source"`
	ValidFrom Date   `json:"valid_from"`
	Months    []int  `json:"months"`
	GraceDays int    `json:"grace_days"`
}

//go:embed rules/followups.json
var followupJSON []byte

var followupRules = func() []FollowUpRule {
	var f struct {
		Versions []FollowUpRule `json:"versions"`
	}
	if err := json.Unmarshal(followupJSON, &f); err != nil || len(f.Versions) == 0 {
		panic(fmt.Sprintf("rules/followups.json: %v", err))
	}
	return f.Versions
}()

// FollowUpRuleFor returns the schedule in force on a release date.
func FollowUpRuleFor(d Date) FollowUpRule {
	best := followupRules[0]
	for _, r := range followupRules {
		if !r.ValidFrom.After(d) && !r.ValidFrom.Before(best.ValidFrom) {
			best = r
		}
	}
	return best
}

// Handover is the facility's hand-over of a released programme participant
// to a mentor, counted only once the mentor acknowledged it.
type Handover struct {
	ID             int64
	PersonID       int64
	Name           string
	Facility       string
	FacilityName   string
	FacilityPath   string
	Mentor         string
	MentorName     string
	MentorPath     string
	ReleaseDate    Date
	HandedAt       time.Time
	AcknowledgedAt time.Time // zero until acknowledged
	AcknowledgedBy string
}

// Stale reports whether the hand-over is still unacknowledged after days.
func (h *Handover) Stale(now time.Time, days int) bool {
	return h.AcknowledgedAt.IsZero() && now.Sub(h.HandedAt) > time.Duration(days)*24*time.Hour
}

// DocumentKind is a document a person needs for work after release.
type DocumentKind string

// The documents on the release board: identity card, family card, health
// and employment insurance, a bank account, a CV, and the police record
// certificate many employers ask for.
const (
	DocumentKTP    DocumentKind = "KTP"
	DocumentKK     DocumentKind = "KK"
	DocumentBPJSKS DocumentKind = "BPJS_KESEHATAN"
	DocumentBPJSTK DocumentKind = "BPJS_KETENAGAKERJAAN"
	DocumentBank   DocumentKind = "REKENING"
	DocumentCV     DocumentKind = "CV"
	DocumentSKCK   DocumentKind = "SKCK"
)

// DocumentKinds lists the documents in the order the board shows them.
var DocumentKinds = []DocumentKind{DocumentKTP, DocumentKK, DocumentBPJSKS, DocumentBPJSTK, DocumentBank, DocumentCV, DocumentSKCK}

// DocumentStatus is whether a document is held or being arranged; a
// document not recorded is missing.
type DocumentStatus string

// The document statuses.
const (
	DocumentHeld       DocumentStatus = "HELD"
	DocumentInProgress DocumentStatus = "IN_PROGRESS"
)
