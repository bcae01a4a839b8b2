package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"binakerja"
)

// Outbox message statuses.
const (
	MailPending = "pending"
	MailSent    = "sent"
	MailFailed  = "failed" // given up after the limit of attempts
)

// Mail is an e-mail waiting in the outbox, sent, or given up.
type Mail struct {
	ID            int64
	NoticeID      int64
	UserID        int64
	Address       string
	Subject       string
	Body          string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        time.Time
	CreatedAt     time.Time
}

// Enqueue puts a message in the outbox, to be sent from now on.
func (tx *Tx) Enqueue(ctx context.Context, m *Mail) error {
	m.Status, m.CreatedAt, m.NextAttemptAt = MailPending, tx.Now, tx.Now
	return mapError(tx.q.QueryRowContext(ctx, `INSERT INTO outbox (notice_id, user_id, address, subject, body,
		status, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		nullID(m.NoticeID), nullID(m.UserID), m.Address, m.Subject, m.Body, m.Status, tx.Now).Scan(&m.ID))
}

const mailColumns = `id, coalesce(notice_id, 0), coalesce(user_id, 0), address, subject, body, status, attempts,
	next_attempt_at, last_error, sent_at, created_at`

func scanMail(row interface{ Scan(...any) error }) (*Mail, error) {
	var m Mail
	var sent sql.NullTime
	if err := row.Scan(&m.ID, &m.NoticeID, &m.UserID, &m.Address, &m.Subject, &m.Body, &m.Status, &m.Attempts,
		&m.NextAttemptAt, &m.LastError, &sent, &m.CreatedAt); err != nil {
		return nil, err
	}
	m.NextAttemptAt, m.CreatedAt, m.SentAt = m.NextAttemptAt.UTC(), m.CreatedAt.UTC(), sent.Time.UTC()
	return &m, nil
}

// ClaimMail leases up to limit messages due for sending to owner until the
// lease ends: none of them is handed to another claimer before then, nor
// after it is marked. On PostgreSQL rows another claimer is locking are
// skipped, so that several servers share the outbox without waiting on each
// other; on SQLite the single writer does the same.
func (db *DB) ClaimMail(ctx context.Context, owner string, lease time.Duration, limit int) ([]*Mail, error) {
	skip := ""
	if db.engine == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	var out []*Mail
	err := db.Transact(ctx, func(tx *Tx) error {
		rows, err := tx.q.QueryContext(ctx, `UPDATE outbox SET lease_owner = $1, lease_until = $2
			WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3
				AND (lease_until IS NULL OR lease_until < $3) ORDER BY id LIMIT $4`+skip+`)
			RETURNING `+mailColumns, owner, tx.Now.Add(lease), tx.Now, limit)
		if err != nil {
			return mapError(err)
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return mapError(rows.Err())
	})
	return out, err
}

// MarkMailSent records a message sent by the owner of its lease. It reports
// false when the lease was lost (and the message is not marked).
func (tx *Tx) MarkMailSent(ctx context.Context, id int64, owner string) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1,
		lease_owner = '', lease_until = NULL, last_error = '' WHERE id = $2 AND lease_owner = $3 AND status = 'pending'`,
		tx.Now, id, owner)
	if err != nil {
		return false, mapError(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkMailFailed records a failed attempt by the owner of the lease: the
// message is tried again at next, or given up (failed) when next is zero.
func (tx *Tx) MarkMailFailed(ctx context.Context, id int64, owner, reason string, next time.Time) error {
	status := MailPending
	if next.IsZero() {
		status, next = MailFailed, tx.Now
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE outbox SET status = $1, attempts = attempts + 1, next_attempt_at = $2,
		last_error = $3, lease_owner = '', lease_until = NULL WHERE id = $4 AND lease_owner = $5 AND status = 'pending'`,
		status, next, reason, id, owner)
	return mapError(err)
}

// RetryMail puts a message given up back in the queue, to be sent at once
// with its attempts counted afresh.
func (tx *Tx) RetryMail(ctx context.Context, id int64) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1,
		last_error = '' WHERE id = $2 AND status = 'failed'`, tx.Now, id)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return nil
}

// MailFilter selects outbox messages.
type MailFilter struct {
	Status string // empty for any
	Page   Page
}

// Mails lists outbox messages, newest first.
func (q Queries) Mails(ctx context.Context, f MailFilter) ([]*Mail, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	where, args := "1 = 1", []any{}
	if f.Status != "" {
		args = append(args, f.Status)
		where += " AND status = $1"
	}
	if f.Page.Cursor != "" {
		args = append(args, c.ID)
		where += " AND id < $" + strconv.Itoa(len(args))
	}
	limit := f.Page.limit()
	args = append(args, limit+1)
	rows, err := q.q.QueryContext(ctx, `SELECT `+mailColumns+` FROM outbox WHERE `+where+
		` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*Mail, cursor, error) {
		m, err := scanMail(rows)
		if err != nil {
			return nil, cursor{}, err
		}
		return m, cursor{ID: m.ID}, nil
	})
}

// MailCounts counts the outbox's messages by status.
func (q Queries) MailCounts(ctx context.Context) (map[string]int, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT status, count(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, mapError(rows.Err())
}
