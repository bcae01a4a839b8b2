package binakerja

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// AuditEvent is one entry of the audit trail: who did what to which record,
// when, and a summary of the record before and after. Entries are written in
// the same transaction as the change they describe and chained by a keyed
// hash (HMAC-SHA-256 under a key kept outside the database), so that a
// changed, removed or inserted entry breaks the chain, and whoever can write
// the database but lacks the key cannot mend it. Entries written before the
// chain was keyed keep their plain SHA-256 (see ComputeHash).
type AuditEvent struct {
	Seq       int64     `json:"seq"`
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id"`   // 0 for the command line or the system
	Actor     string    `json:"actor"`      // email, or "cli:NAME" / "system"
	ActorRole string    `json:"actor_role"` // the role under which it was done
	Org       string    `json:"org"`        // the organisation concerned, if any
	Action    string    `json:"action"`     // e.g. "org.create", "auth.login"
	Entity    string    `json:"entity"`     // e.g. "organization", "user"
	EntityID  string    `json:"entity_id"`
	Summary   string    `json:"summary"` // JSON: {"before": …, "after": …} or details
	IP        string    `json:"ip"`
	RequestID string    `json:"request_id"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"-"`
}

// AuditTimePrecision is the precision at which audit instants are kept, the
// finest both database engines store.
const AuditTimePrecision = time.Microsecond

// ComputeHash returns the plain hash of the event, as entries were chained
// before the chain was keyed: SHA-256 over the previous hash and a canonical
// encoding of every other field, in hex. Anyone can recompute it, so it
// proves nothing against whoever can write the database.
func (e *AuditEvent) ComputeHash() string {
	sum := sha256.Sum256(e.chained())
	return hex.EncodeToString(sum[:])
}

// ComputeMAC returns the keyed hash of the event: HMAC-SHA-256 under key over
// the same bytes as ComputeHash, in hex.
func (e *AuditEvent) ComputeMAC(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(e.chained())
	return hex.EncodeToString(m.Sum(nil))
}

// chained is what an entry's hash covers: the previous hash, then a
// canonical encoding of every other field.
func (e *AuditEvent) chained() []byte {
	c := *e
	c.At = c.At.UTC().Truncate(AuditTimePrecision)
	b, err := json.Marshal(c) // a struct encodes its fields in declaration order
	if err != nil {
		panic(err) // unreachable: every field is plainly encodable
	}
	return append([]byte(e.PrevHash), b...)
}

// AuditSummary encodes before and after states (either may be nil) as the
// Summary of an audit event.
func AuditSummary(before, after any) string {
	m := map[string]any{}
	if before != nil {
		m["before"] = before
	}
	if after != nil {
		m["after"] = after
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(b)
}
