package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"binakerja"
)

// CreateScheme adds a scheme with its units, adding units the catalogue does
// not have yet, and sets s.ID.
func (tx *Tx) CreateScheme(ctx context.Context, s *binakerja.Scheme) error {
	for _, u := range s.Units {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO units (code, title, format, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code) DO NOTHING`, u.Code, u.Title, string(u.Format), tx.Now); err != nil {
			return mapError(err)
		}
	}
	s.CreatedAt = tx.Now
	err := tx.q.QueryRowContext(ctx, `INSERT INTO schemes (code, title, kkni_level, kbji_code, validity_years, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, s.Code, s.Title, s.KKNILevel, s.KBJICode, s.ValidityYears, tx.Now).Scan(&s.ID)
	if err != nil {
		return mapError(err)
	}
	for i, u := range s.Units {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO scheme_units (scheme_id, unit_code, position) VALUES ($1, $2, $3)`,
			s.ID, u.Code, i+1); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// Scheme returns the scheme with the given code and its units, in order.
func (q Queries) Scheme(ctx context.Context, code string) (*binakerja.Scheme, error) {
	var s binakerja.Scheme
	err := q.q.QueryRowContext(ctx, `SELECT id, code, title, kkni_level, kbji_code, validity_years, created_at
		FROM schemes WHERE code = $1`, strings.TrimSpace(code)).
		Scan(&s.ID, &s.Code, &s.Title, &s.KKNILevel, &s.KBJICode, &s.ValidityYears, &s.CreatedAt)
	if err != nil {
		return nil, mapError(err)
	}
	s.CreatedAt = s.CreatedAt.UTC()
	rows, err := q.q.QueryContext(ctx, `SELECT u.code, u.title, u.format FROM scheme_units su
		JOIN units u ON u.code = su.unit_code WHERE su.scheme_id = $1 ORDER BY su.position`, s.ID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var u binakerja.Unit
		var f string
		if err := rows.Scan(&u.Code, &u.Title, &f); err != nil {
			return nil, err
		}
		u.Format = binakerja.UnitCodeFormat(f)
		s.Units = append(s.Units, u)
	}
	return &s, mapError(rows.Err())
}

// Schemes lists schemes by code, one page at a time (without their units).
func (q Queries) Schemes(ctx context.Context, p Page) ([]*binakerja.Scheme, string, error) {
	c, err := decodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := p.limit()
	rows, err := q.q.QueryContext(ctx, `SELECT id, code, title, kkni_level, kbji_code, validity_years, created_at
		FROM schemes WHERE code > $1 ORDER BY code LIMIT $2`, c.Key, limit+1)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.Scheme, cursor, error) {
		var s binakerja.Scheme
		if err := rows.Scan(&s.ID, &s.Code, &s.Title, &s.KKNILevel, &s.KBJICode, &s.ValidityYears, &s.CreatedAt); err != nil {
			return nil, cursor{}, err
		}
		s.CreatedAt = s.CreatedAt.UTC()
		return &s, cursor{Key: s.Code}, nil
	})
}

const programColumns = `p.id, p.code, p.title, o.code, o.name, o.path, s.code, s.title, p.hours, p.skill_area, p.created_at`
const programFrom = ` FROM programs p JOIN organizations o ON o.id = p.provider_id JOIN schemes s ON s.id = p.scheme_id`

func scanProgram(row interface{ Scan(...any) error }) (*binakerja.Program, error) {
	var p binakerja.Program
	if err := row.Scan(&p.ID, &p.Code, &p.Title, &p.Provider, &p.ProviderName, &p.ProviderPath, &p.Scheme,
		&p.SchemeTitle, &p.Hours, &p.SkillArea, &p.CreatedAt); err != nil {
		return nil, mapError(err)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

// CreateProgram adds a programme and sets p.ID.
func (tx *Tx) CreateProgram(ctx context.Context, p *binakerja.Program, providerID, schemeID int64) error {
	p.CreatedAt = tx.Now
	return mapError(tx.q.QueryRowContext(ctx, `INSERT INTO programs (code, title, provider_id, scheme_id, hours, skill_area, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, p.Code, p.Title, providerID, schemeID, p.Hours, p.SkillArea, tx.Now).Scan(&p.ID))
}

// Program returns the programme with the given code.
func (q Queries) Program(ctx context.Context, code string) (*binakerja.Program, error) {
	return scanProgram(q.q.QueryRowContext(ctx, `SELECT `+programColumns+programFrom+` WHERE p.code = $1`, strings.TrimSpace(code)))
}

// Programs lists programmes by code.
func (q Queries) Programs(ctx context.Context, p Page) ([]*binakerja.Program, string, error) {
	c, err := decodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := p.limit()
	rows, err := q.q.QueryContext(ctx, `SELECT `+programColumns+programFrom+` WHERE p.code > $1 ORDER BY p.code LIMIT $2`,
		c.Key, limit+1)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.Program, cursor, error) {
		pr, err := scanProgram(rows)
		if err != nil {
			return nil, cursor{}, err
		}
		return pr, cursor{Key: pr.Code}, nil
	})
}

const cohortColumns = `c.id, p.code, p.title, s.code, po.code, po.path, f.code, f.name, f.path,
	COALESCE(b.code, ''), COALESCE(b.name, ''), COALESCE(b.path, ''), c.start_date, c.end_date,
	c.capacity, c.instructors, c.created_at, c.version,
	(SELECT COUNT(*) FROM enrollments e WHERE e.cohort_id = c.id AND e.status IN ('TERDAFTAR', 'LULUS')),
	(SELECT COUNT(*) FROM enrollments e WHERE e.cohort_id = c.id AND e.status = 'DAFTAR_TUNGGU')`
const cohortFrom = ` FROM cohorts c JOIN programs p ON p.id = c.program_id JOIN schemes s ON s.id = p.scheme_id
	JOIN organizations po ON po.id = p.provider_id JOIN organizations f ON f.id = c.facility_id
	LEFT JOIN organizations b ON b.id = c.body_id`

func scanCohort(row interface{ Scan(...any) error }) (*binakerja.Cohort, error) {
	var c binakerja.Cohort
	var instructors string
	if err := row.Scan(&c.ID, &c.Program, &c.ProgramTitle, &c.Scheme, &c.Provider, &c.ProviderPath, &c.Facility,
		&c.FacilityName, &c.FacilityPath, &c.CertificationBody, &c.BodyName, &c.BodyPath, &c.StartDate, &c.EndDate, &c.Capacity, &instructors, &c.CreatedAt, &c.Version,
		&c.Enrolled, &c.Waiting); err != nil {
		return nil, mapError(err)
	}
	if instructors != "" {
		c.Instructors = strings.Split(instructors, "\n")
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// CreateCohort adds a cohort and sets c.ID; bodyID is the engaged
// certification body, or zero.
func (tx *Tx) CreateCohort(ctx context.Context, c *binakerja.Cohort, programID, facilityID, bodyID int64) error {
	c.CreatedAt, c.Version = tx.Now, 1
	return mapError(tx.q.QueryRowContext(ctx, `INSERT INTO cohorts (program_id, facility_id, body_id, start_date, end_date,
		capacity, instructors, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1) RETURNING id`,
		programID, facilityID, nullID(bodyID), c.StartDate, c.EndDate, c.Capacity, strings.Join(c.Instructors, "\n"), tx.Now).Scan(&c.ID))
}

// SetCohortBody engages a certification body for a cohort.
func (tx *Tx) SetCohortBody(ctx context.Context, cohortID, bodyID int64) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE cohorts SET body_id = $1, updated_at = $2, version = version + 1 WHERE id = $3`,
		bodyID, tx.Now, cohortID)
	return mapError(err)
}

// Cohort returns a cohort with its place counts.
func (q Queries) Cohort(ctx context.Context, id int64) (*binakerja.Cohort, error) {
	return scanCohort(q.q.QueryRowContext(ctx, `SELECT `+cohortColumns+cohortFrom+` WHERE c.id = $1`, id))
}

// CohortFilter selects cohorts: those whose facility, provider or engaged
// certification body lies within the given subtrees.
type CohortFilter struct {
	Within   []string
	All      bool
	Facility string
	Program  string
	Page     Page // the cursor continues below the last id: newest first
}

// Cohorts lists cohorts, newest first.
func (q Queries) Cohorts(ctx context.Context, f CohortFilter) ([]*binakerja.Cohort, string, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !f.All {
		if len(f.Within) == 0 {
			return nil, "", nil
		}
		var ors []string
		for _, p := range f.Within {
			like := arg(binakerja.EscapeLike(p) + "%")
			ors = append(ors, `f.path LIKE `+like+` ESCAPE '\' OR po.path LIKE `+like+` ESCAPE '\' OR b.path LIKE `+like+` ESCAPE '\'`)
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if f.Facility != "" {
		where = append(where, "f.code = "+arg(binakerja.NormalizeOrgCode(f.Facility)))
	}
	if f.Program != "" {
		where = append(where, "p.code = "+arg(f.Program))
	}
	if f.Page.Cursor != "" {
		c, err := decodeCursor(f.Page.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "c.id < "+arg(c.ID))
	}
	query := `SELECT ` + cohortColumns + cohortFrom
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Page.limit()
	query += ` ORDER BY c.id DESC LIMIT ` + arg(limit+1)
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.Cohort, cursor, error) {
		c, err := scanCohort(rows)
		if err != nil {
			return nil, cursor{}, err
		}
		return c, cursor{ID: c.ID}, nil
	})
}

const enrollmentColumns = `e.id, e.cohort_id, e.person_id, p.name, e.status, e.reason, e.created_at, e.updated_at, e.version`

func scanEnrollment(row interface{ Scan(...any) error }) (*binakerja.Enrollment, error) {
	var e binakerja.Enrollment
	var status string
	if err := row.Scan(&e.ID, &e.CohortID, &e.PersonID, &e.Name, &status, &e.Reason, &e.CreatedAt, &e.UpdatedAt, &e.Version); err != nil {
		return nil, mapError(err)
	}
	e.Status, e.CreatedAt, e.UpdatedAt = binakerja.EnrollmentStatus(status), e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return &e, nil
}

// Enrollment returns one enrolment.
func (q Queries) Enrollment(ctx context.Context, id int64) (*binakerja.Enrollment, error) {
	return scanEnrollment(q.q.QueryRowContext(ctx, `SELECT `+enrollmentColumns+` FROM enrollments e
		JOIN persons p ON p.id = e.person_id WHERE e.id = $1`, id))
}

// Enrollments lists a cohort's enrolments in the order they were made.
func (q Queries) Enrollments(ctx context.Context, cohortID int64) ([]*binakerja.Enrollment, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+enrollmentColumns+` FROM enrollments e
		JOIN persons p ON p.id = e.person_id WHERE e.cohort_id = $1 ORDER BY e.id`, cohortID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*binakerja.Enrollment
	for rows.Next() {
		e, err := scanEnrollment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, mapError(rows.Err())
}

// CreateEnrollment adds an enrolment with its first status and sets e.ID.
func (tx *Tx) CreateEnrollment(ctx context.Context, e *binakerja.Enrollment) error {
	e.CreatedAt, e.UpdatedAt, e.Version = tx.Now, tx.Now, 1
	err := tx.q.QueryRowContext(ctx, `INSERT INTO enrollments (cohort_id, person_id, status, reason, created_at,
		updated_at, version) VALUES ($1, $2, $3, $4, $5, $5, 1) RETURNING id`,
		e.CohortID, e.PersonID, string(e.Status), e.Reason, tx.Now).Scan(&e.ID)
	if err != nil {
		return mapError(err)
	}
	return tx.addEnrollmentStatus(ctx, e)
}

func (tx *Tx) addEnrollmentStatus(ctx context.Context, e *binakerja.Enrollment) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO enrollment_statuses (enrollment_id, status, reason, created_at)
		VALUES ($1, $2, $3, $4)`, e.ID, string(e.Status), e.Reason, tx.Now)
	return mapError(err)
}

// SetEnrollmentStatus changes an enrolment's status if its version is still
// e.Version (a changed version is a Conflict), recording the change.
func (tx *Tx) SetEnrollmentStatus(ctx context.Context, e *binakerja.Enrollment, s binakerja.EnrollmentStatus, reason string) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE enrollments SET status = $1, reason = $2, updated_at = $3,
		version = version + 1 WHERE id = $4 AND version = $5`, string(s), reason, tx.Now, e.ID, e.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	e.Status, e.Reason, e.UpdatedAt = s, reason, tx.Now
	e.Version++
	return tx.addEnrollmentStatus(ctx, e)
}

// LockCohort takes the cohort's row lock for the rest of the transaction, so
// that concurrent enrolments on PostgreSQL count the places one after the
// other (SQLite has one writer anyway).
func (tx *Tx) LockCohort(ctx context.Context, id int64) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE cohorts SET updated_at = $1 WHERE id = $2`, tx.Now, id)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return nil
}

// EnrollmentOf returns the person's enrolment in the cohort.
func (q Queries) EnrollmentOf(ctx context.Context, cohortID, personID int64) (*binakerja.Enrollment, error) {
	return scanEnrollment(q.q.QueryRowContext(ctx, `SELECT `+enrollmentColumns+` FROM enrollments e
		JOIN persons p ON p.id = e.person_id WHERE e.cohort_id = $1 AND e.person_id = $2`, cohortID, personID))
}

// OpenEnrollmentsOf returns the person's enrolments that can still change.
func (q Queries) OpenEnrollmentsOf(ctx context.Context, personID int64) ([]*binakerja.Enrollment, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+enrollmentColumns+` FROM enrollments e
		JOIN persons p ON p.id = e.person_id WHERE e.person_id = $1 AND e.status IN ('TERDAFTAR', 'DAFTAR_TUNGGU')
		ORDER BY e.id`, personID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*binakerja.Enrollment
	for rows.Next() {
		e, err := scanEnrollment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, mapError(rows.Err())
}

// PersonEnrollment is one of a person's enrolments, with its cohort.
type PersonEnrollment struct {
	binakerja.Enrollment
	Program      string
	ProgramTitle string
	Facility     string
	StartDate    binakerja.Date
	EndDate      binakerja.Date
}

// EnrollmentsOf returns a person's enrolments, newest cohort first.
func (q Queries) EnrollmentsOf(ctx context.Context, personID int64) ([]PersonEnrollment, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT e.id, e.cohort_id, e.status, e.reason, e.created_at, e.updated_at,
		p.code, p.title, f.code, c.start_date, c.end_date
		FROM enrollments e JOIN cohorts c ON c.id = e.cohort_id JOIN programs p ON p.id = c.program_id
		JOIN organizations f ON f.id = c.facility_id WHERE e.person_id = $1 ORDER BY c.start_date DESC, e.id DESC`, personID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []PersonEnrollment
	for rows.Next() {
		var pe PersonEnrollment
		var status string
		if err := rows.Scan(&pe.ID, &pe.CohortID, &status, &pe.Reason, &pe.CreatedAt, &pe.UpdatedAt, &pe.Program,
			&pe.ProgramTitle, &pe.Facility, &pe.StartDate, &pe.EndDate); err != nil {
			return nil, err
		}
		pe.Status, pe.PersonID = binakerja.EnrollmentStatus(status), personID
		out = append(out, pe)
	}
	return out, mapError(rows.Err())
}
