package binakerja

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it. The HTTP layers
// map each kind to a status code in one place.
type Kind int

// The kinds of error.
const (
	Internal        Kind = iota // a fault of the system, not of the request
	Invalid                     // the input breaks a rule; Fields say which
	NotFound                    // no such record, or not visible to the caller
	Conflict                    // the record exists already or changed meanwhile
	Forbidden                   // the caller may not do this
	Unauthenticated             // nobody is signed in, or the credentials are wrong
	TooLarge                    // the request body is over its limit
	Unsupported                 // the request's media type is not accepted
	TooMany                     // too many attempts; try again later
	BadRequest                  // the request cannot be read (malformed JSON, wrong types)
)

var kindNames = [...]string{
	Internal:        "internal",
	Invalid:         "invalid",
	NotFound:        "not_found",
	Conflict:        "conflict",
	Forbidden:       "forbidden",
	Unauthenticated: "unauthenticated",
	TooLarge:        "too_large",
	Unsupported:     "unsupported_media_type",
	TooMany:         "too_many_requests",
	BadRequest:      "bad_request",
}

// String returns the stable, snake_case name of the kind, used as the API's
// error code.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "internal"
	}
	return kindNames[k]
}

// FieldError names one field of the input and what is wrong with it. Key is a
// message key of the translation catalogue; Args fill its verbs.
type FieldError struct {
	Field string
	Key   string
	Args  []any
}

// Error is the error type of BinaKerja. Key is a message key of the
// translation catalogue, so that the web and API layers can say it in the
// user's language; Fields list the fields at fault, if any.
type Error struct {
	Kind   Kind
	Key    string
	Args   []any
	Fields []FieldError
	Err    error // the underlying cause, never shown to users
}

func (e *Error) Error() string {
	s := e.Kind.String() + ": " + e.Key
	for _, f := range e.Fields {
		s += fmt.Sprintf("; %s: %s", f.Field, f.Key)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a message key and its
// arguments.
func Errorf(kind Kind, key string, args ...any) *Error {
	return &Error{Kind: kind, Key: key, Args: args}
}

// FieldInvalid returns an Invalid error about one field.
func FieldInvalid(field, key string, args ...any) *Error {
	return &Error{Kind: Invalid, Key: "error.invalid", Fields: []FieldError{{Field: field, Key: key, Args: args}}}
}

// ErrorKind returns the kind of err: the Kind of the first *Error in its chain,
// or Internal.
func ErrorKind(err error) Kind {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return Internal
}

// Problems collects the field errors of a validation, so that one answer names
// every field at fault rather than the first.
type Problems []FieldError

// Add records that field breaks the rule named by key.
func (p *Problems) Add(field, key string, args ...any) {
	*p = append(*p, FieldError{Field: field, Key: key, Args: args})
}

// Err returns nil when nothing was added, else an Invalid *Error listing the
// problems.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Key: "error.invalid", Fields: p}
}
