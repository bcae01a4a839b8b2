package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
)

type placement struct {
	ID            int64          `json:"id"`
	InmateID      int64          `json:"inmate_id"`
	Kind          string         `json:"kind"`
	Employer      string         `json:"employer"`
	EmployerName  string         `json:"employer_name"`
	Position      string         `json:"position"`
	StartDate     binakerja.Date `json:"start_date"`
	EndDate       binakerja.Date `json:"end_date"`
	EndReason     string         `json:"end_reason,omitempty"`
	WageBand      string         `json:"wage_band,omitempty"`
	ContractType  string         `json:"contract_type,omitempty"`
	PartTime      bool           `json:"part_time"`
	ApplicationID int64          `json:"application_id,omitempty"`
	AgreementID   int64          `json:"agreement_id,omitempty"`
}

func placementJSON(p *binakerja.Placement) placement {
	return placement{ID: p.ID, InmateID: p.PersonID, Kind: string(p.Kind), Employer: p.Employer, EmployerName: p.EmployerName,
		Position: p.Position, StartDate: p.StartDate, EndDate: p.EndDate, EndReason: p.EndReason, WageBand: p.WageBand,
		ContractType: string(p.ContractType), PartTime: p.PartTime, ApplicationID: p.ApplicationID, AgreementID: p.AgreementID}
}

func (h *Handler) placementCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		InmateID      int64          `json:"inmate_id"`
		Employer      string         `json:"employer"`
		Kind          string         `json:"kind"`
		StartDate     binakerja.Date `json:"start_date"`
		Position      string         `json:"position"`
		WageBand      string         `json:"wage_band"`
		ContractType  string         `json:"contract_type"`
		PartTime      bool           `json:"part_time"`
		ApplicationID int64          `json:"application_id"`
		AgreementID   int64          `json:"agreement_id"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.app.CreatePlacement(r.Context(), route.ActorFrom(r.Context()), app.NewPlacement{PersonID: in.InmateID,
		Employer: in.Employer, Kind: binakerja.PlacementKind(in.Kind), StartDate: in.StartDate, Position: in.Position,
		WageBand: in.WageBand, ContractType: binakerja.ContractType(in.ContractType), PartTime: in.PartTime,
		ApplicationID: in.ApplicationID, AgreementID: in.AgreementID})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, placementJSON(p))
}

func (h *Handler) placementEnd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Date   binakerja.Date `json:"date"`
		Reason string         `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.app.EndPlacement(r.Context(), route.ActorFrom(r.Context()), id, in.Date, strings.ToUpper(in.Reason))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, placementJSON(p))
}

type followUp struct {
	ID          int64          `json:"id"`
	InmateID    int64          `json:"inmate_id"`
	Name        string         `json:"name"`
	Mentor      string         `json:"mentor"`
	Month       int            `json:"month"`
	DueDate     binakerja.Date `json:"due_date"`
	Status      string         `json:"status"`
	ContactDate binakerja.Date `json:"contact_date"`
	Contacted   bool           `json:"contacted"`
	Outcome     string         `json:"outcome,omitempty"`
	Confirmed   bool           `json:"employer_confirmed"`
	Employer    string         `json:"employer,omitempty"`
	Needs       string         `json:"needs,omitempty"`
	Notes       string         `json:"notes,omitempty"`
}

func followUpJSON(f *binakerja.FollowUp, today binakerja.Date, grace int) followUp {
	return followUp{ID: f.ID, InmateID: f.PersonID, Name: f.Name, Mentor: f.Mentor, Month: f.Month, DueDate: f.DueDate,
		Status: string(f.StatusOn(today, grace)), ContactDate: f.ContactDate, Contacted: f.Contacted, Outcome: string(f.Outcome),
		Confirmed: f.Confirmed, Employer: f.Employer, Needs: f.Needs, Notes: f.Notes}
}

func (h *Handler) followUpList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	fs, next, grace, err := h.app.FollowUps(r.Context(), route.ActorFrom(r.Context()), app.FollowUpQuery{Mentor: q.Get("mentor"),
		Status: binakerja.FollowUpStatus(strings.ToUpper(q.Get("status"))), Page: pg})
	if err != nil {
		return err
	}
	out := list[followUp]{Items: []followUp{}, NextCursor: next}
	for _, f := range fs {
		out.Items = append(out.Items, followUpJSON(f, h.app.Today(), grace))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) followUpRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		ContactDate binakerja.Date `json:"contact_date"`
		Contacted   *bool          `json:"contacted"`
		Outcome     string         `json:"outcome"`
		Confirmed   bool           `json:"employer_confirmed"`
		Employer    string         `json:"employer"`
		Needs       string         `json:"needs"`
		Notes       string         `json:"notes"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Contacted == nil {
		return binakerja.FieldInvalid("contacted", "field.required")
	}
	f, err := h.app.RecordFollowUp(r.Context(), route.ActorFrom(r.Context()), id, app.FollowUpInput{ContactDate: in.ContactDate,
		Contacted: *in.Contacted, Outcome: binakerja.Outcome(strings.ToUpper(in.Outcome)), Confirmed: in.Confirmed,
		Employer: in.Employer, Needs: in.Needs, Notes: in.Notes})
	if err != nil {
		return err
	}
	today := h.app.Today()
	return writeJSON(w, http.StatusOK, followUpJSON(f, today, binakerja.FollowUpRuleFor(today).GraceDays))
}

type handover struct {
	ID             int64          `json:"id"`
	InmateID       int64          `json:"inmate_id"`
	Name           string         `json:"name"`
	Facility       string         `json:"facility"`
	Mentor         string         `json:"mentor"`
	ReleaseDate    binakerja.Date `json:"release_date"`
	HandedAt       time.Time      `json:"handed_at"`
	AcknowledgedAt *time.Time     `json:"acknowledged_at"`
	Stale          bool           `json:"stale"`
}

func handoverJSON(h *binakerja.Handover, now time.Time) handover {
	out := handover{ID: h.ID, InmateID: h.PersonID, Name: h.Name, Facility: h.Facility, Mentor: h.Mentor,
		ReleaseDate: h.ReleaseDate, HandedAt: h.HandedAt, Stale: h.Stale(now, 7)}
	if !h.AcknowledgedAt.IsZero() {
		t := h.AcknowledgedAt
		out.AcknowledgedAt = &t
	}
	return out
}

func (h *Handler) handoverList(w http.ResponseWriter, r *http.Request) error {
	hs, err := h.app.Handovers(r.Context(), route.ActorFrom(r.Context()), r.URL.Query().Get("pending") == "1")
	if err != nil {
		return err
	}
	out := list[handover]{Items: []handover{}}
	now := h.app.DB().Now()
	for _, x := range hs {
		out.Items = append(out.Items, handoverJSON(x, now))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) handoverAcknowledge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := h.app.AcknowledgeHandover(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, handoverJSON(x, h.app.DB().Now()))
}

type boardRow struct {
	InmateID           int64             `json:"inmate_id"`
	Name               string            `json:"name"`
	RegistrationNumber string            `json:"registration_number"`
	ExpectedRelease    binakerja.Date    `json:"expected_release_date"`
	Readiness          string            `json:"readiness"`
	Trained            bool              `json:"trained"`
	Certified          bool              `json:"certified"`
	Internship         bool              `json:"internship_completed"`
	Consent            *bool             `json:"consent"`
	Job                string            `json:"job,omitempty"`
	Mentor             string            `json:"mentor,omitempty"`
	Documents          map[string]string `json:"documents"`
	Missing            []string          `json:"missing"`
}

// releaseBoard answers a facility's release board: everyone due out within
// days (30, 60, 90 or 180), soonest first, with their readiness.
func (h *Handler) releaseBoard(w http.ResponseWriter, r *http.Request) error {
	days := 90
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || (n != 30 && n != 60 && n != 90 && n != 180) {
			return binakerja.FieldInvalid("days", "board.days_invalid")
		}
		days = n
	}
	rows, err := h.app.ReleaseBoard(r.Context(), route.ActorFrom(r.Context()), r.PathValue("code"), days)
	if err != nil {
		return err
	}
	out := list[boardRow]{Items: []boardRow{}}
	for _, x := range rows {
		b := boardRow{InmateID: x.Inmate.ID, Name: x.Inmate.Name, RegistrationNumber: x.Inmate.Episode.RegistrationNumber,
			ExpectedRelease: x.Inmate.Episode.ExpectedRelease, Readiness: string(x.Readiness), Trained: x.Trained,
			Certified: x.Certified, Internship: x.Internship, Consent: x.Consent, Job: string(x.Job), Mentor: x.Mentor,
			Documents: map[string]string{}, Missing: []string{}}
		for k, s := range x.Documents {
			b.Documents[string(k)] = string(s)
		}
		for _, m := range x.Missing {
			b.Missing = append(b.Missing, strings.TrimPrefix(m, "board.missing."))
		}
		out.Items = append(out.Items, b)
	}
	return writeJSON(w, http.StatusOK, out)
}

// releaseDocuments replaces the documents checklist of a person in custody.
func (h *Handler) releaseDocuments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Documents map[string]string `json:"documents"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	docs := map[binakerja.DocumentKind]binakerja.DocumentStatus{}
	for k, s := range in.Documents {
		docs[binakerja.DocumentKind(k)] = binakerja.DocumentStatus(s)
	}
	ac := route.ActorFrom(r.Context())
	if err := h.app.SetReleaseDocuments(r.Context(), ac, id, docs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
