package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"binakerja"
)

// CreateAssessment adds an assessment and sets a.ID.
func (tx *Tx) CreateAssessment(ctx context.Context, a *binakerja.Assessment, bodyID int64) error {
	a.CreatedAt = tx.Now
	return mapError(tx.q.QueryRowContext(ctx, `INSERT INTO assessments (cohort_id, body_id, assessor_name, assessor_number,
		site_type, site_name, date, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		a.CohortID, bodyID, a.AssessorName, a.AssessorNumber, a.SiteType, a.SiteName, a.Date, tx.Now).Scan(&a.ID))
}

// Assessment returns one assessment.
func (q Queries) Assessment(ctx context.Context, id int64) (*binakerja.Assessment, error) {
	var a binakerja.Assessment
	err := q.q.QueryRowContext(ctx, `SELECT a.id, a.cohort_id, o.code, o.name, o.path, a.assessor_name, a.assessor_number,
		a.site_type, a.site_name, a.date, a.created_at FROM assessments a JOIN organizations o ON o.id = a.body_id WHERE a.id = $1`, id).
		Scan(&a.ID, &a.CohortID, &a.CertificationBody, &a.BodyName, &a.BodyPath, &a.AssessorName, &a.AssessorNumber,
			&a.SiteType, &a.SiteName, &a.Date, &a.CreatedAt)
	if err != nil {
		return nil, mapError(err)
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// SetResult records (or replaces) the result of one unit for a person in an
// assessment.
func (tx *Tx) SetResult(ctx context.Context, assessmentID, personID int64, unit string, r binakerja.UnitResult) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO assessment_results (assessment_id, person_id, unit_code, result, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (assessment_id, person_id, unit_code)
		DO UPDATE SET result = excluded.result, created_at = excluded.created_at`,
		assessmentID, personID, unit, string(r), tx.Now)
	return mapError(err)
}

// LatestResults returns, for a person and a cohort, each unit's most recent
// result across the cohort's assessments: a re-assessment of a BK unit
// replaces the earlier finding.
func (q Queries) LatestResults(ctx context.Context, cohortID, personID int64) (map[string]binakerja.UnitResult, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT r.unit_code, r.result FROM assessment_results r
		JOIN assessments a ON a.id = r.assessment_id WHERE a.cohort_id = $1 AND r.person_id = $2
		ORDER BY a.date, a.id`, cohortID, personID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[string]binakerja.UnitResult{}
	for rows.Next() {
		var unit, res string
		if err := rows.Scan(&unit, &res); err != nil {
			return nil, err
		}
		out[unit] = binakerja.UnitResult(res)
	}
	return out, mapError(rows.Err())
}

const certificateColumns = `c.id, c.code, c.number, c.person_id, c.holder_name, s.code, s.title, s.kkni_level, o.code, o.name,
	c.issued_on, c.expires_on, c.status, c.status_index, c.revoke_reason, c.assessment_id, COALESCE(c.replaces_id, 0),
	COALESCE((SELECT r.id FROM certificates r WHERE r.replaces_id = c.id), 0), c.created_at, c.version`
const certificateFrom = ` FROM certificates c JOIN schemes s ON s.id = c.scheme_id JOIN organizations o ON o.id = c.body_id`

func scanCertificate(row interface{ Scan(...any) error }) (*binakerja.Certificate, error) {
	var c binakerja.Certificate
	var status string
	if err := row.Scan(&c.ID, &c.Code, &c.Number, &c.PersonID, &c.HolderName, &c.Scheme, &c.SchemeTitle, &c.KKNILevel,
		&c.Issuer, &c.IssuerName, &c.IssuedOn, &c.ExpiresOn, &status, &c.StatusIndex, &c.RevokeReason, &c.AssessmentID,
		&c.Replaces, &c.ReplacedBy, &c.CreatedAt, &c.Version); err != nil {
		return nil, mapError(err)
	}
	c.Status, c.CreatedAt = binakerja.CertificateStatus(status), c.CreatedAt.UTC()
	return &c, nil
}

// CreateCertificate adds a certificate and sets c.ID. A code, number or status
// index already in use is a Conflict naming the field.
func (tx *Tx) CreateCertificate(ctx context.Context, c *binakerja.Certificate, schemeID, bodyID int64) error {
	c.CreatedAt, c.Version = tx.Now, 1
	return mapError(tx.q.QueryRowContext(ctx, `INSERT INTO certificates (code, number, person_id, scheme_id, body_id,
		assessment_id, holder_name, issued_on, expires_on, status, status_index, replaces_id, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, 1) RETURNING id`,
		c.Code, c.Number, c.PersonID, schemeID, bodyID, c.AssessmentID, c.HolderName, c.IssuedOn, c.ExpiresOn,
		string(c.Status), c.StatusIndex, nullID(c.Replaces), tx.Now).Scan(&c.ID))
}

// Certificate returns one certificate.
func (q Queries) Certificate(ctx context.Context, id int64) (*binakerja.Certificate, error) {
	return scanCertificate(q.q.QueryRowContext(ctx, `SELECT `+certificateColumns+certificateFrom+` WHERE c.id = $1`, id))
}

// CertificateByCode returns the certificate with the public code.
func (q Queries) CertificateByCode(ctx context.Context, code string) (*binakerja.Certificate, error) {
	return scanCertificate(q.q.QueryRowContext(ctx, `SELECT `+certificateColumns+certificateFrom+` WHERE c.code = $1`, code))
}

// CertificatesOf returns a person's certificates, newest first.
func (q Queries) CertificatesOf(ctx context.Context, personID int64) ([]*binakerja.Certificate, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+certificateColumns+certificateFrom+` WHERE c.person_id = $1
		ORDER BY c.issued_on DESC, c.id DESC`, personID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*binakerja.Certificate
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, mapError(rows.Err())
}

// SetCertificateStatus changes a certificate's status if its version is still
// c.Version; a changed version is a Conflict.
func (tx *Tx) SetCertificateStatus(ctx context.Context, c *binakerja.Certificate, s binakerja.CertificateStatus, reason string) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE certificates SET status = $1, revoke_reason = $2, updated_at = $3,
		version = version + 1 WHERE id = $4 AND version = $5`, string(s), reason, tx.Now, c.ID, c.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	c.Status, c.RevokeReason = s, reason
	c.Version++
	return nil
}

// StatusIndexFree reports whether a status-list index is unused.
func (q Queries) StatusIndexFree(ctx context.Context, index int) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM certificates WHERE status_index = $1`, index).Scan(&n)
	return n == 0, mapError(err)
}

// StatusIndexes returns the status-list indexes of the certificates in any
// of the statuses.
func (q Queries) StatusIndexes(ctx context.Context, s ...binakerja.CertificateStatus) ([]int, error) {
	in := make([]string, len(s))
	args := make([]any, len(s))
	for i, st := range s {
		in[i], args[i] = "$"+strconv.Itoa(i+1), string(st)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT status_index FROM certificates WHERE status IN (`+strings.Join(in, ", ")+`)`, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, mapError(rows.Err())
}

// AssessmentsOf returns a cohort's assessments, oldest first.
func (q Queries) AssessmentsOf(ctx context.Context, cohortID int64) ([]*binakerja.Assessment, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT a.id, a.cohort_id, o.code, o.name, o.path, a.assessor_name, a.assessor_number,
		a.date, a.created_at FROM assessments a JOIN organizations o ON o.id = a.body_id WHERE a.cohort_id = $1
		ORDER BY a.date, a.id`, cohortID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*binakerja.Assessment
	for rows.Next() {
		var a binakerja.Assessment
		if err := rows.Scan(&a.ID, &a.CohortID, &a.CertificationBody, &a.BodyName, &a.BodyPath, &a.AssessorName,
			&a.AssessorNumber, &a.Date, &a.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, &a)
	}
	return out, mapError(rows.Err())
}

// CertificatePattern returns a certification body's number pattern, or the
// default.
func (q Queries) CertificatePattern(ctx context.Context, bodyID int64) (string, error) {
	var p string
	err := q.q.QueryRowContext(ctx, `SELECT pattern FROM certificate_patterns WHERE body_id = $1`, bodyID).Scan(&p)
	if binakerja.ErrorKind(mapError(err)) == binakerja.NotFound {
		return binakerja.DefaultCertificatePattern, nil
	}
	return p, mapError(err)
}

// SetCertificatePattern sets a certification body's number pattern.
func (tx *Tx) SetCertificatePattern(ctx context.Context, bodyID int64, pattern string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO certificate_patterns (body_id, pattern) VALUES ($1, $2)
		ON CONFLICT (body_id) DO UPDATE SET pattern = excluded.pattern`, bodyID, pattern)
	return mapError(err)
}

// CertificateNumberTaken reports whether a number is in use.
func (q Queries) CertificateNumberTaken(ctx context.Context, number string) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM certificates WHERE number = $1`, number).Scan(&n)
	return n > 0, mapError(err)
}

// CertificateFilter selects certificates: those issued by the certification
// bodies within the given subtrees, by number prefix.
type CertificateFilter struct {
	Within []string
	All    bool
	Number string
	// ExpiringUntil, when set, keeps the active certificates that expire
	// from today until that day.
	ExpiringUntil binakerja.Date
	Today         binakerja.Date
	Page          Page // the cursor continues below the last id: newest first
}

// Certificates lists certificates, newest first.
func (q Queries) Certificates(ctx context.Context, f CertificateFilter) ([]*binakerja.Certificate, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	where := []string{"1 = 1"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where, args = scopeClause(where, args, "o.path", f.Within, f.All)
	if n := strings.TrimSpace(f.Number); n != "" {
		where = append(where, `c.number LIKE `+arg(binakerja.EscapeLike(n)+"%")+` ESCAPE '\'`)
	}
	if !f.ExpiringUntil.IsZero() {
		where = append(where, "c.status = 'AKTIF' AND c.expires_on >= "+arg(f.Today)+" AND c.expires_on <= "+arg(f.ExpiringUntil))
	}
	if f.Page.Cursor != "" {
		where = append(where, "c.id < "+arg(c.ID))
	}
	limit := f.Page.limit()
	rows, err := q.q.QueryContext(ctx, `SELECT `+certificateColumns+certificateFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY c.id DESC LIMIT `+arg(limit+1), args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.Certificate, cursor, error) {
		cert, err := scanCertificate(rows)
		if err != nil {
			return nil, cursor{}, err
		}
		return cert, cursor{ID: cert.ID}, nil
	})
}
