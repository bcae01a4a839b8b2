package app

import (
	"context"
	"strconv"

	"binakerja"
	"binakerja/internal/store"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// orgRecord is what the audit trail keeps of an organisation.
func orgRecord(o *binakerja.Organization) map[string]any {
	return map[string]any{
		"code": o.Code, "name": o.Name, "kind": o.Kind, "region_code": o.RegionCode, "parent": o.Parent,
		"facility_type": o.FacilityType, "facility_class": o.FacilityClass, "employer_size": o.EmployerSize,
		"active": o.Active,
	}
}

// CreateOrganization adds an organisation. Placing it under a parent needs the
// right to create organisations there; a top-level one needs a system-wide
// grant.
func (a *App) CreateOrganization(ctx context.Context, ac Actor, o *binakerja.Organization) (*binakerja.Organization, error) {
	o.Normalize()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	var parent *binakerja.Organization
	scope := "/"
	if o.Parent != "" {
		p, err := a.db.Organization(ctx, o.Parent)
		if binakerja.ErrorKind(err) == binakerja.NotFound {
			return nil, binakerja.FieldInvalid("parent", "org.parent.unknown", o.Parent)
		}
		if err != nil {
			return nil, err
		}
		parent, scope = p, p.Path
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionOrgCreate, scope)
	if err != nil {
		return nil, err
	}
	if err := o.CheckParent(parent); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrganization(ctx, o); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "org.create", "organization", o.Code, o.Code, orgRecord(o))
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// Organization returns the organisation with the given code, if the actor may
// see it; one outside the actor's reach is NotFound, as if it did not exist.
func (a *App) Organization(ctx context.Context, ac Actor, code string) (*binakerja.Organization, error) {
	o, err := a.db.Organization(ctx, code)
	if err != nil {
		return nil, err
	}
	if !a.canSee(ac, binakerja.ActionOrgView, o.Path) {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return o, nil
}

// canSee reports whether the actor may perform action on the organisation at
// path, without recording a denial: used where a refusal is answered as "not
// found" so as not to reveal that the record exists.
func (a *App) canSee(ac Actor, action binakerja.Action, path string) bool {
	return (ac.User == nil && ac.CLI != "") || ac.User.Can(action, path)
}

// Organizations lists the organisations the actor may see.
func (a *App) Organizations(ctx context.Context, ac Actor, f store.OrgFilter) ([]*binakerja.Organization, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionOrgView, ""); err != nil {
		return nil, "", err
	}
	f.Within, f.All = a.scope(ac, binakerja.ActionOrgView)
	return a.db.Organizations(ctx, f)
}

func (a *App) scope(ac Actor, action binakerja.Action) ([]string, bool) {
	if ac.User == nil {
		return nil, ac.CLI != ""
	}
	return ac.User.Scope(action)
}

// OrgChange is an edit of an organisation: the fields that may change, and the
// version the edit was made from.
type OrgChange struct {
	Name          string
	RegionCode    string
	FacilityType  string
	FacilityClass string
	EmployerSize  string
	Active        bool
	Version       int
}

// UpdateOrganization applies an edit to the organisation with the given code.
// An edit made from an older version than the stored one is a Conflict.
func (a *App) UpdateOrganization(ctx context.Context, ac Actor, code string, c OrgChange) (*binakerja.Organization, error) {
	o, err := a.Organization(ctx, ac, code)
	if err != nil {
		return nil, err
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionOrgUpdate, o.Path)
	if err != nil {
		return nil, err
	}
	before := orgRecord(o)
	o.Name, o.RegionCode, o.FacilityType, o.FacilityClass, o.EmployerSize, o.Active =
		c.Name, c.RegionCode, c.FacilityType, c.FacilityClass, c.EmployerSize, c.Active
	o.Version = c.Version
	o.Normalize()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateOrganization(ctx, o); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "org.update", "organization", o.Code, o.Code,
			binakerja.AuditSummary(before, orgRecord(o)))
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}
