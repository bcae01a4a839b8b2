package app

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"binakerja"
	"binakerja/internal/store"
)

// AddSession adds a training session to a cohort.
func (a *App) AddSession(ctx context.Context, ac Actor, cohortID int64, date binakerja.Date, topic string, hours int) (*binakerja.Session, error) {
	c, role, err := a.loadCohort(ctx, ac, binakerja.ActionEnrollmentManage, cohortID)
	if err != nil {
		return nil, err
	}
	s := &binakerja.Session{CohortID: c.ID, Date: date, Topic: strings.Join(strings.Fields(topic), " "), Hours: hours}
	var p binakerja.Problems
	switch {
	case date.IsZero():
		p.Add("date", "field.required")
	case date.Before(c.StartDate) || date.After(c.EndDate):
		p.Add("date", "session.outside_cohort")
	case date.After(a.today()):
		p.Add("date", "import.date.future")
	}
	if s.Topic == "" || utf8.RuneCountInString(s.Topic) > 200 {
		p.Add("topic", "field.required")
	}
	if hours < 1 || hours > 12 {
		p.Add("hours", "session.hours")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateTrainingSession(ctx, s); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "session.create", "cohort", itoa(c.ID), c.Facility,
			map[string]any{"date": date.String(), "topic": s.Topic, "hours": hours})
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Sessions lists a cohort's sessions with their attendance counts.
func (a *App) Sessions(ctx context.Context, ac Actor, cohortID int64) ([]*binakerja.Session, error) {
	if _, _, err := a.loadCohort(ctx, ac, binakerja.ActionEnrollmentManage, cohortID); err != nil {
		return nil, err
	}
	return a.db.TrainingSessions(ctx, cohortID)
}

// AttendanceSheet is a session with a line for every participant.
type AttendanceSheet struct {
	Session *binakerja.Session
	Cohort  *binakerja.Cohort
	Lines   []binakerja.Attendance
}

// Sheet returns the attendance sheet of a session: every participant holding
// a place, marked or not yet.
func (a *App) Sheet(ctx context.Context, ac Actor, sessionID int64) (*AttendanceSheet, error) {
	s, err := a.db.CohortSession(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	c, _, err := a.loadCohort(ctx, ac, binakerja.ActionEnrollmentManage, s.CohortID)
	if err != nil {
		return nil, err
	}
	es, err := a.db.Enrollments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	marks, err := a.db.AttendanceAt(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	sheet := &AttendanceSheet{Session: s, Cohort: c}
	for _, e := range es {
		if !e.Status.HoldsPlace() {
			continue
		}
		line, ok := marks[e.ID]
		if !ok {
			line = binakerja.Attendance{EnrollmentID: e.ID, Present: true} // most come; mark who does not
		}
		line.Name = e.Name
		sheet.Lines = append(sheet.Lines, line)
		if line.Marked {
			s.Marked++
			if line.Present {
				s.Present++
			}
		}
	}
	return sheet, nil
}

// Mark is one participant's attendance as an officer records it.
type Mark struct {
	EnrollmentID  int64
	Present       bool
	AbsenceReason string
}

// RecordAttendance records a session's attendance in one go. Each mark must
// name a participant holding a place in the cohort; an absence gives one of
// the absence reasons (TANPA_KETERANGAN when none is said).
func (a *App) RecordAttendance(ctx context.Context, ac Actor, sessionID int64, marks []Mark) error {
	sheet, err := a.Sheet(ctx, ac, sessionID)
	if err != nil {
		return err
	}
	role, err := a.cohortRole(ctx, ac, binakerja.ActionEnrollmentManage, sheet.Cohort.FacilityPath, sheet.Cohort.ProviderPath)
	if err != nil {
		return err
	}
	participants := map[int64]bool{}
	for _, l := range sheet.Lines {
		participants[l.EnrollmentID] = true
	}
	var p binakerja.Problems
	for i := range marks {
		m := &marks[i]
		if !participants[m.EnrollmentID] {
			p.Add("records["+itoa(int64(i))+"].enrollment_id", "attendance.not_participant")
		}
		switch {
		case m.Present:
			m.AbsenceReason = ""
		case m.AbsenceReason == "":
			m.AbsenceReason = "TANPA_KETERANGAN"
		case !slices.Contains(binakerja.AbsenceReasons, m.AbsenceReason):
			p.Add("records["+itoa(int64(i))+"].absence_reason", "attendance.reason")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		present := 0
		for _, m := range marks {
			if err := tx.SetAttendance(ctx, sessionID, m.EnrollmentID, m.Present, m.AbsenceReason); err != nil {
				return err
			}
			if m.Present {
				present++
			}
		}
		return a.record(ctx, tx, ac, role, "attendance.record", "cohort", itoa(sheet.Cohort.ID), sheet.Cohort.Facility,
			map[string]any{"session": sessionID, "marked": len(marks), "present": present})
	})
}
