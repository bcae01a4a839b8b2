package store

import (
	"context"
	"database/sql"
	"time"

	"binakerja"
)

// Session is a signed-in browser. Only the hash of its token is stored, so
// that a copy of the database cannot be used to take over a session.
type Session struct {
	TokenHash  string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute end, whatever the activity
	IP         string
	UserAgent  string
	// Stage is how far the sign-in got: "" done, StageCode while the
	// second step's code is awaited.
	Stage        string
	CodeFailures int       // wrong codes typed into this sign-in
	ReauthAt     time.Time // when the user last gave their password (and code) here; zero if never
	TOTP         bool      // the user has a TOTP secret (read with the session, not stored in it)
}

// StageCode marks a session whose password was right and whose second
// step's code is awaited.
const StageCode = "code"

// CreateSession stores s.
func (tx *Tx) CreateSession(ctx context.Context, s *Session) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at,
		expires_at, ip, user_agent, stage, reauth_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.TokenHash, s.UserID, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.IP, s.UserAgent, s.Stage, nullTime(s.ReauthAt))
	return mapError(err)
}

// Session returns the session whose token has the given hash.
func (q Queries) Session(ctx context.Context, tokenHash string) (*Session, error) {
	var s Session
	var reauth sql.NullTime
	err := q.q.QueryRowContext(ctx, `SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.ip,
		s.user_agent, s.stage, s.code_failures, s.reauth_at, u.totp_secret IS NOT NULL
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`, tokenHash).
		Scan(&s.TokenHash, &s.UserID, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.IP, &s.UserAgent,
			&s.Stage, &s.CodeFailures, &reauth, &s.TOTP)
	if err != nil {
		return nil, mapError(err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC()
	if reauth.Valid {
		s.ReauthAt = reauth.Time.UTC()
	}
	return &s, nil
}

// TouchSession records activity on the session at tx.Now.
func (tx *Tx) TouchSession(ctx context.Context, tokenHash string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, tx.Now, tokenHash)
	return mapError(err)
}

// CompleteSession ends the sign-in of the session oldHash, whose second step
// was passed at tx.Now: the session takes the token newHash (a new token
// for the new privilege, so that one learnt before cannot ride it), its
// stage and failures are cleared, and its user counts as having just
// re-authenticated. A session that is gone is NotFound.
func (tx *Tx) CompleteSession(ctx context.Context, oldHash, newHash string) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE sessions SET token_hash = $1, stage = '', code_failures = 0,
		reauth_at = $2, last_seen_at = $2 WHERE token_hash = $3`, newHash, tx.Now, oldHash)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return nil
}

// SetSessionReauth records that the session's user re-authenticated at
// tx.Now.
func (tx *Tx) SetSessionReauth(ctx context.Context, tokenHash string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE sessions SET reauth_at = $1 WHERE token_hash = $2`, tx.Now, tokenHash)
	return mapError(err)
}

// SessionCodeFailed counts a wrong code typed into the session's sign-in
// and returns how many there have been.
func (tx *Tx) SessionCodeFailed(ctx context.Context, tokenHash string) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `UPDATE sessions SET code_failures = code_failures + 1 WHERE token_hash = $1
		RETURNING code_failures`, tokenHash).Scan(&n)
	return n, mapError(err)
}

// DeleteSession ends one session.
func (tx *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return mapError(err)
}

// DeleteUserSessions ends every credential of the user, as a password
// change or disabling the account must: their sessions end, and their API
// tokens are revoked (a token made under the old password would outlive it).
// It returns how many sessions there were.
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return 0, mapError(err)
	}
	if _, err := tx.q.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`,
		tx.Now, userID); err != nil {
		return 0, mapError(err)
	}
	return res.RowsAffected()
}

// DeleteExpiredSessions removes sessions that ended before the given instants:
// idle since before idleBefore, or past their absolute end at now.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context, idleBefore time.Time) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < $1 OR expires_at < $2`, idleBefore, tx.Now)
	return mapError(err)
}

// APIToken is a credential for the API. Only the hash of its secret is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	ExpiresAt  time.Time // when it stops working; on creation, zero for DefaultTokenLifetime
	LastUsedAt time.Time // zero when never used
	RevokedAt  time.Time // zero when valid
	Expired    bool      // past ExpiresAt when it was read
}

// DefaultTokenLifetime is how long an API token works when it is made
// without an end of its own; the tokens made before tokens had an end expire
// this long after they were made. MaxTokenLifetime is the longest a token
// may be given.
const (
	DefaultTokenLifetime = 90 * 24 * time.Hour
	MaxTokenLifetime     = 366 * 24 * time.Hour
)

// CreateAPIToken stores a token with the given secret hash and sets t.ID and
// t.CreatedAt. It expires at t.ExpiresAt, or DefaultTokenLifetime from now
// when that is zero; an end in the past or beyond MaxTokenLifetime is
// refused.
func (tx *Tx) CreateAPIToken(ctx context.Context, t *APIToken, tokenHash string) error {
	t.CreatedAt = tx.Now
	if t.ExpiresAt.IsZero() {
		t.ExpiresAt = tx.Now.Add(DefaultTokenLifetime)
	}
	if !t.ExpiresAt.After(tx.Now) || t.ExpiresAt.After(tx.Now.Add(MaxTokenLifetime)) {
		return binakerja.FieldInvalid("expires_at", "token.lifetime", int(MaxTokenLifetime/(24*time.Hour)))
	}
	t.ExpiresAt = t.ExpiresAt.UTC().Truncate(time.Microsecond)
	return mapError(tx.q.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, t.UserID, t.Name, tokenHash, tx.Now, t.ExpiresAt).Scan(&t.ID))
}

// APITokenByHash returns the token whose secret has the given hash, if it
// has not expired: an expired token is NotFound, as for signing in it is no
// token at all. (A revoked one is returned, with RevokedAt.)
func (q Queries) APITokenByHash(ctx context.Context, tokenHash string) (*APIToken, error) {
	t, err := scanToken(q.q.QueryRowContext(ctx, `SELECT `+issuedColumns+` FROM api_tokens WHERE token_hash = $1`, tokenHash),
		q.db.Now())
	if err == nil && t.Expired {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return t, err
}

const issuedColumns = `id, user_id, name, created_at, expires_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }, now time.Time) (*APIToken, error) {
	var t APIToken
	var expires, used, revoked sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &expires, &used, &revoked); err != nil {
		return nil, mapError(err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	t.ExpiresAt = t.CreatedAt.Add(DefaultTokenLifetime) // made before tokens had an end
	if expires.Valid {
		t.ExpiresAt = expires.Time.UTC()
	}
	if used.Valid {
		t.LastUsedAt = used.Time.UTC()
	}
	if revoked.Valid {
		t.RevokedAt = revoked.Time.UTC()
	}
	t.Expired = !now.Before(t.ExpiresAt)
	return &t, nil
}

// APITokens lists the user's tokens, newest first.
func (q Queries) APITokens(ctx context.Context, userID int64) ([]*APIToken, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+issuedColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var ts []*APIToken
	for rows.Next() {
		t, err := scanToken(rows, q.db.Now())
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, mapError(rows.Err())
}

// TouchAPIToken records a use of the token at tx.Now.
func (tx *Tx) TouchAPIToken(ctx context.Context, id int64) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, tx.Now, id)
	return mapError(err)
}

// RevokeAPIToken revokes the user's token id. A token that is not the user's,
// or already revoked, is NotFound.
func (tx *Tx) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3
		AND revoked_at IS NULL`, tx.Now, id, userID)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return nil
}
