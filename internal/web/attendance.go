package web

import (
	"net/http"
	"strconv"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
)

func (h *Handler) sessionCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	hours, _ := strconv.Atoi(f.Get("hours"))
	date, derr := binakerja.ParseISODate(f.Get("session_date"))
	var s *binakerja.Session
	if derr != nil {
		err = binakerja.FieldInvalid("date", "date.format")
	} else {
		s, err = h.app.AddSession(r.Context(), route.ActorFrom(r.Context()), id, date, f.Get("topic"), hours)
	}
	if err != nil {
		form := newForm(f)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, map[string]string{"date": "session_date"}) {
			return err
		}
		return h.cohortPage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "session.created")
	http.Redirect(w, r, "/training/sessions/"+strconv.FormatInt(s.ID, 10), http.StatusSeeOther)
	return nil
}

type sheetData struct {
	*app.AttendanceSheet
	Reasons []string
}

func (h *Handler) sessionSheet(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sheet, err := h.app.Sheet(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	p := h.newPage(w, r, "session.title", sheetData{AttendanceSheet: sheet, Reasons: binakerja.AbsenceReasons})
	p.Form = form
	if p.Form == nil {
		p.Form = newForm(nil)
	}
	return h.render(w, status, "session", p)
}

func (h *Handler) sessionShow(w http.ResponseWriter, r *http.Request) error {
	return h.sessionSheet(w, r, http.StatusOK, nil)
}

// sessionSave records the grid: for each participant a checkbox
// present_ID and a select reason_ID.
func (h *Handler) sessionSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	sheet, err := h.app.Sheet(r.Context(), ac, id)
	if err != nil {
		return err
	}
	var marks []app.Mark
	for _, l := range sheet.Lines {
		key := strconv.FormatInt(l.EnrollmentID, 10)
		marks = append(marks, app.Mark{EnrollmentID: l.EnrollmentID, Present: r.PostForm.Get("present_"+key) == "1",
			AbsenceReason: r.PostForm.Get("reason_" + key)})
	}
	if err := h.app.RecordAttendance(r.Context(), ac, id, marks); err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.sessionSheet(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "session.saved")
	http.Redirect(w, r, "/training/cohorts/"+strconv.FormatInt(sheet.Cohort.ID, 10), http.StatusSeeOther)
	return nil
}
