package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"binakerja"
)

// SetSupervisor records the Bapas supervising a conditional release.
func (tx *Tx) SetSupervisor(ctx context.Context, episodeID, orgID int64) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE custody_episodes SET supervisor_id = $1 WHERE id = $2`, orgID, episodeID)
	return mapError(err)
}

// Supervisor returns the code of the Bapas supervising an episode's
// conditional release, or "".
func (q Queries) Supervisor(ctx context.Context, episodeID int64) (string, error) {
	var code sql.NullString
	err := q.q.QueryRowContext(ctx, `SELECT o.code FROM custody_episodes e LEFT JOIN organizations o ON o.id = e.supervisor_id
		WHERE e.id = $1`, episodeID).Scan(&code)
	return code.String, mapError(err)
}

// CreateHandover records a hand-over of a released person to a mentor.
func (tx *Tx) CreateHandover(ctx context.Context, h *binakerja.Handover, episodeID, facilityID, mentorID int64) error {
	h.HandedAt = tx.Now
	err := tx.q.QueryRowContext(ctx, `INSERT INTO handovers (person_id, episode_id, facility_id, mentor_id, handed_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, h.PersonID, episodeID, facilityID, mentorID, tx.Now).Scan(&h.ID)
	return mapError(err)
}

// AcknowledgeHandover records the mentor's acknowledgement.
func (tx *Tx) AcknowledgeHandover(ctx context.Context, id int64, by string) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE handovers SET acknowledged_at = $1, acknowledged_by = $2
		WHERE id = $3 AND acknowledged_at IS NULL`, tx.Now, by, id)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "handover.acknowledged")
	}
	return nil
}

const handoverColumns = `h.id, h.person_id, p.name, f.code, f.name, f.path, m.code, m.name, m.path, e.release_date,
	h.handed_at, h.acknowledged_at, h.acknowledged_by`

const handoverFrom = ` FROM handovers h JOIN persons p ON p.id = h.person_id JOIN custody_episodes e ON e.id = h.episode_id
	JOIN organizations f ON f.id = h.facility_id JOIN organizations m ON m.id = h.mentor_id`

func scanHandover(row interface{ Scan(...any) error }) (*binakerja.Handover, error) {
	var h binakerja.Handover
	var ack sql.NullTime
	err := row.Scan(&h.ID, &h.PersonID, &h.Name, &h.Facility, &h.FacilityName, &h.FacilityPath, &h.Mentor, &h.MentorName,
		&h.MentorPath, &h.ReleaseDate, &h.HandedAt, &ack, &h.AcknowledgedBy)
	if err != nil {
		return nil, mapError(err)
	}
	h.HandedAt = h.HandedAt.UTC()
	if ack.Valid {
		h.AcknowledgedAt = ack.Time.UTC()
	}
	return &h, nil
}

// Handover returns a hand-over.
func (q Queries) Handover(ctx context.Context, id int64) (*binakerja.Handover, error) {
	return scanHandover(q.q.QueryRowContext(ctx, `SELECT `+handoverColumns+handoverFrom+` WHERE h.id = $1`, id))
}

// HandoverFilter selects hand-overs.
type HandoverFilter struct {
	Within  []string // facility or mentor in one of these subtrees
	All     bool
	Person  int64
	Pending bool // only those not yet acknowledged
	Limit   int
}

// Handovers lists hand-overs, newest first.
func (q Queries) Handovers(ctx context.Context, f HandoverFilter) ([]*binakerja.Handover, error) {
	var where []string
	var args []any
	if !f.All {
		var a, b []string
		a, args = scopeClause(nil, args, "f.path", f.Within, false)
		b, args = scopeClause(nil, args, "m.path", f.Within, false)
		where = append(where, "("+a[0]+" OR "+b[0]+")")
	}
	if f.Person != 0 {
		args = append(args, f.Person)
		where = append(where, `h.person_id = $`+strconv.Itoa(len(args)))
	}
	if f.Pending {
		where = append(where, `h.acknowledged_at IS NULL`)
	}
	query := `SELECT ` + handoverColumns + handoverFrom
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := Page{Limit: f.Limit}.limit()
	args = append(args, limit)
	rows, err := q.q.QueryContext(ctx, query+` ORDER BY h.handed_at DESC, h.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*binakerja.Handover
	for rows.Next() {
		h, err := scanHandover(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, mapError(rows.Err())
}

// CreatePlacement inserts a placement and sets its id.
func (tx *Tx) CreatePlacement(ctx context.Context, p *binakerja.Placement, employerID int64) error {
	p.CreatedAt, p.Version = tx.Now, 1
	var endedAt *time.Time
	if !p.EndDate.IsZero() {
		endedAt = &tx.Now
	}
	err := tx.q.QueryRowContext(ctx, `INSERT INTO placements (person_id, kind, employer_id, employer_name, position,
		start_date, end_date, end_reason, wage_band, contract_type, part_time, application_id, agreement_id, recorded_by,
		created_at, updated_at, ended_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, 1)
		RETURNING id`, p.PersonID, p.Kind, nullID(employerID), p.EmployerName, p.Position, p.StartDate, p.EndDate,
		p.EndReason, p.WageBand, p.ContractType, p.PartTime, nullID(p.ApplicationID), nullID(p.AgreementID), p.RecordedBy,
		tx.Now, endedAt).Scan(&p.ID)
	return mapError(err)
}

// EndPlacement closes an employment period if the stored version is still
// p.Version.
func (tx *Tx) EndPlacement(ctx context.Context, p *binakerja.Placement) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE placements SET end_date = $1, end_reason = $2, updated_at = $3,
		ended_at = $3, version = version + 1 WHERE id = $4 AND version = $5`, p.EndDate, p.EndReason, tx.Now, p.ID, p.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	p.Version++
	return nil
}

const placementColumns = `pl.id, pl.person_id, p.name, pl.kind, COALESCE(o.code, ''), pl.employer_name, pl.position,
	pl.start_date, pl.end_date, pl.end_reason, pl.wage_band, pl.contract_type, pl.part_time,
	COALESCE(pl.application_id, 0), COALESCE(pl.agreement_id, 0), pl.recorded_by, pl.created_at, pl.version`

const placementFrom = ` FROM placements pl JOIN persons p ON p.id = pl.person_id LEFT JOIN organizations o ON o.id = pl.employer_id`

func scanPlacement(row interface{ Scan(...any) error }) (*binakerja.Placement, error) {
	var p binakerja.Placement
	err := row.Scan(&p.ID, &p.PersonID, &p.Name, &p.Kind, &p.Employer, &p.EmployerName, &p.Position, &p.StartDate,
		&p.EndDate, &p.EndReason, &p.WageBand, &p.ContractType, &p.PartTime, &p.ApplicationID, &p.AgreementID,
		&p.RecordedBy, &p.CreatedAt, &p.Version)
	if err != nil {
		return nil, mapError(err)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

// Placement returns a placement.
func (q Queries) Placement(ctx context.Context, id int64) (*binakerja.Placement, error) {
	return scanPlacement(q.q.QueryRowContext(ctx, `SELECT `+placementColumns+placementFrom+` WHERE pl.id = $1`, id))
}

// PlacementsOf returns a person's placements, latest start first.
func (q Queries) PlacementsOf(ctx context.Context, personID int64) ([]*binakerja.Placement, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+placementColumns+placementFrom+` WHERE pl.person_id = $1
		ORDER BY pl.start_date DESC, pl.id DESC`, personID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*binakerja.Placement
	for rows.Next() {
		p, err := scanPlacement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, mapError(rows.Err())
}

// CreateFollowUp schedules a follow-up and sets its id.
func (tx *Tx) CreateFollowUp(ctx context.Context, f *binakerja.FollowUp, episodeID, mentorID int64) error {
	err := tx.q.QueryRowContext(ctx, `INSERT INTO followups (person_id, episode_id, mentor_id, month, due_date, status,
		created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, 'DUE', $6, $6, 1) RETURNING id`,
		f.PersonID, episodeID, mentorID, f.Month, f.DueDate, tx.Now).Scan(&f.ID)
	return mapError(err)
}

// RecordFollowUp writes what a follow-up found if the stored version is
// still f.Version.
func (tx *Tx) RecordFollowUp(ctx context.Context, f *binakerja.FollowUp) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE followups SET status = $1, contact_date = $2, contacted = $3, outcome = $4,
		confirmed = $5, employer = $6, needs = $7, notes = $8, recorded_by = $9, updated_at = $10, version = version + 1
		WHERE id = $11 AND version = $12`, f.Status, f.ContactDate, f.Contacted, f.Outcome, f.Confirmed, f.Employer,
		f.Needs, f.Notes, f.RecordedBy, tx.Now, f.ID, f.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	f.Version++
	return nil
}

// CloseFollowUps closes a person's open follow-ups (they came back to
// custody) with an outcome, returning how many.
func (tx *Tx) CloseFollowUps(ctx context.Context, personID int64, outcome binakerja.Outcome) (int, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE followups SET status = 'CLOSED', outcome = $1, updated_at = $2,
		version = version + 1 WHERE person_id = $3 AND status = 'DUE'`, outcome, tx.Now, personID)
	if err != nil {
		return 0, mapError(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const followupColumns = `fu.id, fu.person_id, p.name, m.code, m.name, m.path, fu.month, fu.due_date, fu.status,
	fu.contact_date, fu.contacted, fu.outcome, fu.confirmed, fu.employer, fu.needs, fu.notes, fu.recorded_by, fu.version`

const followupFrom = ` FROM followups fu JOIN persons p ON p.id = fu.person_id JOIN organizations m ON m.id = fu.mentor_id`

func scanFollowUp(row interface{ Scan(...any) error }) (*binakerja.FollowUp, error) {
	var f binakerja.FollowUp
	err := row.Scan(&f.ID, &f.PersonID, &f.Name, &f.Mentor, &f.MentorName, &f.MentorPath, &f.Month, &f.DueDate, &f.Status,
		&f.ContactDate, &f.Contacted, &f.Outcome, &f.Confirmed, &f.Employer, &f.Needs, &f.Notes, &f.RecordedBy, &f.Version)
	if err != nil {
		return nil, mapError(err)
	}
	return &f, nil
}

// FollowUp returns a follow-up.
func (q Queries) FollowUp(ctx context.Context, id int64) (*binakerja.FollowUp, error) {
	return scanFollowUp(q.q.QueryRowContext(ctx, `SELECT `+followupColumns+followupFrom+` WHERE fu.id = $1`, id))
}

// FollowUpFilter selects follow-ups.
type FollowUpFilter struct {
	Within   []string // mentor in one of these subtrees
	All      bool
	Mentor   string
	Person   int64
	Open     bool           // only DUE ones
	Done     bool           // only DONE or CLOSED ones
	DueUntil binakerja.Date // due on or before (with Open)
	Page     Page
}

// FollowUps lists follow-ups by due date.
func (q Queries) FollowUps(ctx context.Context, f FollowUpFilter) ([]*binakerja.FollowUp, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var where []string
	var args []any
	if !f.All {
		where, args = scopeClause(where, args, "m.path", f.Within, false)
	}
	if f.Mentor != "" {
		args = append(args, binakerja.NormalizeOrgCode(f.Mentor))
		where = append(where, `m.code = $`+strconv.Itoa(len(args)))
	}
	if f.Person != 0 {
		args = append(args, f.Person)
		where = append(where, `fu.person_id = $`+strconv.Itoa(len(args)))
	}
	switch {
	case f.Open:
		where = append(where, `fu.status = 'DUE'`)
	case f.Done:
		where = append(where, `fu.status IN ('DONE', 'CLOSED')`)
	}
	if !f.DueUntil.IsZero() {
		args = append(args, f.DueUntil)
		where = append(where, `fu.due_date <= $`+strconv.Itoa(len(args)))
	}
	if f.Page.Cursor != "" {
		args = append(args, c.Key, c.ID)
		n := len(args)
		where = append(where, `(fu.due_date > $`+strconv.Itoa(n-1)+` OR (fu.due_date = $`+strconv.Itoa(n-1)+` AND fu.id > $`+strconv.Itoa(n)+`))`)
	}
	query := `SELECT ` + followupColumns + followupFrom
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Page.limit()
	args = append(args, limit+1)
	rows, err := q.q.QueryContext(ctx, query+` ORDER BY fu.due_date, fu.id LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.FollowUp, cursor, error) {
		fu, err := scanFollowUp(rows)
		if err != nil {
			return nil, cursor{}, err
		}
		return fu, cursor{Key: fu.DueDate.String(), ID: fu.ID}, nil
	})
}

// TookPart reports whether a person took part in the programme: enrolled in
// a training (not only waiting or cancelled).
func (q Queries) TookPart(ctx context.Context, personID int64) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM enrollments WHERE person_id = $1
		AND status NOT IN ('DAFTAR_TUNGGU', 'DIBATALKAN')`, personID).Scan(&n)
	return n > 0, mapError(err)
}
