package importer

import (
	"slices"
	"strings"
	"unicode/utf8"

	"binakerja"
)

// Problem is what is wrong with one cell (or one row) of a file: the line,
// the column as the file names it, and a message key with its arguments.
type Problem struct {
	Line  int
	Field string
	Key   string
	Args  []any
}

// Row is one valid row of an inmate file.
type Row struct {
	Line               int
	RegistrationNumber string
	Name               string
	NIK                string // 16 digits, or empty
	BirthPlace         string
	BirthDate          binakerja.Date
	Sex                binakerja.Sex
	Education          string
	RegionCode         string
	RegisterClass      string
	Admission          binakerja.Date
	Sentence           binakerja.Sentence
	Expected           binakerja.Date
	Half, TwoThirds    binakerja.Date
	Status             binakerja.LegalStatus
}

// custodyStatuses are the statuses an import may give: it lists people held.
var custodyStatuses = []binakerja.LegalStatus{binakerja.StatusDetainee, binakerja.StatusConvict,
	binakerja.StatusChildDetainee, binakerja.StatusChildInmate}

// Parse validates one record against the header. today is the date against
// which "not in the future" is judged. A row with any problem is not returned.
func (h *Header) Parse(rec []string, line int, today binakerja.Date) (*Row, []Problem) {
	var ps []Problem
	bad := func(c Column, key string, args ...any) {
		ps = append(ps, Problem{Line: line, Field: h.Name(c), Key: key, Args: args})
	}
	if ps := h.controls(rec, line); len(ps) > 0 {
		return nil, ps
	}
	r := &Row{Line: line, Status: binakerja.StatusConvict}

	r.RegistrationNumber = strings.Join(strings.Fields(h.get(rec, ColRegistration)), " ")
	switch {
	case r.RegistrationNumber == "":
		bad(ColRegistration, "field.required")
	case utf8.RuneCountInString(r.RegistrationNumber) > 60:
		bad(ColRegistration, "field.too_long", 60)
	}
	var key string
	if r.Name, key = binakerja.ValidatePersonName(h.get(rec, ColName)); key != "" {
		bad(ColName, key, 200)
	}
	if s := h.get(rec, ColNIK); s != "" {
		nik, ok := binakerja.NormalizeNIK(s)
		if !ok {
			bad(ColNIK, "import.nik.format")
		} else if key, args := binakerja.CheckNIK(nik); key != "" {
			bad(ColNIK, key, args...)
		}
		r.NIK = nik
	}
	if r.BirthPlace = h.get(rec, ColBirthPlace); utf8.RuneCountInString(r.BirthPlace) > 100 {
		bad(ColBirthPlace, "field.too_long", 100)
	}
	date := func(c Column) binakerja.Date {
		s := h.get(rec, c)
		if s == "" {
			return binakerja.Date{}
		}
		d, err := ParseDate(s)
		if err != nil {
			if x, ok := fromExcelSerial(s); ok {
				return x
			}
			bad(c, "import.date.format", s)
		}
		return d
	}
	if r.BirthDate = date(ColBirthDate); !r.BirthDate.IsZero() && !r.BirthDate.Before(today) {
		bad(ColBirthDate, "import.date.past")
	}
	if s := h.get(rec, ColSex); s != "" {
		sex, ok := binakerja.ParseSex(s)
		if !ok {
			bad(ColSex, "import.sex.invalid", s)
		}
		r.Sex = sex
	}
	if s := h.get(rec, ColEducation); s != "" {
		r.Education = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", "_"))
		if !slices.Contains(binakerja.Educations, r.Education) {
			bad(ColEducation, "import.education.invalid", s)
		}
	}
	if r.RegionCode = h.get(rec, ColRegion); r.RegionCode != "" && !binakerja.ValidRegionCode(r.RegionCode) {
		bad(ColRegion, "org.region_code.format")
	}
	if s := h.get(rec, ColRegisterClass); s != "" {
		if r.RegisterClass = binakerja.NormalizeRegisterClass(s); r.RegisterClass == "" {
			bad(ColRegisterClass, "import.register_class.invalid", s)
		}
	}
	switch r.Admission = date(ColAdmission); {
	case h.get(rec, ColAdmission) == "":
		bad(ColAdmission, "field.required")
	case r.Admission.After(today):
		bad(ColAdmission, "import.date.future")
	}
	if s := h.get(rec, ColSentence); s != "" {
		sen, err := binakerja.ParseSentence(s)
		if err != nil {
			bad(ColSentence, "import.sentence.format", s)
		}
		r.Sentence = sen
	}
	if r.Expected = date(ColExpected); !r.Expected.IsZero() && !r.Admission.IsZero() && r.Expected.Before(r.Admission) {
		bad(ColExpected, "import.date.before_admission")
	}
	r.Half, r.TwoThirds = date(ColHalf), date(ColTwoThirds)
	if s := h.get(rec, ColStatus); s != "" {
		st := binakerja.LegalStatus(strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", "_")))
		if !slices.Contains(custodyStatuses, st) {
			bad(ColStatus, "import.status.invalid", s)
		}
		r.Status = st
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return r, nil
}

// Milestones fills the expected release and the ½ and ⅔ dates that the file
// left empty, from the term and the milestone rule in force, and says where
// the milestone dates came from.
func (r *Row) Milestones() (source string) {
	if r.Expected.IsZero() && !r.Sentence.IsZero() {
		r.Expected = r.Sentence.EndFrom(r.Admission)
	}
	if !r.Half.IsZero() && !r.TwoThirds.IsZero() {
		return "file"
	}
	term := r.Sentence
	if term.IsZero() && !r.Expected.IsZero() {
		term = binakerja.Sentence{Days: r.Admission.DaysUntil(r.Expected)}
	}
	if term.IsZero() {
		return ""
	}
	rule := binakerja.MilestoneRuleFor(r.Admission)
	half, twoThirds := rule.Dates(r.Admission, term)
	if r.Half.IsZero() {
		r.Half = half
	}
	if r.TwoThirds.IsZero() {
		r.TwoThirds = twoThirds
	}
	return rule.Version
}
