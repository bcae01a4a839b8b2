package binakerja

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// VacancyStatus is where a vacancy stands.
type VacancyStatus string

// The vacancy statuses.
const (
	VacancyDraft  VacancyStatus = "DRAFT"
	VacancyOpen   VacancyStatus = "OPEN"
	VacancyFilled VacancyStatus = "FILLED"
	VacancyClosed VacancyStatus = "CLOSED"
)

// VacancyStatuses lists every status.
var VacancyStatuses = []VacancyStatus{VacancyDraft, VacancyOpen, VacancyFilled, VacancyClosed}

// ContractType is the kind of employment a vacancy offers: a fixed-term
// contract (PKWT), a permanent one (PKWTT), day labour, piece work, or an
// apprenticeship.
type ContractType string

// The contract types.
const (
	ContractFixedTerm     ContractType = "PKWT"
	ContractPermanent     ContractType = "PKWTT"
	ContractDaily         ContractType = "HARIAN"
	ContractPiece         ContractType = "BORONGAN"
	ContractApprenticeshp ContractType = "MAGANG"
)

// ContractTypes lists every contract type.
var ContractTypes = []ContractType{ContractFixedTerm, ContractPermanent, ContractDaily, ContractPiece, ContractApprenticeshp}

// Vacancy is a job an employer offers through the programme, with the
// competency units it needs.
type Vacancy struct {
	ID            int64
	Employer      string // organisation code
	EmployerName  string
	EmployerPath  string
	LabourOffice  string // the labour office that works the vacancy: its facilities give the candidates
	OfficePath    string
	OfficeRegion  string
	AgreementID   int64 // the agreement it is offered under; 0 for none
	Title         string
	Description   string
	KBJICode      string
	RequiredUnits []string
	OptionalUnits []string
	KKNILevel     int // 0: none asked
	Places        int
	RegionCode    string
	WageMin       int64 // rupiah a month; 0 when not said
	WageMax       int64
	ContractType  ContractType
	StartDate     Date
	ClosingDate   Date
	Status        VacancyStatus
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

// Normalize trims the vacancy's text and puts its codes in stored form.
func (v *Vacancy) Normalize() {
	v.Employer = NormalizeOrgCode(v.Employer)
	v.Title = strings.Join(strings.Fields(v.Title), " ")
	v.Description = strings.TrimSpace(v.Description)
	v.KBJICode = strings.TrimSpace(v.KBJICode)
	v.RegionCode = strings.TrimSpace(v.RegionCode)
	v.ContractType = ContractType(strings.ToUpper(strings.TrimSpace(string(v.ContractType))))
	norm := func(us []string) []string {
		var out []string
		for _, u := range us {
			if u = strings.ToUpper(strings.TrimSpace(u)); u != "" && !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
		return out
	}
	v.RequiredUnits = norm(v.RequiredUnits)
	v.OptionalUnits = slices.DeleteFunc(norm(v.OptionalUnits), func(u string) bool { return slices.Contains(v.RequiredUnits, u) })
	if v.Status == "" {
		v.Status = VacancyOpen
	}
}

// Validate checks the vacancy's fields against today, naming each field at
// fault. Whether its units exist is checked where the catalogue is known.
func (v *Vacancy) Validate(today Date) error {
	var p Problems
	switch n := utf8.RuneCountInString(v.Title); {
	case n == 0:
		p.Add("title", "field.required")
	case n > 200:
		p.Add("title", "field.too_long", 200)
	}
	if utf8.RuneCountInString(v.Description) > 4000 {
		p.Add("description", "field.too_long", 4000)
	}
	if v.KBJICode != "" && !kbjiRE.MatchString(v.KBJICode) {
		p.Add("kbji_code", "scheme.kbji_code")
	}
	switch {
	case len(v.RequiredUnits) == 0:
		p.Add("required_units", "vacancy.no_competency")
	case len(v.RequiredUnits)+len(v.OptionalUnits) > 100:
		p.Add("required_units", "vacancy.too_many_units")
	}
	if v.KKNILevel < 0 || v.KKNILevel > 9 {
		p.Add("kkni_level", "scheme.kkni_level")
	}
	if v.Places < 1 || v.Places > 10000 {
		p.Add("places", "vacancy.places")
	}
	switch {
	case v.RegionCode == "":
		p.Add("region_code", "field.required")
	case !KnownRegion(v.RegionCode):
		p.Add("region_code", "region.unknown", v.RegionCode)
	}
	switch {
	case v.WageMin < 0 || v.WageMax < 0:
		p.Add("wage_min", "vacancy.wage")
	case v.WageMax > 0 && v.WageMin > v.WageMax:
		p.Add("wage_max", "vacancy.wage_order")
	}
	if v.ContractType != "" && !slices.Contains(ContractTypes, v.ContractType) {
		p.Add("contract_type", "vacancy.contract_type")
	}
	switch {
	case v.ClosingDate.IsZero():
		p.Add("closing_date", "field.required")
	case v.ClosingDate.Before(today) && (v.Status == VacancyOpen || v.Status == VacancyDraft):
		p.Add("closing_date", "vacancy.closing_past")
	}
	switch {
	case v.StartDate.IsZero():
		p.Add("start_date", "field.required")
	case !v.ClosingDate.IsZero() && v.StartDate.Before(v.ClosingDate):
		p.Add("start_date", "vacancy.start_before_closing")
	}
	if !slices.Contains(VacancyStatuses, v.Status) {
		p.Add("status", "vacancy.status")
	}
	return p.Err()
}

// Units returns the vacancy's required and optional units.
func (v *Vacancy) Units() []string { return slices.Concat(v.RequiredUnits, v.OptionalUnits) }

// vacancyMoves are the status changes a vacancy may make.
var vacancyMoves = map[VacancyStatus][]VacancyStatus{
	VacancyDraft:  {VacancyOpen, VacancyClosed},
	VacancyOpen:   {VacancyFilled, VacancyClosed},
	VacancyFilled: {VacancyOpen, VacancyClosed},
	VacancyClosed: {VacancyOpen},
}

// CanMove reports whether a vacancy may go from one status to another.
func (s VacancyStatus) CanMove(to VacancyStatus) bool { return slices.Contains(vacancyMoves[s], to) }
