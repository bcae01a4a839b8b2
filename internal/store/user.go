package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"binakerja"
)

const userColumns = `id, email, name, active, locked_at IS NOT NULL, lang, created_at, updated_at, version`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (*binakerja.User, error) {
	var u binakerja.User
	dest := append([]any{&u.ID, &u.Email, &u.Name, &u.Active, &u.Locked, &u.Lang, &u.CreatedAt, &u.UpdatedAt, &u.Version}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, mapError(err)
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// User returns the user with the given id and the roles they hold.
func (q Queries) User(ctx context.Context, id int64) (*binakerja.User, error) {
	u, err := scanUser(q.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return nil, err
	}
	return u, q.loadGrants(ctx, u)
}

// UserByEmail returns the user with the given email and the roles they hold.
func (q Queries) UserByEmail(ctx context.Context, email string) (*binakerja.User, error) {
	u, err := scanUser(q.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`,
		binakerja.NormalizeEmail(email)))
	if err != nil {
		return nil, err
	}
	return u, q.loadGrants(ctx, u)
}

func (q Queries) loadGrants(ctx context.Context, u *binakerja.User) error {
	rows, err := q.q.QueryContext(ctx, `SELECT r.role, COALESCE(o.code, ''), COALESCE(o.name, ''), COALESCE(o.path, '')
		FROM user_roles r LEFT JOIN organizations o ON o.id = r.organization_id
		WHERE r.user_id = $1 ORDER BY r.id`, u.ID)
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	u.Grants = nil
	for rows.Next() {
		var g binakerja.Grant
		if err := rows.Scan(&g.Role, &g.Org, &g.OrgName, &g.OrgPath); err != nil {
			return err
		}
		u.Grants = append(u.Grants, g)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	return q.markInactive(ctx, u.Grants)
}

// markInactive sets Inactive on the grants whose organisation, or one above
// it, is deactivated. A path holds the codes from the root down, so one
// look-up of those codes by the unique index answers for every grant.
func (q Queries) markInactive(ctx context.Context, grants []binakerja.Grant) error {
	var args []any
	var marks []string
	seen := map[string]bool{}
	for _, g := range grants {
		for _, code := range strings.Split(strings.Trim(g.OrgPath, "/"), "/") {
			if code != "" && !seen[code] {
				seen[code] = true
				args = append(args, code)
				marks = append(marks, "$"+strconv.Itoa(len(args)))
			}
		}
	}
	if len(args) == 0 {
		return nil
	}
	rows, err := q.q.QueryContext(ctx, `SELECT code FROM organizations WHERE NOT active AND code IN (`+
		strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	inactive := map[string]bool{}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return err
		}
		inactive[code] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i, g := range grants {
		for _, code := range strings.Split(strings.Trim(g.OrgPath, "/"), "/") {
			if inactive[code] {
				grants[i].Inactive = true
			}
		}
	}
	return nil
}

// UserFilter selects users for a list.
type UserFilter struct {
	Query  string         // prefix of a word of the name, or of the email
	Role   binakerja.Role // holding this role; empty for any
	Org    string         // holding a role at this organisation
	Within []string       // holding roles only within these subtrees (and one at least)
	All    bool           // no subtree restriction
	Page   Page
}

// Users lists users by name, one page at a time, with their roles.
func (q Queries) Users(ctx context.Context, f UserFilter) ([]*binakerja.User, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var where, roleWhere []string
	var args []any
	if !f.All || f.Role != "" || f.Org != "" {
		roleWhere, args = scopeClause(roleWhere, args, "o.path", f.Within, f.All)
		if f.Role != "" {
			args = append(args, f.Role)
			roleWhere = append(roleWhere, `r.role = $`+strconv.Itoa(len(args)))
		}
		if f.Org != "" {
			args = append(args, binakerja.NormalizeOrgCode(f.Org))
			roleWhere = append(roleWhere, `o.code = $`+strconv.Itoa(len(args)))
		}
		cond := "TRUE"
		if len(roleWhere) > 0 {
			cond = strings.Join(roleWhere, " AND ")
		}
		where = append(where, `EXISTS (SELECT 1 FROM user_roles r LEFT JOIN organizations o
			ON o.id = r.organization_id WHERE r.user_id = u.id AND `+cond+`)`)
	}
	if !f.All {
		// Within the subtrees means every role there: one elsewhere, or a
		// system-wide one (no organisation), keeps the user out.
		var within []string
		within, args = scopeClause(nil, args, "o.path", f.Within, false)
		where = append(where, `NOT EXISTS (SELECT 1 FROM user_roles r LEFT JOIN organizations o
			ON o.id = r.organization_id WHERE r.user_id = u.id AND (o.id IS NULL OR NOT `+within[0]+`))`)
	}
	if s := binakerja.SearchKey(f.Query); s != "" {
		args = append(args, binakerja.EscapeLike(s)+"%", "% "+binakerja.EscapeLike(s)+"%",
			binakerja.EscapeLike(binakerja.NormalizeEmail(f.Query))+"%")
		n := len(args)
		where = append(where, `(u.search_name LIKE $`+strconv.Itoa(n-2)+` ESCAPE '\' OR u.search_name LIKE $`+
			strconv.Itoa(n-1)+` ESCAPE '\' OR u.email LIKE $`+strconv.Itoa(n)+` ESCAPE '\')`)
	}
	if f.Page.Cursor != "" {
		args = append(args, c.Key, c.ID)
		n := len(args)
		where = append(where, `(u.search_name, u.id) > ($`+strconv.Itoa(n-1)+`, $`+strconv.Itoa(n)+`)`)
	}
	query := `SELECT u.id, u.email, u.name, u.active, u.locked_at IS NOT NULL, u.lang, u.created_at,
		u.updated_at, u.version, u.search_name FROM users u`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Page.limit()
	args = append(args, limit+1)
	query += ` ORDER BY u.search_name, u.id LIMIT $` + strconv.Itoa(len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	users, next, err := pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.User, cursor, error) {
		var key string
		u, err := scanUser(rows, &key)
		if err != nil {
			return nil, cursor{}, err
		}
		return u, cursor{Key: key, ID: u.ID}, nil
	})
	if err != nil {
		return nil, "", err
	}
	for _, u := range users {
		if err := q.loadGrants(ctx, u); err != nil {
			return nil, "", err
		}
	}
	return users, next, nil
}

// CreateUser inserts u with the given password hash and sets its ID. Grants
// are added separately with AddGrant.
func (tx *Tx) CreateUser(ctx context.Context, u *binakerja.User, passwordHash string) error {
	u.CreatedAt, u.UpdatedAt, u.Version, u.Active = tx.Now, tx.Now, 1, true
	err := tx.q.QueryRowContext(ctx, `INSERT INTO users (email, name, search_name, password_hash, active, lang,
		created_at, updated_at, version) VALUES ($1, $2, $3, $4, TRUE, $5, $6, $6, 1) RETURNING id`,
		u.Email, u.Name, binakerja.SearchKey(u.Name), passwordHash, u.Lang, tx.Now).Scan(&u.ID)
	return mapError(err)
}

// AddGrant gives user userID role at the organisation orgCode (empty for
// system-wide). Holding the same grant twice is a Conflict.
func (tx *Tx) AddGrant(ctx context.Context, userID int64, role binakerja.Role, orgCode string) error {
	var orgID sql.NullInt64
	if orgCode != "" {
		if err := tx.q.QueryRowContext(ctx, `SELECT id FROM organizations WHERE code = $1`, orgCode).Scan(&orgID); err != nil {
			return mapError(err)
		}
	}
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_roles WHERE user_id = $1 AND role = $2
		AND (organization_id = $3 OR (organization_id IS NULL AND $3 IS NULL))`, userID, role, orgID).Scan(&n)
	if err != nil {
		return mapError(err)
	}
	if n > 0 {
		return &binakerja.Error{Kind: binakerja.Conflict, Key: "user.role.held",
			Fields: []binakerja.FieldError{{Field: "role", Key: "user.role.held"}}}
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO user_roles (user_id, role, organization_id, created_at)
		VALUES ($1, $2, $3, $4)`, userID, role, orgID, tx.Now)
	return mapError(err)
}

// RemoveGrant takes role at orgCode (empty for system-wide) away from the user.
// Removing a grant the user does not hold is NotFound.
func (tx *Tx) RemoveGrant(ctx context.Context, userID int64, role binakerja.Role, orgCode string) error {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1 AND role = $2 AND
		(organization_id = (SELECT id FROM organizations WHERE code = $3) OR (organization_id IS NULL AND $3 = ''))`,
		userID, role, orgCode)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return nil
}

// CountSystemAdmins returns how many active users hold admin system-wide.
func (q Queries) CountSystemAdmins(ctx context.Context) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT u.id) FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = 'admin' AND r.organization_id IS NULL AND u.active`).Scan(&n)
	return n, mapError(err)
}

// UpdateUser writes the user's name, language and active flag if the stored
// version is still u.Version; a changed version is a Conflict.
func (tx *Tx) UpdateUser(ctx context.Context, u *binakerja.User) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE users SET name = $1, search_name = $2, lang = $3, active = $4,
		updated_at = $5, version = version + 1 WHERE id = $6 AND version = $7`,
		u.Name, binakerja.SearchKey(u.Name), u.Lang, u.Active, tx.Now, u.ID, u.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	u.Version++
	u.UpdatedAt = tx.Now
	return nil
}

// SetPasswordHash replaces the user's password hash.
func (tx *Tx) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, tx.Now, userID)
	return mapError(err)
}

// LoginState is what sign-in needs to know about an account.
type LoginState struct {
	UserID       int64
	PasswordHash string
	Active       bool
	FailedLogins int       // failed sign-ins in a row
	LastFailedAt time.Time // the last of them; zero when there is none on record
	// ThrottledUntil is the instant before which a sign-in is refused
	// unchecked; zero when the account has not been throttled since its
	// last success or unlock.
	ThrottledUntil time.Time
	TOTP           bool // the account has a TOTP secret: a code is the second step
}

// The columns keep the names of the lock that throttling replaced:
// first_failed_at holds the last failure of the run, locked_at the end of
// the throttle (so that a user reads as Locked while one is on record).

// LoginState returns the sign-in state of the account with the given email.
func (q Queries) LoginState(ctx context.Context, email string) (*LoginState, error) {
	var s LoginState
	var last, until sql.NullTime
	err := q.q.QueryRowContext(ctx, `SELECT id, password_hash, active, failed_logins, first_failed_at, locked_at,
		totp_secret IS NOT NULL FROM users WHERE email = $1`, binakerja.NormalizeEmail(email)).
		Scan(&s.UserID, &s.PasswordHash, &s.Active, &s.FailedLogins, &last, &until, &s.TOTP)
	if err != nil {
		return nil, mapError(err)
	}
	if last.Valid {
		s.LastFailedAt = last.Time.UTC()
	}
	if until.Valid {
		s.ThrottledUntil = until.Time.UTC()
	}
	return &s, nil
}

// SetLoginFailures records the account's run of failed sign-ins: how many,
// the last, and until when sign-in is throttled (zero times clear them).
func (tx *Tx) SetLoginFailures(ctx context.Context, userID int64, failed int, lastFailedAt, throttledUntil time.Time) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE users SET failed_logins = $1, first_failed_at = $2, locked_at = $3
		WHERE id = $4`, failed, nullTime(lastFailedAt), nullTime(throttledUntil), userID)
	return mapError(err)
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

// nullID is an optional reference: zero is NULL.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
