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
		as := app.Actor{User: prisonAdmin}
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
