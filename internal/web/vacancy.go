package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"binakerja"
	"binakerja/internal/api"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type vacancyListData struct {
	Vacancies  []store.VacancyItem
	Query      string
	Status     string
	Next       string
	CanCreate  bool
	Employers  []*binakerja.Organization // the employers one may post for
	Contracts  []binakerja.ContractType
	Statuses   []binakerja.VacancyStatus
	Agreements []*binakerja.Agreement
}

func (h *Handler) vacancyListPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	d := vacancyListData{Query: q.Get("q"), Status: q.Get("status"), CanCreate: ac.User.Can(binakerja.ActionVacancyManage, ""),
		Contracts: binakerja.ContractTypes, Statuses: binakerja.VacancyStatuses}
	vs, next, err := h.app.Vacancies(r.Context(), ac, store.VacancyFilter{Query: d.Query,
		Status: binakerja.VacancyStatus(d.Status), Page: store.Page{Cursor: q.Get("cursor")}})
	if err != nil {
		return err
	}
	d.Vacancies = vs
	if next != "" {
		d.Next = "/vacancies?" + url.Values{"q": {d.Query}, "status": {d.Status}, "cursor": {next}}.Encode()
	}
	if d.CanCreate {
		if d.Employers, _, err = h.app.Partners(r.Context(), ac, app.PartnerFilter{Page: store.Page{Limit: store.MaxLimit}}); err != nil {
			return err
		}
		if ac.User.Can(binakerja.ActionAgreementView, "") {
			if d.Agreements, _, err = h.app.Agreements(r.Context(), ac, app.AgreementListFilter{Page: store.Page{Limit: 100}}); err != nil {
				return err
			}
		}
	}
	p := h.newPage(w, r, "vacancy.list.title", d)
	p.Form = form
	if p.Form == nil {
		p.Form = newForm(url.Values{"region_code": {""}})
	}
	return h.render(w, status, "vacancy_list", p)
}

func (h *Handler) vacancyList(w http.ResponseWriter, r *http.Request) error {
	return h.vacancyListPage(w, r, http.StatusOK, nil)
}

// vacancyFromForm reads a vacancy's fields from a form.
func vacancyFromForm(f url.Values, bad *binakerja.Problems) binakerja.Vacancy {
	v := binakerja.Vacancy{Employer: f.Get("employer"), Title: f.Get("title"), Description: f.Get("description"),
		KBJICode: f.Get("kbji_code"), RequiredUnits: lines(f.Get("required_units")), OptionalUnits: lines(f.Get("optional_units")),
		RegionCode: f.Get("region_code"), ContractType: binakerja.ContractType(f.Get("contract_type")),
		Status: binakerja.VacancyStatus(f.Get("status"))}
	v.AgreementID = formInt(f, "agreement_id", bad)
	v.KKNILevel = int(formInt(f, "kkni_level", bad))
	v.Places = int(formInt(f, "places", bad))
	v.WageMin = formInt(f, "wage_min", bad)
	v.WageMax = formInt(f, "wage_max", bad)
	formDate(f, "start_date", &v.StartDate, bad)
	formDate(f, "closing_date", &v.ClosingDate, bad)
	v.Version, _ = strconv.Atoi(f.Get("version"))
	return v
}

func (h *Handler) vacancyCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	var bad binakerja.Problems
	v := vacancyFromForm(f, &bad)
	if ac := route.ActorFrom(r.Context()); v.Employer == "" && ac.User.Has(binakerja.RoleEmployer) {
		for _, g := range ac.User.Grants {
			if g.Role == binakerja.RoleEmployer {
				v.Employer = g.Org
			}
		}
	}
	err := bad.Err()
	var out *binakerja.Vacancy
	if err == nil {
		out, err = h.app.CreateVacancy(r.Context(), route.ActorFrom(r.Context()), app.NewVacancy{Vacancy: v,
			RequiredSchemes: lines(f.Get("required_schemes"))})
	}
	return h.answer(w, r, err, nil, func(form *Form) error { return h.vacancyListPage(w, r, http.StatusUnprocessableEntity, form) },
		"vacancy.created", func() string { return "/vacancies/" + strconv.FormatInt(out.ID, 10) })
}

// MatchRow is one candidate on the vacancy page, with why in plain words.
type MatchRow struct {
	binakerja.Match
	Why         string
	Application binakerja.ApplicationStatus
}

type vacancyPageData struct {
	Vacancy      *binakerja.Vacancy
	Matches      []MatchRow
	KnockedOut   []app.KnockedOut
	ForStaff     bool
	Applications []*binakerja.Application
	CanPropose   bool
	CanEdit      bool
	Contracts    []binakerja.ContractType
	Statuses     []binakerja.VacancyStatus
	Rule         string
	Today        binakerja.Date
}

func (h *Handler) vacancyPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := h.app.Vacancy(r.Context(), ac, id)
	if err != nil {
		return err
	}
	d := vacancyPageData{Vacancy: v, Contracts: binakerja.ContractTypes, Statuses: binakerja.VacancyStatuses, Today: h.app.Today(),
		CanEdit:    ac.User.Can(binakerja.ActionVacancyManage, v.EmployerPath) || ac.User.Can(binakerja.ActionVacancyManage, v.OfficePath),
		CanPropose: ac.User.Can(binakerja.ActionApplicationManage, v.OfficePath) && v.Status == binakerja.VacancyOpen}
	p := h.newPage(w, r, "vacancy.title", d)
	if ac.User.Can(binakerja.ActionMatchView, "") {
		m, err := h.app.Match(r.Context(), ac, id, 20)
		if err != nil {
			return err
		}
		d.ForStaff, d.KnockedOut, d.Rule = m.ForStaff, m.KnockedOut, m.Rule.Version
		for _, it := range m.Items {
			d.Matches = append(d.Matches, MatchRow{Match: it, Why: api.MatchWhy(p.Printer, it, v, d.Today, !m.ForStaff),
				Application: m.Proposed[it.Facts.PersonID]})
		}
	}
	if d.Applications, err = h.app.Applications(r.Context(), ac, id); err != nil {
		return err
	}
	p.Data = d
	p.Title = v.Title
	p.Form = form
	if p.Form == nil {
		p.Form = newForm(url.Values{
			"title": {v.Title}, "description": {v.Description}, "kbji_code": {v.KBJICode},
			"required_units": {strings.Join(v.RequiredUnits, "\n")}, "optional_units": {strings.Join(v.OptionalUnits, "\n")},
			"kkni_level": {strconv.Itoa(v.KKNILevel)}, "places": {strconv.Itoa(v.Places)}, "region_code": {v.RegionCode},
			"wage_min": {strconv.FormatInt(v.WageMin, 10)}, "wage_max": {strconv.FormatInt(v.WageMax, 10)},
			"contract_type": {string(v.ContractType)}, "start_date": {v.StartDate.String()}, "closing_date": {v.ClosingDate.String()},
			"status": {string(v.Status)}})
	}
	return h.render(w, status, "vacancy_show", p)
}

func (h *Handler) vacancyShow(w http.ResponseWriter, r *http.Request) error {
	return h.vacancyPage(w, r, http.StatusOK, nil)
}

func (h *Handler) vacancyUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	var bad binakerja.Problems
	v := vacancyFromForm(f, &bad)
	err = bad.Err()
	if err == nil {
		_, err = h.app.UpdateVacancy(r.Context(), route.ActorFrom(r.Context()), id, v)
	}
	return h.answer(w, r, err, nil, func(form *Form) error { return h.vacancyPage(w, r, http.StatusUnprocessableEntity, form) },
		"vacancy.saved", func() string { return "/vacancies/" + strconv.FormatInt(id, 10) })
}

func (h *Handler) vacancyPropose(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	person, _ := strconv.ParseInt(r.PostForm.Get("inmate_id"), 10, 64)
	if _, err := h.app.Propose(r.Context(), route.ActorFrom(r.Context()), id, person); err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.vacancyPage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "application.proposed")
	http.Redirect(w, r, "/vacancies/"+strconv.FormatInt(id, 10)+"#applications", http.StatusSeeOther)
	return nil
}

type applicationPageData struct {
	*app.JobCandidate
	Next     []binakerja.ApplicationStatus
	Employer bool
}

func (h *Handler) applicationPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := h.app.ApplicationCandidate(r.Context(), ac, id)
	if err != nil {
		return err
	}
	d := applicationPageData{JobCandidate: c}
	employer := ac.User.Has(binakerja.RoleEmployer) && !ac.User.Has(binakerja.RoleLabourOfficer) && !ac.User.Has(binakerja.RoleAdmin)
	d.Employer = employer
	for _, to := range c.Application.Status.NextStatuses() {
		mv, _ := binakerja.ApplicationMoveOf(c.Application.Status, to)
		for _, g := range ac.User.Grants {
			if mv.Allows(g.Role) {
				d.Next = append(d.Next, to)
				break
			}
		}
	}
	p := h.newPage(w, r, "application.title", d)
	if !c.Withdrawn {
		p.Title = c.Name
	}
	p.Form = orEmpty(form)
	return h.render(w, status, "application", p)
}

func (h *Handler) applicationShow(w http.ResponseWriter, r *http.Request) error {
	return h.applicationPage(w, r, http.StatusOK, nil)
}

func (h *Handler) applicationStatus(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	_, err = h.app.MoveApplication(r.Context(), route.ActorFrom(r.Context()), id,
		binakerja.ApplicationStatus(r.PostForm.Get("status")), r.PostForm.Get("reason"))
	return h.answer(w, r, err, nil, func(form *Form) error { return h.applicationPage(w, r, http.StatusUnprocessableEntity, form) },
		"application.moved", func() string { return "/applications/" + strconv.FormatInt(id, 10) })
}

func (h *Handler) consentRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// The form may carry a scan of the signed consent: read whole in memory
	// (at most the document limit), never spooled to disk.
	r.Body = http.MaxBytesReader(w, r.Body, binakerja.MaxDocumentSize+1<<20)
	var scan []byte
	var scanType string
	var bad binakerja.Problems
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// #nosec G120 -- the body is capped above at what ParseMultipartForm keeps in memory: nothing is spooled
		if err := r.ParseMultipartForm(binakerja.MaxDocumentSize + 1<<20); err != nil {
			bad.Add("form", "document.too_large", binakerja.MaxDocumentSize>>20)
		} else if file, hdr, err := r.FormFile("consent_form"); err == nil {
			scan, err = io.ReadAll(io.LimitReader(file, binakerja.MaxDocumentSize+1))
			file.Close()
			if err != nil {
				return err
			}
			scanType = hdr.Header.Get("Content-Type")
		}
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
	} else if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.Form
	var date binakerja.Date
	formDate(f, "consent_date", &date, &bad)
	err = bad.Err()
	if err == nil {
		_, _, err = h.app.RecordConsent(r.Context(), route.ActorFrom(r.Context()), id, app.ConsentInput{
			Given: f.Get("given") == "1", Date: date, Note: f.Get("consent_note"), Form: scan, FormType: scanType})
	}
	if err != nil {
		form := newForm(f)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, map[string]string{"date": "consent_date", "note": "consent_note"}) {
			return err
		}
		return h.inmatePage(w, r, http.StatusUnprocessableEntity, form, "")
	}
	if f.Get("given") == "1" {
		h.flash(w, "consent.given")
	} else {
		h.flash(w, "consent.withdrawn")
	}
	http.Redirect(w, r, "/inmates/"+strconv.FormatInt(id, 10)+"#consent", http.StatusSeeOther)
	return nil
}

func (h *Handler) custodyFacts(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	var bad binakerja.Problems
	var cf binakerja.CustodyFacts
	cf.Offence = binakerja.OffenceGroup(f.Get("offence_group"))
	formDate(f, "last_discipline", &cf.LastDiscipline, &bad)
	err = bad.Err()
	if err == nil {
		_, err = h.app.SetCustodyFacts(r.Context(), route.ActorFrom(r.Context()), id, cf)
	}
	return h.answer(w, r, err, nil, func(form *Form) error { return h.inmatePage(w, r, http.StatusUnprocessableEntity, form, "") },
		"custody_facts.saved", func() string { return "/inmates/" + strconv.FormatInt(id, 10) + "#custody-facts" })
}

// employerHomeData is the employer's portal on its home page: its
// agreements and their progress, its vacancies, the candidates proposed to
// it awaiting a decision, and the interns it hosts.
type employerHomeData struct {
	Org         *binakerja.Organization
	Agreements  []*binakerja.Agreement
	Vacancies   []store.VacancyItem
	Open        []*binakerja.Application
	Internships []*binakerja.Internship
	Today       binakerja.Date
}

func (h *Handler) employerHome(r *http.Request) (*employerHomeData, error) {
	ac := route.ActorFrom(r.Context())
	var code string
	for _, g := range ac.User.Grants {
		if g.Role == binakerja.RoleEmployer {
			code = g.Org
			break
		}
	}
	if code == "" {
		return nil, nil
	}
	ctx := r.Context()
	d := &employerHomeData{Today: h.app.Today()}
	var err error
	if d.Org, err = h.app.Partner(ctx, ac, code); err != nil {
		return nil, err
	}
	if d.Agreements, _, err = h.app.Agreements(ctx, ac, app.AgreementListFilter{Party: code, Page: store.Page{Limit: 50}}); err != nil {
		return nil, err
	}
	if d.Vacancies, _, err = h.app.Vacancies(ctx, ac, store.VacancyFilter{Employer: code, Page: store.Page{Limit: 50}}); err != nil {
		return nil, err
	}
	if d.Open, _, err = h.app.EmployerApplications(ctx, ac, code, true, store.Page{Limit: 100}); err != nil {
		return nil, err
	}
	if d.Internships, _, err = h.app.Internships(ctx, ac, store.InternshipFilter{Host: code, Page: store.Page{Limit: 50}}); err != nil {
		return nil, err
	}
	return d, nil
}
