package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type caseloadData struct {
	Status    string
	FollowUps []*binakerja.FollowUp
	Handovers []*binakerja.Handover
	Grace     int
	Today     binakerja.Date
	Outcomes  []binakerja.Outcome
	CanRecord bool
	Next      string
}

// Overdue reports whether a follow-up is past its grace.
func (d caseloadData) Overdue(f *binakerja.FollowUp) bool {
	return f.StatusOn(d.Today, d.Grace) == binakerja.FollowUpOverdue
}

// Stale reports whether a hand-over waits for acknowledgement past 7 days.
func (d caseloadData) Stale(h *binakerja.Handover) bool {
	return h.Stale(d.Today.Time().AddDate(0, 0, 1), 7)
}

func (h *Handler) caseloadPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	d := caseloadData{Status: strings.ToUpper(q.Get("status")), Today: h.app.Today(), Outcomes: binakerja.Outcomes,
		CanRecord: ac.User.Can(binakerja.ActionFollowUpManage, "")}
	var next string
	var err error
	d.FollowUps, next, d.Grace, err = h.app.FollowUps(r.Context(), ac, app.FollowUpQuery{Status: binakerja.FollowUpStatus(d.Status),
		Page: store.Page{Cursor: q.Get("cursor")}})
	if err != nil {
		return err
	}
	if next != "" {
		d.Next = "/followups?" + url.Values{"status": {d.Status}, "cursor": {next}}.Encode()
	}
	if d.Handovers, err = h.app.Handovers(r.Context(), ac, true); err != nil {
		return err
	}
	p := h.newPage(w, r, "caseload.title", d)
	p.Form = orEmpty(form)
	return h.render(w, status, "caseload", p)
}

func (h *Handler) caseload(w http.ResponseWriter, r *http.Request) error {
	return h.caseloadPage(w, r, http.StatusOK, nil)
}

func (h *Handler) followUpRecord(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	var bad binakerja.Problems
	in := app.FollowUpInput{Contacted: f.Get("contacted") == "1", Outcome: binakerja.Outcome(f.Get("outcome")),
		Confirmed: f.Get("confirmed") == "1", Employer: f.Get("employer"), Needs: f.Get("needs"), Notes: f.Get("notes")}
	formDate(f, "contact_date", &in.ContactDate, &bad)
	err = bad.Err()
	if err == nil {
		_, err = h.app.RecordFollowUp(r.Context(), route.ActorFrom(r.Context()), id, in)
	}
	// The fields of each follow-up's form carry its id; the summary names
	// them by their labels.
	suffix := "-" + strconv.FormatInt(id, 10)
	rename, labels := map[string]string{}, map[string]string{}
	for field, label := range map[string]string{
		"contact_date": "caseload.contact_date",
		"contacted":    "caseload.contacted",
		"outcome":      "caseload.outcome",
		"confirmed":    "caseload.confirmed",
		"employer":     "vacancy.employer",
		"needs":        "caseload.needs",
		"notes":        "consent.note",
	} {
		rename[field], labels[field+suffix] = field+suffix, label
	}
	return h.answer(w, r, err, rename, func(form *Form) error {
		form.label(h.newPage(w, r, "", nil).Printer, labels)
		return h.caseloadPage(w, r, http.StatusUnprocessableEntity, form)
	}, "followup.saved", func() string { return "/followups" })
}

func (h *Handler) handoverAcknowledge(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.app.AcknowledgeHandover(r.Context(), route.ActorFrom(r.Context()), id); err != nil {
		form := newForm(nil)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.caseloadPage(w, r, http.StatusConflict, form)
	}
	h.flash(w, "handover.acknowledged_done")
	http.Redirect(w, r, "/followups", http.StatusSeeOther)
	return nil
}

// placementCreate records a placement from the person page (of the
// register's keepers) or the after-release page (of the mentors), and shows
// the same page again with the form's errors.
func (h *Handler) placementCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	released := strings.HasPrefix(r.URL.Path, "/released/")
	f := r.PostForm
	var bad binakerja.Problems
	in := app.NewPlacement{PersonID: id, Employer: f.Get("employer"), Kind: binakerja.PlacementKind(f.Get("kind")),
		Position: f.Get("position"), WageBand: f.Get("wage_band"), ContractType: binakerja.ContractType(f.Get("contract_type")),
		PartTime: f.Get("part_time") == "1"}
	formDate(f, "placement_start", &in.StartDate, &bad)
	err = bad.Err()
	if err == nil {
		_, err = h.app.CreatePlacement(r.Context(), route.ActorFrom(r.Context()), in)
	}
	if err != nil && !released && !route.ActorFrom(r.Context()).User.Can(binakerja.ActionInmateView, "") {
		return err // the person page is the register keepers'; a mentor records from the after-release page
	}
	again := func(form *Form) error {
		if released {
			return h.releasedPage(w, r, http.StatusUnprocessableEntity, form)
		}
		return h.inmatePage(w, r, http.StatusUnprocessableEntity, form, "")
	}
	return h.answer(w, r, err, map[string]string{"start_date": "placement_start", "inmate_id": "employer"}, again,
		"placement.saved", func() string {
			if released {
				return "/released/" + strconv.FormatInt(id, 10) + "#placements"
			}
			return "/inmates/" + strconv.FormatInt(id, 10) + "#after-release"
		})
}

// placementEnd ends an employment period from the after-release page.
func (h *Handler) placementEnd(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pid, err := strconv.ParseInt(r.PathValue("placement"), 10, 64)
	if err != nil {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	// The placement must be this person's: the page's own.
	ps, err := h.app.Placements(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ps, func(p *binakerja.Placement) bool { return p.ID == pid }) {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	f := r.PostForm
	var bad binakerja.Problems
	var end binakerja.Date
	formDate(f, "end_date", &end, &bad)
	err = bad.Err()
	if err == nil {
		_, err = h.app.EndPlacement(r.Context(), route.ActorFrom(r.Context()), pid, end, f.Get("end_reason"))
	}
	return h.answer(w, r, err, map[string]string{"date": "end_date", "reason": "end_reason"},
		func(form *Form) error { return h.releasedPage(w, r, http.StatusUnprocessableEntity, form) },
		"placement.end_saved", func() string { return "/released/" + strconv.FormatInt(id, 10) + "#placements" })
}

type releaseBoardData struct {
	Rows      []app.BoardRow
	Days      int
	Choices   []int
	Facility  string
	Status    string
	Handovers []*binakerja.Handover // the facility's hand-overs not yet acknowledged
	Today     binakerja.Date
	Kinds     []binakerja.DocumentKind
	Print     bool // every row as a sheet of its own, for printing
}

// Stale reports whether a hand-over waits for acknowledgement past 7 days.
func (d releaseBoardData) Stale(h *binakerja.Handover) bool {
	return h.Stale(d.Today.Time().AddDate(0, 0, 1), 7)
}

// PrintURL is the printout of the board as filtered, and BoardURL the
// board itself.
func (d releaseBoardData) PrintURL() string { return "/release-board/print?" + d.query() }
func (d releaseBoardData) BoardURL() string { return "/release-board?" + d.query() }

func (d releaseBoardData) query() string {
	return url.Values{"facility": {d.Facility}, "days": {strconv.Itoa(d.Days)}, "status": {d.Status}}.Encode()
}

func (h *Handler) releaseBoardData(r *http.Request) (releaseBoardData, error) {
	ac := route.ActorFrom(r.Context())
	code, _ := facilityOf(r, ac.User)
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	if days != 30 && days != 60 && days != 90 && days != 180 {
		days = 90
	}
	d := releaseBoardData{Days: days, Choices: []int{30, 60, 90, 180}, Facility: code, Status: r.URL.Query().Get("status"),
		Today: h.app.Today(), Kinds: binakerja.DocumentKinds}
	if code == "" {
		return d, nil
	}
	rows, err := h.app.ReleaseBoard(r.Context(), ac, code, days)
	if err != nil {
		return d, err
	}
	for _, row := range rows {
		if d.Status == "" || string(row.Readiness) == d.Status {
			d.Rows = append(d.Rows, row)
		}
	}
	hs, err := h.app.Handovers(r.Context(), ac, true)
	if err != nil {
		return d, err
	}
	for _, x := range hs {
		if x.Facility == code {
			d.Handovers = append(d.Handovers, x)
		}
	}
	return d, nil
}

func (h *Handler) releaseBoard(w http.ResponseWriter, r *http.Request) error {
	d, err := h.releaseBoardData(r)
	if err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "release_board", h.newPage(w, r, "board.title", d))
}

// releaseBoardPrint prints the board's rows one sheet a page.
func (h *Handler) releaseBoardPrint(w http.ResponseWriter, r *http.Request) error {
	d, err := h.releaseBoardData(r)
	if err != nil {
		return err
	}
	d.Print = true
	return h.render(w, http.StatusOK, "release_sheets", h.newPage(w, r, "board.print_title", d))
}

type releaseSheetData struct {
	Rows  []app.BoardRow
	Kinds []binakerja.DocumentKind
	Today binakerja.Date
	Print bool
}

func (h *Handler) releaseSheetPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	row, err := h.app.ReleaseSheet(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	p := h.newPage(w, r, "board.sheet_title", releaseSheetData{Rows: []app.BoardRow{row}, Kinds: binakerja.DocumentKinds, Today: h.app.Today()})
	p.Title = row.Inmate.Name
	p.Form = orEmpty(form)
	return h.render(w, status, "release_sheets", p)
}

func (h *Handler) releaseSheet(w http.ResponseWriter, r *http.Request) error {
	return h.releaseSheetPage(w, r, http.StatusOK, nil)
}

// releaseDocuments records the documents checklist of a sheet.
func (h *Handler) releaseDocuments(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	docs := map[binakerja.DocumentKind]binakerja.DocumentStatus{}
	for _, k := range binakerja.DocumentKinds {
		if v := r.PostForm.Get("doc_" + string(k)); v != "" {
			docs[k] = binakerja.DocumentStatus(v)
		}
	}
	err = h.app.SetReleaseDocuments(r.Context(), route.ActorFrom(r.Context()), id, docs)
	return h.answer(w, r, err, map[string]string{"documents": "doc_KTP"}, func(form *Form) error {
		return h.releaseSheetPage(w, r, http.StatusUnprocessableEntity, form)
	},
		"board.documents_saved", func() string { return "/release-board/" + strconv.FormatInt(id, 10) })
}
