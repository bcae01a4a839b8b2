package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"binakerja"
)

var monthNumbers = map[string]time.Month{
	"januari": 1, "jan": 1, "january": 1,
	"februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2,
	"maret": 3, "mar": 3, "march": 3,
	"april": 4, "apr": 4,
	"mei": 5, "may": 5,
	"juni": 6, "jun": 6, "june": 6,
	"juli": 7, "jul": 7, "july": 7,
	"agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
	"september": 9, "sep": 9, "sept": 9,
	"oktober": 10, "okt": 10, "oct": 10, "october": 10,
	"november": 11, "nov": 11, "nop": 11, "nopember": 11,
	"desember": 12, "des": 12, "dec": 12, "december": 12,
}

// ParseDate reads a date as prison registers and spreadsheets write it:
// 2024-01-31, 31-01-2024, 31/01/2024, 31.01.2024, 31 Januari 2024,
// 31 Jan 2024, 31-Jan-2024 (Indonesian or English month names, any case).
func ParseDate(s string) (binakerja.Date, error) {
	in := strings.TrimSpace(s)
	bad := fmt.Errorf("not a date: %q", s)
	if in == "" || len(in) > 40 {
		return binakerja.Date{}, bad
	}
	// 2024-01-31
	if len(in) == 10 && in[4] == '-' && in[7] == '-' {
		return ymd(in[0:4], in[5:7], in[8:10], bad)
	}
	// 31-01-2024, 31/01/2024, 31.01.2024 (one or two digit day and month)
	for _, sep := range []string{"-", "/", "."} {
		parts := strings.Split(in, sep)
		if len(parts) == 3 && allDigits(parts[0]) && allDigits(parts[1]) && allDigits(parts[2]) && len(parts[2]) == 4 {
			return ymd(parts[2], parts[1], parts[0], bad)
		}
	}
	// 31 Januari 2024, 31 Jan 2024, 31-Jan-2024
	fields := strings.FieldsFunc(in, func(r rune) bool { return r == ' ' || r == '-' || r == '/' || r == '.' })
	if len(fields) == 3 && allDigits(fields[0]) && allDigits(fields[2]) && len(fields[2]) == 4 {
		m, ok := monthNumbers[strings.ToLower(fields[1])]
		if !ok {
			return binakerja.Date{}, bad
		}
		return ymd(fields[2], strconv.Itoa(int(m)), fields[0], bad)
	}
	return binakerja.Date{}, bad
}

func allDigits(s string) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ymd builds a date, refusing days that do not exist (31 February).
func ymd(ys, ms, ds string, bad error) (binakerja.Date, error) {
	y, err1 := strconv.Atoi(ys)
	m, err2 := strconv.Atoi(ms)
	d, err3 := strconv.Atoi(ds)
	if err1 != nil || err2 != nil || err3 != nil || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return binakerja.Date{}, bad
	}
	date := binakerja.NewDate(y, time.Month(m), d)
	if date.Time().Day() != d {
		return binakerja.Date{}, bad
	}
	return date, nil
}

// excelEpoch is day 0 of Excel's 1900 date system (with its leap-year bug).
var excelEpoch = binakerja.NewDate(1899, 12, 30)

// fromExcelSerial reads a date cell stored as an Excel serial number.
func fromExcelSerial(s string) (binakerja.Date, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1 || f > 120000 {
		return binakerja.Date{}, false
	}
	return excelEpoch.AddDate(0, 0, int(f)), true
}
