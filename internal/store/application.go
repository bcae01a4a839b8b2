package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"binakerja"
)

// CreateApplication inserts an application with its first event and sets
// its id.
func (tx *Tx) CreateApplication(ctx context.Context, a *binakerja.Application) error {
	parts, _ := json.Marshal(a.Parts)
	a.CreatedAt, a.UpdatedAt, a.Version = tx.Now, tx.Now, 1
	err := tx.q.QueryRowContext(ctx, `INSERT INTO applications (vacancy_id, person_id, status, score, score_parts,
		proposed_by, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1) RETURNING id`,
		a.VacancyID, a.PersonID, a.Status, a.Score, string(parts), a.ProposedBy, tx.Now).Scan(&a.ID)
	if err != nil {
		return mapError(err)
	}
	return tx.addApplicationEvent(ctx, a.ID, binakerja.ApplicationEvent{To: a.Status, By: a.ProposedBy})
}

func (tx *Tx) addApplicationEvent(ctx context.Context, id int64, e binakerja.ApplicationEvent) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO application_events (application_id, from_status, to_status, by_actor,
		reason, at) VALUES ($1, $2, $3, $4, $5, $6)`, id, e.From, e.To, e.By, e.Reason, tx.Now)
	return mapError(err)
}

// MoveApplication changes an application's status if the stored version is
// still a.Version, and records the step.
func (tx *Tx) MoveApplication(ctx context.Context, a *binakerja.Application, to binakerja.ApplicationStatus, by, reason string, today binakerja.Date) error {
	var hired binakerja.Date
	if to == binakerja.ApplicationHired {
		hired = today
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE applications SET status = $1, hired_on = COALESCE($2, hired_on),
		updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5`, to, hired, tx.Now, a.ID, a.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	from := a.Status
	a.Status, a.Version, a.UpdatedAt = to, a.Version+1, tx.Now
	e := binakerja.ApplicationEvent{From: from, To: to, By: by, Reason: reason, At: tx.Now}
	a.Events = append(a.Events, e)
	return tx.addApplicationEvent(ctx, a.ID, e)
}

const applicationColumns = `a.id, a.vacancy_id, v.title, e.code, e.name, a.person_id, p.name, a.status, a.score,
	a.score_parts, a.proposed_by, a.created_at, a.updated_at, a.version`

const applicationFrom = ` FROM applications a JOIN vacancies v ON v.id = a.vacancy_id
	JOIN organizations e ON e.id = v.employer_id JOIN persons p ON p.id = a.person_id`

func scanApplication(row interface{ Scan(...any) error }) (*binakerja.Application, error) {
	var a binakerja.Application
	var parts string
	err := row.Scan(&a.ID, &a.VacancyID, &a.VacancyTitle, &a.Employer, &a.EmployerName, &a.PersonID, &a.Name,
		&a.Status, &a.Score, &parts, &a.ProposedBy, &a.CreatedAt, &a.UpdatedAt, &a.Version)
	if err != nil {
		return nil, mapError(err)
	}
	if err := json.Unmarshal([]byte(parts), &a.Parts); err != nil {
		return nil, fmt.Errorf("store: application %d: score parts: %w", a.ID, err)
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, nil
}

// Application returns an application with its history.
func (q Queries) Application(ctx context.Context, id int64) (*binakerja.Application, error) {
	a, err := scanApplication(q.q.QueryRowContext(ctx, `SELECT `+applicationColumns+applicationFrom+` WHERE a.id = $1`, id))
	if err != nil {
		return nil, err
	}
	rows, err := q.q.QueryContext(ctx, `SELECT from_status, to_status, by_actor, reason, at FROM application_events
		WHERE application_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e binakerja.ApplicationEvent
		if err := rows.Scan(&e.From, &e.To, &e.By, &e.Reason, &e.At); err != nil {
			return nil, mapError(err)
		}
		e.At = e.At.UTC()
		a.Events = append(a.Events, e)
	}
	return a, mapError(rows.Err())
}

// ApplicationFilter selects applications for a list.
type ApplicationFilter struct {
	Vacancy  int64
	Person   int64
	Employer string
	Open     bool // only those still under way
	Page     Page
}

// Applications lists applications, newest first.
func (q Queries) Applications(ctx context.Context, f ApplicationFilter) ([]*binakerja.Application, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	where := []string{"1 = 1"}
	var args []any
	if f.Vacancy != 0 {
		args = append(args, f.Vacancy)
		where = append(where, `a.vacancy_id = $`+strconv.Itoa(len(args)))
	}
	if f.Person != 0 {
		args = append(args, f.Person)
		where = append(where, `a.person_id = $`+strconv.Itoa(len(args)))
	}
	if f.Employer != "" {
		args = append(args, binakerja.NormalizeOrgCode(f.Employer))
		where = append(where, `e.code = $`+strconv.Itoa(len(args)))
	}
	if f.Open {
		where = append(where, `a.status IN ('PROPOSED', 'VIEWED', 'INTERVIEW', 'OFFERED')`)
	}
	if f.Page.Cursor != "" {
		args = append(args, c.ID)
		where = append(where, `a.id < $`+strconv.Itoa(len(args)))
	}
	limit := f.Page.limit()
	args = append(args, limit+1)
	rows, err := q.q.QueryContext(ctx, `SELECT `+applicationColumns+applicationFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY a.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*binakerja.Application, cursor, error) {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, cursor{}, err
		}
		return a, cursor{ID: a.ID}, nil
	})
}

// OpenApplicationsOf returns a person's applications still under way.
func (q Queries) OpenApplicationsOf(ctx context.Context, personID int64) ([]*binakerja.Application, error) {
	var out []*binakerja.Application
	page := Page{Limit: MaxLimit}
	for {
		as, next, err := q.Applications(ctx, ApplicationFilter{Person: personID, Open: true, Page: page})
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
		if next == "" {
			return out, nil
		}
		page.Cursor = next
	}
}
