package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"binakerja"
)

const orgColumns = `o.id, o.code, o.name, o.kind, o.region_code, COALESCE(p.code, ''), o.path,
	o.facility_type, o.facility_class, o.employer_size, o.active, o.created_at, o.updated_at, o.version,
	o.kbli_code, o.kbli_version, o.address, o.partner_tier, o.accepts_convictions, o.excluded_offences`

const orgFrom = ` FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id`

// orgDest returns the scan destinations of orgColumns; finish completes the
// organisation after the scan.
func orgDest(o *binakerja.Organization) (dest []any, finish func()) {
	var excluded string
	var accepts bool
	dest = []any{&o.ID, &o.Code, &o.Name, &o.Kind, &o.RegionCode, &o.Parent, &o.Path,
		&o.FacilityType, &o.FacilityClass, &o.EmployerSize, &o.Active, &o.CreatedAt, &o.UpdatedAt, &o.Version,
		&o.Partner.KBLICode, &o.Partner.KBLIVersion, &o.Partner.Address, &o.Partner.Tier,
		&accepts, &excluded}
	return dest, func() {
		o.Partner.RefusesConvictions = !accepts
		o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
		o.Partner.Excluded = nil
		for g := range strings.SplitSeq(excluded, ",") {
			if g != "" {
				o.Partner.Excluded = append(o.Partner.Excluded, binakerja.OffenceGroup(g))
			}
		}
	}
}

func scanOrg(row interface{ Scan(...any) error }) (*binakerja.Organization, error) {
	var o binakerja.Organization
	dest, finish := orgDest(&o)
	if err := row.Scan(dest...); err != nil {
		return nil, mapError(err)
	}
	finish()
	return &o, nil
}

// Organization returns the organisation with the given code, or a NotFound
// error.
func (q Queries) Organization(ctx context.Context, code string) (*binakerja.Organization, error) {
	return scanOrg(q.q.QueryRowContext(ctx, `SELECT `+orgColumns+orgFrom+` WHERE o.code = $1`,
		binakerja.NormalizeOrgCode(code)))
}

// OrgFilter selects organisations for a list.
type OrgFilter struct {
	Query  string            // prefix of a word of the name, or of the code
	Kind   binakerja.OrgKind // empty for any
	Parent string            // direct children of this code only
	Region string            // region code prefix
	Within []string          // subtree paths; nil with All for every organisation
	All    bool              // no subtree restriction
	Page   Page
}

// scopeClause appends to where a condition limiting rows to the subtrees in
// paths (matched on column col), returning the new args. With no paths and
// not all, it matches nothing.
func scopeClause(where []string, args []any, col string, paths []string, all bool) ([]string, []any) {
	if all {
		return where, args
	}
	if len(paths) == 0 {
		return append(where, "1 = 0"), args
	}
	var ors []string
	for _, p := range paths {
		args = append(args, binakerja.EscapeLike(p)+"%")
		ors = append(ors, col+` LIKE $`+strconv.Itoa(len(args))+` ESCAPE '\'`)
	}
	return append(where, "("+strings.Join(ors, " OR ")+")"), args
}

// Organizations lists organisations by name, one page at a time. next is the
// cursor of the following page, empty on the last.
func (q Queries) Organizations(ctx context.Context, f OrgFilter) ([]*binakerja.Organization, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var where []string
	var args []any
	where, args = scopeClause(where, args, "o.path", f.Within, f.All)
	if s := binakerja.SearchKey(f.Query); s != "" {
		args = append(args, binakerja.EscapeLike(s)+"%", "% "+binakerja.EscapeLike(s)+"%",
			binakerja.EscapeLike(binakerja.NormalizeOrgCode(f.Query))+"%")
		n := len(args)
		where = append(where, `(o.search_name LIKE $`+strconv.Itoa(n-2)+` ESCAPE '\' OR o.search_name LIKE $`+
			strconv.Itoa(n-1)+` ESCAPE '\' OR o.code LIKE $`+strconv.Itoa(n)+` ESCAPE '\')`)
	}
	if f.Kind != "" {
		args = append(args, f.Kind)
		where = append(where, `o.kind = $`+strconv.Itoa(len(args)))
	}
	if f.Parent != "" {
		args = append(args, binakerja.NormalizeOrgCode(f.Parent))
		where = append(where, `p.code = $`+strconv.Itoa(len(args)))
	}
	if f.Region != "" {
		args = append(args, binakerja.EscapeLike(f.Region)+"%")
		where = append(where, `o.region_code LIKE $`+strconv.Itoa(len(args))+` ESCAPE '\'`)
	}
	if f.Page.Cursor != "" {
		args = append(args, c.Key, c.ID)
		n := len(args)
		where = append(where, `(o.search_name, o.id) > ($`+strconv.Itoa(n-1)+`, $`+strconv.Itoa(n)+`)`)
	}
	query := `SELECT ` + orgColumns + `, o.search_name` + orgFrom
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Page.limit()
	args = append(args, limit+1)
	query += ` ORDER BY o.search_name, o.id LIMIT $` + strconv.Itoa(len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.Organization, cursor, error) {
		var o binakerja.Organization
		var key string
		dest, finish := orgDest(&o)
		if err := rows.Scan(append(dest, &key)...); err != nil {
			return nil, cursor{}, err
		}
		finish()
		return &o, cursor{Key: key, ID: o.ID}, nil
	})
}

// CreateOrganization inserts o, whose Path must be set, and sets its ID.
func (tx *Tx) CreateOrganization(ctx context.Context, o *binakerja.Organization) error {
	var parentID sql.NullInt64
	if o.Parent != "" {
		if err := tx.q.QueryRowContext(ctx, `SELECT id FROM organizations WHERE code = $1`, o.Parent).Scan(&parentID); err != nil {
			if binakerja.ErrorKind(mapError(err)) == binakerja.NotFound {
				return binakerja.FieldInvalid("parent", "org.parent.unknown", o.Parent)
			}
			return err
		}
	}
	o.CreatedAt, o.UpdatedAt, o.Version, o.Active = tx.Now, tx.Now, 1, true
	pa := &o.Partner
	err := tx.q.QueryRowContext(ctx, `INSERT INTO organizations (code, name, search_name, kind, region_code,
		parent_id, path, facility_type, facility_class, employer_size, active, created_at, updated_at, version,
		kbli_code, kbli_version, address, partner_tier, accepts_convictions, excluded_offences)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1, $13, $14, $15, $16, $17, $18) RETURNING id`,
		o.Code, o.Name, binakerja.SearchKey(o.Name), o.Kind, o.RegionCode, parentID, o.Path,
		o.FacilityType, o.FacilityClass, o.EmployerSize, o.Active, tx.Now,
		pa.KBLICode, pa.KBLIVersion, pa.Address, pa.Tier, !pa.RefusesConvictions, joinGroups(pa.Excluded)).Scan(&o.ID)
	if err != nil {
		return mapError(err)
	}
	return tx.writeContacts(ctx, o.ID, pa.Contacts)
}

// UpdateOrganization writes the changeable fields of o (name, region, facility
// type and class, employer size, active) if the stored version is still
// o.Version, and increments the version. A changed version is a Conflict.
func (tx *Tx) UpdateOrganization(ctx context.Context, o *binakerja.Organization) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE organizations SET name = $1, search_name = $2, region_code = $3,
		facility_type = $4, facility_class = $5, employer_size = $6, active = $7, updated_at = $8,
		version = version + 1 WHERE id = $9 AND version = $10`,
		o.Name, binakerja.SearchKey(o.Name), o.RegionCode, o.FacilityType, o.FacilityClass, o.EmployerSize,
		o.Active, tx.Now, o.ID, o.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	o.Version++
	o.UpdatedAt = tx.Now
	return nil
}

func joinGroups(gs []binakerja.OffenceGroup) string {
	var ss []string
	for _, g := range gs {
		ss = append(ss, string(g))
	}
	return strings.Join(ss, ",")
}

// writeContacts replaces the contact people of an organisation.
func (tx *Tx) writeContacts(ctx context.Context, orgID int64, cs []binakerja.Contact) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM partner_contacts WHERE organization_id = $1`, orgID); err != nil {
		return mapError(err)
	}
	for i, c := range cs {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO partner_contacts (organization_id, position, name, role_title,
			phone, email) VALUES ($1, $2, $3, $4, $5, $6)`, orgID, i, c.Name, c.Position, c.Phone, c.Email); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// UpdatePartner writes an employer's partner profile and contacts if the
// stored version is still o.Version, and increments the version.
func (tx *Tx) UpdatePartner(ctx context.Context, o *binakerja.Organization) error {
	pa := &o.Partner
	res, err := tx.q.ExecContext(ctx, `UPDATE organizations SET kbli_code = $1, kbli_version = $2, address = $3,
		partner_tier = $4, accepts_convictions = $5, excluded_offences = $6, employer_size = $7, updated_at = $8,
		version = version + 1 WHERE id = $9 AND version = $10`,
		pa.KBLICode, pa.KBLIVersion, pa.Address, pa.Tier, !pa.RefusesConvictions, joinGroups(pa.Excluded),
		o.EmployerSize, tx.Now, o.ID, o.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	o.Version++
	o.UpdatedAt = tx.Now
	return tx.writeContacts(ctx, o.ID, pa.Contacts)
}

// Contacts returns the contact people of an organisation.
func (q Queries) Contacts(ctx context.Context, orgID int64) ([]binakerja.Contact, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT name, role_title, phone, email FROM partner_contacts
		WHERE organization_id = $1 ORDER BY position`, orgID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []binakerja.Contact
	for rows.Next() {
		var c binakerja.Contact
		if err := rows.Scan(&c.Name, &c.Position, &c.Phone, &c.Email); err != nil {
			return nil, mapError(err)
		}
		out = append(out, c)
	}
	return out, mapError(rows.Err())
}

// OrganizationByID returns the organisation with the given id.
func (q Queries) OrganizationByID(ctx context.Context, id int64) (*binakerja.Organization, error) {
	return scanOrg(q.q.QueryRowContext(ctx, `SELECT `+orgColumns+orgFrom+` WHERE o.id = $1`, id))
}
