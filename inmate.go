package binakerja

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// LegalStatus is a person's standing in custody (research §7.2): detainee,
// convict, child detainee or child inmate, probation client, free, dead,
// escaped. A custody episode has one current status and a history.
type LegalStatus string

// The legal statuses.
const (
	StatusDetainee      LegalStatus = "TAHANAN"
	StatusConvict       LegalStatus = "NARAPIDANA"
	StatusChildDetainee LegalStatus = "ANAK_TAHANAN"
	StatusChildInmate   LegalStatus = "ANAK_BINAAN"
	StatusClient        LegalStatus = "KLIEN"
	StatusFree          LegalStatus = "BEBAS"
	StatusDead          LegalStatus = "MENINGGAL"
	StatusEscaped       LegalStatus = "MELARIKAN_DIRI"
)

// LegalStatuses lists every status.
var LegalStatuses = []LegalStatus{StatusDetainee, StatusConvict, StatusChildDetainee, StatusChildInmate,
	StatusClient, StatusFree, StatusDead, StatusEscaped}

// InCustody reports whether a person of this status is held in a facility.
func (s LegalStatus) InCustody() bool {
	return s == StatusDetainee || s == StatusConvict || s == StatusChildDetainee || s == StatusChildInmate
}

// Valid reports whether s is one of LegalStatuses.
func (s LegalStatus) Valid() bool { return slices.Contains(LegalStatuses, s) }

// ReleaseReason says how a custody episode ended (research §7.2).
type ReleaseReason string

// The release reasons.
const (
	ReleaseEndOfSentence  ReleaseReason = "HABIS_MASA_PIDANA"
	ReleaseByLaw          ReleaseReason = "BEBAS_DEMI_HUKUM"
	ReleaseMedical        ReleaseReason = "REHABILITASI_MEDIS"
	ReleaseParole         ReleaseReason = "PB"
	ReleaseConditional    ReleaseReason = "CB"
	ReleasePreRelease     ReleaseReason = "CMB"
	ReleaseAcquitted      ReleaseReason = "PUTUSAN_BEBAS"
	ReleaseTransferredOut ReleaseReason = "MUTASI"
	ReleaseDeath          ReleaseReason = "MENINGGAL"
)

// ReleaseReasons lists the reasons a release may give. MUTASI is not among
// them: a transfer moves the episode to another facility and is not a release.
var ReleaseReasons = []ReleaseReason{ReleaseEndOfSentence, ReleaseByLaw, ReleaseMedical, ReleaseParole,
	ReleaseConditional, ReleasePreRelease, ReleaseAcquitted, ReleaseDeath}

// Valid reports whether r is one of ReleaseReasons.
func (r ReleaseReason) Valid() bool { return slices.Contains(ReleaseReasons, r) }

// Qualifying reports whether a release for this reason counts in the outcome
// figures (metrics.md): end of sentence, parole, conditional or pre-release
// leave; not a transfer, not a death.
func (r ReleaseReason) Qualifying() bool {
	return r == ReleaseEndOfSentence || r == ReleaseParole || r == ReleaseConditional || r == ReleasePreRelease
}

// StatusAfter returns the legal status a release for this reason leaves.
func (r ReleaseReason) StatusAfter() LegalStatus {
	switch r {
	case ReleaseParole, ReleaseConditional, ReleasePreRelease:
		return StatusClient // supervised by a Bapas until the sentence ends
	case ReleaseDeath:
		return StatusDead
	}
	return StatusFree
}

// RegisterClasses are the register books (research §1.5, §7.2).
var RegisterClasses = []string{"A.I", "A.II", "A.III", "A.IV", "A.V", "B.I", "B.IIa", "B.IIb", "B.III", "C", "D", "F"}

// NormalizeRegisterClass returns the register class in its canonical
// spelling ("b.iia" → "B.IIa"), or "" when it is not one.
func NormalizeRegisterClass(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	for _, c := range RegisterClasses {
		if strings.EqualFold(s, c) || strings.EqualFold(s, strings.ReplaceAll(c, ".", "")) {
			return c
		}
	}
	return ""
}

// Educations are the education levels of the import format.
var Educations = []string{"TIDAK_SEKOLAH", "SD", "SMP", "SMA", "SMK", "D1", "D2", "D3", "D4", "S1", "S2", "S3"}

// Sex is L (laki-laki, male) or P (perempuan, female).
type Sex string

// The sexes, as the prison registers write them.
const (
	Male   Sex = "L"
	Female Sex = "P"
)

// ParseSex reads L/P, Laki-laki/Perempuan, M/F (any case).
func ParseSex(s string) (Sex, bool) {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", "")) {
	case "L", "LK", "LAKI-LAKI", "LAKILAKI", "LAKI", "M", "MALE", "PRIA":
		return Male, true
	case "P", "PR", "PEREMPUAN", "F", "FEMALE", "WANITA":
		return Female, true
	}
	return "", false
}

// Sentence is a prison term as the verdict states it: years, months, days.
type Sentence struct {
	Years, Months, Days int
}

// IsZero reports whether no term is set.
func (s Sentence) IsZero() bool { return s == Sentence{} }

// String writes the term the Indonesian way: "2 tahun 6 bulan 15 hari".
func (s Sentence) String() string {
	var parts []string
	if s.Years > 0 {
		parts = append(parts, strconv.Itoa(s.Years)+" tahun")
	}
	if s.Months > 0 {
		parts = append(parts, strconv.Itoa(s.Months)+" bulan")
	}
	if s.Days > 0 {
		parts = append(parts, strconv.Itoa(s.Days)+" hari")
	}
	return strings.Join(parts, " ")
}

// EndFrom returns the date the term ends when served from start.
func (s Sentence) EndFrom(start Date) Date { return start.AddDate(s.Years, s.Months, s.Days) }

var sentencePart = regexp.MustCompile(`(\d+)\s*([a-z]+)`)

// ParseSentence reads a term such as "2 tahun 6 bulan 15 hari", "2 th 6 bl",
// "30 bulan", "1 year 3 months" or "2y6m". A bare number is months.
func ParseSentence(s string) (Sentence, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	var out Sentence
	if in == "" {
		return out, nil
	}
	if n, err := strconv.Atoi(in); err == nil && n >= 0 {
		out.Months = n
		return out.check(s)
	}
	rest := in
	seen := map[string]bool{}
	for _, m := range sentencePart.FindAllStringSubmatchIndex(in, -1) {
		n, err := strconv.Atoi(in[m[2]:m[3]])
		if err != nil || n > 10000 {
			return Sentence{}, fmt.Errorf("not a sentence: %q", s)
		}
		unit := in[m[4]:m[5]]
		var slot string
		switch unit {
		case "tahun", "thn", "th", "t", "year", "years", "yr", "yrs", "y":
			slot = "y"
			out.Years = n
		case "bulan", "bln", "bl", "b", "month", "months", "mo", "m":
			slot = "m"
			out.Months = n
		case "hari", "hr", "h", "day", "days", "d":
			slot = "d"
			out.Days = n
		default:
			return Sentence{}, fmt.Errorf("not a sentence: %q", s)
		}
		if seen[slot] {
			return Sentence{}, fmt.Errorf("not a sentence: %q", s)
		}
		seen[slot] = true
		rest = strings.Replace(rest, in[m[0]:m[1]], "", 1)
	}
	if strings.Trim(rest, " ,.-") != "" || len(seen) == 0 {
		return Sentence{}, fmt.Errorf("not a sentence: %q", s)
	}
	return out.check(s)
}

func (s Sentence) check(in string) (Sentence, error) {
	if s.Years > 100 || s.Months > 1200 || s.Days > 36500 {
		return Sentence{}, fmt.Errorf("not a sentence: %q", in)
	}
	return s, nil
}

// NIK is a national identity number (Nomor Induk Kependudukan): 16 digits.
// It is personal data: stored encrypted, found by a keyed blind index, shown
// masked.

// NormalizeNIK removes spaces, dots and dashes; ok is false unless exactly 16
// digits remain.
func NormalizeNIK(s string) (nik string, ok bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '\u00a0':
		default:
			return "", false
		}
	}
	nik = b.String()
	return nik, len(nik) == 16
}

// CheckNIK checks the structure of a NIK of 16 digits (as NormalizeNIK
// returns it): the first two are a province of the Kemendagri list, digits
// 7 to 12 a birth date as DDMMYY (with 40 added to the day of a woman), and
// the last four a serial from 0001. It returns "" for a NIK of that shape, or
// the message key and arguments of what is wrong.
func CheckNIK(nik string) (string, []any) {
	if len(nik) != 16 {
		return "import.nik.format", nil
	}
	if r, ok := RegionOf(nik[:2]); !ok || r.Parent != "" {
		return "import.nik.province", []any{nik[:2]}
	}
	day, _ := strconv.Atoi(nik[6:8])
	month, _ := strconv.Atoi(nik[8:10])
	year, _ := strconv.Atoi(nik[10:12])
	if day > 40 {
		day -= 40
	}
	// The century is not written: 2000+YY is a leap year exactly when 1900+YY
	// is, but for 00, when 2000 was and 1900 was not; 29 February 00 is taken.
	if month < 1 || month > 12 || day < 1 || day > time.Date(2000+year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return "import.nik.birth_date", []any{nik[6:12]}
	}
	if nik[12:] == "0000" {
		return "import.nik.serial", nil
	}
	return "", nil
}

// MaskNIK shows the first four and the last two digits: 1608**********12.
func MaskNIK(nik string) string {
	if len(nik) != 16 {
		return ""
	}
	return nik[:4] + strings.Repeat("*", 10) + nik[14:]
}

// Person is someone who is or was in custody: one identity across custody
// episodes, so that a re-admission is recognised as the same person.
type Person struct {
	ID         int64
	Name       string
	NIK        string // plain, only when decrypted for a role that may see it
	NIKMasked  string
	HasNIK     bool
	BirthPlace string
	BirthDate  Date
	Sex        Sex
	Education  string
	RegionCode string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// Episode is one stay in custody, from admission to release. A transfer moves
// it to another facility; it does not end it.
type Episode struct {
	ID                 int64
	PersonID           int64
	Facility           string // code of the facility holding the person now (or last)
	FacilityName       string
	FacilityPath       string
	RegistrationNumber string
	RegisterClass      string
	AdmissionDate      Date
	Sentence           Sentence
	ExpectedRelease    Date
	HalfDate           Date
	TwoThirdsDate      Date
	MilestoneSource    string // "file", or the rule version that computed the dates
	Status             LegalStatus
	ReleaseDate        Date
	ReleaseReason      ReleaseReason
	PreviousEpisode    int64           // the episode before a re-admission; 0 for a first admission
	Readmission        ReadmissionKind // what brought the person back; "" for a first admission
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

// ReadmissionKind says what brought a released person back into custody,
// for the re-admission figures: a new case, or the revocation of a
// conditional release (PB, CB, CMB) before its supervision ended.
type ReadmissionKind string

// The kinds of re-admission.
const (
	ReadmissionNewCase    ReadmissionKind = "NEW_CASE"
	ReadmissionRevocation ReadmissionKind = "REVOCATION"
)

// ReadmissionAfter types a re-admission on a day after the episode prev: a
// revocation when prev ended in a conditional release whose supervision
// (until the end of the sentence, the expected release date) had not yet
// ended on that day, and a new case otherwise.
func ReadmissionAfter(prev *Episode, admitted Date) ReadmissionKind {
	if prev.ReleaseReason.StatusAfter() == StatusClient && !prev.ExpectedRelease.IsZero() &&
		admitted.Before(prev.ExpectedRelease) {
		return ReadmissionRevocation
	}
	return ReadmissionNewCase
}

// SupervisionEnd is the day the Bapas's supervision of a conditional
// release ends (the end of the sentence); zero for any other episode.
func (e *Episode) SupervisionEnd() Date {
	if e.ReleaseDate.IsZero() || e.ReleaseReason.StatusAfter() != StatusClient {
		return Date{}
	}
	return e.ExpectedRelease
}

// Open reports whether the episode has not ended.
func (e *Episode) Open() bool { return e.ReleaseDate.IsZero() }

// Inmate is a person with their current (or latest) custody episode: what a
// list of people in custody shows.
type Inmate struct {
	Person
	Episode Episode
}

// StatusChange is one entry of an episode's status history.
type StatusChange struct {
	Status LegalStatus
	Date   Date
	Reason string
	At     time.Time
}

// Transfer records a move of an episode from one facility to another.
type Transfer struct {
	From, To           string // facility codes
	FromName, ToName   string
	Date               Date
	RegistrationNumber string // the number at the receiving facility
	At                 time.Time
}

// ValidatePersonName checks a person's name: present, at most 200 characters.
func ValidatePersonName(name string) (string, string) {
	name = strings.Join(strings.Fields(name), " ")
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return name, "field.required"
	case n > 200:
		return name, "field.too_long"
	}
	return name, ""
}
