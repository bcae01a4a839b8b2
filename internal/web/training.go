package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type trainingData struct {
	Cohorts    []*binakerja.Cohort
	Next       string
	Programs   []*binakerja.Program
	Facilities []*binakerja.Organization
	Bodies     []*binakerja.Organization
	CanPlan    bool
	CanEnroll  bool
	CanAssess  bool
}

// trainingPage lists the cohorts within reach, with the form to plan one.
func (h *Handler) trainingPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	cs, next, err := h.app.Cohorts(r.Context(), ac, store.CohortFilter{Page: store.Page{Cursor: q.Get("cursor")}})
	if err != nil {
		return err
	}
	if next != "" {
		next = "/training?" + url.Values{"cursor": {next}}.Encode()
	}
	d := trainingData{Cohorts: cs, Next: next, CanPlan: ac.User.Can(binakerja.ActionCohortManage, ""),
		CanEnroll: ac.User.Can(binakerja.ActionEnrollmentManage, ""), CanAssess: ac.User.Can(binakerja.ActionAssessmentManage, "")}
	if d.CanPlan {
		if d.Programs, _, err = h.app.Programs(r.Context(), ac, store.Page{Limit: store.MaxLimit}); err != nil {
			return err
		}
		if d.Facilities, err = h.app.Facilities(r.Context(), ac); err != nil {
			return err
		}
		if d.Bodies, err = h.app.CertificationBodies(r.Context(), ac); err != nil {
			return err
		}
	}
	p := h.newPage(w, r, "training.title", d)
	p.Form = form
	return h.render(w, status, "training", p)
}

func (h *Handler) trainingList(w http.ResponseWriter, r *http.Request) error {
	return h.trainingPage(w, r, http.StatusOK, newForm(nil))
}

func (h *Handler) cohortCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	form := newForm(f)
	p := h.newPage(w, r, "", nil)
	in := app.NewCohort{Program: f.Get("program"), Facility: f.Get("facility"), Instructors: strings.Split(f.Get("instructors"), "\n"),
		CertificationBody: f.Get("certification_body")}
	in.Capacity, _ = strconv.Atoi(f.Get("capacity"))
	var bad binakerja.Problems
	for name, dst := range map[string]*binakerja.Date{"start_date": &in.StartDate, "end_date": &in.EndDate} {
		if v, err := binakerja.ParseISODate(f.Get(name)); err == nil {
			*dst = v
		} else if f.Get(name) != "" {
			bad.Add(name, "date.format")
		}
	}
	err := bad.Err()
	var c *binakerja.Cohort
	if err == nil {
		c, err = h.app.CreateCohort(r.Context(), route.ActorFrom(r.Context()), in)
	}
	if err != nil {
		if !form.fail(p.Printer, err, nil) {
			return err
		}
		return h.trainingPage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "cohort.created")
	http.Redirect(w, r, "/training/cohorts/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
	return nil
}

type cohortPageData struct {
	*app.CohortDetail
	Bodies     []*binakerja.Organization // to engage, for those who may
	Sessions   []*binakerja.Session
	Candidates []app.Candidate
	Shown      int
	Hidden     int
}

func (h *Handler) cohortPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.app.Cohort(r.Context(), ac, id)
	if err != nil {
		return err
	}
	cands, err := h.app.Candidates(r.Context(), ac, id)
	if err != nil {
		return err
	}
	data := cohortPageData{CohortDetail: d}
	if ac.User.Can(binakerja.ActionCohortManage, "") {
		if data.Bodies, err = h.app.CertificationBodies(r.Context(), ac); err != nil {
			return err
		}
	}
	if data.Sessions, err = h.app.Sessions(r.Context(), ac, id); err != nil {
		return err
	}
	for _, c := range cands {
		if len(data.Candidates) < 50 {
			data.Candidates = append(data.Candidates, c)
		} else {
			data.Hidden++
		}
	}
	p := h.newPage(w, r, "cohort.title", data)
	p.Title = d.ProgramTitle
	p.Form = form
	if p.Form == nil {
		p.Form = newForm(nil)
	}
	return h.render(w, status, "cohort", p)
}

func (h *Handler) cohortShow(w http.ResponseWriter, r *http.Request) error {
	return h.cohortPage(w, r, http.StatusOK, nil)
}

func (h *Handler) cohortEnroll(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	person, _ := strconv.ParseInt(r.PostForm.Get("inmate_id"), 10, 64)
	_, err = h.app.Enroll(r.Context(), route.ActorFrom(r.Context()), id, person, r.PostForm.Get("waitlist") == "1")
	if err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.cohortPage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "enrollment.created")
	http.Redirect(w, r, "/training/cohorts/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func (h *Handler) enrollmentChange(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := h.app.ChangeEnrollment(r.Context(), route.ActorFrom(r.Context()), id,
		binakerja.EnrollmentStatus(r.PostForm.Get("status")), r.PostForm.Get("reason"))
	cohort := r.PostForm.Get("cohort")
	if err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		r.SetPathValue("id", cohort)
		return h.cohortPage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "enrollment.changed")
	http.Redirect(w, r, "/training/cohorts/"+strconv.FormatInt(e.CohortID, 10), http.StatusSeeOther)
	return nil
}

type catalogueData struct {
	Schemes   []*binakerja.Scheme
	Programs  []*binakerja.Program
	CanScheme bool
	CanProg   bool
	Providers []*binakerja.Organization
}

func (h *Handler) cataloguePage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	d := catalogueData{CanScheme: ac.User.Can(binakerja.ActionSchemeManage, ""), CanProg: ac.User.Can(binakerja.ActionProgramManage, "")}
	var err error
	if d.Schemes, _, err = h.app.Schemes(r.Context(), ac, store.Page{Limit: store.MaxLimit}); err != nil {
		return err
	}
	for i, s := range d.Schemes {
		if d.Schemes[i], err = h.app.Scheme(r.Context(), ac, s.Code); err != nil {
			return err
		}
	}
	if d.Programs, _, err = h.app.Programs(r.Context(), ac, store.Page{Limit: store.MaxLimit}); err != nil {
		return err
	}
	if d.CanProg {
		orgs, _, err := h.app.Organizations(r.Context(), ac, store.OrgFilter{Page: store.Page{Limit: store.MaxLimit}})
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.Kind == binakerja.OrgTrainingProvider || o.Kind == binakerja.OrgLabourOffice || o.Kind == binakerja.OrgFacility {
				d.Providers = append(d.Providers, o)
			}
		}
	}
	p := h.newPage(w, r, "catalogue.title", d)
	p.Form = form
	return h.render(w, status, "catalogue", p)
}

func (h *Handler) catalogue(w http.ResponseWriter, r *http.Request) error {
	return h.cataloguePage(w, r, http.StatusOK, newForm(nil))
}

// parseUnits reads the units box: one unit a line, "CODE title" or
// "CODE | title" or "CODE; title".
func parseUnits(s string) []binakerja.Unit {
	var out []binakerja.Unit
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		code, title, ok := strings.Cut(line, "|")
		if !ok {
			code, title, ok = strings.Cut(line, ";")
		}
		if !ok {
			code, title, _ = strings.Cut(line, " ")
		}
		out = append(out, binakerja.Unit{Code: strings.TrimSpace(code), Title: strings.TrimSpace(title)})
	}
	return out
}

func (h *Handler) schemeCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	level, _ := strconv.Atoi(f.Get("kkni_level"))
	years, _ := strconv.Atoi(f.Get("validity_years"))
	_, err := h.app.CreateScheme(r.Context(), route.ActorFrom(r.Context()), &binakerja.Scheme{Code: f.Get("code"),
		Title: f.Get("title"), KKNILevel: level, KBJICode: f.Get("kbji_code"), ValidityYears: years, Units: parseUnits(f.Get("units"))})
	if err != nil {
		form := newForm(f)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		for k, v := range form.Errors {
			if strings.HasPrefix(k, "units[") {
				form.Errors["units"] = v
			}
		}
		return h.cataloguePage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "scheme.created")
	http.Redirect(w, r, "/training/catalogue", http.StatusSeeOther)
	return nil
}

func (h *Handler) programCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	hours, _ := strconv.Atoi(f.Get("hours"))
	_, err := h.app.CreateProgram(r.Context(), route.ActorFrom(r.Context()), &binakerja.Program{Code: f.Get("program_code"),
		Title: f.Get("program_title"), Provider: f.Get("provider"), Scheme: f.Get("scheme"), Hours: hours, SkillArea: f.Get("skill_area")})
	if err != nil {
		form := newForm(f)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, map[string]string{"code": "program_code", "title": "program_title"}) {
			return err
		}
		return h.cataloguePage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "program.created")
	http.Redirect(w, r, "/training/catalogue", http.StatusSeeOther)
	return nil
}

// schemeImport takes a scheme file uploaded on the catalogue page.
func (h *Handler) schemeImport(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<20)
	// #nosec G120 -- the body is capped above at what ParseMultipartForm keeps in memory: nothing is spooled
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return binakerja.Errorf(binakerja.BadRequest, "form.malformed")
	}
	defer r.MultipartForm.RemoveAll()
	p := h.newPage(w, r, "", nil)
	form := newForm(nil)
	file, _, err := r.FormFile("schemes_file")
	if err != nil {
		form.fail(p.Printer, binakerja.FieldInvalid("schemes_file", "import.file.choose"), nil)
		return h.cataloguePage(w, r, http.StatusUnprocessableEntity, form)
	}
	defer file.Close()
	_, problems, err := h.app.ImportSchemes(r.Context(), route.ActorFrom(r.Context()), func() (io.ReadCloser, error) {
		return io.NopCloser(file), nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, pr := range problems {
			msg := p.T(pr.Key, pr.Args...)
			if pr.Line > 0 {
				msg = p.T("import.error.at", pr.Line, pr.Field) + " " + msg
			}
			form.Summary = append(form.Summary, FieldMessage{Message: msg})
		}
		return h.cataloguePage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "scheme.imported")
	http.Redirect(w, r, "/training/catalogue", http.StatusSeeOther)
	return nil
}

// cohortEngageBody engages a certification body for the cohort.
func (h *Handler) cohortEngageBody(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.app.EngageBody(r.Context(), route.ActorFrom(r.Context()), id, r.PostForm.Get("certification_body")); err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.cohortPage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "cohort.body_engaged")
	http.Redirect(w, r, "/training/cohorts/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
