package binakerja

import "time"

// ConsentScope is what a person agreed to. EMPLOYER_PROPOSALS: to be shown
// to employers as a candidate, with the minimum of contract §5.
type ConsentScope string

// The consent scopes.
const ConsentEmployerProposals ConsentScope = "EMPLOYER_PROPOSALS"

// ConsentScopes lists every scope.
var ConsentScopes = []ConsentScope{ConsentEmployerProposals}

// Consent is one record of a person giving or withdrawing consent, by the
// officer who took it down. The newest record of a scope is in force; a
// withdrawal takes effect at once.
type Consent struct {
	ID         int64
	PersonID   int64
	Scope      ConsentScope
	Given      bool
	Date       Date
	RecordedBy string
	Note       string
	FormSHA256 string // of the scanned signed form, when one was kept
	CreatedAt  time.Time
}
