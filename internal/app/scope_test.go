package app_test

import (
	"slices"
	"testing"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
)

// TestAScopedAdminManagesOnlyUsersWhollyWithinReach: an admin of one prison
// neither sees nor changes a system-wide admin or another province's labour
// officer who also hold a role at that prison, and never changes its own
// roles; a user all of whose roles are at the prison is its to manage.
func TestAScopedAdminManagesOnlyUsersWhollyWithinReach(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		lp := e.org(t, "LP-A", binakerja.OrgFacility, "")
		e.org(t, "DISNAKER-B", binakerja.OrgLabourOffice, "")
		prisonAdmin := e.user(t, "admin.lapas@example.id", binakerja.RoleAdmin, lp.Code)
		root := e.user(t, "root@example.id", binakerja.RoleAdmin, "")
		labour := e.user(t, "disnaker@example.id", binakerja.RoleLabourOfficer, "DISNAKER-B")
		local := e.user(t, "petugas@example.id", binakerja.RoleFacilityOfficer, lp.Code)
		for _, u := range []*binakerja.User{root, labour} {
			if _, err := e.app.AddGrant(ctx, e.cli, u.ID, app.GrantInput{Role: binakerja.RoleFacilityOfficer, Org: lp.Code}); err != nil {
				t.Fatal(err)
			}
		}
		as := e.actor(t, prisonAdmin.Email) // signed in with both steps: its changes go through
		for _, u := range []*binakerja.User{root, labour} {
			if _, err := e.app.User(ctx, as, u.ID); binakerja.ErrorKind(err) != binakerja.NotFound {
				t.Errorf("viewing %s: %v, want NotFound", u.Email, err)
			}
			if _, err := e.app.SetUserActive(ctx, as, u.ID, false); binakerja.ErrorKind(err) != binakerja.NotFound {
				t.Errorf("disabling %s: %v, want NotFound", u.Email, err)
			}
			if _, err := e.app.UnlockUser(ctx, as, u.ID); binakerja.ErrorKind(err) != binakerja.NotFound {
				t.Errorf("unlocking %s: %v, want NotFound", u.Email, err)
			}
			if _, err := e.app.RemoveGrant(ctx, as, u.ID, app.GrantInput{Role: binakerja.RoleFacilityOfficer, Org: lp.Code}); binakerja.ErrorKind(err) != binakerja.NotFound {
				t.Errorf("revoking the prison role of %s: %v, want NotFound", u.Email, err)
			}
			if _, err := e.app.AddGrant(ctx, as, u.ID, app.GrantInput{Role: binakerja.RoleAdmin, Org: lp.Code}); binakerja.ErrorKind(err) != binakerja.NotFound {
				t.Errorf("granting %s a role at the prison: %v, want NotFound", u.Email, err)
			}
			if got, _ := e.db.User(ctx, u.ID); !got.Active || len(got.Grants) != 2 {
				t.Errorf("%s changed: %+v", u.Email, got)
			}
		}
		users, _, err := e.app.Users(ctx, as, store.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, u := range users {
			listed = append(listed, u.Email)
		}
		if slices.Sort(listed); !slices.Equal(listed, []string{prisonAdmin.Email, local.Email}) {
			t.Errorf("the prison admin's user list: %v", listed)
		}

		// Its own roles are not its to change.
		if _, err := e.app.AddGrant(ctx, as, prisonAdmin.ID, app.GrantInput{Role: binakerja.RoleFacilityOfficer, Org: lp.Code}); binakerja.ErrorKind(err) != binakerja.Forbidden {
			t.Errorf("granting itself the facility officer role: %v, want Forbidden", err)
		}
		if _, err := e.app.RemoveGrant(ctx, as, prisonAdmin.ID, app.GrantInput{Role: binakerja.RoleAdmin, Org: lp.Code}); binakerja.ErrorKind(err) != binakerja.Forbidden {
			t.Errorf("revoking its own role: %v, want Forbidden", err)
		}
		if got, _ := e.db.User(ctx, prisonAdmin.ID); len(got.Grants) != 1 || got.Has(binakerja.RoleFacilityOfficer) {
			t.Errorf("the prison admin's roles changed: %+v", got.Grants)
		}
		if _, err := e.app.AddGrant(ctx, app.Actor{User: root}, root.ID, app.GrantInput{Role: binakerja.RoleAdmin, Org: lp.Code}); binakerja.ErrorKind(err) != binakerja.Forbidden {
			t.Errorf("a system-wide admin granting itself a role: %v, want Forbidden", err)
		}

		// A user wholly within reach is managed.
		if _, err := e.app.AddGrant(ctx, as, local.ID, app.GrantInput{Role: binakerja.RoleAdmin, Org: lp.Code}); err != nil {
			t.Errorf("granting a local officer a role at the prison: %v", err)
		}
		if _, err := e.app.SetUserActive(ctx, as, local.ID, false); err != nil {
			t.Errorf("disabling a local officer: %v", err)
		}
	})
}

// setActive deactivates or reactivates an organisation from the command line.
func (e *env) setActive(t *testing.T, o *binakerja.Organization, active bool) {
	t.Helper()
	cur, err := e.db.Organization(t.Context(), o.Code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.UpdateOrganization(t.Context(), e.cli, o.Code, app.OrgChange{Name: cur.Name, RegionCode: cur.RegionCode,
		FacilityType: cur.FacilityType, FacilityClass: cur.FacilityClass, EmployerSize: cur.EmployerSize,
		Active: active, Version: cur.Version}); err != nil {
		t.Fatal(err)
	}
}

// TestGrantsAtAnInactiveOrganisationGiveNothing: once a prison, or the
// office above it, is deactivated, its officer's session and API token
// list, import and reveal nothing; reactivated, they work again. Another
// role of the same user elsewhere keeps working.
func TestGrantsAtAnInactiveOrganisationGiveNothing(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		kanwil := e.org(t, "KANWIL-16", binakerja.OrgRegionalOffice, "")
		lp := e.org(t, "LP-A", binakerja.OrgFacility, kanwil.Code)
		lpB := e.org(t, "LP-B", binakerja.OrgFacility, "")
		officer := e.user(t, "petugas@example.id", binakerja.RoleFacilityOfficer, lp.Code)
		if _, err := e.importFile(t, lp.Code, threeRows, app.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		people, _, err := e.app.Inmates(ctx, e.cli, app.InmateQuery{NIK: "1608011203900001"})
		if err != nil || len(people) != 1 {
			t.Fatalf("the imported person: %v %v", people, err)
		}
		person := people[0].ID
		session := e.signIn(t, officer.Email, "10.0.0.1")
		token, _, err := e.app.CreateAPIToken(ctx, e.cli, officer.Email, "script")
		if err != nil {
			t.Fatal(err)
		}
		// works reports what the officer may do, through the session and
		// through the token: list, import, reveal.
		works := func() []bool {
			var out []bool
			for _, who := range []func() (app.Actor, error){
				func() (app.Actor, error) {
					s, err := e.app.Session(ctx, session)
					if err != nil {
						return app.Actor{}, err
					}
					return s.Into(app.Actor{}), nil
				},
				func() (app.Actor, error) {
					u, err := e.app.AuthenticateToken(ctx, token)
					// The full NIK over a token takes a fresh code.
					return app.Actor{User: u, Token: true, Reauth: e.code(testSecret(officer.Email))}, err
				},
			} {
				as, err := who()
				if err != nil {
					t.Fatalf("authenticate: %v", err)
				}
				_, _, err = e.app.Inmates(ctx, as, app.InmateQuery{})
				out = append(out, err == nil)
				_, err = e.app.ImportInmates(ctx, as, lp.Code, source(threeRows), app.ImportOptions{FileName: "x.csv", DryRun: true})
				out = append(out, err == nil)
				_, err = e.app.RevealNIK(ctx, as, person, "verifikasi data")
				out = append(out, err == nil)
			}
			return out
		}
		all := func(want bool) bool {
			for _, ok := range works() {
				if ok != want {
					return false
				}
			}
			return true
		}
		if !all(true) {
			t.Fatalf("an active prison's officer: %v", works())
		}
		e.setActive(t, lp, false)
		if got := works(); !all(false) {
			t.Errorf("the officer of a deactivated prison: %v, want nothing", got)
		}
		e.setActive(t, lp, true)
		if !all(true) {
			t.Fatalf("the prison active again: %v", works())
		}
		e.setActive(t, kanwil, false)
		if got := works(); !all(false) {
			t.Errorf("the officer of a prison under a deactivated office: %v, want nothing", got)
		}

		// A role at an active organisation still gives what it gives.
		if _, err := e.app.AddGrant(ctx, e.cli, officer.ID, app.GrantInput{Role: binakerja.RoleFacilityOfficer, Org: lpB.Code}); err != nil {
			t.Fatal(err)
		}
		u, err := e.app.Authenticate(ctx, session)
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Grants) != 1 || u.Grants[0].Org != lpB.Code || u.Can(binakerja.ActionInmateView, lp.Path) || !u.Can(binakerja.ActionInmateView, lpB.Path) {
			t.Fatalf("the officer's live roles: %+v", u.Grants)
		}
		stored, err := e.db.User(ctx, officer.ID)
		if err != nil || len(stored.Grants) != 2 || !stored.Grants[0].Inactive || stored.Grants[1].Inactive {
			t.Fatalf("the stored roles keep the dormant one, marked: %+v %v", stored, err)
		}
		if stored.Can(binakerja.ActionInmateView, lp.Path) {
			t.Fatal("the policy counts a grant at a deactivated organisation")
		}
	})
}
