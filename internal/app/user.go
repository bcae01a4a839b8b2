package app

import (
	"context"
	"slices"
	"strings"

	"binakerja"
	"binakerja/internal/password"
	"binakerja/internal/store"
)

// GrantInput names a role and the code of the organisation where it is held
// (empty for a system-wide admin).
type GrantInput struct {
	Role binakerja.Role
	Org  string
}

// NewUser is the input of CreateUser. An empty Password makes CreateUser
// generate a one-time password and return it.
type NewUser struct {
	Email    string
	Name     string
	Password string
	Lang     string
	Grants   []GrantInput
}

func userRecord(u *binakerja.User) map[string]any {
	var grants []string
	for _, g := range u.Grants {
		grants = append(grants, string(g.Role)+"@"+g.Org)
	}
	return map[string]any{"email": u.Email, "name": u.Name, "active": u.Active, "lang": u.Lang, "roles": grants}
}

// checkGrant validates one grant and checks that the actor may give it,
// returning the organisation's path and the actor's role.
func (a *App) checkGrant(ctx context.Context, ac Actor, field string, g *GrantInput) (string, error) {
	g.Org = binakerja.NormalizeOrgCode(g.Org)
	if !g.Role.Valid() {
		return "", binakerja.FieldInvalid(field+".role", "user.role.invalid")
	}
	scope := "/"
	if g.Org == "" {
		if g.Role != binakerja.RoleAdmin {
			return "", binakerja.FieldInvalid(field+".organization", "user.role.org_required")
		}
	} else {
		o, err := a.db.Organization(ctx, g.Org)
		if binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && !a.canSee(ac, binakerja.ActionOrgView, o.Path)) {
			return "", binakerja.FieldInvalid(field+".organization", "org.unknown", g.Org)
		}
		if err != nil {
			return "", err
		}
		if !binakerja.RoleFitsOrg(g.Role, o.Kind) {
			return "", binakerja.FieldInvalid(field+".role", "user.role.org_kind", string(g.Role), string(o.Kind))
		}
		scope = o.Path
	}
	// A system-wide grant needs the actor's own grant to be system-wide:
	// "/" is covered by no organisation's path.
	return a.authorize(ctx, ac, binakerja.ActionUserManage, scope)
}

// CreateUser adds a user with at least one role. It returns the user and,
// when no password was given, the generated one-time password.
func (a *App) CreateUser(ctx context.Context, ac Actor, in NewUser) (*binakerja.User, string, error) {
	u := &binakerja.User{Email: in.Email, Name: in.Name, Lang: in.Lang}
	var p binakerja.Problems
	if err := u.Validate(); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	generated := ""
	if in.Password == "" {
		generated = password.Generate()
		in.Password = generated
	} else if a.settings.Demo && in.Password == binakerja.DemoPassword {
		// The demo world's people share its public password.
	} else if err := binakerja.CheckPassword(in.Password, u.Email); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	if len(in.Grants) == 0 {
		p.Add("roles", "user.roles.required")
	}
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	var role string
	for i := range in.Grants {
		r, err := a.checkGrant(ctx, ac, "roles["+itoa(int64(i))+"]", &in.Grants[i])
		if err != nil {
			return nil, "", err
		}
		role = r
	}
	if err := a.fresh(ctx, ac, "user.create"); err != nil {
		return nil, "", err
	}
	hash := password.Hash(in.Password)
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		for _, g := range in.Grants {
			if err := tx.AddGrant(ctx, u.ID, g.Role, g.Org); err != nil {
				return err
			}
		}
		var err error
		if u, err = tx.User(ctx, u.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "user.create", "user", itoa(u.ID), firstOrg(u), userRecord(u))
	})
	if err != nil {
		return nil, "", err
	}
	return u, generated, nil
}

func firstOrg(u *binakerja.User) string {
	if len(u.Grants) > 0 {
		return u.Grants[0].Org
	}
	return ""
}

// userInScope reports whether the actor may perform action on u: a system-wide
// grant reaches everyone; a grant at an organisation reaches only users whose
// every role lies within its subtree (and who hold one at least). A user
// with one role elsewhere, or a system-wide one, belongs to someone with a
// wider reach: an admin of one prison must not see, disable or change the
// account of a national admin or of another province's officer because they
// also hold a role at that prison.
func (a *App) userInScope(ac Actor, action binakerja.Action, u *binakerja.User) bool {
	paths, all := a.scope(ac, action)
	if all {
		return true
	}
	if len(u.Grants) == 0 {
		return false
	}
	for _, g := range u.Grants {
		if g.SystemWide() || !slices.ContainsFunc(paths, func(p string) bool { return strings.HasPrefix(g.OrgPath, p) }) {
			return false
		}
	}
	return true
}

// User returns the user with the given id, if the actor may see them.
func (a *App) User(ctx context.Context, ac Actor, id int64) (*binakerja.User, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionUserView, ""); err != nil {
		return nil, err
	}
	u, err := a.db.User(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.userInScope(ac, binakerja.ActionUserView, u) {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return u, nil
}

// Users lists the users the actor may see.
func (a *App) Users(ctx context.Context, ac Actor, f store.UserFilter) ([]*binakerja.User, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionUserView, ""); err != nil {
		return nil, "", err
	}
	f.Within, f.All = a.scope(ac, binakerja.ActionUserView)
	return a.db.Users(ctx, f)
}

// manageUser loads a user the actor may manage.
func (a *App) manageUser(ctx context.Context, ac Actor, id int64) (*binakerja.User, string, error) {
	u, err := a.User(ctx, ac, id)
	if err != nil {
		return nil, "", err
	}
	if !a.userInScope(ac, binakerja.ActionUserManage, u) {
		return nil, "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionUserManage, "")
	return u, role, err
}

// ownGrants refuses a change of the actor's own roles: no one widens or
// narrows their own reach (an admin of a prison granting itself the facility
// officer role there would read full identity numbers). Another admin, or the
// command line, does it.
func (a *App) ownGrants(ctx context.Context, ac Actor, userID int64) error {
	if ac.User != nil && ac.User.ID == userID {
		a.deny(ctx, ac, binakerja.ActionUserManage, "self")
		return binakerja.Errorf(binakerja.Forbidden, "user.own_roles")
	}
	return nil
}

// AddGrant gives the user one more role.
func (a *App) AddGrant(ctx context.Context, ac Actor, userID int64, g GrantInput) (*binakerja.User, error) {
	if err := a.ownGrants(ctx, ac, userID); err != nil {
		return nil, err
	}
	u, _, err := a.manageUser(ctx, ac, userID)
	if err != nil {
		return nil, err
	}
	role, err := a.checkGrant(ctx, ac, "role", &g)
	if err != nil {
		return nil, err
	}
	if err := a.fresh(ctx, ac, "authz.grant"); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.AddGrant(ctx, u.ID, g.Role, g.Org); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "authz.grant", "user", itoa(u.ID), g.Org,
			map[string]string{"role": string(g.Role), "organization": g.Org})
	})
	if err != nil {
		return nil, err
	}
	return a.db.User(ctx, u.ID)
}

// RemoveGrant takes a role away from the user. The last active system-wide
// admin keeps theirs, so that the installation cannot lock itself out.
func (a *App) RemoveGrant(ctx context.Context, ac Actor, userID int64, g GrantInput) (*binakerja.User, error) {
	if err := a.ownGrants(ctx, ac, userID); err != nil {
		return nil, err
	}
	u, _, err := a.manageUser(ctx, ac, userID)
	if err != nil {
		return nil, err
	}
	role, err := a.checkGrant(ctx, ac, "role", &g)
	if err != nil {
		return nil, err
	}
	if err := a.fresh(ctx, ac, "authz.revoke"); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RemoveGrant(ctx, u.ID, g.Role, g.Org); err != nil {
			return err
		}
		if err := a.keepOneAdmin(ctx, tx); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "authz.revoke", "user", itoa(u.ID), g.Org,
			map[string]string{"role": string(g.Role), "organization": g.Org})
	})
	if err != nil {
		return nil, err
	}
	return a.db.User(ctx, u.ID)
}

func (a *App) keepOneAdmin(ctx context.Context, tx *store.Tx) error {
	n, err := tx.CountSystemAdmins(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return binakerja.Errorf(binakerja.Conflict, "user.last_admin")
	}
	return nil
}

// SetUserActive enables or disables a user. Disabling ends every session of
// the user at once; their API tokens stop working with it.
func (a *App) SetUserActive(ctx context.Context, ac Actor, userID int64, active bool) (*binakerja.User, error) {
	u, role, err := a.manageUser(ctx, ac, userID)
	if err != nil {
		return nil, err
	}
	if u.Active == active {
		return u, nil
	}
	u.Active = active
	action := "user.enable"
	if !active {
		action = "user.disable"
	}
	if err := a.fresh(ctx, ac, action); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if !active {
			if _, err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
			if err := a.keepOneAdmin(ctx, tx); err != nil {
				return err
			}
		}
		return a.record(ctx, tx, ac, role, action, "user", itoa(u.ID), firstOrg(u), nil)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UnlockUser clears an account's failed sign-ins, ending its throttling at
// once (see Throttle): for someone who forgot their password and has it
// reset, or after an attack on the account has been dealt with.
func (a *App) UnlockUser(ctx context.Context, ac Actor, userID int64) (*binakerja.User, error) {
	u, role, err := a.manageUser(ctx, ac, userID)
	if err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetLoginFailures(ctx, u.ID, 0, zeroTime, zeroTime); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "auth.unlock", "user", itoa(u.ID), firstOrg(u), nil)
	})
	if err != nil {
		return nil, err
	}
	u.Locked = false
	return u, nil
}

// SetLanguage stores the actor's preferred language ("id" or "en").
func (a *App) SetLanguage(ctx context.Context, ac Actor, lang string) error {
	role, err := a.authorize(ctx, ac, binakerja.ActionSelf, "")
	if err != nil {
		return err
	}
	u, err := a.db.User(ctx, ac.User.ID)
	if err != nil {
		return err
	}
	u.Lang = lang
	if err := u.Validate(); err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "user.language", "user", itoa(u.ID), "", map[string]string{"lang": lang})
	})
}
