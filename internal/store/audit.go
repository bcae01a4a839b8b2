package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"weak"

	"binakerja"
)

// The audit chain is keyed: each entry's hash is an HMAC-SHA-256 under a key
// derived from the key file (keys.AuditChain), which the store is given by
// whoever opened it (SetAuditKeys) and never reads itself. Whoever can write
// the database but lacks the key can neither mend a changed entry nor forge
// a new one.
//
// The entries written before the chain was keyed keep their plain SHA-256:
// audit_head.keyed_from is the first keyed entry (migration 0013 set it to
// the entry after the last one then; in a database made since, it is 1). They
// cannot be keyed afterwards, since the migration has no key, and keying them
// on the first start would bless whatever was done to them before; instead
// the first keyed entry chains onto the last plain one, so that a change to
// them breaks the chain at that entry at the latest.
//
// What a key inside the database cannot catch is a chain cut short and its
// head set back (down to nothing), or every entry rewritten as plain with
// keyed_from moved past them: a checkpoint kept outside the database (the
// entry count, the head's hash and keyed_from, under a second key; see
// Checkpoint) finds both.

// AuditKeys are the secrets of the audit trail, derived from the key file.
type AuditKeys struct {
	Chain      []byte // keys each entry's hash (keys.AuditChain)
	Checkpoint []byte // signs the checkpoints (keys.AuditCheckpoint)
}

// auditKeys holds the audit keys of each DB (see SetAuditKeys), without
// keeping a DB alive: an entry goes when its DB is collected.
var auditKeys sync.Map // weak.Pointer[DB] → AuditKeys

// SetAuditKeys gives the DB the keys of its audit chain. Without them it
// appends nothing to the trail, and verifies only the entries written before
// the chain was keyed.
func (db *DB) SetAuditKeys(k AuditKeys) {
	p := weak.Make(db)
	if _, had := auditKeys.Swap(p, k); !had {
		runtime.AddCleanup(db, func(p weak.Pointer[DB]) { auditKeys.Delete(p) }, p)
	}
}

func (db *DB) auditKeys() (AuditKeys, bool) {
	v, ok := auditKeys.Load(weak.Make(db))
	if !ok {
		return AuditKeys{}, false
	}
	k := v.(AuditKeys)
	return k, len(k.Chain) > 0
}

// errNoAuditKey is an append to, or a check of keyed entries of, the trail
// of a DB that was given no audit keys.
var errNoAuditKey = errors.New("store: the audit trail's key was not given (SetAuditKeys)")

// AppendAudit adds e to the audit trail as the next entry of the chain, in the
// transaction of the change it describes. It sets e.Seq, e.At, e.PrevHash and
// e.Hash, the entry's HMAC. Updating the one head row first serialises
// concurrent appends on PostgreSQL (the second waits for the first to commit)
// and on SQLite (one writer).
func (tx *Tx) AppendAudit(ctx context.Context, e *binakerja.AuditEvent) error {
	k, ok := tx.db.auditKeys()
	if !ok {
		return errNoAuditKey
	}
	if err := tx.q.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).
		Scan(&e.Seq, &e.PrevHash); err != nil {
		return fmt.Errorf("store: audit head: %w", mapError(err))
	}
	e.At = tx.Now.Truncate(binakerja.AuditTimePrecision)
	e.Hash = e.ComputeMAC(k.Chain)
	if _, err := tx.q.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, e.Hash); err != nil {
		return mapError(err)
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO audit_events (seq, at, actor_id, actor, actor_role, org, action,
		entity, entity_id, summary, ip, request_id, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		e.Seq, e.At, e.ActorID, e.Actor, e.ActorRole, e.Org, e.Action, e.Entity, e.EntityID, e.Summary,
		e.IP, e.RequestID, e.PrevHash, e.Hash)
	return mapError(err)
}

const auditColumns = `seq, at, actor_id, actor, actor_role, org, action, entity, entity_id, summary, ip,
	request_id, prev_hash, hash`

func scanAudit(row interface{ Scan(...any) error }) (*binakerja.AuditEvent, error) {
	var e binakerja.AuditEvent
	err := row.Scan(&e.Seq, &e.At, &e.ActorID, &e.Actor, &e.ActorRole, &e.Org, &e.Action, &e.Entity,
		&e.EntityID, &e.Summary, &e.IP, &e.RequestID, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	return &e, err
}

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	ActorID  int64
	Action   string // exact, or a prefix ending in "." ("auth.")
	Entity   string
	EntityID string
	Org      string
	Page     Page // the cursor is the seq below which to continue
}

// AuditEvents lists audit events, newest first.
func (q Queries) AuditEvents(ctx context.Context, f AuditFilter) ([]*binakerja.AuditEvent, string, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if f.ActorID != 0 {
		add("actor_id = $?", f.ActorID)
	}
	if strings.HasSuffix(f.Action, ".") {
		add(`action LIKE $? ESCAPE '\'`, binakerja.EscapeLike(f.Action)+"%")
	} else if f.Action != "" {
		add("action = $?", f.Action)
	}
	if f.Entity != "" {
		add("entity = $?", f.Entity)
	}
	if f.EntityID != "" {
		add("entity_id = $?", f.EntityID)
	}
	if f.Org != "" {
		add("org = $?", binakerja.NormalizeOrgCode(f.Org))
	}
	if f.Page.Cursor != "" {
		c, err := decodeCursor(f.Page.Cursor)
		if err != nil {
			return nil, "", err
		}
		add("seq < $?", c.ID)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Page.limit()
	args = append(args, limit+1)
	query += ` ORDER BY seq DESC LIMIT $` + strconv.Itoa(len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.AuditEvent, cursor, error) {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, cursor{}, err
		}
		return e, cursor{ID: e.Seq}, nil
	})
}

// ChainError says where the audit chain is broken.
type ChainError struct {
	Seq    int64  // the first entry at fault (for a cut-off tail, the first missing one)
	Reason string // what is wrong there
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", e.Seq, e.Reason)
}

// AuditHead is the end of a verified audit chain.
type AuditHead struct {
	Seq       int64  // the number of entries
	Hash      string // the hash of the last entry ("" when there is none)
	KeyedFrom int64  // the first keyed entry
}

// VerifyAudit recomputes the audit chain from the first entry and returns the
// number of entries when it is intact, or a *ChainError naming the first entry
// that was changed, removed or inserted. The entries from the cut-over on are
// checked with the key (see SetAuditKeys), the earlier ones by their plain
// hash.
func (db *DB) VerifyAudit(ctx context.Context) (int64, error) {
	h, err := db.verifyAudit(ctx, nil)
	return h.Seq, err
}

// verifyAudit checks the chain and, when cp is given, that the chain still
// holds what the checkpoint saw: at least as many entries, the same hash at
// the checkpoint's entry, and the same cut-over. It returns the head verified
// so far.
func (db *DB) verifyAudit(ctx context.Context, cp *Checkpoint) (AuditHead, error) {
	k, haveKey := db.auditKeys()
	// The head first: entries appended meanwhile only lengthen the chain.
	var head AuditHead
	if err := db.read.QueryRowContext(ctx, `SELECT seq, hash, keyed_from FROM audit_head WHERE id = 1`).
		Scan(&head.Seq, &head.Hash, &head.KeyedFrom); err != nil {
		return AuditHead{}, mapError(err)
	}
	got := AuditHead{KeyedFrom: head.KeyedFrom}
	if cp != nil && head.KeyedFrom > cp.KeyedFrom {
		return got, &ChainError{Seq: cp.KeyedFrom, Reason: fmt.Sprintf(
			"the trail says its keyed entries begin at %d, but the checkpoint of %s saw them begin at %d: its entries were rewritten without the key",
			head.KeyedFrom, cp.At.Format(checkpointTime), cp.KeyedFrom)}
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_events ORDER BY seq`)
	if err != nil {
		return got, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return got, err
		}
		want := got.Seq + 1
		keyed := e.Seq >= head.KeyedFrom
		switch {
		case e.Seq != want:
			return got, &ChainError{Seq: want, Reason: fmt.Sprintf("entry %d is missing (next is %d)", want, e.Seq)}
		case e.PrevHash != got.Hash:
			return got, &ChainError{Seq: e.Seq, Reason: "it does not follow the entry before it"}
		case keyed && !haveKey:
			return got, fmt.Errorf("audit entries from %d on are keyed: %w", head.KeyedFrom, errNoAuditKey)
		case keyed && !hmacEqual(e.ComputeMAC(k.Chain), e.Hash):
			return got, &ChainError{Seq: e.Seq, Reason: "its content does not match its keyed hash"}
		case !keyed && e.ComputeHash() != e.Hash:
			return got, &ChainError{Seq: e.Seq, Reason: "its content does not match its hash"}
		case e.Seq == head.Seq && e.Hash != head.Hash:
			return got, &ChainError{Seq: e.Seq, Reason: "it is not the entry the head records"}
		case cp != nil && e.Seq == cp.Seq && e.Hash != cp.Head:
			return got, &ChainError{Seq: e.Seq, Reason: fmt.Sprintf(
				"it differs from the checkpoint of %s: the trail up to it was rewritten", cp.At.Format(checkpointTime))}
		}
		got.Seq, got.Hash = e.Seq, e.Hash
	}
	if err := rows.Err(); err != nil {
		return got, err
	}
	if got.Seq < head.Seq {
		return got, &ChainError{Seq: got.Seq + 1, Reason: fmt.Sprintf("the chain ends at entry %d but its head records %d", got.Seq, head.Seq)}
	}
	if cp != nil && got.Seq < cp.Seq {
		return got, &ChainError{Seq: got.Seq + 1, Reason: fmt.Sprintf(
			"the trail ends at entry %d but the checkpoint of %s saw %d entries: entries were removed",
			got.Seq, cp.At.Format(checkpointTime), cp.Seq)}
	}
	return got, nil
}
