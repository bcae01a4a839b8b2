package store

import (
	"context"
	"strconv"
)

// BackdateHistory dates the records of a made-up world (the demo's, or
// gen's) as though each had been entered soon after it happened, instead
// of all at the moment the world was made: admissions the next day,
// cohorts two weeks and enrolments a week before they start, completions
// the day after the cohort ends, certificates the day after issue,
// placements and their ends three days on, follow-ups two days after the
// contact. Figures as of a past day, and the data-quality panel, then read
// the world as its story tells it. Nothing is ever dated later than it
// was, and the audit trail keeps the moments it recorded.
func (db *DB) BackdateHistory(ctx context.Context) error {
	// at is the instant at 03:00 UTC days after the day expr.
	at := func(expr string, days int) string {
		if db.engine == Postgres {
			return "(((" + expr + ") + " + strconv.Itoa(days) + ") + time '03:00') AT TIME ZONE 'UTC'"
		}
		return "(date(" + expr + ", '" + strconv.Itoa(days) + " days') || ' 03:00:00+00:00')"
	}
	set := func(table, col, value, where string) string {
		return "UPDATE " + table + " SET " + col + " = " + value + " WHERE " + col + " > " + value + where
	}
	statements := []string{
		set("custody_episodes", "created_at", at("admission_date", 1), ""),
		set("episode_statuses", "created_at", at("date", 1), ""),
		set("cohorts", "created_at", at("start_date", -14), ""),
		set("enrollments", "created_at", at("(SELECT c.start_date FROM cohorts c WHERE c.id = enrollments.cohort_id)", -7), ""),
		set("enrollment_statuses", "created_at",
			at("(SELECT c.start_date FROM cohorts c JOIN enrollments en ON en.cohort_id = c.id WHERE en.id = enrollment_statuses.enrollment_id)", -7),
			" AND status IN ('TERDAFTAR', 'DAFTAR_TUNGGU')"),
		set("enrollment_statuses", "created_at",
			at("(SELECT c.end_date FROM cohorts c JOIN enrollments en ON en.cohort_id = c.id WHERE en.id = enrollment_statuses.enrollment_id)", 1),
			" AND status IN ('LULUS', 'TIDAK_LULUS')"),
		set("certificates", "created_at", at("issued_on", 1), ""),
		set("certificates", "updated_at", at("issued_on", 1), " AND status = 'AKTIF'"),
		set("placements", "created_at", at("start_date", 3), ""),
		set("placements", "ended_at", at("end_date", 3), " AND end_date IS NOT NULL"),
		set("followups", "updated_at", at("contact_date", 2), " AND status = 'DONE' AND contact_date IS NOT NULL"),
		set("internships", "updated_at", at("end_date", 1), " AND status = 'COMPLETED'"),
	}
	return db.Transact(ctx, func(tx *Tx) error {
		for _, s := range statements {
			if _, err := tx.q.ExecContext(ctx, s); err != nil {
				return mapError(err)
			}
		}
		return nil
	})
}
