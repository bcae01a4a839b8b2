package importer

import (
	"strings"
	"unicode/utf8"

	"binakerja"
)

// Column is a column of the inmate import format (contract §4).
type Column string

// The columns.
const (
	ColRegistration  Column = "registration_number"
	ColName          Column = "name"
	ColNIK           Column = "nik"
	ColBirthPlace    Column = "birth_place"
	ColBirthDate     Column = "birth_date"
	ColSex           Column = "sex"
	ColEducation     Column = "education"
	ColRegion        Column = "region_code"
	ColRegisterClass Column = "register_class"
	ColAdmission     Column = "admission_date"
	ColSentence      Column = "sentence"
	ColExpected      Column = "expected_release_date"
	ColStatus        Column = "status"
	ColHalf          Column = "half_date"
	ColTwoThirds     Column = "two_thirds_date"
)

// Required are the columns a file must have.
var Required = []Column{ColRegistration, ColName, ColAdmission}

// aliases maps each normalised header name (Indonesian or English) to its
// column.
var aliases = map[string]Column{}

func init() {
	for col, names := range map[Column][]string{
		ColRegistration:  {"no_registrasi", "nomor_registrasi", "noreg", "registration_number", "registration_no", "reg_no"},
		ColName:          {"nama", "nama_lengkap", "name", "full_name"},
		ColNIK:           {"nik", "no_ktp", "nomor_induk_kependudukan"},
		ColBirthPlace:    {"tempat_lahir", "birth_place", "place_of_birth"},
		ColBirthDate:     {"tanggal_lahir", "tgl_lahir", "birth_date", "date_of_birth", "dob"},
		ColSex:           {"jenis_kelamin", "jk", "sex", "gender"},
		ColEducation:     {"pendidikan", "pendidikan_terakhir", "education"},
		ColRegion:        {"kode_wilayah", "region_code"},
		ColRegisterClass: {"golongan", "register", "register_class", "golongan_register"},
		ColAdmission:     {"tanggal_masuk", "tgl_masuk", "admission_date", "date_of_admission"},
		ColSentence:      {"lama_pidana", "pidana", "sentence", "sentence_length"},
		ColExpected:      {"tanggal_ekspirasi", "tgl_ekspirasi", "ekspirasi", "expected_release_date", "release_date_expected"},
		ColStatus:        {"status", "status_hukum", "legal_status"},
		ColHalf:          {"tanggal_setengah", "tanggal_1_2", "half_date"},
		ColTwoThirds:     {"tanggal_dua_pertiga", "tanggal_2_3", "two_thirds_date"},
	} {
		for _, n := range names {
			aliases[normalizeHeader(n)] = col
		}
	}
}

// normalizeHeader folds a header name: case-insensitive, ignoring spaces,
// dots, dashes and underscores.
func normalizeHeader(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '_', '\t', '\u00a0', '\ufeff':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// Header maps the columns of one file: which position holds which column,
// how the file names it, and which columns it does not know.
type Header struct {
	pos     map[Column]int
	names   map[Column]string
	order   []Column // the known columns, as the file orders them
	Unknown []string // the first MaxUnknownColumns, each cut at maxColumnName characters
	// MoreUnknown counts the unknown columns left out of Unknown.
	MoreUnknown int
}

// MaxUnknownColumns bounds the unknown columns a header lists (a file of a
// million columns would otherwise be echoed in the report); maxColumnName
// bounds each name.
const (
	MaxUnknownColumns = 50
	maxColumnName     = 100
)

// shortName cuts a column name at maxColumnName characters.
func shortName(s string) string {
	if utf8.RuneCountInString(s) <= maxColumnName {
		return s
	}
	return string([]rune(s)[:maxColumnName-1]) + "…"
}

// ParseHeader reads a header row. It reports the required columns that are
// missing and columns named twice.
func ParseHeader(fields []string) (*Header, []Column, []string) {
	h := &Header{pos: map[Column]int{}, names: map[Column]string{}}
	var twice []string
	for i, f := range fields {
		f = strings.TrimSpace(strings.TrimPrefix(f, "\ufeff"))
		col, ok := aliases[normalizeHeader(f)]
		switch {
		case f == "":
		case !ok && len(h.Unknown) < MaxUnknownColumns:
			h.Unknown = append(h.Unknown, strings.Clone(shortName(f)))
		case !ok:
			h.MoreUnknown++
		case h.has(col):
			twice = append(twice, f)
		default:
			h.pos[col], h.names[col] = i, f
			h.order = append(h.order, col)
		}
	}
	var missing []Column
	for _, c := range Required {
		if !h.has(c) {
			missing = append(missing, c)
		}
	}
	return h, missing, twice
}

func (h *Header) has(c Column) bool { _, ok := h.pos[c]; return ok }

// Name returns how the file names column c (its canonical name when absent).
func (h *Header) Name(c Column) string {
	if n, ok := h.names[c]; ok {
		return n
	}
	return string(c)
}

// get returns the trimmed cell of column c in a record.
func (h *Header) get(rec []string, c Column) string {
	i, ok := h.pos[c]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// controls reports the cells of the record's known columns that hold a
// control character (a NUL, a tab, a line break inside the cell …), which
// no field of the register may contain, in the order of the columns.
func (h *Header) controls(rec []string, line int) []Problem {
	var ps []Problem
	for _, c := range h.order {
		if i := h.pos[c]; i < len(rec) && binakerja.HasControl(rec[i]) {
			ps = append(ps, Problem{Line: line, Field: h.Name(c), Key: "text.control"})
		}
	}
	return ps
}
