package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"binakerja"
)

// AppendAudit adds e to the audit trail as the next entry of the chain, in the
// transaction of the change it describes. It sets e.Seq, e.At, e.PrevHash and
// e.Hash. Updating the one head row first serialises concurrent appends on
// PostgreSQL (the second waits for the first to commit) and on SQLite (one
// writer).
func (tx *Tx) AppendAudit(ctx context.Context, e *binakerja.AuditEvent) error {
	if err := tx.q.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).
		Scan(&e.Seq, &e.PrevHash); err != nil {
		return fmt.Errorf("store: audit head: %w", mapError(err))
	}
	e.At = tx.Now.Truncate(binakerja.AuditTimePrecision)
	e.Hash = e.ComputeHash()
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

// VerifyAudit recomputes the audit chain from the first entry and returns the
// number of entries when it is intact, or a *ChainError naming the first entry
// that was changed, removed or inserted.
func (db *DB) VerifyAudit(ctx context.Context) (int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_events ORDER BY seq`)
	if err != nil {
		return 0, mapError(err)
	}
	defer rows.Close()
	var n int64
	prev := ""
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return n, err
		}
		want := n + 1
		switch {
		case e.Seq != want:
			return n, &ChainError{Seq: want, Reason: fmt.Sprintf("entry %d is missing (next is %d)", want, e.Seq)}
		case e.PrevHash != prev:
			return n, &ChainError{Seq: e.Seq, Reason: "it does not follow the entry before it"}
		case e.ComputeHash() != e.Hash:
			return n, &ChainError{Seq: e.Seq, Reason: "its content does not match its hash"}
		}
		prev = e.Hash
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	var headSeq int64
	var headHash string
	if err := db.read.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return n, mapError(err)
	}
	if headSeq != n || headHash != prev {
		return n, &ChainError{Seq: n + 1, Reason: fmt.Sprintf("the chain ends at entry %d but its head records %d", n, headSeq)}
	}
	return n, nil
}
