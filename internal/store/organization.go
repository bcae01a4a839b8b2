package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"binakerja"
)

const orgColumns = `o.id, o.code, o.name, o.kind, o.region_code, COALESCE(p.code, ''), o.path,
	o.facility_type, o.facility_class, o.employer_size, o.active, o.created_at, o.updated_at, o.version`

const orgFrom = ` FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id`

func scanOrg(row interface{ Scan(...any) error }) (*binakerja.Organization, error) {
	var o binakerja.Organization
	err := row.Scan(&o.ID, &o.Code, &o.Name, &o.Kind, &o.RegionCode, &o.Parent, &o.Path,
		&o.FacilityType, &o.FacilityClass, &o.EmployerSize, &o.Active, &o.CreatedAt, &o.UpdatedAt, &o.Version)
	if err != nil {
		return nil, mapError(err)
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
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
		if err := rows.Scan(&o.ID, &o.Code, &o.Name, &o.Kind, &o.RegionCode, &o.Parent, &o.Path,
			&o.FacilityType, &o.FacilityClass, &o.EmployerSize, &o.Active, &o.CreatedAt, &o.UpdatedAt,
			&o.Version, &key); err != nil {
			return nil, cursor{}, err
		}
		o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
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
	err := tx.q.QueryRowContext(ctx, `INSERT INTO organizations (code, name, search_name, kind, region_code,
		parent_id, path, facility_type, facility_class, employer_size, active, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1) RETURNING id`,
		o.Code, o.Name, binakerja.SearchKey(o.Name), o.Kind, o.RegionCode, parentID, o.Path,
		o.FacilityType, o.FacilityClass, o.EmployerSize, o.Active, tx.Now).Scan(&o.ID)
	return mapError(err)
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
