package api

import (
	"net/http"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
)

type session struct {
	ID       int64          `json:"id"`
	CohortID int64          `json:"cohort_id"`
	Date     binakerja.Date `json:"date"`
	Topic    string         `json:"topic"`
	Hours    int            `json:"hours"`
	Present  int            `json:"present"`
	Marked   int            `json:"marked"`
}

func sessionJSON(s *binakerja.Session) session {
	return session{ID: s.ID, CohortID: s.CohortID, Date: s.Date, Topic: s.Topic, Hours: s.Hours, Present: s.Present, Marked: s.Marked}
}

func (h *Handler) sessionCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Date  binakerja.Date `json:"date"`
		Topic string         `json:"topic"`
		Hours int            `json:"hours"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	s, err := h.app.AddSession(r.Context(), route.ActorFrom(r.Context()), id, in.Date, in.Topic, in.Hours)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, sessionJSON(s))
}

func (h *Handler) sessionList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ss, err := h.app.Sessions(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := list[session]{Items: []session{}}
	for _, s := range ss {
		out.Items = append(out.Items, sessionJSON(s))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) attendanceRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Records []struct {
			EnrollmentID  int64  `json:"enrollment_id"`
			Present       bool   `json:"present"`
			AbsenceReason string `json:"absence_reason"`
		} `json:"records"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var marks []app.Mark
	for _, m := range in.Records {
		marks = append(marks, app.Mark{EnrollmentID: m.EnrollmentID, Present: m.Present, AbsenceReason: m.AbsenceReason})
	}
	if err := h.app.RecordAttendance(r.Context(), route.ActorFrom(r.Context()), id, marks); err != nil {
		return err
	}
	sheet, err := h.app.Sheet(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	type line struct {
		EnrollmentID  int64  `json:"enrollment_id"`
		Name          string `json:"name"`
		Present       bool   `json:"present"`
		AbsenceReason string `json:"absence_reason,omitempty"`
		Marked        bool   `json:"marked"`
	}
	out := struct {
		Session session `json:"session"`
		Lines   []line  `json:"lines"`
	}{Session: sessionJSON(sheet.Session), Lines: []line{}}
	for _, l := range sheet.Lines {
		out.Lines = append(out.Lines, line{EnrollmentID: l.EnrollmentID, Name: l.Name, Present: l.Present, AbsenceReason: l.AbsenceReason, Marked: l.Marked})
	}
	return writeJSON(w, http.StatusOK, out)
}
