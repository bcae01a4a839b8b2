package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"binakerja"
)

// CreateAgreement inserts an agreement with its parties (organisation ids in
// the order of a.Parties) and commitments, and sets their ids.
func (tx *Tx) CreateAgreement(ctx context.Context, a *binakerja.Agreement, partyIDs []int64) error {
	a.CreatedAt, a.UpdatedAt, a.Version = tx.Now, tx.Now, 1
	err := tx.q.QueryRowContext(ctx, `INSERT INTO agreements (type, number, title, signed_date, valid_from,
		valid_until, status, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1) RETURNING id`,
		a.Type, a.Number, a.Title, a.SignedDate, a.ValidFrom, a.ValidUntil, a.Status, tx.Now).Scan(&a.ID)
	if err != nil {
		return mapError(err)
	}
	for i, id := range partyIDs {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO agreement_parties (agreement_id, organization_id, position)
			VALUES ($1, $2, $3)`, a.ID, id, i); err != nil {
			return mapError(err)
		}
	}
	for i := range a.Commitments {
		c := &a.Commitments[i]
		if err := tx.q.QueryRowContext(ctx, `INSERT INTO agreement_commitments (agreement_id, kind, target,
			period_from, period_until) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			a.ID, c.Kind, c.Target, c.From, c.Until).Scan(&c.ID); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// SetAgreementStatus writes the agreement's status (and how it ended) if the
// stored version is still a.Version.
func (tx *Tx) SetAgreementStatus(ctx context.Context, a *binakerja.Agreement) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE agreements SET status = $1, ended_date = $2, ended_reason = $3,
		updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6`,
		a.Status, a.EndedDate, a.EndedReason, tx.Now, a.ID, a.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	a.Version++
	a.UpdatedAt = tx.Now
	return nil
}

const agreementColumns = `a.id, a.type, a.number, a.title, a.signed_date, a.valid_from, a.valid_until, a.status,
	a.ended_date, a.ended_reason, a.created_at, a.updated_at, a.version`

func scanAgreement(row interface{ Scan(...any) error }, extra ...any) (*binakerja.Agreement, error) {
	var a binakerja.Agreement
	err := row.Scan(append([]any{&a.ID, &a.Type, &a.Number, &a.Title, &a.SignedDate, &a.ValidFrom, &a.ValidUntil,
		&a.Status, &a.EndedDate, &a.EndedReason, &a.CreatedAt, &a.UpdatedAt, &a.Version}, extra...)...)
	if err != nil {
		return nil, mapError(err)
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, nil
}

// Agreement returns an agreement with its parties, commitments (with their
// actuals computed from the records) and documents.
func (q Queries) Agreement(ctx context.Context, id int64) (*binakerja.Agreement, error) {
	a, err := scanAgreement(q.q.QueryRowContext(ctx, `SELECT `+agreementColumns+` FROM agreements a WHERE a.id = $1`, id))
	if err != nil {
		return nil, err
	}
	if err := q.fillAgreements(ctx, []*binakerja.Agreement{a}); err != nil {
		return nil, err
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, file_name, media_type, size, sha256, uploaded_by, uploaded_at
		FROM agreement_documents WHERE agreement_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d binakerja.AgreementDocument
		if err := rows.Scan(&d.ID, &d.FileName, &d.MediaType, &d.Size, &d.SHA256, &d.UploadedBy, &d.UploadedAt); err != nil {
			return nil, mapError(err)
		}
		d.UploadedAt = d.UploadedAt.UTC()
		a.Documents = append(a.Documents, d)
	}
	return a, mapError(rows.Err())
}

// fillAgreements reads the parties and commitments of agreements, and
// computes each commitment's actual.
func (q Queries) fillAgreements(ctx context.Context, as []*binakerja.Agreement) error {
	if len(as) == 0 {
		return nil
	}
	byID := map[int64]*binakerja.Agreement{}
	var ph []string
	var args []any
	for _, a := range as {
		byID[a.ID] = a
		a.Parties, a.Commitments = nil, nil
		args = append(args, a.ID)
		ph = append(ph, "$"+strconv.Itoa(len(args)))
	}
	in := "(" + strings.Join(ph, ", ") + ")"
	rows, err := q.q.QueryContext(ctx, `SELECT p.agreement_id, o.code, o.name, o.kind, o.path FROM agreement_parties p
		JOIN organizations o ON o.id = p.organization_id WHERE p.agreement_id IN `+in+` ORDER BY p.agreement_id, p.position`, args...)
	if err != nil {
		return mapError(err)
	}
	for rows.Next() {
		var id int64
		var p binakerja.AgreementParty
		if err := rows.Scan(&id, &p.Code, &p.Name, &p.Kind, &p.Path); err != nil {
			rows.Close()
			return mapError(err)
		}
		byID[id].Parties = append(byID[id].Parties, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return mapError(err)
	}
	rows, err = q.q.QueryContext(ctx, `SELECT c.agreement_id, c.id, c.kind, c.target, c.period_from, c.period_until,
		CASE c.kind
		WHEN 'INTERNSHIP_PLACES' THEN (SELECT COUNT(*) FROM internships i WHERE i.agreement_id = c.agreement_id
			AND i.status IN ('ACTIVE', 'COMPLETED', 'ENDED_EARLY') AND i.start_date >= c.period_from AND i.start_date <= c.period_until)
		WHEN 'HIRES' THEN (SELECT COUNT(DISTINCT pl.person_id) FROM placements pl WHERE pl.agreement_id = c.agreement_id
			AND pl.kind <> 'INTERNSHIP' AND pl.start_date >= c.period_from AND pl.start_date <= c.period_until)
		ELSE (SELECT COUNT(*) FROM enrollments e JOIN cohorts co ON co.id = e.cohort_id WHERE co.agreement_id = c.agreement_id
			AND e.status NOT IN ('DAFTAR_TUNGGU', 'DIBATALKAN') AND co.start_date >= c.period_from AND co.start_date <= c.period_until)
		END
		FROM agreement_commitments c WHERE c.agreement_id IN `+in+` ORDER BY c.agreement_id, c.id`, args...)
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c binakerja.Commitment
		if err := rows.Scan(&id, &c.ID, &c.Kind, &c.Target, &c.From, &c.Until, &c.Actual); err != nil {
			return mapError(err)
		}
		byID[id].Commitments = append(byID[id].Commitments, c)
	}
	return mapError(rows.Err())
}

// AgreementFilter selects agreements for a list.
type AgreementFilter struct {
	Within      []string // agreements with a party in one of these subtrees
	All         bool
	Party       string         // a party's code
	Query       string         // prefix of the number
	EndingFrom  binakerja.Date // valid until on or after …
	EndingUntil binakerja.Date // … and on or before (with status ACTIVE)
	Status      binakerja.AgreementStatus
	Page        Page
}

// Agreements lists agreements by the end of their term, soonest first.
func (q Queries) Agreements(ctx context.Context, f AgreementFilter) ([]*binakerja.Agreement, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var where []string
	var args []any
	if !f.All {
		var scope []string
		scope, args = scopeClause(nil, args, "po.path", f.Within, false)
		where = append(where, `EXISTS (SELECT 1 FROM agreement_parties pp JOIN organizations po ON po.id = pp.organization_id
			WHERE pp.agreement_id = a.id AND `+scope[0]+`)`)
	}
	if f.Party != "" {
		args = append(args, binakerja.NormalizeOrgCode(f.Party))
		where = append(where, `EXISTS (SELECT 1 FROM agreement_parties pp JOIN organizations po ON po.id = pp.organization_id
			WHERE pp.agreement_id = a.id AND po.code = $`+strconv.Itoa(len(args))+`)`)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		args = append(args, binakerja.EscapeLike(s)+"%")
		where = append(where, `a.number LIKE $`+strconv.Itoa(len(args))+` ESCAPE '\'`)
	}
	if !f.EndingFrom.IsZero() {
		args = append(args, f.EndingFrom)
		where = append(where, `a.valid_until >= $`+strconv.Itoa(len(args)))
	}
	if !f.EndingUntil.IsZero() {
		args = append(args, f.EndingUntil)
		where = append(where, `a.valid_until <= $`+strconv.Itoa(len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, `a.status = $`+strconv.Itoa(len(args)))
	}
	if f.Page.Cursor != "" {
		args = append(args, c.Key, c.ID)
		n := len(args)
		where = append(where, `(a.valid_until > $`+strconv.Itoa(n-1)+` OR (a.valid_until = $`+strconv.Itoa(n-1)+` AND a.id > $`+strconv.Itoa(n)+`))`)
	}
	query := `SELECT ` + agreementColumns + ` FROM agreements a`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Page.limit()
	args = append(args, limit+1)
	query += ` ORDER BY a.valid_until, a.id LIMIT $` + strconv.Itoa(len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	out, next, err := pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.Agreement, cursor, error) {
		a, err := scanAgreement(rows)
		if err != nil {
			return nil, cursor{}, err
		}
		return a, cursor{Key: a.ValidUntil.String(), ID: a.ID}, nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, q.fillAgreements(ctx, out)
}

// AddAgreementDocument stores a document of an agreement and sets its id.
func (tx *Tx) AddAgreementDocument(ctx context.Context, agreementID int64, d *binakerja.AgreementDocument, content []byte) error {
	d.UploadedAt = tx.Now
	err := tx.q.QueryRowContext(ctx, `INSERT INTO agreement_documents (agreement_id, file_name, media_type, size,
		sha256, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		agreementID, d.FileName, d.MediaType, d.Size, d.SHA256, content, d.UploadedBy, tx.Now).Scan(&d.ID)
	return mapError(err)
}

// AgreementDocument returns a document of an agreement with its content.
func (q Queries) AgreementDocument(ctx context.Context, agreementID, id int64) (*binakerja.AgreementDocument, []byte, error) {
	var d binakerja.AgreementDocument
	var content []byte
	err := q.q.QueryRowContext(ctx, `SELECT id, file_name, media_type, size, sha256, uploaded_by, uploaded_at, content
		FROM agreement_documents WHERE agreement_id = $1 AND id = $2`, agreementID, id).Scan(&d.ID, &d.FileName,
		&d.MediaType, &d.Size, &d.SHA256, &d.UploadedBy, &d.UploadedAt, &content)
	if err != nil {
		return nil, nil, mapError(err)
	}
	d.UploadedAt = d.UploadedAt.UTC()
	return &d, content, nil
}

// ActiveAgreementBetween reports whether an agreement active on day has both
// organisations among its parties.
func (q Queries) ActiveAgreementBetween(ctx context.Context, orgA, orgB int64, day binakerja.Date) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM agreements a
		JOIN agreement_parties x ON x.agreement_id = a.id AND x.organization_id = $1
		JOIN agreement_parties y ON y.agreement_id = a.id AND y.organization_id = $2
		WHERE a.status = 'ACTIVE' AND a.valid_from <= $3 AND a.valid_until >= $3`, orgA, orgB, day).Scan(&n)
	return n > 0, mapError(err)
}

// AgreedFacilities returns the ids of the facilities that share an agreement
// active on day with the organisation.
func (q Queries) AgreedFacilities(ctx context.Context, orgID int64, day binakerja.Date) ([]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT o.id FROM agreements a
		JOIN agreement_parties x ON x.agreement_id = a.id AND x.organization_id = $1
		JOIN agreement_parties y ON y.agreement_id = a.id
		JOIN organizations o ON o.id = y.organization_id AND o.kind = 'facility'
		WHERE a.status = 'ACTIVE' AND a.valid_from <= $2 AND a.valid_until >= $2`, orgID, day)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, mapError(err)
		}
		out = append(out, id)
	}
	return out, mapError(rows.Err())
}

// SetCohortAgreement records the agreement a cohort is run under (0 for
// none): its enrolments count towards the agreement's training places.
func (tx *Tx) SetCohortAgreement(ctx context.Context, cohortID, agreementID int64) error {
	var ag sql.NullInt64
	if agreementID != 0 {
		ag = sql.NullInt64{Int64: agreementID, Valid: true}
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE cohorts SET agreement_id = $1 WHERE id = $2`, ag, cohortID)
	return mapError(err)
}

// CommitmentActualsAsOf counts, for the commitments of the agreements
// given, what had been reached by asOf as recorded before cut: internships
// started, people hired, enrolments in cohorts started, as the agreement
// pages count them today. Keyed by commitment id.
func (q Queries) CommitmentActualsAsOf(ctx context.Context, agreements []int64, asOf binakerja.Date, cut time.Time) (map[int64]int, error) {
	out := map[int64]int{}
	if len(agreements) == 0 {
		return out, nil
	}
	args := []any{asOf, cut}
	set := q.idSet(&args, agreements)
	err := each(ctx, q, `SELECT c.id,
		CASE c.kind
		WHEN 'INTERNSHIP_PLACES' THEN (SELECT COUNT(*) FROM internships i WHERE i.agreement_id = c.agreement_id
			AND i.status IN ('ACTIVE', 'COMPLETED', 'ENDED_EARLY') AND i.start_date >= c.period_from AND i.start_date <= c.period_until
			AND i.start_date <= $1 AND i.created_at < $2)
		WHEN 'HIRES' THEN (SELECT COUNT(DISTINCT pl.person_id) FROM placements pl WHERE pl.agreement_id = c.agreement_id
			AND pl.kind <> 'INTERNSHIP' AND pl.start_date >= c.period_from AND pl.start_date <= c.period_until
			AND pl.start_date <= $1 AND pl.created_at < $2)
		ELSE (SELECT COUNT(*) FROM enrollments e JOIN cohorts co ON co.id = e.cohort_id WHERE co.agreement_id = c.agreement_id
			AND e.status NOT IN ('DAFTAR_TUNGGU', 'DIBATALKAN') AND co.start_date >= c.period_from AND co.start_date <= c.period_until
			AND co.start_date <= $1 AND e.created_at < $2)
		END
		FROM agreement_commitments c WHERE c.agreement_id IN (`+set+`)`, args, func(scan func(...any) error) error {
		var id int64
		var n int
		if err := scan(&id, &n); err != nil {
			return err
		}
		out[id] = n
		return nil
	})
	return out, err
}
