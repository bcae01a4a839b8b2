package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/password"
	"binakerja/internal/store"
)

// newSecret returns a random token of 32 bytes, URL-safe, with a prefix that
// says what it is, and the hash under which it is stored.
func newSecret(prefix string) (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashSecret(token)
}

func hashSecret(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Login checks an email and password and opens a session. It returns the
// session token for the cookie.
//
// Failed sign-ins slow further attempts instead of locking (see Throttle):
// per account, in the database, and per client address, in memory. Only
// failures count. A throttled account's attempt is refused without the
// password being checked, with the same answer as an unknown email, a
// wrong password or a disabled account (Unauthenticated, "auth.failed"),
// so that no answer tells which accounts exist or are under attack; the
// message asks everyone alike to wait a few minutes after several
// failures. Its sessions and API tokens keep working meanwhile. An attempt
// on a throttled account counts against the address it came from, not
// against the account. An address that failed too often is refused with
// TooMany, saying how many minutes it must wait, before any account is
// looked at.
func (a *App) Login(ctx context.Context, email, pw, ip, userAgent string) (token string, u *binakerja.User, err error) {
	now := a.db.Now()
	ac := Actor{IP: ip}
	if wait := a.addressWait(ip, now); wait > 0 {
		return "", nil, binakerja.Errorf(binakerja.TooMany, "auth.too_many", minutes(wait))
	}
	email = binakerja.NormalizeEmail(email)
	st, err := a.db.LoginState(ctx, email)
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		password.Burn(pw)
		a.addressFailed(ip, now)
		a.recordAuth(ctx, ac, 0, "auth.fail", map[string]string{"email": email, "reason": "unknown"})
		return "", nil, errLoginFailed()
	}
	if err != nil {
		return "", nil, err
	}
	if now.Before(st.ThrottledUntil) {
		password.Burn(pw)
		a.addressFailed(ip, now)
		a.recordAuth(ctx, ac, st.UserID, "auth.fail", map[string]string{"reason": "throttled"})
		return "", nil, errLoginFailed()
	}
	ok, rehash := password.Verify(pw, st.PasswordHash)
	if !ok || !st.Active {
		a.addressFailed(ip, now)
		return "", nil, a.loginFailed(ctx, ac, st, ok)
	}
	token, hash := newSecret("")
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if st.FailedLogins > 0 || !st.ThrottledUntil.IsZero() {
			if err := tx.SetLoginFailures(ctx, st.UserID, 0, time.Time{}, time.Time{}); err != nil {
				return err
			}
		}
		if rehash {
			if err := tx.SetPasswordHash(ctx, st.UserID, password.Hash(pw)); err != nil {
				return err
			}
		}
		if err := tx.DeleteExpiredSessions(ctx, tx.Now.Add(-a.settings.SessionIdle)); err != nil {
			return err
		}
		var err error
		if u, err = tx.User(ctx, st.UserID); err != nil {
			return err
		}
		// The second step: a code when the account has TOTP; else, for a
		// staff role, setting it up (see Session); else none, and the
		// password alone is a fresh proof for the sensitive actions.
		s := &store.Session{TokenHash: hash, UserID: st.UserID, CreatedAt: tx.Now, LastSeenAt: tx.Now,
			ExpiresAt: tx.Now.Add(a.settings.SessionAbsolute), IP: ip, UserAgent: truncate(userAgent, 200)}
		var details any
		switch {
		case st.TOTP:
			s.Stage, details = store.StageCode, map[string]string{"second_step": "code"}
		case TOTPRequired(u):
			details = map[string]string{"second_step": "enrol"}
		default:
			s.ReauthAt = tx.Now
		}
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		liveGrants(u)
		ac.User = u
		return a.record(ctx, tx, ac, "", "auth.login", "user", itoa(u.ID), "", details)
	})
	if err != nil {
		return "", nil, err
	}
	return token, u, nil
}

// errLoginFailed is the one answer to a sign-in that does not succeed for a
// reason of the account's: unknown, wrong password, disabled or throttled.
func errLoginFailed() error { return binakerja.Errorf(binakerja.Unauthenticated, "auth.failed") }

// loginFailed counts a failed sign-in to an account and, from the
// throttle's free failures on, makes the next attempt wait.
func (a *App) loginFailed(ctx context.Context, ac Actor, st *store.LoginState, passwordOK bool) error {
	t := a.settings.AccountThrottle
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if passwordOK { // right password on a disabled account: no count, same answer
			return a.record(ctx, tx, ac, "", "auth.fail", "user", itoa(st.UserID), "", map[string]string{"reason": "disabled"})
		}
		failed := st.FailedLogins + 1
		if st.LastFailedAt.IsZero() || t.forgotten(st.LastFailedAt, tx.Now) {
			failed = 1
		}
		var until time.Time
		if d := t.delay(failed); d > 0 {
			until = tx.Now.Add(d)
		}
		if err := tx.SetLoginFailures(ctx, st.UserID, failed, tx.Now, until); err != nil {
			return err
		}
		if err := a.record(ctx, tx, ac, "", "auth.fail", "user", itoa(st.UserID), "",
			map[string]any{"reason": "password", "failures": failed}); err != nil {
			return err
		}
		if !until.IsZero() {
			return a.record(ctx, tx, ac, "", "auth.throttled", "user", itoa(st.UserID), "",
				map[string]any{"failures": failed, "until": until})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errLoginFailed()
}

func (a *App) recordAuth(ctx context.Context, ac Actor, userID int64, action string, details any) {
	id := ""
	if userID != 0 {
		id = itoa(userID)
	}
	if err := a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, "", action, "user", id, "", details)
	}); err != nil {
		a.log.Error("record sign-in", "err", err)
	}
}

// Authenticate returns the user of a session token whose sign-in is done,
// ending the session when it has been idle too long or reached its absolute
// end. A sign-in still waiting for its second step is Unauthenticated (see
// Session).
func (a *App) Authenticate(ctx context.Context, token string) (*binakerja.User, error) {
	s, err := a.Session(ctx, token)
	if err != nil {
		return nil, err
	}
	if s.Step != StepDone {
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.second_step")
	}
	return s.User, nil
}

// liveGrants drops from a signed-in user the grants at a deactivated
// organisation, or under one: they give nothing, and the actor built from u
// must not hold them, so that no check counts them, neither the policy's nor
// one that walks the grants itself. The organisation's people keep their
// accounts; their roles work again when it is active again.
func liveGrants(u *binakerja.User) {
	u.Grants = slices.DeleteFunc(u.Grants, func(g binakerja.Grant) bool { return g.Inactive })
}

// Logout ends the session of the token.
func (a *App) Logout(ctx context.Context, ac Actor, token string) error {
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, hashSecret(token)); err != nil {
			return err
		}
		if ac.User == nil {
			return nil
		}
		return a.record(ctx, tx, ac, "", "auth.logout", "user", itoa(ac.User.ID), "", nil)
	})
}

// tokenPrefix marks BinaKerja API tokens, so that a leaked one is easy to
// recognise in a scan.
const tokenPrefix = "bk_"

// AuthenticateToken returns the user of an API token.
func (a *App) AuthenticateToken(ctx context.Context, token string) (*binakerja.User, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.token_invalid")
	}
	t, err := a.db.APITokenByHash(ctx, hashSecret(token))
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.token_invalid")
	}
	if err != nil {
		return nil, err
	}
	if !t.RevokedAt.IsZero() {
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.token_invalid")
	}
	u, err := a.db.User(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Active { // a throttled account's tokens go on working
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.token_invalid")
	}
	liveGrants(u)
	if now := a.db.Now(); t.LastUsedAt.IsZero() || now.Sub(t.LastUsedAt) >= time.Minute {
		if err := a.db.Transact(ctx, func(tx *store.Tx) error { return tx.TouchAPIToken(ctx, t.ID) }); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// CreateAPIToken makes a new API token for the user with the given email and
// returns its secret, which is shown once and stored only as a hash. Users
// make tokens for themselves; the command line for anyone.
func (a *App) CreateAPIToken(ctx context.Context, ac Actor, email, name string) (string, *store.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "token"
	}
	if len(name) > 100 {
		return "", nil, binakerja.FieldInvalid("name", "field.too_long", 100)
	}
	u, err := a.db.UserByEmail(ctx, email)
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		return "", nil, binakerja.FieldInvalid("email", "user.unknown", email)
	}
	if err != nil {
		return "", nil, err
	}
	if ac.User != nil && ac.User.ID != u.ID {
		return "", nil, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionSelf, "")
	if err != nil {
		return "", nil, err
	}
	if !u.Active {
		return "", nil, binakerja.FieldInvalid("email", "user.disabled")
	}
	secret, hash := newSecret(tokenPrefix)
	t := &store.APIToken{UserID: u.ID, Name: name}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAPIToken(ctx, t, hash); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "token.create", "api_token", itoa(t.ID), "",
			map[string]any{"user_id": u.ID, "name": name})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// APITokens lists the actor's own API tokens.
func (a *App) APITokens(ctx context.Context, ac Actor) ([]*store.APIToken, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionSelf, ""); err != nil {
		return nil, err
	}
	return a.db.APITokens(ctx, ac.User.ID)
}

// RevokeAPIToken revokes one of the actor's own API tokens.
func (a *App) RevokeAPIToken(ctx context.Context, ac Actor, id int64) error {
	role, err := a.authorize(ctx, ac, binakerja.ActionSelf, "")
	if err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeAPIToken(ctx, ac.User.ID, id); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "token.revoke", "api_token", itoa(id), "", nil)
	})
}

// ChangePassword replaces the actor's password after checking the current one.
// Every other session of the user ends.
func (a *App) ChangePassword(ctx context.Context, ac Actor, current, next string) error {
	role, err := a.authorize(ctx, ac, binakerja.ActionSelf, "")
	if err != nil {
		return err
	}
	st, err := a.db.LoginState(ctx, ac.User.Email)
	if err != nil {
		return err
	}
	if ok, _ := password.Verify(current, st.PasswordHash); !ok {
		return binakerja.FieldInvalid("current_password", "password.wrong")
	}
	if err := binakerja.CheckPassword(next, ac.User.Email); err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetPasswordHash(ctx, ac.User.ID, password.Hash(next)); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, ac.User.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "user.password", "user", itoa(ac.User.ID), "", nil)
	})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
