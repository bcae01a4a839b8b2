package binakerja

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// UnitResult is an assessor's finding on one competency unit: competent (K,
// kompeten) or not yet competent (BK, belum kompeten). Never "failed".
type UnitResult string

// The results.
const (
	Competent    UnitResult = "K"
	NotCompetent UnitResult = "BK"
)

// Valid reports whether r is K or BK.
func (r UnitResult) Valid() bool { return r == Competent || r == NotCompetent }

// Assessment is a certification body's assessment event for a cohort.
type Assessment struct {
	ID                int64
	CohortID          int64
	CertificationBody string // organisation code
	BodyName          string
	BodyPath          string
	AssessorName      string
	AssessorNumber    string // BNSP registration, e.g. MET.000.000000.2019
	SiteType          string // TUK: SEWAKTU, TEMPAT_KERJA or MANDIRI
	SiteName          string // kept for the body's records; never on a certificate
	Date              Date
	CreatedAt         time.Time
}

var assessorNumberRE = regexp.MustCompile(`^MET\.\d{3}\.\d{6}\.\d{4}$`)

// Validate checks the assessment's own fields. An assessor number of another
// form is accepted (legacy numbers exist) but must be given.
func (a *Assessment) Validate(today Date) error {
	var p Problems
	a.AssessorName, a.AssessorNumber = cleanText(a.AssessorName), strings.ToUpper(strings.TrimSpace(a.AssessorNumber))
	if a.AssessorName == "" || utf8.RuneCountInString(a.AssessorName) > 200 {
		p.Add("assessor_name", "field.required")
	}
	if a.AssessorNumber == "" || len(a.AssessorNumber) > 60 {
		p.Add("assessor_number", "field.required")
	}
	switch {
	case a.Date.IsZero():
		p.Add("date", "field.required")
	case a.Date.After(today):
		p.Add("date", "import.date.future")
	}
	a.SiteType, a.SiteName = strings.ToUpper(strings.TrimSpace(a.SiteType)), cleanText(a.SiteName)
	if a.SiteType != "" && !slices.Contains(SiteTypes, a.SiteType) {
		p.Add("site_type", "assessment.site_type")
	}
	if utf8.RuneCountInString(a.SiteName) > 200 {
		p.Add("site_name", "field.too_long", 200)
	}
	return p.Err()
}

// SiteTypes are the kinds of assessment site (TUK) of research §7.6.
var SiteTypes = []string{"SEWAKTU", "TEMPAT_KERJA", "MANDIRI"}

// AssessorNumberKnown reports whether the assessor number has the observed
// BNSP form.
func (a *Assessment) AssessorNumberKnown() bool {
	return assessorNumberRE.MatchString(a.AssessorNumber)
}

// CertificateStatus is a certificate's standing (research §7.6).
type CertificateStatus string

// The certificate statuses.
const (
	CertificateActive    CertificateStatus = "AKTIF"
	CertificateExpired   CertificateStatus = "KEDALUWARSA"
	CertificateSuspended CertificateStatus = "DIBEKUKAN"
	CertificateRevoked   CertificateStatus = "DICABUT"
	CertificateReplaced  CertificateStatus = "DIGANTI"
)

// Certificate is a competency certificate: a person found competent in every
// unit of a scheme, in the name of the certification body that assessed them.
// Code is the random public code of its verification page; StatusIndex its
// random place in the revocation status list.
type Certificate struct {
	ID           int64
	Code         string
	Number       string
	PersonID     int64
	HolderName   string
	Scheme       string
	SchemeTitle  string
	KKNILevel    int
	Issuer       string // certification body code
	IssuerName   string
	IssuedOn     Date
	ExpiresOn    Date
	Status       CertificateStatus
	StatusIndex  int
	RevokeReason string
	AssessmentID int64
	Replaces     int64 // the certificate this one was reissued in place of
	ReplacedBy   int64 // the certificate reissued in place of this one
	CreatedAt    time.Time
	Version      int
}

// StatusOn returns the certificate's status on a date: an active certificate
// past its expiry reads as expired.
func (c *Certificate) StatusOn(d Date) CertificateStatus {
	if c.Status == CertificateActive && !c.ExpiresOn.IsZero() && c.ExpiresOn.Before(d) {
		return CertificateExpired
	}
	return c.Status
}

// Issuable reports whether the certificate's paper and credential may be
// handed out: not while it is suspended, and never once revoked or replaced.
// An expired certificate may still be printed, as the record of what was.
func (c *Certificate) Issuable() bool {
	return c.Status == CertificateActive || c.Status == CertificateExpired
}

// StatusListSize is the number of entries of a revocation status list: large
// enough that one holder cannot be picked out by their index (W3C Bitstring
// Status List recommends at least 131,072).
const StatusListSize = 131072

// DefaultCertificatePattern is the number pattern of a certification body
// that has not set its own.
const DefaultCertificatePattern = "{BODY}/{SCHEME}/{YEAR}/{SERIAL}"

// CertificatePatternFields are the placeholders a number pattern may use;
// {SERIAL} (seven random digits) is required so that numbers are unique and
// do not count certificates.
var CertificatePatternFields = []string{"{BODY}", "{SCHEME}", "{KBJI}", "{LEVEL}", "{YEAR}", "{SERIAL}"}

// CheckCertificatePattern reports whether a number pattern is usable.
func CheckCertificatePattern(p string) error {
	if !strings.Contains(p, "{SERIAL}") || len(p) > 120 || strings.TrimSpace(p) != p {
		return FieldInvalid("pattern", "certificate.pattern")
	}
	rest := p
	for _, f := range CertificatePatternFields {
		rest = strings.ReplaceAll(rest, f, "")
	}
	if strings.ContainsAny(rest, "{}") {
		return FieldInvalid("pattern", "certificate.pattern")
	}
	return nil
}

// CertificateNumber fills a pattern.
func CertificateNumber(pattern, body string, s *Scheme, year int, serial string) string {
	return strings.NewReplacer("{BODY}", body, "{SCHEME}", s.Code, "{KBJI}", s.KBJICode,
		"{LEVEL}", strconv.Itoa(s.KKNILevel), "{YEAR}", strconv.Itoa(year), "{SERIAL}", serial).Replace(pattern)
}
