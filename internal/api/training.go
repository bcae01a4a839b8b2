package api

import (
	"mime"
	"net/http"
	"strconv"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type unit struct {
	Code   string `json:"code"`
	Title  string `json:"title"`
	Format string `json:"format,omitempty"`
}

type scheme struct {
	ID            int64     `json:"id"`
	Code          string    `json:"code"`
	Title         string    `json:"title"`
	KKNILevel     int       `json:"kkni_level"`
	KBJICode      string    `json:"kbji_code"`
	ValidityYears int       `json:"validity_years"`
	Units         []unit    `json:"units"`
	CreatedAt     time.Time `json:"created_at"`
}

func schemeJSON(s *binakerja.Scheme) scheme {
	out := scheme{ID: s.ID, Code: s.Code, Title: s.Title, KKNILevel: s.KKNILevel, KBJICode: s.KBJICode,
		ValidityYears: s.ValidityYears, Units: []unit{}, CreatedAt: s.CreatedAt}
	for _, u := range s.Units {
		out.Units = append(out.Units, unit{Code: u.Code, Title: u.Title, Format: string(u.Format)})
	}
	return out
}

func (h *Handler) schemeCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code          string `json:"code"`
		Title         string `json:"title"`
		KKNILevel     int    `json:"kkni_level"`
		KBJICode      string `json:"kbji_code"`
		ValidityYears int    `json:"validity_years"`
		Units         []struct {
			Code  string `json:"code"`
			Title string `json:"title"`
		} `json:"units"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	s := &binakerja.Scheme{Code: in.Code, Title: in.Title, KKNILevel: in.KKNILevel, KBJICode: in.KBJICode, ValidityYears: in.ValidityYears}
	for _, u := range in.Units {
		s.Units = append(s.Units, binakerja.Unit{Code: u.Code, Title: u.Title})
	}
	s, err := h.app.CreateScheme(r.Context(), route.ActorFrom(r.Context()), s)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, schemeJSON(s))
}

func (h *Handler) schemeList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	schemes, next, err := h.app.Schemes(r.Context(), route.ActorFrom(r.Context()), pg)
	if err != nil {
		return err
	}
	out := list[scheme]{Items: []scheme{}, NextCursor: next}
	for _, s := range schemes {
		out.Items = append(out.Items, schemeJSON(s))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) schemeShow(w http.ResponseWriter, r *http.Request) error {
	s, err := h.app.Scheme(r.Context(), route.ActorFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, schemeJSON(s))
}

type program struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Title     string    `json:"title"`
	Provider  string    `json:"provider"`
	Scheme    string    `json:"scheme"`
	Hours     int       `json:"hours"`
	SkillArea string    `json:"skill_area,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func programJSON(p *binakerja.Program) program {
	return program{ID: p.ID, Code: p.Code, Title: p.Title, Provider: p.Provider, Scheme: p.Scheme, Hours: p.Hours,
		SkillArea: p.SkillArea, CreatedAt: p.CreatedAt}
}

func (h *Handler) programCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code      string `json:"code"`
		Title     string `json:"title"`
		Provider  string `json:"provider"`
		Scheme    string `json:"scheme"`
		Hours     int    `json:"hours"`
		SkillArea string `json:"skill_area"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.app.CreateProgram(r.Context(), route.ActorFrom(r.Context()), &binakerja.Program{Code: in.Code,
		Title: in.Title, Provider: in.Provider, Scheme: in.Scheme, Hours: in.Hours, SkillArea: in.SkillArea})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, programJSON(p))
}

func (h *Handler) programList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	ps, next, err := h.app.Programs(r.Context(), route.ActorFrom(r.Context()), pg)
	if err != nil {
		return err
	}
	out := list[program]{Items: []program{}, NextCursor: next}
	for _, p := range ps {
		out.Items = append(out.Items, programJSON(p))
	}
	return writeJSON(w, http.StatusOK, out)
}

type cohort struct {
	ID          int64          `json:"id"`
	Instructors []string       `json:"instructors"`
	Program     string         `json:"program"`
	Scheme      string         `json:"scheme"`
	Provider    string         `json:"provider"`
	Facility    string         `json:"facility"`
	Body        string         `json:"certification_body,omitempty"`
	StartDate   binakerja.Date `json:"start_date"`
	EndDate     binakerja.Date `json:"end_date"`
	Capacity    int            `json:"capacity"`
	Enrolled    int            `json:"enrolled"`
	Waiting     int            `json:"waiting"`
}

func cohortJSON(c *binakerja.Cohort) cohort {
	instructors := c.Instructors
	if instructors == nil {
		instructors = []string{}
	}
	return cohort{ID: c.ID, Instructors: instructors, Program: c.Program, Scheme: c.Scheme, Provider: c.Provider, Facility: c.Facility,
		Body: c.CertificationBody, StartDate: c.StartDate, EndDate: c.EndDate, Capacity: c.Capacity, Enrolled: c.Enrolled, Waiting: c.Waiting}
}

type enrollment struct {
	ID       int64  `json:"id"`
	CohortID int64  `json:"cohort_id"`
	InmateID int64  `json:"inmate_id"`
	Name     string `json:"name,omitempty"`
	Status   string `json:"status"`
	Reason   string `json:"reason,omitempty"`
}

func enrollmentJSON(e *binakerja.Enrollment) enrollment {
	return enrollment{ID: e.ID, CohortID: e.CohortID, InmateID: e.PersonID, Name: e.Name, Status: string(e.Status), Reason: e.Reason}
}

func (h *Handler) cohortCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Program     string         `json:"program"`
		Facility    string         `json:"facility"`
		StartDate   binakerja.Date `json:"start_date"`
		EndDate     binakerja.Date `json:"end_date"`
		Capacity    int            `json:"capacity"`
		Instructors []string       `json:"instructors"`
		Body        string         `json:"certification_body"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.app.CreateCohort(r.Context(), route.ActorFrom(r.Context()), app.NewCohort{Program: in.Program,
		Facility: in.Facility, StartDate: in.StartDate, EndDate: in.EndDate, Capacity: in.Capacity, Instructors: in.Instructors,
		CertificationBody: in.Body})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cohorts/"+strconv.FormatInt(c.ID, 10))
	return writeJSON(w, http.StatusCreated, cohortJSON(c))
}

// cohortEngageBody engages the certification body that assesses a cohort.
func (h *Handler) cohortEngageBody(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"certification_body"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.app.EngageBody(r.Context(), route.ActorFrom(r.Context()), id, in.Body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cohortJSON(c))
}

func (h *Handler) cohortList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	cs, next, err := h.app.Cohorts(r.Context(), route.ActorFrom(r.Context()), store.CohortFilter{
		Facility: q.Get("facility"), Program: q.Get("program"), Page: pg})
	if err != nil {
		return err
	}
	out := list[cohort]{Items: []cohort{}, NextCursor: next}
	for _, c := range cs {
		out.Items = append(out.Items, cohortJSON(c))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) cohortShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.app.Cohort(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := struct {
		cohort
		Enrollments []enrollment `json:"enrollments"`
	}{cohort: cohortJSON(d.Cohort), Enrollments: []enrollment{}}
	for _, e := range d.Enrollments {
		out.Enrollments = append(out.Enrollments, enrollmentJSON(e))
	}
	return writeJSON(w, http.StatusOK, out)
}

type candidate struct {
	InmateID            int64          `json:"inmate_id"`
	Name                string         `json:"name"`
	RegistrationNumber  string         `json:"registration_number"`
	ExpectedReleaseDate binakerja.Date `json:"expected_release_date"`
	Eligible            bool           `json:"eligible"`
	Reasons             []string       `json:"reasons"`
}

func (h *Handler) cohortCandidates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cands, err := h.app.Candidates(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := list[candidate]{Items: []candidate{}}
	for _, c := range cands {
		item := candidate{InmateID: c.Inmate.ID, Name: c.Inmate.Name, RegistrationNumber: c.Inmate.Episode.RegistrationNumber,
			ExpectedReleaseDate: c.Inmate.Episode.ExpectedRelease, Eligible: len(c.Reasons) == 0, Reasons: []string{}}
		for _, x := range c.Reasons {
			item.Reasons = append(item.Reasons, string(x))
		}
		out.Items = append(out.Items, item)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) enrollmentCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		InmateID int64 `json:"inmate_id"`
		Waitlist bool  `json:"waitlist"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.InmateID <= 0 {
		return binakerja.FieldInvalid("inmate_id", "field.required")
	}
	e, err := h.app.Enroll(r.Context(), route.ActorFrom(r.Context()), id, in.InmateID, in.Waitlist)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, enrollmentJSON(e))
}

// enrollmentChange returns the handler of one change of enrolment status.
func (h *Handler) enrollmentChange(to binakerja.EnrollmentStatus) route.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in struct {
			Reason string `json:"reason"`
		}
		if err := decode(w, r, &in); err != nil {
			return err
		}
		e, err := h.app.ChangeEnrollment(r.Context(), route.ActorFrom(r.Context()), id, to, in.Reason)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, enrollmentJSON(e))
	}
}

func (h *Handler) schemeImport(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !importMediaTypes[mt] {
		return binakerja.Errorf(binakerja.Unsupported, "import.media_type")
	}
	file, err := Spool(r.Body, MaxBody*8)
	if err != nil {
		return err
	}
	defer file.Remove()
	schemes, problems, err := h.app.ImportSchemes(r.Context(), route.ActorFrom(r.Context()), FileSource(file))
	if err != nil {
		return err
	}
	p := Printer(r)
	out := struct {
		Schemes []string      `json:"schemes"`
		Errors  []importError `json:"errors"`
	}{Schemes: []string{}, Errors: []importError{}}
	for _, pr := range problems {
		out.Errors = append(out.Errors, importError{Line: pr.Line, Field: pr.Field, Message: p.T(pr.Key, pr.Args...)})
	}
	if len(problems) > 0 {
		return writeJSON(w, http.StatusUnprocessableEntity, out)
	}
	for _, s := range schemes {
		out.Schemes = append(out.Schemes, s.Code)
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (h *Handler) certificatePattern(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Pattern string `json:"pattern"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := h.app.SetCertificatePattern(r.Context(), route.ActorFrom(r.Context()), r.PathValue("code"), in.Pattern); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, in)
}
