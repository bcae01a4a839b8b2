package binakerja

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Date is a calendar date (a civil date, as written in law and registers),
// without a time of day or zone. The zero Date means "no date". It is stored
// as DATE on PostgreSQL and as TEXT 'YYYY-MM-DD' on SQLite, so that both
// engines compare and sort dates alike.
type Date struct {
	t time.Time // midnight UTC
}

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the calendar date of t in t's own zone.
func DateOf(t time.Time) Date { return NewDate(t.Date()) }

// ParseISODate parses "YYYY-MM-DD".
func ParseISODate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a date of the form YYYY-MM-DD: %q", s)
	}
	return Date{t}, nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns the date as midnight UTC.
func (d Date) Time() time.Time { return d.t }

// String returns "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// AddDate returns d moved by years, months and days, normalised as time.AddDate does.
func (d Date) AddDate(years, months, days int) Date { return Date{d.t.AddDate(years, months, days)} }

// AddMonths returns the date n months later, on the last day of that month
// when it is shorter (30 November + 3 months is 28 or 29 February, not 2
// March).
func (d Date) AddMonths(n int) Date {
	y, m, day := d.t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.AddDate(0, 0, min(day, last)-1)}
}

// Before, After and Equal compare dates.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }
func (d Date) After(e Date) bool  { return d.t.After(e.t) }
func (d Date) Equal(e Date) bool  { return d.t.Equal(e.t) }

// DaysUntil returns the number of days from d to e (negative when e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

// Value stores the date as "YYYY-MM-DD", or NULL for the zero Date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date from a DATE column (time.Time) or a TEXT column.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = NewDate(v.Date())
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("binakerja.Date: cannot scan %T", src)
	}
	return nil
}

func (d *Date) scanText(s string) error {
	if len(s) > 10 {
		s = s[:10]
	}
	v, err := ParseISODate(s)
	*d = v
	return err
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[Date]()}
	}
	v, err := ParseISODate(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + s, Type: reflect.TypeFor[Date]()}
	}
	*d = v
	return nil
}
