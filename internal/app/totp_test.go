package app_test

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
	"binakerja/internal/totp"
)

// testSecret is the TOTP secret the tests give the user with email.
func testSecret(email string) []byte {
	s := sha1.Sum([]byte("test totp " + email))
	return s[:]
}

// code moves the clock on by a step and returns the code of secret then,
// so that each code a test makes is one not used before.
func (e *env) code(secret []byte) string {
	e.clock.Advance(totp.Period)
	return totp.Code(secret, totp.Step(e.clock.Now()))
}

// signIn signs the user in with both steps, giving them their test secret
// from the command line first when they have none, and returns the session
// token.
func (e *env) signIn(t *testing.T, email, ip string) string {
	t.Helper()
	ctx := t.Context()
	if _, err := e.app.EnrolTOTPSecret(ctx, e.cli, email, testSecret(email)); err != nil {
		t.Fatal(err)
	}
	token, _, err := e.app.Login(ctx, email, goodPassword, ip, "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.app.Session(ctx, token)
	if err != nil || s.Step != app.StepCode {
		t.Fatalf("after the password: %+v %v", s, err)
	}
	token, _, err = e.app.VerifySignIn(ctx, s.Into(app.Actor{IP: ip}), e.code(testSecret(email)))
	if err != nil {
		t.Fatalf("the code: %v", err)
	}
	return token
}

// actor is the actor of a session signed in with both steps.
func (e *env) actor(t *testing.T, email string) app.Actor {
	t.Helper()
	return e.sessionActor(t, e.signIn(t, email, "10.0.0.1"))
}

func (e *env) sessionActor(t *testing.T, token string) app.Actor {
	t.Helper()
	s, err := e.app.Session(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	return s.Into(app.Actor{IP: "10.0.0.1"})
}

func errKey(err error) string {
	if e, ok := errors.AsType[*binakerja.Error](err); ok {
		if len(e.Fields) > 0 {
			return e.Fields[0].Key
		}
		return e.Key
	}
	return ""
}

// TestAStaffSignInSetsUpTOTPThenAsksForACode: a staff account without TOTP
// is, after its password, able to do nothing but set it up; setting up
// takes a first code, gives ten recovery codes and a new session token;
// the next sign-in asks for a code, takes none twice and takes a recovery
// code once; the secret and the codes are not in the database in clear; an
// employer signs in with the password alone.
func TestAStaffSignInSetsUpTOTPThenAsksForACode(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		lp := e.org(t, "LP-A", binakerja.OrgFacility, "")
		e.org(t, "CV-A", binakerja.OrgEmployer, "")
		u := e.user(t, "petugas@example.id", binakerja.RoleFacilityOfficer, lp.Code)
		e.user(t, "mitra@example.id", binakerja.RoleEmployer, "CV-A")

		first, _, err := e.app.Login(ctx, u.Email, goodPassword, "10.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.app.Session(ctx, first)
		if err != nil || s.Step != app.StepEnrol {
			t.Fatalf("a staff account without TOTP after its password: %+v %v", s, err)
		}
		if _, err := e.app.Authenticate(ctx, first); errKey(err) != "auth.second_step" {
			t.Fatalf("the half-signed-in session authenticates: %v", err)
		}
		half := s.Into(app.Actor{IP: "10.0.0.1"})
		if half.User != nil {
			t.Fatal("a sign-in waiting for its second step must carry no user")
		}
		if _, _, err := e.app.Inmates(ctx, half, app.InmateQuery{}); binakerja.ErrorKind(err) != binakerja.Forbidden {
			t.Fatalf("listing inmates half signed in: %v", err)
		}
		if _, err := e.app.TOTPStatus(ctx, half); binakerja.ErrorKind(err) != binakerja.Forbidden {
			t.Fatalf("the account page half signed in: %v", err)
		}

		setup, err := e.app.TOTPSetup(ctx, half, "")
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := e.app.TOTPSetup(ctx, half, setup.Token); again.Secret != setup.Secret {
			t.Fatal("a setup token must give back its secret")
		}
		secret, err := totp.Decode(setup.Secret)
		if err != nil || !strings.Contains(setup.URI, "secret="+totp.Encode(secret)) {
			t.Fatalf("the setup: %+v %v", setup, err)
		}
		if _, _, err := e.app.EnrolTOTP(ctx, half, setup.Token, "000000"); errKey(err) != "totp.wrong" {
			t.Fatalf("setting up with a wrong code: %v", err)
		}
		other, _ := e.app.TOTPSetup(ctx, e.cli, "") // the command line is no enrollee
		if other != nil {
			t.Fatal("the command line got a setup")
		}
		confirm := e.code(secret)
		recovery, token, err := e.app.EnrolTOTP(ctx, half, setup.Token, confirm)
		if err != nil || len(recovery) != 10 || token == "" || token == first {
			t.Fatalf("setting up: %v %v %q", recovery, err, token)
		}
		if _, err := e.app.Session(ctx, first); binakerja.ErrorKind(err) != binakerja.Unauthenticated {
			t.Fatalf("the token of the half sign-in must end: %v", err)
		}
		if got, err := e.app.Authenticate(ctx, token); err != nil || got.ID != u.ID {
			t.Fatalf("the new token: %v", err)
		}
		st, _ := e.app.TOTPStatus(ctx, e.sessionActor(t, token))
		if !st.Enrolled || st.RecoveryLeft != 10 || !st.Required {
			t.Fatalf("status: %+v", st)
		}

		// The next sign-in asks for a code; the setup's code and any code
		// used once are refused.
		signIn := func() app.Actor {
			t.Helper()
			tok, _, err := e.app.Login(ctx, u.Email, goodPassword, "10.0.0.1", "")
			if err != nil {
				t.Fatal(err)
			}
			s, err := e.app.Session(ctx, tok)
			if err != nil || s.Step != app.StepCode {
				t.Fatalf("after the password: %+v %v", s, err)
			}
			return s.Into(app.Actor{IP: "10.0.0.1"})
		}
		ac := signIn()
		if _, _, err := e.app.VerifySignIn(ctx, ac, confirm); errKey(err) != "totp.wrong" {
			t.Fatalf("the setup's code again: %v", err)
		}
		c := e.code(secret)
		if _, _, err := e.app.VerifySignIn(ctx, ac, c); err != nil {
			t.Fatalf("a new code: %v", err)
		}
		if _, _, err := e.app.VerifySignIn(ctx, signIn(), c); errKey(err) != "totp.wrong" {
			t.Fatalf("a code used once: %v", err)
		}
		ac = signIn()
		if _, _, err := e.app.VerifySignIn(ctx, ac, strings.ToUpper(recovery[3])); err != nil {
			t.Fatalf("a recovery code: %v", err)
		}
		if _, _, err := e.app.VerifySignIn(ctx, signIn(), recovery[3]); errKey(err) != "totp.wrong" {
			t.Fatalf("a recovery code used once: %v", err)
		}

		var sealed []byte
		if err := e.db.Transact(ctx, func(tx *store.Tx) error {
			t, err := tx.TOTP(ctx, u.ID)
			sealed = t.Sealed
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(sealed) == 0 || bytes.Contains(sealed, secret) || bytes.Contains(sealed, []byte(setup.Secret)) {
			t.Fatal("the secret must be stored sealed")
		}
		codes, err := e.db.TOTP(ctx, u.ID)
		if err != nil || codes.RecoveryLeft != 9 {
			t.Fatalf("recovery codes left: %+v %v", codes, err)
		}

		// An employer may sign in with a password alone.
		tok, _, err := e.app.Login(ctx, "mitra@example.id", goodPassword, "10.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Authenticate(ctx, tok); err != nil {
			t.Fatalf("an employer without TOTP: %v", err)
		}

		as := auditActions(t, e)
		if count(as, "auth.totp.enrol") != 1 || count(as, "auth.2fa") != 2 || count(as, "auth.2fa.fail") != 3 {
			t.Fatalf("audit: %v", as)
		}
		evs, _, _ := e.db.AuditEvents(ctx, store.AuditFilter{Action: "auth.2fa"})
		if len(evs) != 2 || !strings.Contains(evs[0].Summary, `"method":"recovery"`) || !strings.Contains(evs[0].Summary, `"recovery_left":9`) {
			t.Fatalf("the second steps recorded: %+v", evs)
		}
	})
}

// TestWrongCodesEndTheSignInAndSlowTheAccount: five wrong codes end the
// sign-in and make the account wait as five wrong passwords do; after the
// wait it signs in.
func TestWrongCodesEndTheSignInAndSlowTheAccount(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		u := e.user(t, "admin@example.id", binakerja.RoleAdmin, "")
		e.signIn(t, u.Email, "10.0.0.1")
		tok, _, err := e.app.Login(ctx, u.Email, goodPassword, "10.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		ac := e.sessionActorPending(t, tok)
		for i := range 4 {
			if _, _, err := e.app.VerifySignIn(ctx, ac, "12345"+string(rune('0'+i))); errKey(err) != "totp.wrong" {
				t.Fatalf("wrong code %d: %v", i+1, err)
			}
		}
		if _, _, err := e.app.VerifySignIn(ctx, ac, "999999"); errKey(err) != "auth.code.restart" {
			t.Fatalf("the fifth wrong code: %v", err)
		}
		if _, err := e.app.Session(ctx, tok); binakerja.ErrorKind(err) != binakerja.Unauthenticated {
			t.Fatalf("the sign-in must end after five wrong codes: %v", err)
		}
		if _, _, err := e.app.Login(ctx, u.Email, goodPassword, "10.0.0.2", ""); errKey(err) != "auth.failed" {
			t.Fatalf("right after five wrong codes, the password: %v", err)
		}
		e.clock.Advance(time.Minute)
		e.signIn(t, u.Email, "10.0.0.2")
		if as := auditActions(t, e); count(as, "auth.2fa.fail") != 5 || count(as, "auth.throttled") != 1 {
			t.Fatalf("audit: %v", as)
		}
	})
}

func (e *env) sessionActorPending(t *testing.T, token string) app.Actor {
	t.Helper()
	s, err := e.app.Session(t.Context(), token)
	if err != nil || s.Step == app.StepDone {
		t.Fatalf("not half signed in: %+v %v", s, err)
	}
	return s.Into(app.Actor{IP: "10.0.0.1"})
}

// TestSensitiveActionsAskForARecentProof: user and role changes, the full
// NIK and the subject-access export go through within five minutes of
// signing in or re-authenticating, and are refused after; a wrong password
// or code does not re-authenticate; an actor with neither a session nor a
// token is refused; over an API token, the user's fresh code is asked, and
// taken once.
func TestSensitiveActionsAskForARecentProof(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		lp := e.org(t, "LP-A", binakerja.OrgFacility, "")
		admin := e.user(t, "admin@example.id", binakerja.RoleAdmin, "")
		officer := e.user(t, "petugas@example.id", binakerja.RoleFacilityOfficer, lp.Code)
		if _, err := e.importFile(t, lp.Code, threeRows, app.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		people, _, err := e.app.Inmates(ctx, e.cli, app.InmateQuery{NIK: "1608011203900001"})
		if err != nil || len(people) != 1 {
			t.Fatalf("the imported person: %v %v", people, err)
		}
		person := people[0].ID

		as := e.actor(t, admin.Email)
		off := e.actor(t, officer.Email)
		n := 0
		actions := func(as, off app.Actor) []error {
			n++
			email := "baru" + strconv.Itoa(n) + "@example.id"
			_, _, err1 := e.app.CreateUser(ctx, as, app.NewUser{Email: email, Name: "Baru", Password: goodPassword,
				Grants: []app.GrantInput{{Role: binakerja.RoleFacilityOfficer, Org: lp.Code}}})
			_, err2 := e.app.AddGrant(ctx, as, officer.ID, app.GrantInput{Role: binakerja.RoleAdmin, Org: lp.Code})
			_, err3 := e.app.RemoveGrant(ctx, as, officer.ID, app.GrantInput{Role: binakerja.RoleAdmin, Org: lp.Code})
			_, err4 := e.app.SetUserActive(ctx, as, officer.ID, false)
			_, err5 := e.app.SetUserActive(ctx, as, officer.ID, true)
			if err4 != nil {
				err5 = err4 // enabling an active user changes nothing, and asks nothing
			}
			_, err6 := e.app.RevealNIK(ctx, off, person, "verifikasi data")
			_, err7 := e.app.ExportSubject(ctx, off, person)
			return []error{err1, err2, err3, err4, err5, err6, err7}
		}
		refusedAll := func(why string, errs []error) {
			t.Helper()
			for i, err := range errs {
				if errKey(err) != "auth.reauth_required" {
					t.Errorf("%s: action %d: %v, want auth.reauth_required", why, i+1, err)
				}
			}
		}
		// Disabling the officer ends their sessions: the officer's actions
		// come first.
		if _, err := e.app.RevealNIK(ctx, off, person, "verifikasi data"); err != nil {
			t.Fatalf("the full NIK right after signing in: %v", err)
		}
		if _, err := e.app.ExportSubject(ctx, off, person); err != nil {
			t.Fatalf("the export right after signing in: %v", err)
		}
		for i, err := range actions(as, app.Actor{})[:5] {
			if err != nil {
				t.Fatalf("right after signing in, action %d: %v", i+1, err)
			}
		}
		off = e.actor(t, officer.Email)
		as = e.actor(t, admin.Email)

		e.clock.Advance(5 * time.Minute)
		refusedAll("five minutes later", actions(as, off))
		refusedAll("no session nor token", actions(app.Actor{User: admin}, app.Actor{User: officer}))

		if err := e.app.Reauthenticate(ctx, as, "wrong password", e.code(testSecret(admin.Email))); errKey(err) != "reauth.password_wrong" {
			t.Fatalf("re-authenticating with a wrong password: %v", err)
		}
		if err := e.app.Reauthenticate(ctx, as, goodPassword, "000000"); errKey(err) != "totp.wrong" {
			t.Fatalf("re-authenticating with a wrong code: %v", err)
		}
		refusedAll("after failed re-authentications", actions(as, off)[:5])
		if err := e.app.Reauthenticate(ctx, as, goodPassword, e.code(testSecret(admin.Email))); err != nil {
			t.Fatal(err)
		}
		if err := e.app.Reauthenticate(ctx, off, goodPassword, e.code(testSecret(officer.Email))); err != nil {
			t.Fatal(err)
		}
		for i, err := range actions(as, off)[:5] {
			if err != nil {
				t.Errorf("after re-authenticating, action %d: %v", i+1, err)
			}
		}

		// Over an API token: a fresh code in the header, once.
		tok, err := e.app.AuthenticateToken(ctx, e.apiToken(t, officer.Email))
		if err != nil {
			t.Fatal(err)
		}
		byToken := app.Actor{User: tok, Token: true}
		if _, err := e.app.RevealNIK(ctx, byToken, person, "verifikasi data"); errKey(err) != "auth.reauth_required" {
			t.Fatalf("a token without a code: %v", err)
		}
		byToken.Reauth = "123456"
		if _, err := e.app.ExportSubject(ctx, byToken, person); errKey(err) != "auth.reauth_failed" {
			t.Fatalf("a token with a wrong code: %v", err)
		}
		byToken.Reauth = e.code(testSecret(officer.Email))
		if _, err := e.app.RevealNIK(ctx, byToken, person, "verifikasi data"); err != nil {
			t.Fatalf("a token with a fresh code: %v", err)
		}
		if _, err := e.app.ExportSubject(ctx, byToken, person); errKey(err) != "auth.reauth_failed" {
			t.Fatalf("a token with a code used once: %v", err)
		}

		evs := auditActions(t, e)
		if count(evs, "auth.reauth") != 3 || count(evs, "auth.reauth.fail") != 4 {
			t.Fatalf("audit: %v", evs)
		}
	})
}

// apiToken makes an API token for the user from the command line.
func (e *env) apiToken(t *testing.T, email string) string {
	t.Helper()
	secret, _, err := e.app.CreateAPIToken(t.Context(), e.cli, email, "script")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestResetRecoveryCodesAndTurningOff: the command line resets a user's
// TOTP and ends their sessions (nobody else may), after which a staff
// account sets it up again at sign-in; new recovery codes replace the old
// ones; an employer may turn TOTP off, a staff account may not.
func TestResetRecoveryCodesAndTurningOff(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		e.org(t, "CV-A", binakerja.OrgEmployer, "")
		admin := e.user(t, "admin@example.id", binakerja.RoleAdmin, "")
		emp := e.user(t, "mitra@example.id", binakerja.RoleEmployer, "CV-A")
		session := e.signIn(t, admin.Email, "10.0.0.1")
		as := e.sessionActor(t, session)

		if _, err := e.app.ResetTOTP(ctx, as, admin.Email); binakerja.ErrorKind(err) != binakerja.Forbidden {
			t.Fatalf("a signed-in admin resetting: %v", err)
		}
		if err := e.app.DisableTOTP(ctx, as); errKey(err) != "totp.required" {
			t.Fatalf("a staff account turning TOTP off: %v", err)
		}
		codes, err := e.app.NewRecoveryCodes(ctx, as)
		if err != nil || len(codes) != 10 {
			t.Fatalf("new recovery codes: %v %v", codes, err)
		}
		e.clock.Advance(5 * time.Minute)
		if _, err := e.app.NewRecoveryCodes(ctx, e.sessionActor(t, session)); errKey(err) != "auth.reauth_required" {
			t.Fatalf("new recovery codes five minutes later: %v", err)
		}

		if _, err := e.app.ResetTOTP(ctx, e.cli, admin.Email); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Session(ctx, session); binakerja.ErrorKind(err) != binakerja.Unauthenticated {
			t.Fatalf("the session after a reset: %v", err)
		}
		if st, _ := e.db.TOTP(ctx, admin.ID); st.Sealed != nil || st.RecoveryLeft != 0 {
			t.Fatalf("after a reset: %+v", st)
		}
		tok, _, err := e.app.Login(ctx, admin.Email, goodPassword, "10.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := e.app.Session(ctx, tok); s == nil || s.Step != app.StepEnrol {
			t.Fatalf("signing in after a reset: %+v", s)
		}

		// The employer chose TOTP, and turns it off.
		ea := e.actor(t, emp.Email)
		if err := e.app.DisableTOTP(ctx, ea); err != nil {
			t.Fatal(err)
		}
		tok, _, _ = e.app.Login(ctx, emp.Email, goodPassword, "10.0.0.1", "")
		if _, err := e.app.Authenticate(ctx, tok); err != nil {
			t.Fatalf("the employer after turning TOTP off: %v", err)
		}
		as2 := auditActions(t, e)
		for _, a := range []string{"auth.totp.reset", "auth.totp.disable", "auth.totp.recovery_codes"} {
			if count(as2, a) != 1 {
				t.Errorf("audit %s: %v", a, as2)
			}
		}
		if !slices.Contains(as2, "authz.deny") {
			t.Error("the refused reset must be recorded")
		}
	})
}
