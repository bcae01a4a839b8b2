package binakerja

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// accentFold maps accented Latin letters to their plain forms.
var accentFold = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ã", "a", "ä", "a", "å", "a", "ā", "a",
	"ç", "c", "č", "c", "ć", "c",
	"è", "e", "é", "e", "ê", "e", "ë", "e", "ē", "e", "ě", "e",
	"ì", "i", "í", "i", "î", "i", "ï", "i", "ī", "i",
	"ñ", "n", "ń", "n",
	"ò", "o", "ó", "o", "ô", "o", "õ", "o", "ö", "o", "ø", "o", "ō", "o",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ū", "u",
	"ý", "y", "ÿ", "y", "š", "s", "ś", "s", "ž", "z", "ź", "z", "ż", "z", "ß", "ss",
)

// SearchKey returns the form of s that searches compare: lower case, accents
// removed, punctuation other than letters and digits turned into spaces, and
// runs of spaces collapsed: "Siti  Nur'Aini" and "siti nur aini" have the same
// key.
func SearchKey(s string) string {
	s = accentFold.Replace(strings.ToLower(s))
	var b strings.Builder
	space := true
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// EscapeLike escapes the LIKE wildcards of s with a backslash, for use with
// LIKE … ESCAPE '\'.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// HasControl reports whether s holds a control character (a NUL, a line
// break, an escape …), which no name, number or code may contain.
func HasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// HasStrayControl reports whether s holds a control character other than a
// tab or a line break (a NUL, an escape, a backspace …), which no text may
// contain, not even text of several lines; or is not valid UTF-8. A database
// refuses some of them (PostgreSQL takes no NUL in text), and none of them
// means anything in a record.
func HasStrayControl(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return true
			}
		}
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return true
		}
	}
	return false
}
