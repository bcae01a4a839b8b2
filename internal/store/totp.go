package store

import (
	"context"
	"database/sql"
	"time"
)

// TOTP is a user's second step of signing in: the secret, sealed (see
// internal/totp), when it was set up, the last time step whose code was
// accepted, and how many recovery codes are left. Sealed is nil when the
// user has none.
type TOTP struct {
	Sealed       []byte
	EnabledAt    time.Time
	LastStep     int64
	RecoveryLeft int
}

// TOTP returns the user's TOTP state.
func (q Queries) TOTP(ctx context.Context, userID int64) (*TOTP, error) {
	var t TOTP
	var at sql.NullTime
	err := q.q.QueryRowContext(ctx, `SELECT totp_secret, totp_enabled_at, totp_last_step,
		(SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL)
		FROM users u WHERE id = $1`, userID).Scan(&t.Sealed, &at, &t.LastStep, &t.RecoveryLeft)
	if err != nil {
		return nil, mapError(err)
	}
	if at.Valid {
		t.EnabledAt = at.Time.UTC()
	}
	if len(t.Sealed) == 0 {
		t.Sealed = nil
	}
	return &t, nil
}

// SetTOTP gives the user the sealed secret, set up at tx.Now, whose codes
// up to lastStep are spent.
func (tx *Tx) SetTOTP(ctx context.Context, userID int64, sealed []byte, lastStep int64) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_enabled_at = $2, totp_last_step = $3,
		updated_at = $2 WHERE id = $4`, sealed, tx.Now, lastStep, userID)
	return mapError(err)
}

// ClearTOTP removes the user's secret and recovery codes.
func (tx *Tx) ClearTOTP(ctx context.Context, userID int64) error {
	if _, err := tx.q.ExecContext(ctx, `UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = 0,
		updated_at = $1 WHERE id = $2`, tx.Now, userID); err != nil {
		return mapError(err)
	}
	_, err := tx.q.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID)
	return mapError(err)
}

// SpendTOTPStep records step as the last accepted for the user's secret,
// and reports false when it is not later than the last one: a code taken
// at the same time by another request is refused here.
func (tx *Tx) SpendTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1
		AND totp_secret IS NOT NULL`, step, userID)
	if err != nil {
		return false, mapError(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReplaceRecoveryCodes replaces the user's recovery codes with the given
// hashes.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return mapError(err)
	}
	for _, h := range hashes {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)`,
			userID, h, tx.Now); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// SpendRecoveryCode marks the user's unused recovery code with the given
// hash used, and reports false when there is none.
func (tx *Tx) SpendRecoveryCode(ctx context.Context, userID int64, hash string) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3
		AND used_at IS NULL`, tx.Now, userID, hash)
	if err != nil {
		return false, mapError(err)
	}
	n, err := res.RowsAffected()
	return n >= 1, err
}
