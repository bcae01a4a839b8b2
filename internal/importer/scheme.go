package importer

import (
	"fmt"
	"strconv"
	"strings"

	"binakerja"
)

// schemeColumns are the columns of a scheme file, one row per unit:
// the scheme's fields repeat on each of its units' rows.
var schemeColumns = map[string]string{
	"kodeskema": "scheme_code", "schemecode": "scheme_code",
	"judulskema": "scheme_title", "namaskema": "scheme_title", "schemetitle": "scheme_title",
	"jenjangkkni": "kkni_level", "kkni": "kkni_level", "kknilevel": "kkni_level",
	"kodekbji": "kbji_code", "kbji": "kbji_code", "kbjicode": "kbji_code",
	"masaberlaku": "validity_years", "masaberlakutahun": "validity_years", "validityyears": "validity_years",
	"kodeunit": "unit_code", "unitcode": "unit_code",
	"judulunit": "unit_title", "namaunit": "unit_title", "unittitle": "unit_title",
}

// Schemes reads a file of certification schemes and their units (CSV or XLSX,
// one row per unit, the scheme's code, title, KKNI level, KBJI code and
// validity repeated on each row). Every problem names its line and column;
// the schemes are returned only when there is none.
func Schemes(recs Records) ([]*binakerja.Scheme, []Problem) {
	first, headLine, ok := recs.Next()
	if !ok {
		return nil, []Problem{{Key: "import.file.empty"}}
	}
	pos := map[string]int{}
	names := map[string]string{}
	for i, f := range first {
		if col, ok := schemeColumns[normalizeHeader(f)]; ok {
			pos[col], names[col] = i, strings.TrimSpace(f)
		}
	}
	var ps []Problem
	for _, c := range []string{"scheme_code", "scheme_title", "kkni_level", "validity_years", "unit_code", "unit_title"} {
		if _, ok := pos[c]; !ok {
			ps = append(ps, Problem{Line: headLine, Field: c, Key: "import.column.missing"})
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	get := func(rec []string, c string) string {
		i, ok := pos[c]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var out []*binakerja.Scheme
	byCode := map[string]*binakerja.Scheme{}
	firstLine := map[string]int{}
	for {
		rec, line, ok := recs.Next()
		if !ok {
			break
		}
		if bad := schemeControls(rec, pos, names, line); len(bad) > 0 {
			ps = append(ps, bad...)
			continue
		}
		code := get(rec, "scheme_code")
		level, err1 := strconv.Atoi(get(rec, "kkni_level"))
		years, err2 := strconv.Atoi(get(rec, "validity_years"))
		if err1 != nil {
			ps = append(ps, Problem{Line: line, Field: names["kkni_level"], Key: "scheme.kkni_level"})
		}
		if err2 != nil {
			ps = append(ps, Problem{Line: line, Field: names["validity_years"], Key: "scheme.validity_years"})
		}
		s, seen := byCode[code]
		if !seen {
			s = &binakerja.Scheme{Code: code, Title: get(rec, "scheme_title"), KKNILevel: level, KBJICode: get(rec, "kbji_code"), ValidityYears: years}
			byCode[code] = s
			firstLine[code] = line
			out = append(out, s)
		} else if strings.Join(strings.Fields(s.Title), " ") != strings.Join(strings.Fields(get(rec, "scheme_title")), " ") || s.KKNILevel != level {
			ps = append(ps, Problem{Line: line, Field: names["scheme_title"], Key: "import.scheme.differs", Args: []any{firstLine[code]}})
		}
		s.Units = append(s.Units, binakerja.Unit{Code: get(rec, "unit_code"), Title: get(rec, "unit_title")})
	}
	if err := recs.Err(); err != nil {
		if fe, ok := err.(*FileError); ok {
			return nil, append(ps, Problem{Key: fe.Key, Args: fe.Args})
		}
		return nil, append(ps, Problem{Key: "import.file.csv", Args: []any{0, err.Error()}})
	}
	for _, s := range out {
		if err := s.Validate(); err != nil {
			for _, f := range err.(*binakerja.Error).Fields {
				ps = append(ps, Problem{Line: firstLine[s.Code], Field: fmt.Sprintf("%s (%s)", f.Field, s.Code), Key: f.Key, Args: f.Args})
			}
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return out, nil
}

// schemeControls reports the cells of the known columns that hold a control
// character, in the order of the columns.
func schemeControls(rec []string, pos map[string]int, names map[string]string, line int) []Problem {
	var ps []Problem
	for i, f := range rec {
		if !binakerja.HasControl(f) {
			continue
		}
		for col, p := range pos {
			if p == i {
				ps = append(ps, Problem{Line: line, Field: names[col], Key: "text.control"})
			}
		}
	}
	return ps
}
