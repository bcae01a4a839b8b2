package app_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/keys"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

type env struct {
	app   *app.App
	db    *store.DB
	clock *servertest.Clock
	cli   app.Actor
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	c := servertest.NewClock(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC))
	db, err := store.Open(t.Context(), dsn, store.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.Load(t.TempDir() + "/binakerja.keys")
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(db, ring, nil, app.DefaultSettings)
	if err != nil {
		t.Fatal(err)
	}
	return &env{app: a, db: db, clock: c, cli: app.CLIActor("test")}
}

const goodPassword = "kopi tubruk pagi hari"

func (e *env) org(t *testing.T, code string, kind binakerja.OrgKind, parent string) *binakerja.Organization {
	t.Helper()
	o := &binakerja.Organization{Code: code, Name: "Org " + code, Kind: kind, RegionCode: "16.08", Parent: parent}
	if kind == binakerja.OrgFacility {
		o.FacilityType = "LAPAS"
	}
	o, err := e.app.CreateOrganization(t.Context(), e.cli, o)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (e *env) user(t *testing.T, email string, role binakerja.Role, org string) *binakerja.User {
	t.Helper()
	u, _, err := e.app.CreateUser(t.Context(), e.cli, app.NewUser{Email: email, Name: "User " + email,
		Password: goodPassword, Grants: []app.GrantInput{{Role: role, Org: org}}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func auditActions(t *testing.T, e *env) []string {
	t.Helper()
	evs, _, err := e.db.AuditEvents(t.Context(), store.AuditFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	var as []string
	for i := len(evs) - 1; i >= 0; i-- {
		as = append(as, evs[i].Action)
	}
	return as
}

func count(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

// loginErr is what a failed sign-in answers, for comparing answers.
func loginErr(t *testing.T, err error) string {
	t.Helper()
	be, ok := errors.AsType[*binakerja.Error](err)
	if !ok {
		t.Fatalf("sign-in: %v, want a refusal", err)
	}
	return fmt.Sprintf("%v %s %v", be.Kind, be.Key, be.Args)
}

// TestFailuresSlowAnAccountWithoutLockingIt: five wrong passwords make the
// account wait a minute, then two, four …; the right password meanwhile gets
// the answer an unknown email gets; the account's session and API token go
// on working; after the wait it signs in; unlock clears the failures.
func TestFailuresSlowAnAccountWithoutLockingIt(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		u := e.user(t, "admin@example.id", binakerja.RoleAdmin, "")
		session := e.signIn(t, u.Email, "10.0.0.1")
		token, _, err := e.app.CreateAPIToken(ctx, e.cli, u.Email, "script")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = e.app.Login(ctx, "nobody@example.id", "wrong password", "10.0.1.1", "")
		unknown := loginErr(t, err)
		fail := func(n int) {
			t.Helper()
			for i := range n {
				_, _, err := e.app.Login(ctx, u.Email, fmt.Sprintf("wrong password %d", i), fmt.Sprintf("10.0.2.%d", i), "")
				if got := loginErr(t, err); got != unknown {
					t.Fatalf("a wrong password answers %q, an unknown email %q", got, unknown)
				}
			}
		}
		refused := func(why string) {
			t.Helper()
			_, _, err := e.app.Login(ctx, u.Email, goodPassword, "10.0.3.1", "")
			if got := loginErr(t, err); got != unknown {
				t.Fatalf("%s: the right password answers %q, an unknown email %q", why, got, unknown)
			}
		}
		signsIn := func(why string) {
			t.Helper()
			if _, _, err := e.app.Login(ctx, u.Email, goodPassword, "10.0.3.1", ""); err != nil {
				t.Fatalf("%s: %v", why, err)
			}
		}
		fail(5)
		refused("right after five failures")
		if _, err := e.app.Authenticate(ctx, session); err != nil {
			t.Fatalf("the throttled account's session: %v", err)
		}
		if _, err := e.app.AuthenticateToken(ctx, token); err != nil {
			t.Fatalf("the throttled account's API token: %v", err)
		}
		if got, _ := e.db.User(ctx, u.ID); !got.Locked || !got.Active {
			t.Fatalf("the account must read as throttled, and stay active: %+v", got)
		}
		e.clock.Advance(59 * time.Second)
		refused("59 seconds after five failures")
		e.clock.Advance(time.Second)
		signsIn("a minute after five failures")

		// The wait doubles with each failure past the fifth.
		fail(5)
		e.clock.Advance(time.Minute)
		fail(1)
		e.clock.Advance(time.Minute + 59*time.Second)
		refused("1:59 after the sixth failure")
		e.clock.Advance(time.Second)
		signsIn("two minutes after the sixth failure")

		// Unlock clears the failures at once.
		fail(5)
		refused("after five more failures")
		if _, err := e.app.UnlockUser(ctx, e.cli, u.ID); err != nil {
			t.Fatal(err)
		}
		signsIn("after unlock")

		as := auditActions(t, e)
		if count(as, "auth.throttled") != 4 || count(as, "auth.locked") != 0 || count(as, "auth.unlock") != 1 || count(as, "auth.login") != 4 {
			t.Fatalf("audit: %v", as)
		}
	})
}

func TestFailuresAreForgottenADayAfterTheLast(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		u := e.user(t, "admin@example.id", binakerja.RoleAdmin, "")
		for range 4 {
			e.app.Login(t.Context(), u.Email, "not the password", "10.0.0.1", "")
		}
		e.clock.Advance(25 * time.Hour)
		e.app.Login(t.Context(), u.Email, "not the password", "10.0.0.1", "")
		if _, _, err := e.app.Login(t.Context(), u.Email, goodPassword, "10.0.0.1", ""); err != nil {
			t.Fatalf("4 failures, a day, 1 failure must not throttle: %v", err)
		}
	})
}

// TestAnAddressIsSlowedByItsFailuresOnly: any number of sign-ins from one
// address (a shared NAT) go through; twenty failures from it make it wait,
// doubling; another address is not touched, and an IPv6 /64 counts as one.
func TestAnAddressIsSlowedByItsFailuresOnly(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	ctx := t.Context()
	u := e.user(t, "officer@example.id", binakerja.RoleAdmin, "")
	const nat = "10.9.9.9"
	for i := range 30 {
		if _, _, err := e.app.Login(ctx, u.Email, goodPassword, nat, ""); err != nil {
			t.Fatalf("sign-in %d from one address: %v", i+1, err)
		}
	}
	failFrom := func(addr string, n int) {
		t.Helper()
		for i := range n {
			_, _, err := e.app.Login(ctx, fmt.Sprintf("nobody%d@example.id", i), "whatever it is", addr, "")
			if binakerja.ErrorKind(err) != binakerja.Unauthenticated {
				t.Fatalf("failure %d from %s: %v", i+1, addr, err)
			}
		}
	}
	tooMany := func(addr string, minutes int) {
		t.Helper()
		_, _, err := e.app.Login(ctx, u.Email, goodPassword, addr, "")
		be, ok := errors.AsType[*binakerja.Error](err)
		if !ok || be.Kind != binakerja.TooMany || len(be.Args) != 1 || be.Args[0] != minutes {
			t.Fatalf("from %s: %v, want TooMany with %d minutes", addr, err, minutes)
		}
	}
	failFrom(nat, 20)
	tooMany(nat, 1)
	if _, _, err := e.app.Login(ctx, u.Email, goodPassword, "10.9.9.8", ""); err != nil {
		t.Fatalf("another address must not be throttled: %v", err)
	}
	e.clock.Advance(time.Minute)
	if _, _, err := e.app.Login(ctx, u.Email, goodPassword, nat, ""); err != nil {
		t.Fatalf("a minute later: %v", err)
	}
	failFrom(nat, 1)
	tooMany(nat, 2)

	for i := range 20 {
		failFrom(fmt.Sprintf("2001:db8:1:2::%x", i+1), 1)
	}
	tooMany("2001:db8:1:2:ffff::1", 1)
	if _, _, err := e.app.Login(ctx, u.Email, goodPassword, "2001:db8:1:3::1", ""); err != nil {
		t.Fatalf("another /64: %v", err)
	}
}

func TestSessionIdleAndAbsoluteTimeouts(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		u := e.user(t, "a@example.id", binakerja.RoleAdmin, "")
		tok := e.signIn(t, u.Email, "127.0.0.1")
		e.clock.Advance(29 * time.Minute)
		if _, err := e.app.Authenticate(ctx, tok); err != nil {
			t.Fatalf("at 29 minutes: %v", err)
		}
		e.clock.Advance(29 * time.Minute)
		if _, err := e.app.Authenticate(ctx, tok); err != nil {
			t.Fatalf("29 minutes after the last request: %v", err)
		}
		e.clock.Advance(30 * time.Minute)
		if _, err := e.app.Authenticate(ctx, tok); binakerja.ErrorKind(err) != binakerja.Unauthenticated {
			t.Fatalf("after 30 idle minutes: %v", err)
		}

		tok = e.signIn(t, u.Email, "127.0.0.1")
		for elapsed := time.Duration(0); elapsed < 12*time.Hour-10*time.Minute; elapsed += 10 * time.Minute {
			e.clock.Advance(10 * time.Minute)
			if _, err := e.app.Authenticate(ctx, tok); err != nil {
				t.Fatalf("active session at %v: %v", elapsed+10*time.Minute, err)
			}
		}
		e.clock.Advance(10 * time.Minute)
		if _, err := e.app.Authenticate(ctx, tok); binakerja.ErrorKind(err) != binakerja.Unauthenticated {
			t.Fatalf("at 12 hours: %v", err)
		}
	})
}

func TestDisablingAUserEndsTheirSessionsAndTokens(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		e.user(t, "root@example.id", binakerja.RoleAdmin, "")
		lp := e.org(t, "LP-A", binakerja.OrgFacility, "")
		u := e.user(t, "officer@example.id", binakerja.RoleFacilityOfficer, lp.Code)
		s1, _, _ := e.app.Login(ctx, u.Email, goodPassword, "127.0.0.1", "")
		s2, _, _ := e.app.Login(ctx, u.Email, goodPassword, "127.0.0.1", "")
		secret, _, err := e.app.CreateAPIToken(ctx, e.cli, u.Email, "script")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.app.AuthenticateToken(ctx, secret); err != nil || got.ID != u.ID {
			t.Fatalf("token: %v", err)
		}
		if _, err := e.app.SetUserActive(ctx, e.cli, u.ID, false); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{s1, s2} {
			if _, err := e.app.Authenticate(ctx, s); binakerja.ErrorKind(err) != binakerja.Unauthenticated {
				t.Fatalf("session after disable: %v", err)
			}
		}
		if _, err := e.app.AuthenticateToken(ctx, secret); binakerja.ErrorKind(err) != binakerja.Unauthenticated {
			t.Fatalf("token after disable: %v", err)
		}
	})
}

func TestTheLastSystemAdminCannotBeRemoved(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		u := e.user(t, "root@example.id", binakerja.RoleAdmin, "")
		if _, err := e.app.SetUserActive(t.Context(), e.cli, u.ID, false); binakerja.ErrorKind(err) != binakerja.Conflict {
			t.Fatalf("disabling the last admin: %v, want Conflict", err)
		}
		if _, err := e.app.RemoveGrant(t.Context(), e.cli, u.ID, app.GrantInput{Role: binakerja.RoleAdmin}); binakerja.ErrorKind(err) != binakerja.Conflict {
			t.Fatalf("revoking the last admin: %v, want Conflict", err)
		}
		if got, _ := e.db.User(t.Context(), u.ID); !got.Active || len(got.Grants) != 1 {
			t.Fatalf("nothing may change: %+v", got)
		}
	})
}

func TestScopedAdminAndOfficerReach(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		nat := e.org(t, "PUSAT", binakerja.OrgNationalOffice, "")
		k16 := e.org(t, "KANWIL-16", binakerja.OrgRegionalOffice, nat.Code)
		k15 := e.org(t, "KANWIL-15", binakerja.OrgRegionalOffice, nat.Code)
		lp16 := e.org(t, "LP-16", binakerja.OrgFacility, k16.Code)
		lp15 := e.org(t, "LP-15", binakerja.OrgFacility, k15.Code)
		regAdmin := e.user(t, "reg@example.id", binakerja.RoleAdmin, k16.Code)
		officer := e.user(t, "off@example.id", binakerja.RoleFacilityOfficer, lp16.Code)
		other := e.user(t, "other@example.id", binakerja.RoleFacilityOfficer, lp15.Code)
		asAdmin := app.Actor{User: regAdmin}
		asOfficer := app.Actor{User: officer}

		if _, err := e.app.Organization(ctx, asAdmin, lp15.Code); binakerja.ErrorKind(err) != binakerja.NotFound {
			t.Errorf("regional admin reading another region's facility: %v, want NotFound", err)
		}
		if _, err := e.app.User(ctx, asAdmin, other.ID); binakerja.ErrorKind(err) != binakerja.NotFound {
			t.Errorf("regional admin reading another region's user: %v, want NotFound", err)
		}
		if _, err := e.app.User(ctx, asAdmin, officer.ID); err != nil {
			t.Errorf("regional admin reading their region's user: %v", err)
		}
		_, err := e.app.CreateOrganization(ctx, asAdmin, &binakerja.Organization{Code: "LP-NEW", Name: "New",
			Kind: binakerja.OrgFacility, FacilityType: "RUTAN", RegionCode: "15.01", Parent: k15.Code})
		if binakerja.ErrorKind(err) != binakerja.Forbidden {
			t.Errorf("regional admin creating under another region: %v, want Forbidden", err)
		}
		_, _, err = e.app.CreateUser(ctx, asAdmin, app.NewUser{Email: "boss@example.id", Name: "Boss",
			Password: goodPassword, Grants: []app.GrantInput{{Role: binakerja.RoleAdmin}}})
		if binakerja.ErrorKind(err) != binakerja.Forbidden {
			t.Errorf("regional admin granting system-wide admin: %v, want Forbidden", err)
		}
		if _, _, err := e.app.Users(ctx, asOfficer, store.UserFilter{}); binakerja.ErrorKind(err) != binakerja.Forbidden {
			t.Errorf("officer listing users: %v, want Forbidden", err)
		}
		orgs, _, err := e.app.Organizations(ctx, asOfficer, store.OrgFilter{})
		if err != nil || len(orgs) != 1 || orgs[0].Code != lp16.Code {
			t.Errorf("officer's organisations: %v %v", orgs, err)
		}
		if n := count(auditActions(t, e), "authz.deny"); n < 3 {
			t.Errorf("denials recorded: %d, want at least 3", n)
		}
	})
}

func TestCreateUserValidatesEveryFieldAndWritesNothing(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	lp := e.org(t, "LP-A", binakerja.OrgFacility, "")
	before := len(auditActions(t, e))
	_, _, err := e.app.CreateUser(t.Context(), e.cli, app.NewUser{Email: "not-an-email", Name: "",
		Password: "short", Grants: nil})
	be, ok := errors.AsType[*binakerja.Error](err)
	if !ok || be.Kind != binakerja.Invalid {
		t.Fatalf("got %v", err)
	}
	var fields []string
	for _, f := range be.Fields {
		fields = append(fields, f.Field)
	}
	if got := strings.Join(fields, ","); got != "email,name,password,roles" {
		t.Fatalf("fields at fault: %s", got)
	}
	_, _, err = e.app.CreateUser(t.Context(), e.cli, app.NewUser{Email: "x@example.id", Name: "X",
		Password: goodPassword, Grants: []app.GrantInput{{Role: binakerja.RoleAssessor, Org: lp.Code}}})
	if be, ok := errors.AsType[*binakerja.Error](err); !ok || be.Fields[0].Key != "user.role.org_kind" {
		t.Fatalf("assessor at a prison: %v", err)
	}
	if after := len(auditActions(t, e)); after != before {
		t.Fatalf("refused input wrote %d audit events", after-before)
	}
	if users, _, _ := e.db.Users(t.Context(), store.UserFilter{All: true}); len(users) != 0 {
		t.Fatalf("refused input wrote users: %v", users)
	}
}
