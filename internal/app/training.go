package app

import (
	"context"
	"slices"
	"strings"

	"binakerja"
	"binakerja/internal/importer"
	"binakerja/internal/store"
)

// CreateScheme adds a certification scheme with its competency units.
func (a *App) CreateScheme(ctx context.Context, ac Actor, s *binakerja.Scheme) (*binakerja.Scheme, error) {
	role, err := a.authorize(ctx, ac, binakerja.ActionSchemeManage, "")
	if err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateScheme(ctx, s); err != nil {
			return err
		}
		var units []string
		for _, u := range s.Units {
			units = append(units, u.Code)
		}
		return a.record(ctx, tx, ac, role, "scheme.create", "scheme", s.Code, "", map[string]any{
			"title": s.Title, "kkni_level": s.KKNILevel, "kbji_code": s.KBJICode, "units": units})
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Scheme returns a scheme with its units.
func (a *App) Scheme(ctx context.Context, ac Actor, code string) (*binakerja.Scheme, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionTrainingView, ""); err != nil {
		return nil, err
	}
	return a.db.Scheme(ctx, code)
}

// Schemes lists the schemes.
func (a *App) Schemes(ctx context.Context, ac Actor, p store.Page) ([]*binakerja.Scheme, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionTrainingView, ""); err != nil {
		return nil, "", err
	}
	return a.db.Schemes(ctx, p)
}

// CreateProgram adds a training programme run by a provider within the
// actor's reach, preparing for a scheme of the catalogue.
func (a *App) CreateProgram(ctx context.Context, ac Actor, p *binakerja.Program) (*binakerja.Program, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionProgramManage, ""); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	prov, err := a.db.Organization(ctx, p.Provider)
	if binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && !a.canSee(ac, binakerja.ActionOrgView, prov.Path)) {
		return nil, binakerja.FieldInvalid("provider", "org.unknown", p.Provider)
	}
	if err != nil {
		return nil, err
	}
	if !slices.Contains(binakerja.ProviderKinds, prov.Kind) {
		return nil, binakerja.FieldInvalid("provider", "program.provider_kind")
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionProgramManage, prov.Path)
	if err != nil {
		return nil, err
	}
	scheme, err := a.db.Scheme(ctx, p.Scheme)
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		return nil, binakerja.FieldInvalid("scheme", "scheme.unknown", p.Scheme)
	}
	if err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateProgram(ctx, p, prov.ID, scheme.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "program.create", "program", p.Code, prov.Code,
			map[string]any{"title": p.Title, "scheme": scheme.Code, "hours": p.Hours})
	})
	if err != nil {
		return nil, err
	}
	p.ProviderName, p.ProviderPath, p.SchemeTitle = prov.Name, prov.Path, scheme.Title
	return p, nil
}

// Programs lists the programmes.
func (a *App) Programs(ctx context.Context, ac Actor, p store.Page) ([]*binakerja.Program, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionTrainingView, ""); err != nil {
		return nil, "", err
	}
	return a.db.Programs(ctx, p)
}

// cohortRole returns the role under which the actor may perform action on a
// cohort: a cohort belongs both to its facility and to its programme's
// provider, and reaching either will do.
//
// Reaching it through the provider is not enough to reach the people of the
// facility: the provider's side must work with the facility (see
// reachesFacility), or the answer is errFacilityOutOfReach.
func (a *App) cohortRole(ctx context.Context, ac Actor, action binakerja.Action, facilityPath, providerPath string) (string, error) {
	if ac.User != nil && !ac.User.Can(action, facilityPath) && ac.User.Can(action, providerPath) {
		ok, err := a.reachesFacility(ctx, ac, action, providerPath, facilityPath)
		if err != nil {
			return "", err
		}
		if !ok {
			a.deny(ctx, ac, action, facilityPath)
			return "", errFacilityOutOfReach
		}
		return a.authorize(ctx, ac, action, providerPath)
	}
	return a.authorize(ctx, ac, action, facilityPath)
}

// errFacilityOutOfReach refuses someone who reaches a cohort's provider but
// does not work with its facility.
var errFacilityOutOfReach = binakerja.Errorf(binakerja.Forbidden, "error.forbidden")

// NewCohort is the input of CreateCohort.
type NewCohort struct {
	Program     string
	Facility    string
	StartDate   binakerja.Date
	EndDate     binakerja.Date
	Capacity    int
	Instructors []string
	// CertificationBody is the body engaged to assess the cohort; it may be
	// left empty and engaged later.
	CertificationBody string
}

// CreateCohort plans a run of a programme for the people of a facility.
func (a *App) CreateCohort(ctx context.Context, ac Actor, in NewCohort) (*binakerja.Cohort, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionCohortManage, ""); err != nil {
		return nil, err
	}
	c := &binakerja.Cohort{StartDate: in.StartDate, EndDate: in.EndDate, Capacity: in.Capacity}
	var p binakerja.Problems
	for _, name := range in.Instructors {
		if name = strings.Join(strings.Fields(name), " "); name != "" {
			c.Instructors = append(c.Instructors, name)
		}
	}
	if len(c.Instructors) > 20 {
		p.Add("instructors", "cohort.instructors")
	}
	if err := c.ValidateDates(); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	prog, err := a.db.Program(ctx, in.Program)
	switch {
	case binakerja.ErrorKind(err) == binakerja.NotFound:
		p.Add("program", "program.unknown", in.Program)
	case err != nil:
		return nil, err
	}
	fac, err := a.db.Organization(ctx, in.Facility)
	switch {
	case binakerja.ErrorKind(err) == binakerja.NotFound:
		p.Add("facility", "org.unknown", binakerja.NormalizeOrgCode(in.Facility))
	case err != nil:
		return nil, err
	case fac.Kind != binakerja.OrgFacility:
		p.Add("facility", "import.not_facility", fac.Code)
	}
	var body *binakerja.Organization
	if strings.TrimSpace(in.CertificationBody) != "" {
		if body, err = a.certificationBody(ctx, in.CertificationBody, &p); err != nil {
			return nil, err
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	role, err := a.cohortRole(ctx, ac, binakerja.ActionCohortManage, fac.Path, prog.ProviderPath)
	if err == errFacilityOutOfReach {
		return nil, binakerja.FieldInvalid("facility", "cohort.facility_out_of_reach", fac.Code)
	}
	if err != nil {
		return nil, err
	}
	c.Program, c.ProgramTitle, c.Scheme, c.Provider, c.ProviderPath = prog.Code, prog.Title, prog.Scheme, prog.Provider, prog.ProviderPath
	c.Facility, c.FacilityName, c.FacilityPath = fac.Code, fac.Name, fac.Path
	var bodyID int64
	if body != nil {
		bodyID, c.CertificationBody, c.BodyName, c.BodyPath = body.ID, body.Code, body.Name, body.Path
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCohort(ctx, c, prog.ID, fac.ID, bodyID); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "cohort.create", "cohort", itoa(c.ID), fac.Code, map[string]any{
			"program": prog.Code, "start_date": c.StartDate.String(), "end_date": c.EndDate.String(), "capacity": c.Capacity,
			"certification_body": c.CertificationBody})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Cohorts lists the cohorts of the facilities and providers within reach.
func (a *App) Cohorts(ctx context.Context, ac Actor, f store.CohortFilter) ([]*binakerja.Cohort, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionTrainingView, ""); err != nil {
		return nil, "", err
	}
	// A certification body's assessors reach the cohorts it is engaged
	// for, wherever they run.
	f.Within, f.All = a.scope(ac, binakerja.ActionTrainingView)
	return a.db.Cohorts(ctx, f)
}

// certificationBody returns the certification body with a code, adding a
// problem for the certification_body field when there is none.
func (a *App) certificationBody(ctx context.Context, code string, p *binakerja.Problems) (*binakerja.Organization, error) {
	body, err := a.db.Organization(ctx, code)
	switch {
	case binakerja.ErrorKind(err) == binakerja.NotFound:
		p.Add("certification_body", "org.unknown", binakerja.NormalizeOrgCode(code))
		return nil, nil
	case err != nil:
		return nil, err
	case body.Kind != binakerja.OrgCertificationBody:
		p.Add("certification_body", "assessment.not_body")
	}
	return body, nil
}

// EngageBody engages a certification body to assess a cohort (or another in
// its place): from then on only its assessors see the cohort's candidates
// and assess them.
func (a *App) EngageBody(ctx context.Context, ac Actor, cohortID int64, code string) (*binakerja.Cohort, error) {
	c, role, err := a.loadCohort(ctx, ac, binakerja.ActionCohortManage, cohortID)
	if err != nil {
		return nil, err
	}
	var p binakerja.Problems
	if strings.TrimSpace(code) == "" {
		p.Add("certification_body", "field.required")
	}
	body, err := a.certificationBody(ctx, code, &p)
	if err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetCohortBody(ctx, c.ID, body.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "cohort.engage_body", "cohort", itoa(c.ID), c.Facility,
			map[string]any{"certification_body": body.Code, "previous": c.CertificationBody})
	})
	if err != nil {
		return nil, err
	}
	c.CertificationBody, c.BodyName, c.BodyPath = body.Code, body.Name, body.Path
	c.Version++
	return c, nil
}

// loadCohort returns a cohort the actor may perform action on; one outside
// reach is NotFound.
func (a *App) loadCohort(ctx context.Context, ac Actor, action binakerja.Action, id int64) (*binakerja.Cohort, string, error) {
	if _, err := a.authorize(ctx, ac, action, ""); err != nil {
		return nil, "", err
	}
	c, err := a.db.Cohort(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if !a.canSee(ac, action, c.FacilityPath) && !a.canSee(ac, action, c.ProviderPath) {
		return nil, "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	role, err := a.cohortRole(ctx, ac, action, c.FacilityPath, c.ProviderPath)
	if err == errFacilityOutOfReach {
		return nil, "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return c, role, err
}

// CohortDetail is a cohort with its enrolments and how many of the sessions
// held each attended.
type CohortDetail struct {
	*binakerja.Cohort
	Enrollments []*binakerja.Enrollment
	Attended    map[int64]int // by enrolment id
	Held        int
}

// AttendancePercent returns an enrolment's share of the sessions held, in
// whole percent, or -1 before any session.
func (d *CohortDetail) AttendancePercent(enrollmentID int64) int {
	share, ok := binakerja.AttendanceShare(d.Attended[enrollmentID], d.Held)
	if !ok {
		return -1
	}
	return int(share*100 + 0.5)
}

// Cohort returns a cohort with its enrolments, to those who run it.
func (a *App) Cohort(ctx context.Context, ac Actor, id int64) (*CohortDetail, error) {
	c, _, err := a.loadCohort(ctx, ac, binakerja.ActionEnrollmentManage, id)
	if err != nil {
		return nil, err
	}
	es, err := a.db.Enrollments(ctx, id)
	if err != nil {
		return nil, err
	}
	attended, err := a.db.AttendanceCounts(ctx, id)
	if err != nil {
		return nil, err
	}
	sessions, err := a.db.TrainingSessions(ctx, id)
	if err != nil {
		return nil, err
	}
	return &CohortDetail{Cohort: c, Enrollments: es, Attended: attended, Held: len(sessions)}, nil
}

// Candidate is a person of the cohort's facility with the reasons, if any,
// they may not join it.
type Candidate struct {
	Inmate  binakerja.Inmate
	Reasons []binakerja.Ineligibility
}

// Enroll gives a person in custody at the cohort's facility a place in it.
// A person who is not eligible is refused with the reasons (Invalid); a
// second enrolment in the same cohort is a Conflict; so is a full cohort,
// unless waitlist asks for a place on the waiting list.
func (a *App) Enroll(ctx context.Context, ac Actor, cohortID, personID int64, waitlist bool) (*binakerja.Enrollment, error) {
	c, role, err := a.loadCohort(ctx, ac, binakerja.ActionEnrollmentManage, cohortID)
	if err != nil {
		return nil, err
	}
	r, err := a.db.Inmate(ctx, personID)
	if binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && r.Episode.Facility != c.Facility) {
		// Someone held elsewhere is not this cohort's to know about.
		return nil, binakerja.FieldInvalid("inmate_id", "enrollment.not_here")
	}
	if err != nil {
		return nil, err
	}
	if reasons := binakerja.EligibilityRuleFor(c.StartDate).Check(&r.Episode, c); len(reasons) > 0 {
		var why []string
		p := []any{}
		for _, x := range reasons {
			why = append(why, string(x))
		}
		p = append(p, strings.Join(why, ", "))
		return nil, &binakerja.Error{Kind: binakerja.Invalid, Key: "enrollment.ineligible", Args: p,
			Fields: []binakerja.FieldError{{Field: "inmate_id", Key: "enrollment.ineligible", Args: p}}}
	}
	e := &binakerja.Enrollment{CohortID: c.ID, PersonID: personID, Name: r.Name, Status: binakerja.EnrollmentEnrolled}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockCohort(ctx, c.ID); err != nil {
			return err
		}
		if _, err := tx.EnrollmentOf(ctx, c.ID, personID); err == nil {
			return binakerja.Errorf(binakerja.Conflict, "enrollment.duplicate")
		} else if binakerja.ErrorKind(err) != binakerja.NotFound {
			return err
		}
		now, err := tx.Cohort(ctx, c.ID)
		if err != nil {
			return err
		}
		if now.Full() {
			if !waitlist {
				return binakerja.Errorf(binakerja.Conflict, "cohort.full", now.Capacity)
			}
			e.Status = binakerja.EnrollmentWaiting
		}
		if err := tx.CreateEnrollment(ctx, e); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "enrollment.create", "person", itoa(personID), c.Facility,
			map[string]any{"cohort": c.ID, "status": e.Status})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ChangeEnrollment moves an enrolment to another status, as the transition
// table allows the actor's role, with a reason where the table asks for one.
// A freed place goes to the first person on the waiting list.
func (a *App) ChangeEnrollment(ctx context.Context, ac Actor, id int64, to binakerja.EnrollmentStatus, reason string) (*binakerja.Enrollment, error) {
	e, err := a.db.Enrollment(ctx, id)
	if err != nil {
		return nil, err
	}
	c, role, err := a.loadCohort(ctx, ac, binakerja.ActionEnrollmentManage, e.CohortID)
	if err != nil {
		return nil, err
	}
	t, ok := binakerja.Transition(e.Status, to)
	if !ok {
		return nil, binakerja.Errorf(binakerja.Conflict, "enrollment.transition", string(e.Status), string(to))
	}
	if ac.User != nil && !ac.User.MayChange(t) {
		return nil, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	reason = strings.TrimSpace(reason)
	if t.Reason && reason == "" {
		return nil, binakerja.FieldInvalid("reason", "field.required")
	}
	if len(reason) > 500 {
		return nil, binakerja.FieldInvalid("reason", "field.too_long", 500)
	}
	if to == binakerja.EnrollmentCancelled && !a.today().Before(c.StartDate) {
		return nil, binakerja.Errorf(binakerja.Conflict, "enrollment.cancel_started")
	}
	if to == binakerja.EnrollmentCompleted {
		// The completion rule: the instructor's pass (this change) and
		// enough of the sessions held attended.
		attended, held, err := a.db.AttendanceOf(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		min := binakerja.EligibilityRuleFor(c.StartDate).MinAttendanceShare
		if share, ok := binakerja.AttendanceShare(attended, held); ok && share < min {
			return nil, binakerja.Errorf(binakerja.Invalid, "enrollment.attendance", int(share*100+0.5), int(min*100+0.5))
		}
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockCohort(ctx, c.ID); err != nil {
			return err
		}
		freed := e.Status.HoldsPlace() && !to.HoldsPlace()
		from := e.Status
		if to == binakerja.EnrollmentEnrolled { // from the waiting list
			now, err := tx.Cohort(ctx, c.ID)
			if err != nil {
				return err
			}
			if now.Full() {
				return binakerja.Errorf(binakerja.Conflict, "cohort.full", now.Capacity)
			}
		}
		if err := tx.SetEnrollmentStatus(ctx, e, to, reason); err != nil {
			return err
		}
		if err := a.record(ctx, tx, ac, role, "enrollment.status", "person", itoa(e.PersonID), c.Facility,
			map[string]any{"cohort": c.ID, "from": from, "to": to, "reason": reason}); err != nil {
			return err
		}
		if !freed {
			return nil
		}
		return a.promoteWaiting(ctx, tx, ac, role, c)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// promoteWaiting gives a freed place to the first person on the waiting list.
func (a *App) promoteWaiting(ctx context.Context, tx *store.Tx, ac Actor, role string, c *binakerja.Cohort) error {
	es, err := tx.Enrollments(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, w := range es {
		if w.Status != binakerja.EnrollmentWaiting {
			continue
		}
		if err := tx.SetEnrollmentStatus(ctx, w, binakerja.EnrollmentEnrolled, "waiting list"); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "enrollment.status", "person", itoa(w.PersonID), c.Facility,
			map[string]any{"cohort": c.ID, "from": binakerja.EnrollmentWaiting, "to": binakerja.EnrollmentEnrolled,
				"reason": "waiting list"})
	}
	return nil
}

// Candidates ranks the people in custody at the cohort's facility for the
// cohort: the eligible first, longest time left to serve first, each with the
// reasons they may not join.
func (a *App) Candidates(ctx context.Context, ac Actor, cohortID int64) ([]Candidate, error) {
	c, _, err := a.loadCohort(ctx, ac, binakerja.ActionEnrollmentManage, cohortID)
	if err != nil {
		return nil, err
	}
	rule := binakerja.EligibilityRuleFor(c.StartDate)
	enrolled := map[int64]bool{}
	es, err := a.db.Enrollments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		enrolled[e.PersonID] = true
	}
	var out []Candidate
	page := store.Page{Limit: store.MaxLimit}
	for {
		recs, next, err := a.db.Inmates(ctx, store.InmateFilter{All: true, Facility: c.Facility, InCustody: true, Page: page})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			cand := Candidate{Inmate: a.mask(r), Reasons: rule.Check(&r.Episode, c)}
			if enrolled[r.Person.ID] {
				cand.Reasons = append(cand.Reasons, binakerja.IneligibleEnrolled)
			}
			out = append(out, cand)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	slices.SortStableFunc(out, func(x, y Candidate) int {
		if (len(x.Reasons) == 0) != (len(y.Reasons) == 0) {
			if len(x.Reasons) == 0 {
				return -1
			}
			return 1
		}
		return y.Inmate.Episode.ExpectedRelease.Time().Compare(x.Inmate.Episode.ExpectedRelease.Time())
	})
	return out, nil
}

// closeEnrollments ends a person's open enrolments when they leave the
// facility (released or transferred), giving each freed place to the next
// person waiting.
func (a *App) closeEnrollments(ctx context.Context, tx *store.Tx, ac Actor, role string, personID int64, to binakerja.EnrollmentStatus, why string) error {
	es, err := tx.OpenEnrollmentsOf(ctx, personID)
	if err != nil {
		return err
	}
	for _, e := range es {
		freed := e.Status.HoldsPlace()
		if err := tx.SetEnrollmentStatus(ctx, e, to, why); err != nil {
			return err
		}
		c, err := tx.Cohort(ctx, e.CohortID)
		if err != nil {
			return err
		}
		if err := a.record(ctx, tx, ac, role, "enrollment.status", "person", itoa(personID), c.Facility,
			map[string]any{"cohort": c.ID, "to": to, "reason": why}); err != nil {
			return err
		}
		if freed {
			if err := a.promoteWaiting(ctx, tx, ac, role, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// Facilities lists every facility, for those who plan cohorts: a labour
// office trains the people of prisons outside its own tree, and may choose
// among them. Names and codes of facilities are not personal data.
//
// A labour office plans only for the facilities it works with: those of its
// region and those sharing an agreement in force with it.
func (a *App) Facilities(ctx context.Context, ac Actor) ([]*binakerja.Organization, error) {
	fs, err := a.cohortPartners(ctx, ac, binakerja.OrgFacility)
	if err != nil || ac.User == nil {
		return fs, err
	}
	keep := map[int64]bool{}
	for _, g := range ac.User.Grants {
		if !binakerja.Allows(g.Role, binakerja.ActionCohortManage) {
			continue
		}
		if g.SystemWide() {
			return fs, nil
		}
		org, err := a.db.Organization(ctx, g.Org)
		if err != nil {
			return nil, err
		}
		agreed, err := a.db.AgreedFacilities(ctx, org.ID, a.today())
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if g.Covers(f.Path) || binakerja.RegionWithin(f.RegionCode, org.RegionCode) || slices.Contains(agreed, f.ID) {
				keep[f.ID] = true
			}
		}
	}
	return slices.DeleteFunc(fs, func(f *binakerja.Organization) bool { return !keep[f.ID] }), nil
}

// CertificationBodies lists every certification body, which a cohort may
// engage wherever it runs.
func (a *App) CertificationBodies(ctx context.Context, ac Actor) ([]*binakerja.Organization, error) {
	return a.cohortPartners(ctx, ac, binakerja.OrgCertificationBody)
}

// cohortPartners lists every organisation of a kind, to those who plan
// cohorts.
func (a *App) cohortPartners(ctx context.Context, ac Actor, kind binakerja.OrgKind) ([]*binakerja.Organization, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionCohortManage, ""); err != nil {
		return nil, err
	}
	var out []*binakerja.Organization
	page := store.Page{Limit: store.MaxLimit}
	for {
		orgs, next, err := a.db.Organizations(ctx, store.OrgFilter{All: true, Kind: kind, Page: page})
		if err != nil {
			return nil, err
		}
		out = append(out, orgs...)
		if next == "" {
			return out, nil
		}
		page.Cursor = next
	}
}

// ImportSchemes adds the schemes of a file (see importer.Schemes) in one
// transaction: any problem, or a scheme code already in the catalogue,
// writes nothing. It returns the schemes added, or the problems.
func (a *App) ImportSchemes(ctx context.Context, ac Actor, open ImportSource) ([]*binakerja.Scheme, []importer.Problem, error) {
	role, err := a.authorize(ctx, ac, binakerja.ActionSchemeManage, "")
	if err != nil {
		return nil, nil, err
	}
	f, err := open()
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs, err := importer.Open(f, "")
	if fe, ok := err.(*importer.FileError); ok {
		return nil, []importer.Problem{{Key: fe.Key, Args: fe.Args}}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer recs.Close()
	schemes, problems := importer.Schemes(recs)
	if len(problems) > 0 {
		return nil, problems, nil
	}
	for _, s := range schemes {
		if _, err := a.db.Scheme(ctx, s.Code); err == nil {
			return nil, []importer.Problem{{Field: "scheme_code", Key: "import.scheme.exists", Args: []any{s.Code}}}, nil
		}
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		var codes []string
		for _, s := range schemes {
			if err := tx.CreateScheme(ctx, s); err != nil {
				return err
			}
			codes = append(codes, s.Code)
		}
		return a.record(ctx, tx, ac, role, "scheme.import", "scheme", "", "", map[string]any{"schemes": codes})
	})
	if err != nil {
		return nil, nil, err
	}
	return schemes, nil, nil
}
