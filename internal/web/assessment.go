package web

import (
	"net/http"
	"strconv"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
)

type cohortAssessmentsData struct {
	SiteTypes   []string
	Cohort      *binakerja.Cohort
	Assessments []*binakerja.Assessment
}

// cohortAssessments lists a cohort's assessments, with the form to hold one.
func (h *Handler) cohortAssessmentsPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d := cohortAssessmentsData{SiteTypes: binakerja.SiteTypes}
	if d.Cohort, d.Assessments, err = h.app.AssessmentsOf(r.Context(), ac, id); err != nil {
		return err
	}
	p := h.newPage(w, r, "assessment.list.title", d)
	p.Form = form
	if form.Value("assessor_name") == "" && form.Value("date") == "" {
		form.Values.Set("assessor_name", ac.User.Name)
	}
	return h.render(w, status, "cohort_assessments", p)
}

func (h *Handler) cohortAssessments(w http.ResponseWriter, r *http.Request) error {
	return h.cohortAssessmentsPage(w, r, http.StatusOK, newForm(map[string][]string{}))
}

func (h *Handler) assessmentCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	date, derr := binakerja.ParseISODate(f.Get("date"))
	var as *binakerja.Assessment
	if derr != nil {
		err = binakerja.FieldInvalid("date", "date.format")
	} else {
		as, err = h.app.CreateAssessment(r.Context(), route.ActorFrom(r.Context()), app.NewAssessment{CohortID: id,
			CertificationBody: f.Get("certification_body"), AssessorName: f.Get("assessor_name"),
			AssessorNumber: f.Get("assessor_number"), SiteType: f.Get("site_type"), SiteName: f.Get("site_name"), Date: date})
	}
	if err != nil {
		form := newForm(f)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.cohortAssessmentsPage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "assessment.created")
	http.Redirect(w, r, "/assessments/"+strconv.FormatInt(as.ID, 10), http.StatusSeeOther)
	return nil
}

type assessmentPageData struct {
	*app.AssessmentDetail
	Issued *binakerja.Certificate
}

func (h *Handler) assessmentPage(w http.ResponseWriter, r *http.Request, status int, form *Form, issued *binakerja.Certificate) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.app.Assessment(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	p := h.newPage(w, r, "assessment.title", assessmentPageData{AssessmentDetail: d, Issued: issued})
	p.Form = form
	if p.Form == nil {
		p.Form = newForm(nil)
	}
	return h.render(w, status, "assessment", p)
}

func (h *Handler) assessmentShow(w http.ResponseWriter, r *http.Request) error {
	return h.assessmentPage(w, r, http.StatusOK, nil, nil)
}

// assessmentResults records one candidate's results from the grid: a radio
// group unit_CODE = K or BK per unit; units left blank are not recorded.
func (h *Handler) assessmentResults(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.app.Assessment(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	person, _ := strconv.ParseInt(r.PostForm.Get("inmate_id"), 10, 64)
	var units []app.UnitInput
	for _, u := range d.Units {
		if v := r.PostForm.Get("unit_" + u.Code); v != "" {
			units = append(units, app.UnitInput{Code: u.Code, Result: binakerja.UnitResult(v)})
		}
	}
	out, err := h.app.RecordResults(r.Context(), route.ActorFrom(r.Context()), id, person, units)
	if err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.assessmentPage(w, r, http.StatusUnprocessableEntity, form, nil)
	}
	return h.assessmentPage(w, r, http.StatusOK, nil, out.Certificate)
}
