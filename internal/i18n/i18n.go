// Package i18n says BinaKerja's words in Bahasa Indonesia (the default) and
// English: two embedded catalogues of messages under flat dotted keys, a
// Printer per request, and the formats of dates and numbers of each language.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"binakerja"
)

// Languages are the languages BinaKerja speaks, the default first.
var Languages = []string{"id", "en"}

// Default is the language used when nothing asks for another.
const Default = "id"

//go:embed catalog/*.json
var files embed.FS

// catalogs maps a language to its messages.
var catalogs = map[string]map[string]string{}

func init() {
	for _, lang := range Languages {
		b, err := files.ReadFile("catalog/" + lang + ".json")
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: catalog %s: %v", lang, err))
		}
		catalogs[lang] = m
	}
}

// Keys returns the keys of a language's catalogue.
func Keys(lang string) []string {
	var ks []string
	for k := range catalogs[lang] {
		ks = append(ks, k)
	}
	return ks
}

// Has reports whether the language's catalogue has key.
func Has(lang, key string) bool {
	_, ok := catalogs[lang][key]
	return ok
}

// Printer says messages in one language.
type Printer struct {
	Lang string
}

// New returns a printer for lang, or for the default language when lang is
// not one of Languages.
func New(lang string) *Printer {
	if _, ok := catalogs[lang]; !ok {
		lang = Default
	}
	return &Printer{Lang: lang}
}

// T returns the message under key, its verbs filled with args. A missing key
// shows as the key itself, which the catalogue tests prevent.
func (p *Printer) T(key string, args ...any) string {
	msg, ok := catalogs[p.Lang][key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

var matcher = language.NewMatcher([]language.Tag{language.Indonesian, language.English})

// Match returns the language that best serves an Accept-Language header, or
// the default.
func Match(acceptLanguage string) string {
	if acceptLanguage == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[i]
}

var monthNames = map[string][12]string{
	"id": {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// Date writes a calendar date out in full: "2 Januari 2026", "2 January 2026".
func (p *Printer) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return fmt.Sprintf("%d %s %d", t.Day(), monthNames[p.Lang][t.Month()-1], t.Year())
}

// WIB is western Indonesian time, in which times are shown.
var WIB = time.FixedZone("WIB", 7*60*60)

// DateTime writes an instant as a date and a time of day in WIB.
func (p *Printer) DateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(WIB)
	return p.Date(t) + " " + t.Format("15.04") + " WIB"
}

// Number writes an integer with the language's thousands separator:
// 1.234.567 in Indonesian, 1,234,567 in English.
func (p *Printer) Number(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := "."
	if p.Lang == "en" {
		sep = ","
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Decimal writes a number to places decimals with the language's decimal
// separator: 71,4 in Indonesian, 71.4 in English.
func (p *Printer) Decimal(v float64, places int) string {
	s := strconv.FormatFloat(v, 'f', places, 64)
	if p.Lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Percent writes a share (0 to 1) as a percentage to one place: "71,4 %".
func (p *Printer) Percent(share float64) string { return p.Decimal(share*100, 1) + " %" }

// Day writes a calendar date out in full, or "—" for no date.
func (p *Printer) Day(d binakerja.Date) string {
	if d.IsZero() {
		return "—"
	}
	return p.Date(d.Time())
}
