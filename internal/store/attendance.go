package store

import (
	"context"

	"binakerja"
)

// CreateTrainingSession adds a training session to a cohort and sets s.ID.
func (tx *Tx) CreateTrainingSession(ctx context.Context, s *binakerja.Session) error {
	return mapError(tx.q.QueryRowContext(ctx, `INSERT INTO cohort_sessions (cohort_id, date, topic, hours, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, s.CohortID, s.Date, s.Topic, s.Hours, tx.Now).Scan(&s.ID))
}

// TrainingSessions returns a cohort's sessions by date, with their attendance counts.
func (q Queries) TrainingSessions(ctx context.Context, cohortID int64) ([]*binakerja.Session, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT s.id, s.cohort_id, s.date, s.topic, s.hours,
		(SELECT COUNT(*) FROM attendance a WHERE a.session_id = s.id AND a.present),
		(SELECT COUNT(*) FROM attendance a WHERE a.session_id = s.id)
		FROM cohort_sessions s WHERE s.cohort_id = $1 ORDER BY s.date, s.id`, cohortID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*binakerja.Session
	for rows.Next() {
		var s binakerja.Session
		if err := rows.Scan(&s.ID, &s.CohortID, &s.Date, &s.Topic, &s.Hours, &s.Present, &s.Marked); err != nil {
			return nil, err
		}
		out = append(out, &s)
	}
	return out, mapError(rows.Err())
}

// CohortSession returns one training session.
func (q Queries) CohortSession(ctx context.Context, id int64) (*binakerja.Session, error) {
	var s binakerja.Session
	err := q.q.QueryRowContext(ctx, `SELECT id, cohort_id, date, topic, hours FROM cohort_sessions WHERE id = $1`, id).
		Scan(&s.ID, &s.CohortID, &s.Date, &s.Topic, &s.Hours)
	return &s, mapError(err)
}

// SetAttendance records whether a participant was at a session.
func (tx *Tx) SetAttendance(ctx context.Context, sessionID, enrollmentID int64, present bool, reason string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO attendance (session_id, enrollment_id, present, absence_reason, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id, enrollment_id)
		DO UPDATE SET present = excluded.present, absence_reason = excluded.absence_reason, updated_at = excluded.updated_at`,
		sessionID, enrollmentID, present, reason, tx.Now)
	return mapError(err)
}

// AttendanceAt returns the marks of a session, by enrolment id.
func (q Queries) AttendanceAt(ctx context.Context, sessionID int64) (map[int64]binakerja.Attendance, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT enrollment_id, present, absence_reason FROM attendance WHERE session_id = $1`, sessionID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[int64]binakerja.Attendance{}
	for rows.Next() {
		var a binakerja.Attendance
		if err := rows.Scan(&a.EnrollmentID, &a.Present, &a.AbsenceReason); err != nil {
			return nil, err
		}
		a.Marked = true
		out[a.EnrollmentID] = a
	}
	return out, mapError(rows.Err())
}

// AttendanceOf returns how many of the cohort's sessions an enrolment
// attended, and how many sessions the cohort held.
func (q Queries) AttendanceOf(ctx context.Context, enrollmentID int64) (attended, held int, err error) {
	err = q.q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM attendance a WHERE a.enrollment_id = e.id AND a.present),
		(SELECT COUNT(*) FROM cohort_sessions s WHERE s.cohort_id = e.cohort_id)
		FROM enrollments e WHERE e.id = $1`, enrollmentID).Scan(&attended, &held)
	return attended, held, mapError(err)
}

// AttendanceCounts returns, for each enrolment of a cohort, how many sessions
// it attended.
func (q Queries) AttendanceCounts(ctx context.Context, cohortID int64) (map[int64]int, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT a.enrollment_id, COUNT(*) FROM attendance a
		JOIN cohort_sessions s ON s.id = a.session_id WHERE s.cohort_id = $1 AND a.present GROUP BY a.enrollment_id`, cohortID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, mapError(rows.Err())
}
