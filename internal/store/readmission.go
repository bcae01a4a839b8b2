package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"binakerja"
)

// ReadmissionReview is an import row held for review: its NIK names someone
// released earlier, but its name or birth date disagrees with the record.
// Name, BirthDate and RowData are the row's; StoredName and StoredBirthDate
// are the record's, which the application shows only in part.
type ReadmissionReview struct {
	ID              int64
	FacilityID      int64
	Facility        string // code
	FacilityName    string
	FacilityPath    string
	PersonID        int64
	ImportID        int64 // 0 for none
	FileName        string
	Line            int
	Name            string
	BirthDate       binakerja.Date
	RowData         string // what the row would write, as JSON (never the NIK)
	Status          string // pending, confirmed, rejected
	DecidedBy       string
	DecidedAt       time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int
	StoredName      string
	StoredBirthDate binakerja.Date
}

// Review statuses.
const (
	ReviewPending   = "pending"
	ReviewConfirmed = "confirmed"
	ReviewRejected  = "rejected"
)

// HoldReadmission stores a held row, or, when the same person already waits
// for review at the facility, replaces what that review holds if the row
// differs (importing a file again adds no second review and changes
// nothing). It sets r.ID.
func (tx *Tx) HoldReadmission(ctx context.Context, r *ReadmissionReview) error {
	var imp sql.NullInt64
	if r.ImportID != 0 {
		imp = sql.NullInt64{Int64: r.ImportID, Valid: true}
	}
	err := tx.q.QueryRowContext(ctx, `SELECT id FROM readmission_reviews
		WHERE facility_id = $1 AND person_id = $2 AND status = 'pending'`, r.FacilityID, r.PersonID).Scan(&r.ID)
	switch {
	case err == nil:
		_, err = tx.q.ExecContext(ctx, `UPDATE readmission_reviews SET import_id = $1, line = $2, name = $3,
			birth_date = $4, row_data = $5, updated_at = $6, version = version + 1 WHERE id = $7 AND row_data <> $5`,
			imp, r.Line, r.Name, r.BirthDate, r.RowData, tx.Now, r.ID)
		return mapError(err)
	case !errors.Is(err, sql.ErrNoRows):
		return mapError(err)
	}
	return mapError(tx.q.QueryRowContext(ctx, `INSERT INTO readmission_reviews (facility_id, person_id, import_id,
		line, name, birth_date, row_data, status, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8, 1) RETURNING id`,
		r.FacilityID, r.PersonID, imp, r.Line, r.Name, r.BirthDate, r.RowData, tx.Now).Scan(&r.ID))
}

const reviewColumns = `v.id, v.facility_id, o.code, o.name, o.path, v.person_id, coalesce(v.import_id, 0),
	coalesce(i.file_name, ''), v.line, v.name, v.birth_date, v.row_data, v.status, v.decided_by, v.decided_at,
	v.created_at, v.updated_at, v.version, p.name, p.birth_date`

const reviewFrom = ` FROM readmission_reviews v JOIN organizations o ON o.id = v.facility_id
	JOIN persons p ON p.id = v.person_id LEFT JOIN imports i ON i.id = v.import_id`

func scanReview(row interface{ Scan(...any) error }) (*ReadmissionReview, error) {
	var r ReadmissionReview
	var decided sql.NullTime
	if err := row.Scan(&r.ID, &r.FacilityID, &r.Facility, &r.FacilityName, &r.FacilityPath, &r.PersonID, &r.ImportID,
		&r.FileName, &r.Line, &r.Name, &r.BirthDate, &r.RowData, &r.Status, &r.DecidedBy, &decided,
		&r.CreatedAt, &r.UpdatedAt, &r.Version, &r.StoredName, &r.StoredBirthDate); err != nil {
		return nil, mapError(err)
	}
	if decided.Valid {
		r.DecidedAt = decided.Time.UTC()
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

// ReadmissionReview returns one review.
func (q Queries) ReadmissionReview(ctx context.Context, id int64) (*ReadmissionReview, error) {
	return scanReview(q.q.QueryRowContext(ctx, `SELECT `+reviewColumns+reviewFrom+` WHERE v.id = $1`, id))
}

// ReviewFilter selects reviews: at the facilities within the given
// subtrees, of one status.
type ReviewFilter struct {
	Within []string
	All    bool
	Status string
	Page   Page // the cursor continues below the last id: newest first
}

// ReadmissionReviews lists reviews, newest first.
func (q Queries) ReadmissionReviews(ctx context.Context, f ReviewFilter) ([]*ReadmissionReview, string, error) {
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
	if f.Status != "" {
		where = append(where, "v.status = "+arg(f.Status))
	}
	if f.Page.Cursor != "" {
		where = append(where, "v.id < "+arg(c.ID))
	}
	limit := f.Page.limit()
	rows, err := q.q.QueryContext(ctx, `SELECT `+reviewColumns+reviewFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY v.id DESC LIMIT `+arg(limit+1), args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*ReadmissionReview, cursor, error) {
		r, err := scanReview(rows)
		if err != nil {
			return nil, cursor{}, err
		}
		return r, cursor{ID: r.ID}, nil
	})
}

// DecideReadmission closes a pending review as confirmed or rejected, if it
// is still pending at the given version; otherwise a Conflict.
func (tx *Tx) DecideReadmission(ctx context.Context, id int64, version int, status, by string) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE readmission_reviews SET status = $1, decided_by = $2, decided_at = $3,
		updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5 AND status = 'pending'`,
		status, by, tx.Now, id, version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	return nil
}

// EarlierName is a name a person was known by until ReplacedAt.
type EarlierName struct {
	Name       string
	Source     string // import, review
	ReplacedAt time.Time
}

// AddPersonName keeps a person's former name as history.
func (tx *Tx) AddPersonName(ctx context.Context, personID int64, name, source string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO person_names (person_id, name, source, replaced_at)
		VALUES ($1, $2, $3, $4)`, personID, name, source, tx.Now)
	return mapError(err)
}

// PersonNames returns a person's earlier names, the most recently replaced
// first.
func (q Queries) PersonNames(ctx context.Context, personID int64) ([]EarlierName, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT name, source, replaced_at FROM person_names WHERE person_id = $1
		ORDER BY id DESC`, personID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []EarlierName
	for rows.Next() {
		var n EarlierName
		if err := rows.Scan(&n.Name, &n.Source, &n.ReplacedAt); err != nil {
			return nil, err
		}
		n.ReplacedAt = n.ReplacedAt.UTC()
		out = append(out, n)
	}
	return out, mapError(rows.Err())
}
