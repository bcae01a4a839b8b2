package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"binakerja"
)

// CreateInternship inserts an internship and sets its id.
func (tx *Tx) CreateInternship(ctx context.Context, in *binakerja.Internship, episodeID, facilityID, hostID int64) error {
	in.CreatedAt, in.UpdatedAt, in.Version = tx.Now, tx.Now, 1
	err := tx.q.QueryRowContext(ctx, `INSERT INTO internships (person_id, episode_id, facility_id, host_id, agreement_id,
		start_date, end_date, supervisor, officer, schedule, status, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1) RETURNING id`,
		in.PersonID, episodeID, facilityID, hostID, in.AgreementID, in.StartDate, in.EndDate, in.Supervisor, in.Officer,
		in.Schedule, in.Status, tx.Now).Scan(&in.ID)
	return mapError(err)
}

// SetInternshipStatus writes an internship's status, reason, evaluation note
// and job offer if the stored version is still in.Version.
func (tx *Tx) SetInternshipStatus(ctx context.Context, in *binakerja.Internship) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE internships SET status = $1, reason = $2, eval_note = $3, job_offer = $4,
		updated_at = $5, version = version + 1 WHERE id = $6 AND version = $7`,
		in.Status, in.Reason, in.EvalNote, in.JobOffer, tx.Now, in.ID, in.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	in.Version++
	in.UpdatedAt = tx.Now
	return nil
}

// SetInternshipEvaluation replaces the host's evaluation of an internship.
func (tx *Tx) SetInternshipEvaluation(ctx context.Context, id int64, units []binakerja.UnitEvaluation) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM internship_evaluations WHERE internship_id = $1`, id); err != nil {
		return mapError(err)
	}
	for _, u := range units {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO internship_evaluations (internship_id, unit_code, result)
			VALUES ($1, $2, $3)`, id, u.Unit, u.Result); err != nil {
			return mapError(err)
		}
	}
	return nil
}

const internshipColumns = `i.id, i.person_id, p.name, f.code, f.path, h.code, h.name, h.path, i.agreement_id, a.number,
	i.start_date, i.end_date, i.supervisor, i.officer, i.schedule, i.status, i.reason, i.eval_note, i.job_offer,
	i.created_at, i.updated_at, i.version`

const internshipFrom = ` FROM internships i JOIN persons p ON p.id = i.person_id
	JOIN organizations f ON f.id = i.facility_id JOIN organizations h ON h.id = i.host_id
	JOIN agreements a ON a.id = i.agreement_id`

func scanInternship(row interface{ Scan(...any) error }) (*binakerja.Internship, error) {
	var in binakerja.Internship
	err := row.Scan(&in.ID, &in.PersonID, &in.Name, &in.Facility, &in.FacilityPath, &in.Host, &in.HostName, &in.HostPath,
		&in.AgreementID, &in.AgreementNo, &in.StartDate, &in.EndDate, &in.Supervisor, &in.Officer, &in.Schedule, &in.Status,
		&in.Reason, &in.EvalNote, &in.JobOffer, &in.CreatedAt, &in.UpdatedAt, &in.Version)
	if err != nil {
		return nil, mapError(err)
	}
	in.CreatedAt, in.UpdatedAt = in.CreatedAt.UTC(), in.UpdatedAt.UTC()
	return &in, nil
}

// Internship returns an internship with the host's evaluation.
func (q Queries) Internship(ctx context.Context, id int64) (*binakerja.Internship, error) {
	in, err := scanInternship(q.q.QueryRowContext(ctx, `SELECT `+internshipColumns+internshipFrom+` WHERE i.id = $1`, id))
	if err != nil {
		return nil, err
	}
	rows, err := q.q.QueryContext(ctx, `SELECT unit_code, result FROM internship_evaluations WHERE internship_id = $1
		ORDER BY unit_code`, id)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var u binakerja.UnitEvaluation
		if err := rows.Scan(&u.Unit, &u.Result); err != nil {
			return nil, mapError(err)
		}
		in.Evaluation = append(in.Evaluation, u)
	}
	return in, mapError(rows.Err())
}

// InternshipFilter selects internships for a list.
type InternshipFilter struct {
	Within   []string // facility or host in one of these subtrees
	All      bool
	Facility string
	Host     string
	Person   int64
	Status   binakerja.InternshipStatus
	Page     Page
}

// Internships lists internships, latest start first.
func (q Queries) Internships(ctx context.Context, f InternshipFilter) ([]*binakerja.Internship, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var where []string
	var args []any
	if !f.All {
		var a, b []string
		a, args = scopeClause(nil, args, "f.path", f.Within, false)
		b, args = scopeClause(nil, args, "h.path", f.Within, false)
		where = append(where, "("+a[0]+" OR "+b[0]+")")
	}
	if f.Facility != "" {
		args = append(args, binakerja.NormalizeOrgCode(f.Facility))
		where = append(where, `f.code = $`+strconv.Itoa(len(args)))
	}
	if f.Host != "" {
		args = append(args, binakerja.NormalizeOrgCode(f.Host))
		where = append(where, `h.code = $`+strconv.Itoa(len(args)))
	}
	if f.Person != 0 {
		args = append(args, f.Person)
		where = append(where, `i.person_id = $`+strconv.Itoa(len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, `i.status = $`+strconv.Itoa(len(args)))
	}
	if f.Page.Cursor != "" {
		args = append(args, c.Key, c.ID)
		n := len(args)
		where = append(where, `(i.start_date < $`+strconv.Itoa(n-1)+` OR (i.start_date = $`+strconv.Itoa(n-1)+` AND i.id < $`+strconv.Itoa(n)+`))`)
	}
	query := `SELECT ` + internshipColumns + internshipFrom
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Page.limit()
	args = append(args, limit+1)
	query += ` ORDER BY i.start_date DESC, i.id DESC LIMIT $` + strconv.Itoa(len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.Internship, cursor, error) {
		in, err := scanInternship(rows)
		if err != nil {
			return nil, cursor{}, err
		}
		return in, cursor{Key: in.StartDate.String(), ID: in.ID}, nil
	})
}

// InternshipsHeld counts the internships under an agreement that hold or
// took a place (planned, under way or done), leaving out one id.
func (q Queries) InternshipsHeld(ctx context.Context, agreementID, except int64) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM internships WHERE agreement_id = $1 AND id <> $2
		AND status NOT IN ('CANCELLED')`, agreementID, except).Scan(&n)
	return n, mapError(err)
}

// OverlappingInternship returns the id of a person's internship that holds
// their time and shares a day with [from, to], or 0.
func (q Queries) OverlappingInternship(ctx context.Context, personID int64, from, to binakerja.Date, except int64) (int64, error) {
	var id int64
	err := q.q.QueryRowContext(ctx, `SELECT id FROM internships WHERE person_id = $1 AND id <> $2
		AND status IN ('PENDING', 'APPROVED', 'ACTIVE') AND start_date <= $4 AND end_date >= $3 ORDER BY id LIMIT 1`,
		personID, except, from, to).Scan(&id)
	if binakerja.ErrorKind(mapError(err)) == binakerja.NotFound {
		return 0, nil
	}
	return id, mapError(err)
}

// CompletedTraining reports whether a person completed a training.
func (q Queries) CompletedTraining(ctx context.Context, personID int64) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM enrollments WHERE person_id = $1 AND status = 'LULUS'`, personID).Scan(&n)
	return n > 0, mapError(err)
}

// CreateInternshipLog records a day's leaving and sets its id.
func (tx *Tx) CreateInternshipLog(ctx context.Context, l *binakerja.InternshipLog) error {
	err := tx.q.QueryRowContext(ctx, `INSERT INTO internship_logs (internship_id, date, left_at, due_at, note, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, l.InternshipID, l.Date, l.Left.UTC(), l.Due.UTC(), l.Note, l.RecordedBy).Scan(&l.ID)
	return mapError(err)
}

// ReturnInternshipLog records the return of a day's log.
func (tx *Tx) ReturnInternshipLog(ctx context.Context, l *binakerja.InternshipLog) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE internship_logs SET returned_at = $1, late = $2, note = $3 WHERE id = $4`,
		l.Returned.UTC(), l.Late, l.Note, l.ID)
	return mapError(err)
}

// InternshipLogs returns an internship's daily log, latest first.
func (q Queries) InternshipLogs(ctx context.Context, internshipID int64) ([]*binakerja.InternshipLog, error) {
	return q.internshipLogs(ctx, `l.internship_id = $1`, internshipID)
}

// InternshipLog returns one entry of the daily log.
func (q Queries) InternshipLog(ctx context.Context, id int64) (*binakerja.InternshipLog, error) {
	ls, err := q.internshipLogs(ctx, `l.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return ls[0], nil
}

// OutOn returns the log entries of a day at a facility: who went out, who
// came back, who is late.
func (q Queries) OutOn(ctx context.Context, facilityID int64, day binakerja.Date) ([]*binakerja.InternshipLog, error) {
	return q.internshipLogs(ctx, `l.date = $1 AND l.internship_id IN (SELECT id FROM internships WHERE facility_id = $2)`, day, facilityID)
}

func (q Queries) internshipLogs(ctx context.Context, where string, args ...any) ([]*binakerja.InternshipLog, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT l.id, l.internship_id, l.date, l.left_at, l.due_at, l.returned_at, l.late,
		l.note, l.recorded_by FROM internship_logs l WHERE `+where+` ORDER BY l.date DESC, l.id DESC`, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*binakerja.InternshipLog
	for rows.Next() {
		var l binakerja.InternshipLog
		var returned sql.NullTime
		if err := rows.Scan(&l.ID, &l.InternshipID, &l.Date, &l.Left, &l.Due, &returned, &l.Late, &l.Note, &l.RecordedBy); err != nil {
			return nil, mapError(err)
		}
		l.Left, l.Due = l.Left.UTC(), l.Due.UTC()
		if returned.Valid {
			l.Returned = returned.Time.UTC()
		}
		out = append(out, &l)
	}
	return out, mapError(rows.Err())
}

// TrainedUnits returns the units of the schemes a person completed a
// training for, in the schemes' order: what a host evaluates an intern on.
func (q Queries) TrainedUnits(ctx context.Context, personID int64) ([]binakerja.Unit, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT u.code, u.title, su.scheme_id, su.position FROM enrollments e
		JOIN cohorts c ON c.id = e.cohort_id JOIN programs p ON p.id = c.program_id
		JOIN scheme_units su ON su.scheme_id = p.scheme_id JOIN units u ON u.code = su.unit_code
		WHERE e.person_id = $1 AND e.status = 'LULUS' ORDER BY su.scheme_id, su.position`, personID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []binakerja.Unit
	seen := map[string]bool{}
	for rows.Next() {
		var u binakerja.Unit
		var scheme int64
		var pos int
		if err := rows.Scan(&u.Code, &u.Title, &scheme, &pos); err != nil {
			return nil, mapError(err)
		}
		if !seen[u.Code] {
			seen[u.Code] = true
			out = append(out, u)
		}
	}
	return out, mapError(rows.Err())
}
