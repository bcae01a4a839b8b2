package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/password"
	"binakerja/internal/store"
	"binakerja/internal/totp"
)

// The second step of signing in, and re-authentication.
//
// Everyone holding a role other than employer signs in with a password and
// then a TOTP code (or one of their recovery codes); employers may choose
// to. A staff account without a TOTP secret is sent, right after its
// password, to set one up, and can do nothing else before. The sensitive
// actions (user and role changes, the subject-access export, the full NIK)
// ask that the password and code were given in the last few minutes of the
// session (signing in counts), else for them again; over the API with a
// token, for a fresh code in the header X-BinaKerja-Reauth when the token's
// user has TOTP. Every enrolment, reset, second step and re-authentication,
// failed or not, goes into the audit trail.

// Step is how far a browser's sign-in got.
type Step string

const (
	StepDone  Step = ""      // signed in
	StepCode  Step = "code"  // the password was right; the code is asked
	StepEnrol Step = "enrol" // the password was right; TOTP must be set up first
)

// SignIn is a browser session and how far its sign-in got.
type SignIn struct {
	User *binakerja.User
	Step Step
	hash string
}

// Into returns ac carrying the session: once its sign-in is done, as its
// signed-in user; before, as the sign-in under way (Pending) with no user,
// so that nothing but the second step is open to it.
func (s *SignIn) Into(ac Actor) Actor {
	if s.Step == StepDone {
		ac.User, ac.Session = s.User, s.hash
		return ac
	}
	ac.Pending = s
	return ac
}

// TOTPRequired reports whether u must sign in with a second step: everyone
// who holds a role other than employer, at an active organisation or not.
func TOTPRequired(u *binakerja.User) bool {
	for _, g := range u.Grants {
		if g.Role != binakerja.RoleEmployer {
			return true
		}
	}
	return false
}

// codeFailuresPerSignIn is how many wrong codes one sign-in takes before it
// ends and the password is asked again. (Each also counts against the
// account, as a wrong password does.)
const codeFailuresPerSignIn = 5

// reauthWindow is how long a re-authentication (or the sign-in) lasts for
// the actions that ask for one.
func (a *App) reauthWindow() time.Duration {
	if a.settings.ReauthWindow > 0 {
		return a.settings.ReauthWindow
	}
	return 5 * time.Minute
}

// Session returns the browser session of token and how far its sign-in
// got, ending it when it has been idle too long or reached its absolute
// end.
func (a *App) Session(ctx context.Context, token string) (*SignIn, error) {
	if token == "" {
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.required")
	}
	hash := hashSecret(token)
	s, err := a.db.Session(ctx, hash)
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.required")
	}
	if err != nil {
		return nil, err
	}
	now := a.db.Now()
	if now.Sub(s.LastSeenAt) >= a.settings.SessionIdle || !now.Before(s.ExpiresAt) {
		err := a.db.Transact(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, hash) })
		if err != nil {
			return nil, err
		}
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.expired")
	}
	u, err := a.db.User(ctx, s.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Active { // a throttled account's sessions go on: throttling slows guessing, not work
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.required")
	}
	step := StepDone
	switch {
	case s.Stage == store.StageCode && s.TOTP:
		step = StepCode
	case !s.TOTP && TOTPRequired(u):
		// Also a session signed in as an employer who has since been given
		// a staff role: it goes no further until TOTP is set up.
		step = StepEnrol
	case s.Stage == store.StageCode:
		// The secret was removed while the code was awaited: start again.
		err := a.db.Transact(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, hash) })
		if err != nil {
			return nil, err
		}
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.required")
	}
	liveGrants(u)
	// Record activity at most once a minute, to spare the writer.
	if now.Sub(s.LastSeenAt) >= time.Minute {
		if err := a.db.Transact(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, hash) }); err != nil {
			return nil, err
		}
	}
	return &SignIn{User: u, Step: step, hash: hash}, nil
}

// pending returns the sign-in under way of ac at step, or Unauthenticated.
func pending(ac Actor, step Step) (*SignIn, error) {
	if ac.Pending == nil || ac.Pending.Step != step {
		return nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.required")
	}
	return ac.Pending, nil
}

// VerifySignIn is the second step of a sign-in under way (ac.Pending): it
// takes a TOTP code, or one of the user's recovery codes, and returns the
// session's new token. A wrong code counts against the account as a wrong
// password does (see Throttle), and the sign-in ends after five; a code is
// never taken twice.
func (a *App) VerifySignIn(ctx context.Context, ac Actor, code string) (string, *binakerja.User, error) {
	p, err := pending(ac, StepCode)
	if err != nil {
		return "", nil, err
	}
	u := p.User
	ac.User = u
	st, err := a.db.LoginState(ctx, u.Email)
	if err != nil {
		return "", nil, err
	}
	if now := a.db.Now(); now.Before(st.ThrottledUntil) {
		a.recordAuth(ctx, ac, u.ID, "auth.2fa.fail", map[string]string{"reason": "throttled"})
		return "", nil, binakerja.Errorf(binakerja.TooMany, "auth.code.wait", minutes(st.ThrottledUntil.Sub(now)))
	}
	var token string
	var failed, ended bool
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		method, ok, err := a.secondFactor(ctx, tx, u.ID, code)
		if err != nil {
			return err
		}
		if !ok {
			failed = true
			if err := a.codeFailed(ctx, tx, ac, st, "auth.2fa.fail", nil); err != nil {
				return err
			}
			n, err := tx.SessionCodeFailed(ctx, p.hash)
			if err != nil {
				return err
			}
			if n >= codeFailuresPerSignIn {
				ended = true
				return tx.DeleteSession(ctx, p.hash)
			}
			return nil
		}
		if st.FailedLogins > 0 || !st.ThrottledUntil.IsZero() {
			if err := tx.SetLoginFailures(ctx, u.ID, 0, time.Time{}, time.Time{}); err != nil {
				return err
			}
		}
		var hash string
		token, hash = newSecret("")
		if err := tx.CompleteSession(ctx, p.hash, hash); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, "", "auth.2fa", "user", itoa(u.ID), "", a.methodDetails(ctx, tx, u.ID, method))
	})
	switch {
	case err != nil:
		return "", nil, err
	case ended:
		return "", nil, binakerja.Errorf(binakerja.Unauthenticated, "auth.code.restart")
	case failed:
		return "", nil, binakerja.FieldInvalid("code", "totp.wrong")
	}
	return token, u, nil
}

// methodDetails is what the audit trail records of a second step passed:
// how, and after a recovery code how many are left.
func (a *App) methodDetails(ctx context.Context, tx *store.Tx, userID int64, method string) map[string]any {
	d := map[string]any{"method": method}
	if method == "recovery" {
		if t, err := tx.TOTP(ctx, userID); err == nil {
			d["recovery_left"] = t.RecoveryLeft
		}
	}
	return d
}

// codeFailed counts a wrong code (or password, at re-authentication)
// against the account, throttling it as sign-in does, and records it.
func (a *App) codeFailed(ctx context.Context, tx *store.Tx, ac Actor, st *store.LoginState, action string, details map[string]any) error {
	t := a.settings.AccountThrottle
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
	if details == nil {
		details = map[string]any{}
	}
	if _, ok := details["reason"]; !ok {
		details["reason"] = "code"
	}
	details["failures"] = failed
	if err := a.record(ctx, tx, ac, "", action, "user", itoa(st.UserID), "", details); err != nil {
		return err
	}
	if !until.IsZero() {
		return a.record(ctx, tx, ac, "", "auth.throttled", "user", itoa(st.UserID), "",
			map[string]any{"failures": failed, "until": until})
	}
	return nil
}

// secondFactor checks code for the user, in tx: a TOTP code of a step later
// than the last one taken (which it then records), or one of their unused
// recovery codes (which it spends). It reports how ("totp" or
// "recovery"), and false for anything else.
func (a *App) secondFactor(ctx context.Context, tx *store.Tx, userID int64, code string) (string, bool, error) {
	t, err := tx.TOTP(ctx, userID)
	if err != nil || t.Sealed == nil {
		return "", false, err
	}
	c := normalizeCode(code)
	switch {
	case len(c) == totp.Digits && strings.Trim(c, "0123456789") == "":
		if a.totp == nil {
			return "", false, binakerja.Errorf(binakerja.Internal, "error.internal")
		}
		secret, err := a.totp.Open(totpBinding(userID), t.Sealed)
		if err != nil {
			return "", false, err
		}
		step, ok := totp.Verify(secret, c, tx.Now, t.LastStep)
		if !ok {
			return "totp", false, nil
		}
		ok, err = tx.SpendTOTPStep(ctx, userID, step)
		return "totp", ok, err
	case len(c) == recoveryLength && strings.Trim(c, recoveryAlphabet) == "":
		ok, err := tx.SpendRecoveryCode(ctx, userID, a.recoveryHash(userID, c))
		return "recovery", ok, err
	}
	return "", false, nil
}

// normalizeCode drops what people type between groups and lowers the case.
func normalizeCode(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(strings.TrimSpace(s)))
}

func totpBinding(userID int64) string { return "users.totp_secret|" + itoa(userID) }

func setupBinding(userID int64) string { return "totp setup|" + itoa(userID) }

// Recovery codes are ten characters of lower-case base32 (50 bits), shown
// as two groups of five.
const (
	recoveryCount    = 10
	recoveryLength   = 10
	recoveryAlphabet = "abcdefghijklmnopqrstuvwxyz234567"
)

var recoveryEncoding = base32.NewEncoding(recoveryAlphabet).WithPadding(base32.NoPadding)

// newRecoveryCodes returns fresh recovery codes, as shown, and their
// hashes, as stored.
func (a *App) newRecoveryCodes(userID int64) (codes, hashes []string) {
	for range recoveryCount {
		b := make([]byte, 7)
		rand.Read(b)
		c := recoveryEncoding.EncodeToString(b)[:recoveryLength]
		codes = append(codes, c[:5]+"-"+c[5:])
		hashes = append(hashes, a.recoveryHash(userID, c))
	}
	return codes, hashes
}

// recoveryHash is a recovery code as stored: HMAC-SHA-256 under a key of
// the key file, bound to the user, so that a copy of the database tells
// nothing of the codes.
func (a *App) recoveryHash(userID int64, code string) string {
	m := hmac.New(sha256.New, a.recoveryKey)
	m.Write([]byte("recovery|" + itoa(userID) + "|" + code))
	return hex.EncodeToString(m.Sum(nil))
}

// TOTPStatus is what the account page says of the second step.
type TOTPStatus struct {
	Enrolled     bool
	Since        time.Time
	RecoveryLeft int
	Required     bool // a staff role: it cannot be turned off
}

// TOTPStatus returns the actor's second-step status.
func (a *App) TOTPStatus(ctx context.Context, ac Actor) (*TOTPStatus, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionSelf, ""); err != nil {
		return nil, err
	}
	t, err := a.db.TOTP(ctx, ac.User.ID)
	if err != nil {
		return nil, err
	}
	u, err := a.db.User(ctx, ac.User.ID)
	if err != nil {
		return nil, err
	}
	return &TOTPStatus{Enrolled: t.Sealed != nil, Since: t.EnabledAt, RecoveryLeft: t.RecoveryLeft, Required: TOTPRequired(u)}, nil
}

// TOTPSetup is a new secret offered to set up, not stored yet: Secret (in
// groups, for typing) and URI (for a QR code) are shown; Token carries the
// secret, sealed to the user and dated, through the form that confirms it
// with a first code.
type TOTPSetup struct {
	Secret string
	URI    string
	Token  string
}

// setupLife is how long an offered secret may be confirmed.
const setupLife = 30 * time.Minute

// enrollee is the user who sets up TOTP: the signed-in user, or the one
// whose sign-in waits for it.
func (a *App) enrollee(ctx context.Context, ac Actor) (*binakerja.User, error) {
	if ac.Pending != nil && ac.Pending.Step == StepEnrol {
		return ac.Pending.User, nil
	}
	if ac.User == nil {
		return nil, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	if _, err := a.authorize(ctx, ac, binakerja.ActionSelf, ""); err != nil {
		return nil, err
	}
	return ac.User, nil
}

// TOTPSetup returns the secret to set up for the actor (the signed-in user,
// or the sign-in waiting for it): the one that token carries when it is
// still good, else a new one.
func (a *App) TOTPSetup(ctx context.Context, ac Actor, token string) (*TOTPSetup, error) {
	u, err := a.enrollee(ctx, ac)
	if err != nil {
		return nil, err
	}
	if a.totp == nil {
		return nil, binakerja.Errorf(binakerja.Internal, "error.internal")
	}
	secret, ok := a.openSetup(u.ID, token)
	if !ok {
		secret = totp.NewSecret()
		b := binary.BigEndian.AppendUint64(nil, uint64(a.db.Now().Unix())) // #nosec G115 -- an instant after 1970
		token = base64.RawURLEncoding.EncodeToString(a.totp.Seal(setupBinding(u.ID), append(b, secret...)))
	}
	return &TOTPSetup{Secret: totp.Groups(secret), URI: totp.URI("BinaKerja", u.Email, secret), Token: token}, nil
}

// openSetup returns the secret a setup token carries, if it is the user's
// and not older than setupLife.
func (a *App) openSetup(userID int64, token string) ([]byte, bool) {
	if token == "" || a.totp == nil {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, false
	}
	plain, err := a.totp.Open(setupBinding(userID), b)
	if err != nil || len(plain) != 8+totp.SecretSize {
		return nil, false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(plain[:8])), 0) // #nosec G115 -- written above from a Unix time, and sealed
	if age := a.db.Now().Sub(issued); age < 0 || age > setupLife {
		return nil, false
	}
	return plain[8:], true
}

// EnrolTOTP sets up the secret that setupToken carries, confirmed by a
// first code, and returns the recovery codes, shown this once. For a
// sign-in waiting for it, that ends the sign-in: the session's new token is
// returned too.
func (a *App) EnrolTOTP(ctx context.Context, ac Actor, setupToken, code string) (recovery []string, token string, err error) {
	u, err := a.enrollee(ctx, ac)
	if err != nil {
		return nil, "", err
	}
	secret, ok := a.openSetup(u.ID, setupToken)
	if !ok {
		return nil, "", binakerja.FieldInvalid("code", "totp.setup_expired")
	}
	step, ok := totp.Verify(secret, normalizeCode(code), a.db.Now(), 0)
	if !ok {
		return nil, "", binakerja.FieldInvalid("code", "totp.wrong")
	}
	ac.User = u
	codes, hashes := a.newRecoveryCodes(u.ID)
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		t, err := tx.TOTP(ctx, u.ID)
		if err != nil {
			return err
		}
		if t.Sealed != nil {
			return binakerja.Errorf(binakerja.Conflict, "totp.enrolled")
		}
		if err := tx.SetTOTP(ctx, u.ID, a.totp.Seal(totpBinding(u.ID), secret), step); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		if ac.Pending != nil {
			var hash string
			token, hash = newSecret("")
			if err := tx.CompleteSession(ctx, ac.Pending.hash, hash); err != nil {
				return err
			}
		}
		return a.record(ctx, tx, ac, "", "auth.totp.enrol", "user", itoa(u.ID), "",
			map[string]any{"at_sign_in": ac.Pending != nil, "recovery_codes": len(codes)})
	})
	if err != nil {
		return nil, "", err
	}
	return codes, token, nil
}

// EnrolTOTPSecret gives the user with the given email the TOTP secret, from
// the command line only: for the demo world, whose logins share a published
// secret. A user who has one keeps it; it reports whether it was set.
func (a *App) EnrolTOTPSecret(ctx context.Context, ac Actor, email string, secret []byte) (bool, error) {
	if ac.User != nil || ac.CLI == "" {
		return false, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	if a.totp == nil {
		return false, binakerja.Errorf(binakerja.Internal, "error.internal")
	}
	u, err := a.db.UserByEmail(ctx, email)
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		return false, binakerja.FieldInvalid("email", "user.unknown", email)
	}
	if err != nil {
		return false, err
	}
	set := false
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		t, err := tx.TOTP(ctx, u.ID)
		if err != nil || t.Sealed != nil {
			return err
		}
		set = true
		if err := tx.SetTOTP(ctx, u.ID, a.totp.Seal(totpBinding(u.ID), secret), 0); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, "cli", "auth.totp.enrol", "user", itoa(u.ID), "",
			map[string]any{"at_sign_in": false, "recovery_codes": 0})
	})
	return set, err
}

// EnrolDemoTOTP gives those of the users with the given emails who must
// sign in with a second step (the demo world's staff logins) the published
// demo secret, totp.DemoSecret, unless they have a secret already, and
// returns it. The demo's employer is left without: two-step sign-in is its
// choice, which its account page offers. binakerja demo and the tests seed
// the same way.
func (a *App) EnrolDemoTOTP(ctx context.Context, ac Actor, emails ...string) ([]byte, error) {
	secret, err := totp.Decode(totp.DemoSecret)
	if err != nil {
		return nil, err
	}
	for _, email := range emails {
		u, err := a.db.UserByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		if !TOTPRequired(u) {
			continue
		}
		if _, err := a.EnrolTOTPSecret(ctx, ac, email, secret); err != nil {
			return nil, err
		}
	}
	return secret, nil
}

// NewRecoveryCodes replaces the actor's recovery codes with new ones, shown
// this once. It asks for a recent re-authentication.
func (a *App) NewRecoveryCodes(ctx context.Context, ac Actor) ([]string, error) {
	role, err := a.authorize(ctx, ac, binakerja.ActionSelf, "")
	if err != nil {
		return nil, err
	}
	t, err := a.db.TOTP(ctx, ac.User.ID)
	if err != nil {
		return nil, err
	}
	if t.Sealed == nil {
		return nil, binakerja.Errorf(binakerja.Conflict, "totp.none")
	}
	if err := a.fresh(ctx, ac, "auth.totp.recovery_codes"); err != nil {
		return nil, err
	}
	codes, hashes := a.newRecoveryCodes(ac.User.ID)
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceRecoveryCodes(ctx, ac.User.ID, hashes); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "auth.totp.recovery_codes", "user", itoa(ac.User.ID), "",
			map[string]any{"recovery_codes": len(codes)})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTOTP removes the actor's TOTP secret and recovery codes: for those
// who chose it (employers), never for a staff role. It asks for a recent
// re-authentication.
func (a *App) DisableTOTP(ctx context.Context, ac Actor) error {
	role, err := a.authorize(ctx, ac, binakerja.ActionSelf, "")
	if err != nil {
		return err
	}
	u, err := a.db.User(ctx, ac.User.ID)
	if err != nil {
		return err
	}
	if TOTPRequired(u) {
		return binakerja.Errorf(binakerja.Conflict, "totp.required")
	}
	if err := a.fresh(ctx, ac, "auth.totp.disable"); err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.ClearTOTP(ctx, u.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "auth.totp.disable", "user", itoa(u.ID), "", nil)
	})
}

// ResetTOTP clears the TOTP secret and recovery codes of the user with the
// given email and ends their sessions, from the command line only (someone
// at the machine, after checking who asks): for a lost phone. A staff user
// sets up a new secret at their next sign-in.
func (a *App) ResetTOTP(ctx context.Context, ac Actor, email string) (*binakerja.User, error) {
	if ac.User != nil || ac.CLI == "" {
		a.deny(ctx, ac, binakerja.ActionUserManage, "totp.reset")
		return nil, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	u, err := a.db.UserByEmail(ctx, email)
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		return nil, binakerja.FieldInvalid("email", "user.unknown", email)
	}
	if err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		t, err := tx.TOTP(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := tx.ClearTOTP(ctx, u.ID); err != nil {
			return err
		}
		n, err := tx.DeleteUserSessions(ctx, u.ID)
		if err != nil {
			return err
		}
		return a.record(ctx, tx, ac, "cli", "auth.totp.reset", "user", itoa(u.ID), firstOrg(u),
			map[string]any{"had_totp": t.Sealed != nil, "sessions_ended": n})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Reauthenticate records that the signed-in user of a browser session gave
// their password, and their code when they have TOTP, again: the sensitive
// actions are open to the session for the next few minutes. Wrong ones
// count against the account as at sign-in.
func (a *App) Reauthenticate(ctx context.Context, ac Actor, pw, code string) error {
	if _, err := a.authorize(ctx, ac, binakerja.ActionSelf, ""); err != nil {
		return err
	}
	if ac.Session == "" {
		return binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	st, err := a.db.LoginState(ctx, ac.User.Email)
	if err != nil {
		return err
	}
	if now := a.db.Now(); now.Before(st.ThrottledUntil) {
		password.Burn(pw)
		a.recordAuth(ctx, ac, ac.User.ID, "auth.reauth.fail", map[string]string{"reason": "throttled"})
		return binakerja.Errorf(binakerja.TooMany, "auth.code.wait", minutes(st.ThrottledUntil.Sub(now)))
	}
	pwOK, _ := password.Verify(pw, st.PasswordHash)
	var fail error
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if !pwOK {
			fail = binakerja.FieldInvalid("password", "reauth.password_wrong")
			return a.codeFailed(ctx, tx, ac, st, "auth.reauth.fail", map[string]any{"reason": "password"})
		}
		method := "password"
		if st.TOTP {
			m, ok, err := a.secondFactor(ctx, tx, ac.User.ID, code)
			if err != nil {
				return err
			}
			if !ok {
				fail = binakerja.FieldInvalid("code", "totp.wrong")
				return a.codeFailed(ctx, tx, ac, st, "auth.reauth.fail", nil)
			}
			method = m
		}
		if st.FailedLogins > 0 || !st.ThrottledUntil.IsZero() {
			if err := tx.SetLoginFailures(ctx, st.UserID, 0, time.Time{}, time.Time{}); err != nil {
				return err
			}
		}
		if err := tx.SetSessionReauth(ctx, ac.Session); err != nil {
			return err
		}
		d := a.methodDetails(ctx, tx, ac.User.ID, method)
		d["via"] = "session"
		return a.record(ctx, tx, ac, "", "auth.reauth", "user", itoa(ac.User.ID), "", d)
	})
	if err != nil {
		return err
	}
	return fail
}

// errReauth asks for a re-authentication.
func errReauth() error { return binakerja.Errorf(binakerja.Forbidden, "auth.reauth_required") }

// fresh checks, before a sensitive action (named by its audit action),
// that the actor proved who they are a moment ago: a browser session whose
// user gave their password and code in the last few minutes (signing in
// counts); an API token whose user, when they have TOTP, sent a fresh code
// in X-BinaKerja-Reauth (taken like any code: once, and counted when
// wrong); the command line always. Anyone else is refused with
// auth.reauth_required, which the web answers with the re-authentication
// page.
func (a *App) fresh(ctx context.Context, ac Actor, action string) error {
	switch {
	case ac.User == nil && ac.CLI != "":
		return nil
	case ac.User == nil:
		return binakerja.Errorf(binakerja.Unauthenticated, "auth.required")
	case ac.Token:
		return a.freshToken(ctx, ac, action)
	case ac.Session != "":
		s, err := a.db.Session(ctx, ac.Session)
		if err != nil && binakerja.ErrorKind(err) != binakerja.NotFound {
			return err
		}
		if err == nil && !s.ReauthAt.IsZero() && a.db.Now().Sub(s.ReauthAt) < a.reauthWindow() {
			return nil
		}
	}
	return errReauth()
}

func (a *App) freshToken(ctx context.Context, ac Actor, action string) error {
	st, err := a.db.LoginState(ctx, ac.User.Email)
	if err != nil {
		return err
	}
	if !st.TOTP {
		return nil
	}
	if strings.TrimSpace(ac.Reauth) == "" {
		return errReauth()
	}
	if now := a.db.Now(); now.Before(st.ThrottledUntil) {
		a.recordAuth(ctx, ac, ac.User.ID, "auth.reauth.fail", map[string]string{"reason": "throttled", "via": "token"})
		return binakerja.Errorf(binakerja.TooMany, "auth.code.wait", minutes(st.ThrottledUntil.Sub(now)))
	}
	failed := false
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		method, ok, err := a.secondFactor(ctx, tx, ac.User.ID, ac.Reauth)
		if err != nil {
			return err
		}
		if !ok {
			failed = true
			return a.codeFailed(ctx, tx, ac, st, "auth.reauth.fail", map[string]any{"via": "token", "for": action})
		}
		d := a.methodDetails(ctx, tx, ac.User.ID, method)
		d["via"], d["for"] = "token", action
		return a.record(ctx, tx, ac, "", "auth.reauth", "user", itoa(ac.User.ID), "", d)
	})
	if err != nil {
		return err
	}
	if failed {
		return binakerja.Errorf(binakerja.Forbidden, "auth.reauth_failed")
	}
	return nil
}
