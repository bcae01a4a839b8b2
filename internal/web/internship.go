package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type boardData struct {
	*app.InternshipBoard
	Facilities []binakerja.Grant  // the facilities one may choose among
	Candidates []binakerja.Inmate // eligible today, holding no internship
	NotYet     []binakerja.Inmate // not (yet) eligible: the refusal will name the rules
	Agreements []*binakerja.Agreement
	Hosts      []binakerja.AgreementParty
	Recent     []*binakerja.Internship // completed or ended lately
	Now        string
}

// facilityOf returns the facility of the board: the one asked for, or the
// first the user works at.
func facilityOf(r *http.Request, u *binakerja.User) (string, []binakerja.Grant) {
	var gs []binakerja.Grant
	for _, g := range u.Grants {
		if g.Role == binakerja.RoleFacilityOfficer || (g.Role == binakerja.RoleAdmin && !g.SystemWide()) {
			gs = append(gs, g)
		}
	}
	if f := r.URL.Query().Get("facility"); f != "" {
		return f, gs
	}
	if len(gs) > 0 {
		return gs[0].Org, gs
	}
	return "", gs
}

func (h *Handler) boardPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	code, grants := facilityOf(r, ac.User)
	if code == "" {
		return h.render(w, http.StatusOK, "internship_board", h.newPage(w, r, "internship.board.title", boardData{}))
	}
	b, err := h.app.Board(r.Context(), ac, code)
	if err != nil {
		return err
	}
	d := boardData{InternshipBoard: b, Facilities: grants, Now: time.Now().In(wib).Format("2006-01-02T15:04")}
	today := h.app.Today()
	people, _, err := h.app.Inmates(r.Context(), ac, app.InmateQuery{Facility: code, InCustody: true, ReleaseFrom: today,
		ReleaseTo: today.AddDate(2, 0, 0), Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return err
	}
	holding := map[int64]bool{}
	for _, it := range b.Current {
		holding[it.PersonID] = true
	}
	for _, person := range people {
		if holding[person.ID] {
			continue
		}
		el, err := h.app.InternshipCheck(r.Context(), ac, person.ID, today)
		if err != nil {
			return err
		}
		if len(el.Bars) == 0 {
			d.Candidates = append(d.Candidates, person)
		} else {
			d.NotYet = append(d.NotYet, person)
		}
	}
	for _, st := range []binakerja.InternshipStatus{binakerja.InternshipCompleted, binakerja.InternshipEnded} {
		its, _, err := h.app.Internships(r.Context(), ac, store.InternshipFilter{Facility: code, Status: st, Page: store.Page{Limit: 20}})
		if err != nil {
			return err
		}
		d.Recent = append(d.Recent, its...)
	}
	ags, _, err := h.app.Agreements(r.Context(), ac, app.AgreementListFilter{Party: code, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, ag := range ags {
		if _, ok := ag.Commitment(binakerja.CommitInternships); !ok || ag.StatusOn(today) != binakerja.AgreementActive {
			continue
		}
		d.Agreements = append(d.Agreements, ag)
		for _, p := range ag.Parties {
			if p.Kind == binakerja.OrgEmployer && !seen[p.Code] {
				seen[p.Code] = true
				d.Hosts = append(d.Hosts, p)
			}
		}
	}
	p := h.newPage(w, r, "internship.board.title", d)
	p.Form = form
	if p.Form == nil {
		p.Form = newForm(url.Values{"inmate_id": {r.URL.Query().Get("inmate")}})
	}
	return h.render(w, status, "internship_board", p)
}

func (h *Handler) internshipBoard(w http.ResponseWriter, r *http.Request) error {
	return h.boardPage(w, r, http.StatusOK, nil)
}

func (h *Handler) internshipCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	var bad binakerja.Problems
	in := app.NewInternship{Host: f.Get("host"), Supervisor: f.Get("supervisor"), Officer: f.Get("officer"), Schedule: f.Get("schedule")}
	in.PersonID = formInt(f, "inmate_id", &bad)
	in.AgreementID = formInt(f, "agreement_id", &bad)
	formDate(f, "start_date", &in.StartDate, &bad)
	formDate(f, "end_date", &in.EndDate, &bad)
	err := bad.Err()
	var it *binakerja.Internship
	if err == nil {
		it, err = h.app.CreateInternship(r.Context(), route.ActorFrom(r.Context()), in)
	}
	return h.answer(w, r, err, nil, func(form *Form) error { return h.boardPage(w, r, http.StatusUnprocessableEntity, form) },
		"internship.created", func() string { return "/internships/" + strconv.FormatInt(it.ID, 10) })
}

type internshipPageData struct {
	*app.InternshipDetail
	Units       []binakerja.Unit
	Results     map[string]binakerja.UnitResult
	CanManage   bool
	CanEval     bool
	Moves       []binakerja.InternshipStatus
	OutNow      bool // a day's leaving is logged and the return is not
	LoggedToday bool // today's leaving is logged (one a day)
	Now         string
	Due         string
	Today       binakerja.Date
}

func (h *Handler) internshipPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.app.Internship(r.Context(), ac, id)
	if err != nil {
		return err
	}
	now := time.Now().In(wib)
	data := internshipPageData{InternshipDetail: d, Results: map[string]binakerja.UnitResult{},
		CanManage: ac.User.Can(binakerja.ActionInternshipManage, d.FacilityPath),
		CanEval:   ac.User.Can(binakerja.ActionInternshipEval, d.FacilityPath) || ac.User.Can(binakerja.ActionInternshipEval, d.HostPath),
		Now:       now.Format("2006-01-02T15:04"), Due: time.Date(now.Year(), now.Month(), now.Day(), 17, 0, 0, 0, wib).Format("2006-01-02T15:04"),
		Today: h.app.Today()}
	for _, to := range binakerja.InternshipStatuses {
		if ok, _ := d.Status.CanMove(to); ok {
			data.Moves = append(data.Moves, to)
		}
	}
	for _, u := range d.Evaluation {
		data.Results[u.Unit] = u.Result
	}
	for _, l := range d.Logs {
		if l.Returned.IsZero() {
			data.OutNow = true
		}
		if l.Date.Equal(data.Today) {
			data.LoggedToday = true
		}
	}
	if data.CanEval {
		if data.Units, err = h.app.InternshipUnits(r.Context(), ac, id); err != nil {
			return err
		}
	}
	p := h.newPage(w, r, "internship.title", data)
	p.Title = d.Name
	p.Form = form
	if p.Form == nil {
		p.Form = newForm(url.Values{"eval_note": {d.EvalNote}})
	}
	return h.render(w, status, "internship", p)
}

func (h *Handler) internshipShow(w http.ResponseWriter, r *http.Request) error {
	return h.internshipPage(w, r, http.StatusOK, nil)
}

// afterInternship answers a form on the internship page: back to it with a
// flash, or the page again with the form's errors.
func (h *Handler) afterInternship(w http.ResponseWriter, r *http.Request, id int64, err error, done string) error {
	if err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.internshipPage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, done)
	http.Redirect(w, r, "/internships/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func (h *Handler) internshipStatus(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	_, err = h.app.ChangeInternship(r.Context(), route.ActorFrom(r.Context()), id,
		binakerja.InternshipStatus(r.PostForm.Get("status")), r.PostForm.Get("reason"))
	return h.afterInternship(w, r, id, err, "internship.moved")
}

// localTime reads a datetime-local field (western Indonesian time).
func localTime(f url.Values, name string, bad *binakerja.Problems) time.Time {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", s, wib)
	if err != nil {
		bad.Add(name, "form.datetime")
	}
	return t
}

func (h *Handler) internshipLeave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var bad binakerja.Problems
	left, due := localTime(r.PostForm, "left_at", &bad), localTime(r.PostForm, "due_at", &bad)
	err = bad.Err()
	if err == nil {
		_, err = h.app.LogLeaving(r.Context(), route.ActorFrom(r.Context()), id, left, due, r.PostForm.Get("note"))
	}
	return h.afterInternship(w, r, id, err, "internship.left")
}

func (h *Handler) internshipReturn(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	logID, _ := strconv.ParseInt(r.PathValue("log"), 10, 64)
	var bad binakerja.Problems
	back := localTime(r.PostForm, "returned_at", &bad)
	err = bad.Err()
	var l *binakerja.InternshipLog
	if err == nil {
		l, err = h.app.LogReturn(r.Context(), route.ActorFrom(r.Context()), id, logID, back, r.PostForm.Get("note"))
	}
	done := "internship.returned"
	if err == nil && l.Late {
		done = "internship.returned_late"
	}
	if err == nil && r.PostForm.Get("from") == "board" {
		h.flash(w, done)
		http.Redirect(w, r, "/internships", http.StatusSeeOther)
		return nil
	}
	return h.afterInternship(w, r, id, err, done)
}

func (h *Handler) internshipEvaluation(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var units []binakerja.UnitEvaluation
	for k, v := range r.PostForm {
		if code, ok := strings.CutPrefix(k, "unit_"); ok && len(v) > 0 && v[0] != "" {
			units = append(units, binakerja.UnitEvaluation{Unit: code, Result: binakerja.UnitResult(v[0])})
		}
	}
	_, err = h.app.RecordEvaluation(r.Context(), route.ActorFrom(r.Context()), id, units, r.PostForm.Get("eval_note"),
		r.PostForm.Get("job_offer") == "1")
	return h.afterInternship(w, r, id, err, "internship.evaluated")
}
