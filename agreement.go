package binakerja

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// AgreementType is the kind of a cooperation agreement (research §3.4, §7.7):
// a memorandum of understanding, an operational cooperation agreement (which
// assimilation with a third party needs), or an apprenticeship agreement.
type AgreementType string

// The agreement types.
const (
	AgreementMoU            AgreementType = "MOU"
	AgreementPKS            AgreementType = "PKS"
	AgreementApprenticeship AgreementType = "PERJANJIAN_PEMAGANGAN"
)

// AgreementTypes lists every type.
var AgreementTypes = []AgreementType{AgreementMoU, AgreementPKS, AgreementApprenticeship}

// AgreementStatus is where an agreement stands. A stored agreement is a
// draft, active or ended early; an active one whose term has passed reads as
// expired (see Agreement.StatusOn).
type AgreementStatus string

// The agreement statuses.
const (
	AgreementDraft   AgreementStatus = "DRAFT"
	AgreementActive  AgreementStatus = "ACTIVE"
	AgreementExpired AgreementStatus = "EXPIRED"
	AgreementEnded   AgreementStatus = "ENDED"
)

// CommitmentKind is what a party promised under an agreement.
type CommitmentKind string

// The commitment kinds.
const (
	CommitInternships CommitmentKind = "INTERNSHIP_PLACES"
	CommitHires       CommitmentKind = "HIRES"
	CommitTraining    CommitmentKind = "TRAINING_PLACES"
)

// CommitmentKinds lists every kind.
var CommitmentKinds = []CommitmentKind{CommitInternships, CommitHires, CommitTraining}

// Commitment is a promise with a target over a period: so many internship
// places, hires or training places. Actual is computed from the records
// (internships started under the agreement, people hired through it,
// enrolments in cohorts it supports), never typed in.
type Commitment struct {
	ID     int64
	Kind   CommitmentKind
	Target int
	From   Date // the period; the agreement's term when zero
	Until  Date
	Actual int
}

// Percent returns the share of the target reached, in whole percent.
func (c Commitment) Percent() int {
	if c.Target <= 0 {
		return 0
	}
	return (c.Actual*100 + c.Target/2) / c.Target
}

// AgreementParty is an organisation that signed an agreement.
type AgreementParty struct {
	Code string
	Name string
	Kind OrgKind
	Path string
}

// AgreementDocument is a file kept with an agreement: the signed text, an
// annex, a scan.
type AgreementDocument struct {
	ID         int64
	FileName   string
	MediaType  string
	Size       int64
	SHA256     string
	UploadedBy string
	UploadedAt time.Time
}

// Agreement is a cooperation agreement between two or more organisations: a
// prison, a labour office, employers, training providers.
type Agreement struct {
	ID          int64
	Type        AgreementType
	Number      string
	Title       string
	Parties     []AgreementParty
	SignedDate  Date
	ValidFrom   Date
	ValidUntil  Date
	Status      AgreementStatus // as stored: draft, active or ended
	EndedDate   Date
	EndedReason string
	Commitments []Commitment
	Documents   []AgreementDocument
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// StatusOn returns the agreement's status on a day: an active agreement
// whose term ended before it reads as expired.
func (a *Agreement) StatusOn(today Date) AgreementStatus {
	if a.Status == AgreementActive && a.ValidUntil.Before(today) {
		return AgreementExpired
	}
	return a.Status
}

// ActiveOn reports whether the agreement is in force on a day.
func (a *Agreement) ActiveOn(d Date) bool {
	return a.Status == AgreementActive && !d.Before(a.ValidFrom) && !d.After(a.ValidUntil)
}

// ElapsedPercent returns the share of the term that has passed on a day, in
// whole percent (0 before it starts, 100 after it ends).
func (a *Agreement) ElapsedPercent(today Date) int {
	total := a.ValidFrom.DaysUntil(a.ValidUntil)
	switch {
	case total <= 0 || !today.Before(a.ValidUntil):
		return 100
	case today.Before(a.ValidFrom):
		return 0
	}
	return (a.ValidFrom.DaysUntil(today)*100 + total/2) / total
}

// EndsWithin reports whether an agreement in force ends within days of today.
func (a *Agreement) EndsWithin(today Date, days int) bool {
	return a.StatusOn(today) == AgreementActive && !a.ValidUntil.After(today.AddDate(0, 0, days))
}

// HasParty reports whether the organisation with the code signed the
// agreement.
func (a *Agreement) HasParty(code string) bool {
	return slices.ContainsFunc(a.Parties, func(p AgreementParty) bool { return p.Code == code })
}

// Commitment returns the agreement's commitment of a kind.
func (a *Agreement) Commitment(k CommitmentKind) (Commitment, bool) {
	for _, c := range a.Commitments {
		if c.Kind == k {
			return c, true
		}
	}
	return Commitment{}, false
}

// Normalize trims the agreement's text and puts its codes in stored form.
func (a *Agreement) Normalize() {
	a.Type = AgreementType(strings.ToUpper(strings.TrimSpace(string(a.Type))))
	a.Number = strings.Join(strings.Fields(a.Number), " ")
	a.Title = strings.Join(strings.Fields(a.Title), " ")
	for i := range a.Parties {
		a.Parties[i].Code = NormalizeOrgCode(a.Parties[i].Code)
	}
	for i := range a.Commitments {
		a.Commitments[i].Kind = CommitmentKind(strings.ToUpper(strings.TrimSpace(string(a.Commitments[i].Kind))))
	}
}

// Validate checks the agreement's own fields, naming every field at fault.
// Whether the parties exist is checked where they are looked up.
func (a *Agreement) Validate() error {
	var p Problems
	if !slices.Contains(AgreementTypes, a.Type) {
		p.Add("type", "agreement.type")
	}
	switch n := utf8.RuneCountInString(a.Number); {
	case n == 0:
		p.Add("number", "field.required")
	case n > 100:
		p.Add("number", "field.too_long", 100)
	}
	if utf8.RuneCountInString(a.Title) > 200 {
		p.Add("title", "field.too_long", 200)
	}
	codes := map[string]bool{}
	for _, party := range a.Parties {
		codes[party.Code] = true
	}
	switch {
	case len(codes) < 2:
		p.Add("parties", "agreement.parties")
	case len(codes) < len(a.Parties):
		p.Add("parties", "agreement.parties_twice")
	case len(a.Parties) > 20:
		p.Add("parties", "agreement.parties_many")
	}
	if a.SignedDate.IsZero() {
		p.Add("signed_date", "field.required")
	}
	switch {
	case a.ValidFrom.IsZero():
		p.Add("valid_from", "field.required")
	case a.ValidUntil.IsZero():
		p.Add("valid_until", "field.required")
	case !a.ValidUntil.After(a.ValidFrom):
		p.Add("valid_until", "agreement.valid_until")
	case a.ValidFrom.AddDate(10, 0, 0).Before(a.ValidUntil):
		p.Add("valid_until", "agreement.too_long")
	}
	kinds := map[CommitmentKind]bool{}
	for _, c := range a.Commitments {
		switch {
		case !slices.Contains(CommitmentKinds, c.Kind):
			p.Add("commitments", "agreement.commitment_kind", string(c.Kind))
		case kinds[c.Kind]:
			p.Add("commitments", "agreement.commitment_twice", string(c.Kind))
		case c.Target < 1 || c.Target > 100000:
			p.Add("commitments", "agreement.commitment_target", string(c.Kind))
		case !c.From.IsZero() && !c.Until.IsZero() && c.Until.Before(c.From):
			p.Add("commitments", "agreement.commitment_period", string(c.Kind))
		default:
			kinds[c.Kind] = true
			continue
		}
		break
	}
	return p.Err()
}

// SetPeriods gives every commitment without a period of its own the
// agreement's term.
func (a *Agreement) SetPeriods() {
	for i := range a.Commitments {
		if a.Commitments[i].From.IsZero() {
			a.Commitments[i].From = a.ValidFrom
		}
		if a.Commitments[i].Until.IsZero() {
			a.Commitments[i].Until = a.ValidUntil
		}
	}
}

// DocumentTypes are the media types an agreement's document may have, told
// from the content, not the name.
var DocumentTypes = []string{"application/pdf", "image/jpeg", "image/png"}

// MaxDocumentSize bounds an uploaded document.
const MaxDocumentSize = 10 << 20

// InternshipPlaces returns the agreement's target of internship places (0
// when it promises none).
func (a *Agreement) InternshipPlaces() int {
	c, _ := a.Commitment(CommitInternships)
	return c.Target
}
