package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type unitEvaluation struct {
	Code   string `json:"code"`
	Result string `json:"result"`
}

type internshipLog struct {
	ID       int64      `json:"id"`
	Date     string     `json:"date"`
	LeftAt   time.Time  `json:"left_at"`
	DueAt    time.Time  `json:"due_at"`
	Returned *time.Time `json:"returned_at"`
	Late     bool       `json:"late"`
	Note     string     `json:"note,omitempty"`
}

type internship struct {
	ID          int64            `json:"id"`
	InmateID    int64            `json:"inmate_id"`
	Name        string           `json:"name"`
	Facility    string           `json:"facility"`
	Host        string           `json:"host"`
	HostName    string           `json:"host_name"`
	AgreementID int64            `json:"agreement_id"`
	StartDate   binakerja.Date   `json:"start_date"`
	EndDate     binakerja.Date   `json:"end_date"`
	Supervisor  string           `json:"supervisor"`
	Officer     string           `json:"officer,omitempty"`
	Schedule    string           `json:"schedule,omitempty"`
	Status      string           `json:"status"`
	Reason      string           `json:"reason,omitempty"`
	Evaluation  []unitEvaluation `json:"evaluation"`
	EvalNote    string           `json:"evaluation_note,omitempty"`
	JobOffer    bool             `json:"job_offer"`
	Logs        []internshipLog  `json:"logs,omitempty"`
}

func internshipJSON(it *binakerja.Internship, logs []*binakerja.InternshipLog) internship {
	out := internship{ID: it.ID, InmateID: it.PersonID, Name: it.Name, Facility: it.Facility, Host: it.Host, HostName: it.HostName,
		AgreementID: it.AgreementID, StartDate: it.StartDate, EndDate: it.EndDate, Supervisor: it.Supervisor, Officer: it.Officer,
		Schedule: it.Schedule, Status: string(it.Status), Reason: it.Reason, Evaluation: []unitEvaluation{}, EvalNote: it.EvalNote,
		JobOffer: it.JobOffer}
	for _, u := range it.Evaluation {
		out.Evaluation = append(out.Evaluation, unitEvaluation{Code: u.Unit, Result: string(u.Result)})
	}
	for _, l := range logs {
		out.Logs = append(out.Logs, logJSON(l))
	}
	return out
}

func logJSON(l *binakerja.InternshipLog) internshipLog {
	out := internshipLog{ID: l.ID, Date: l.Date.String(), LeftAt: l.Left, DueAt: l.Due, Late: l.Late, Note: l.Note}
	if !l.Returned.IsZero() {
		r := l.Returned
		out.Returned = &r
	}
	return out
}

func (h *Handler) internshipCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		InmateID    int64          `json:"inmate_id"`
		Host        string         `json:"host"`
		AgreementID int64          `json:"agreement_id"`
		StartDate   binakerja.Date `json:"start_date"`
		EndDate     binakerja.Date `json:"end_date"`
		Supervisor  string         `json:"supervisor"`
		Officer     string         `json:"officer"`
		Schedule    string         `json:"schedule"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	it, err := h.app.CreateInternship(r.Context(), route.ActorFrom(r.Context()), app.NewInternship{PersonID: in.InmateID,
		Host: in.Host, AgreementID: in.AgreementID, StartDate: in.StartDate, EndDate: in.EndDate, Supervisor: in.Supervisor,
		Officer: in.Officer, Schedule: in.Schedule})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, internshipJSON(it, nil))
}

func (h *Handler) internshipList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	its, next, err := h.app.Internships(r.Context(), route.ActorFrom(r.Context()), store.InternshipFilter{Facility: q.Get("facility"),
		Host: q.Get("host"), Status: binakerja.InternshipStatus(strings.ToUpper(q.Get("status"))), Page: pg})
	if err != nil {
		return err
	}
	out := list[internship]{Items: []internship{}, NextCursor: next}
	for _, it := range its {
		out.Items = append(out.Items, internshipJSON(it, nil))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) internshipShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.app.Internship(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, internshipJSON(d.Internship, d.Logs))
}

func (h *Handler) internshipStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	it, err := h.app.ChangeInternship(r.Context(), route.ActorFrom(r.Context()), id,
		binakerja.InternshipStatus(strings.ToUpper(in.Status)), in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, internshipJSON(it, nil))
}

func (h *Handler) internshipEvaluation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Units    []unitEvaluation `json:"units"`
		Note     string           `json:"note"`
		JobOffer bool             `json:"job_offer"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var units []binakerja.UnitEvaluation
	for _, u := range in.Units {
		units = append(units, binakerja.UnitEvaluation{Unit: u.Code, Result: binakerja.UnitResult(strings.ToUpper(u.Result))})
	}
	it, err := h.app.RecordEvaluation(r.Context(), route.ActorFrom(r.Context()), id, units, in.Note, in.JobOffer)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, internshipJSON(it, nil))
}

func (h *Handler) internshipLeave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		LeftAt time.Time `json:"left_at"`
		DueAt  time.Time `json:"due_at"`
		Note   string    `json:"note"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	l, err := h.app.LogLeaving(r.Context(), route.ActorFrom(r.Context()), id, in.LeftAt, in.DueAt, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, logJSON(l))
}

func (h *Handler) internshipReturn(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	logID, err := strconv.ParseInt(r.PathValue("log"), 10, 64)
	if err != nil {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	var in struct {
		ReturnedAt time.Time `json:"returned_at"`
		Note       string    `json:"note"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	l, err := h.app.LogReturn(r.Context(), route.ActorFrom(r.Context()), id, logID, in.ReturnedAt, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, logJSON(l))
}
