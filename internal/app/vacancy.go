package app

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"binakerja"
	"binakerja/internal/store"
)

// NewVacancy is the input of CreateVacancy.
type NewVacancy struct {
	binakerja.Vacancy
	RequiredSchemes []string // whole schemes whose units are required
}

// CreateVacancy posts a vacancy for an employer: by the employer itself, or
// by a labour officer for an employer it works with. The vacancy belongs to
// the labour office that works it, whose facilities give the candidates.
func (a *App) CreateVacancy(ctx context.Context, ac Actor, in NewVacancy) (*binakerja.Vacancy, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionVacancyManage, ""); err != nil {
		return nil, err
	}
	v := in.Vacancy
	v.ID = 0
	var p binakerja.Problems
	for _, code := range in.RequiredSchemes {
		units, err := a.db.SchemeUnitCodes(ctx, code)
		if binakerja.ErrorKind(err) == binakerja.NotFound {
			p.Add("required_schemes", "scheme.unknown", code)
			continue
		}
		if err != nil {
			return nil, err
		}
		v.RequiredUnits = append(v.RequiredUnits, units...)
	}
	v.Normalize()
	if err := v.Validate(a.today()); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	if err := a.checkUnits(ctx, &v, &p); err != nil {
		return nil, err
	}
	emp, office, err := a.vacancyParties(ctx, ac, v.Employer, &p)
	if err != nil {
		return nil, err
	}
	if v.AgreementID != 0 && emp != nil {
		ag, err := a.db.Agreement(ctx, v.AgreementID)
		switch {
		case binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && !ag.HasParty(emp.Code)):
			p.Add("agreement_id", "vacancy.agreement")
		case err != nil:
			return nil, err
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionVacancyManage, a.vacancyScope(ac, emp, office))
	if err != nil {
		return nil, err
	}
	v.Employer, v.EmployerName, v.EmployerPath = emp.Code, emp.Name, emp.Path
	v.LabourOffice, v.OfficePath, v.OfficeRegion = office.Code, office.Path, office.RegionCode
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateVacancy(ctx, &v, emp.ID, office.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "vacancy.create", "vacancy", itoa(v.ID), emp.Code, vacancyRecord(&v))
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func vacancyRecord(v *binakerja.Vacancy) map[string]any {
	return map[string]any{"employer": v.Employer, "labour_office": v.LabourOffice, "title": v.Title,
		"required_units": v.RequiredUnits, "optional_units": v.OptionalUnits, "places": v.Places,
		"start_date": v.StartDate.String(), "closing_date": v.ClosingDate.String(), "status": v.Status}
}

// checkUnits adds a problem for each unit of the vacancy not in the catalogue.
func (a *App) checkUnits(ctx context.Context, v *binakerja.Vacancy, p *binakerja.Problems) error {
	unknown, err := a.db.UnknownUnits(ctx, v.Units())
	if err != nil {
		return err
	}
	for _, u := range unknown {
		field := "required_units"
		if slices.Contains(v.OptionalUnits, u) {
			field = "optional_units"
		}
		p.Add(field, "vacancy.unit_unknown", u)
	}
	return nil
}

// vacancyParties finds a vacancy's employer and the labour office that works
// it: the labour officer's own office, or else the nearest labour office
// above the employer.
func (a *App) vacancyParties(ctx context.Context, ac Actor, code string, p *binakerja.Problems) (emp, office *binakerja.Organization, err error) {
	if code == "" {
		p.Add("employer", "field.required")
		return nil, nil, nil
	}
	emp, err = a.db.Organization(ctx, code)
	switch {
	case binakerja.ErrorKind(err) == binakerja.NotFound:
		p.Add("employer", "org.unknown", code)
		return nil, nil, nil
	case err != nil:
		return nil, nil, err
	case emp.Kind != binakerja.OrgEmployer:
		p.Add("employer", "vacancy.not_employer")
		return nil, nil, nil
	}
	if ac.User != nil {
		for _, g := range ac.User.Grants {
			if g.Role != binakerja.RoleLabourOfficer {
				continue
			}
			o, err := a.db.Organization(ctx, g.Org)
			if err != nil {
				return nil, nil, err
			}
			if g.Covers(emp.Path) || a.seesPartner(ctx, ac, emp) {
				return emp, o, nil
			}
		}
		if !a.canSee(ac, binakerja.ActionVacancyManage, emp.Path) {
			p.Add("employer", "org.unknown", code)
			return nil, nil, nil
		}
	}
	parts := strings.Split(strings.Trim(emp.Path, "/"), "/")
	for i := len(parts) - 2; i >= 0; i-- {
		o, err := a.db.Organization(ctx, parts[i])
		if err != nil {
			return nil, nil, err
		}
		if o.Kind == binakerja.OrgLabourOffice {
			return emp, o, nil
		}
	}
	p.Add("employer", "vacancy.no_labour_office")
	return nil, nil, nil
}

// vacancyScope is the organisation path on which acting on a vacancy is
// checked: the employer's, or the labour office's for its officers.
func (a *App) vacancyScope(ac Actor, emp, office *binakerja.Organization) string {
	if a.canSee(ac, binakerja.ActionVacancyManage, emp.Path) {
		return emp.Path
	}
	return office.Path
}

// loadVacancy returns a vacancy the actor reaches (through the employer or
// the labour office that works it) and the role it acts under; any other is
// NotFound.
func (a *App) loadVacancy(ctx context.Context, ac Actor, action binakerja.Action, id int64) (*binakerja.Vacancy, string, error) {
	if _, err := a.authorize(ctx, ac, action, ""); err != nil {
		return nil, "", err
	}
	v, err := a.db.Vacancy(ctx, id)
	if err != nil {
		return nil, "", err
	}
	for _, path := range []string{v.EmployerPath, v.OfficePath} {
		if a.canSee(ac, action, path) {
			role, err := a.authorize(ctx, ac, action, path)
			return v, role, err
		}
	}
	a.deny(ctx, ac, action, v.EmployerPath)
	return nil, "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
}

// Vacancy returns a vacancy to its employer and its labour office.
func (a *App) Vacancy(ctx context.Context, ac Actor, id int64) (*binakerja.Vacancy, error) {
	v, _, err := a.loadVacancy(ctx, ac, binakerja.ActionVacancyView, id)
	return v, err
}

// Vacancies lists the vacancies of the employers and labour offices within
// the actor's reach.
func (a *App) Vacancies(ctx context.Context, ac Actor, f store.VacancyFilter) ([]store.VacancyItem, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionVacancyView, ""); err != nil {
		return nil, "", err
	}
	f.Within, f.All = a.scope(ac, binakerja.ActionVacancyView)
	return a.db.Vacancies(ctx, f)
}

// UpdateVacancy edits a vacancy (its status included: open, filled,
// closed). An edit made from an older version is a Conflict.
func (a *App) UpdateVacancy(ctx context.Context, ac Actor, id int64, in binakerja.Vacancy) (*binakerja.Vacancy, error) {
	v, role, err := a.loadVacancy(ctx, ac, binakerja.ActionVacancyManage, id)
	if err != nil {
		return nil, err
	}
	before := vacancyRecord(v)
	from := v.Status
	v.Title, v.Description, v.KBJICode, v.KKNILevel, v.Places, v.RegionCode = in.Title, in.Description, in.KBJICode, in.KKNILevel, in.Places, in.RegionCode
	v.WageMin, v.WageMax, v.ContractType, v.StartDate, v.ClosingDate = in.WageMin, in.WageMax, in.ContractType, in.StartDate, in.ClosingDate
	v.RequiredUnits, v.OptionalUnits, v.Version = in.RequiredUnits, in.OptionalUnits, in.Version
	if in.Status != "" {
		v.Status = in.Status
	}
	v.Normalize()
	var p binakerja.Problems
	if v.Status != from && !from.CanMove(v.Status) {
		p.Add("status", "vacancy.transition", string(from), string(v.Status))
	}
	today := a.today()
	if v.Status == binakerja.VacancyClosed || v.Status == binakerja.VacancyFilled {
		today = binakerja.Date{} // a closed vacancy may keep its past dates
	}
	if err := v.Validate(today); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	if err := a.checkUnits(ctx, v, &p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateVacancy(ctx, v); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "vacancy.update", "vacancy", itoa(v.ID), v.Employer,
			binakerja.AuditSummary(before, vacancyRecord(v)))
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Matches are the candidates of a vacancy: the scored ones, best first, and
// (for staff only) those knocked out with the reason.
type Matches struct {
	Vacancy    *binakerja.Vacancy
	Rule       binakerja.MatchRule
	Items      []binakerja.Match
	KnockedOut []KnockedOut
	Proposed   map[int64]binakerja.ApplicationStatus // by person: the application already made
	ForStaff   bool
}

// KnockedOut is a person left out of a vacancy's candidates, and why.
type KnockedOut struct {
	PersonID int64
	Name     string
	Reason   binakerja.KnockOut
}

// Match finds and scores the candidates of a vacancy: people in custody at
// the facilities its labour office works with and due for release within the
// rule's window, or released from them within the last year. Knock-outs come
// first (no consent, the employer's exclusions, not available in time,
// already placed), then the explainable score. An employer sees only the
// scored candidates who consented, never who was left out or why.
func (a *App) Match(ctx context.Context, ac Actor, id int64, limit int) (*Matches, error) {
	v, role, err := a.loadVacancy(ctx, ac, binakerja.ActionMatchView, id)
	if err != nil {
		return nil, err
	}
	office, err := a.db.Organization(ctx, v.LabourOffice)
	if err != nil {
		return nil, err
	}
	emp, err := a.db.Organization(ctx, v.Employer)
	if err != nil {
		return nil, err
	}
	facs, err := a.officeFacilities(ctx, office)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, f := range facs {
		ids = append(ids, f.ID)
	}
	today := a.today()
	if role == string(binakerja.RoleEmployer) {
		return a.employerMatches(ctx, ac, role, v, &emp.Partner, store.PoolFilter{Facilities: ids}, today)
	}
	m, err := a.match(ctx, v, &emp.Partner, store.PoolFilter{Facilities: ids}, today, limit)
	if err != nil {
		return nil, err
	}
	m.ForStaff = true
	return m, nil
}

// employerMatches scores, for an employer, only the candidates proposed to
// it (never who was left out, nor why), with when they are available by the
// month only: a release date is part of the sentence. The view is audited.
func (a *App) employerMatches(ctx context.Context, ac Actor, role string, v *binakerja.Vacancy, partner *binakerja.Partner,
	f store.PoolFilter, today binakerja.Date) (*Matches, error) {
	rule := binakerja.MatchRuleFor(today)
	f.DueBy, f.ReleasedSince = today.AddDate(0, 0, rule.DueWithinDays), today.AddDate(0, 0, -rule.ReleasedWithinDays)
	m := &Matches{Vacancy: v, Rule: rule, Proposed: map[int64]binakerja.ApplicationStatus{}}
	apps, err := a.vacancyApplications(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, ap := range apps {
		m.Proposed[ap.PersonID] = ap.Status
		if ap.Status != binakerja.ApplicationWithdrawn {
			ids = append(ids, ap.PersonID)
		}
	}
	facts, err := a.db.PeopleEvidence(ctx, ids, v.Units(), today)
	if err != nil {
		return nil, err
	}
	pool, err := a.db.InPool(ctx, f, facts)
	if err != nil {
		return nil, err
	}
	var persons []int64
	for _, c := range pool {
		if rule.KnockOutFor(c, v, partner) != "" {
			continue
		}
		c.AvailableFrom = CoarseAvailability(c.AvailableFrom, today)
		m.Items = append(m.Items, rule.Score(c, v))
		persons = append(persons, c.PersonID)
	}
	binakerja.RankMatches(m.Items)
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "vacancy.matches_view", "vacancy", itoa(v.ID), v.Employer,
			map[string]any{"persons": persons})
	})
	return m, err
}

// CoarseAvailability is when a candidate is available as an employer may
// know it: the first day of the month, or the zero date when already
// available. The exact day would tell the end of a sentence.
func CoarseAvailability(d, today binakerja.Date) binakerja.Date {
	if d.IsZero() || !d.After(today) {
		return binakerja.Date{}
	}
	t := d.Time()
	return binakerja.NewDate(t.Year(), t.Month(), 1)
}

// match ranks the candidates of a vacancy. The ranking is decided among the
// people with evidence of one of its units (certificates, K results,
// completed training): they are found from the units, kept if they are in
// the pool, knocked out or scored. Should fewer than limit be scored, the
// list is filled with others of the pool who consented, soonest available
// first, each showing the units to offer as training. Knock-outs are listed
// among those with evidence: the candidates staff would otherwise expect.
func (a *App) match(ctx context.Context, v *binakerja.Vacancy, partner *binakerja.Partner, f store.PoolFilter, today binakerja.Date, limit int) (*Matches, error) {
	rule := binakerja.MatchRuleFor(today)
	f.DueBy, f.ReleasedSince = today.AddDate(0, 0, rule.DueWithinDays), today.AddDate(0, 0, -rule.ReleasedWithinDays)
	if limit <= 0 || limit > store.MaxLimit {
		limit = 20
	}
	holders, err := a.db.EvidenceHolders(ctx, v.Units(), today)
	if err != nil {
		return nil, err
	}
	pool, err := a.db.InPool(ctx, f, holders)
	if err != nil {
		return nil, err
	}
	out := &Matches{Vacancy: v, Rule: rule, Proposed: map[int64]binakerja.ApplicationStatus{}}
	scored := map[int64]*binakerja.CandidateFacts{}
	for _, c := range pool {
		scored[c.PersonID] = c
		if k := rule.KnockOutFor(c, v, partner); k != "" {
			out.KnockedOut = append(out.KnockedOut, KnockedOut{PersonID: c.PersonID, Name: c.Name, Reason: k})
			continue
		}
		out.Items = append(out.Items, rule.Score(c, v))
	}
	for need := limit - len(out.Items); need > 0; {
		fill, err := a.db.PoolFill(ctx, f, scored, need)
		if err != nil {
			return nil, err
		}
		for _, c := range fill {
			scored[c.PersonID] = c
			if rule.KnockOutFor(c, v, partner) == "" {
				out.Items = append(out.Items, rule.Score(c, v))
			}
		}
		if len(fill) < need {
			break
		}
		need = limit - len(out.Items)
	}
	binakerja.RankMatches(out.Items)
	if len(out.Items) > limit {
		out.Items = out.Items[:limit]
	}
	slices.SortFunc(out.KnockedOut, func(x, y KnockedOut) int { return strings.Compare(x.Name, y.Name) })
	apps, err := a.vacancyApplications(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	for _, ap := range apps {
		out.Proposed[ap.PersonID] = ap.Status
	}
	return out, nil
}

func (a *App) vacancyApplications(ctx context.Context, id int64) ([]*binakerja.Application, error) {
	var out []*binakerja.Application
	page := store.Page{Limit: store.MaxLimit}
	for {
		as, next, err := a.db.Applications(ctx, store.ApplicationFilter{Vacancy: id, Page: page})
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
		if next == "" {
			return out, nil
		}
		page.Cursor = next
	}
}

// Propose puts a matched candidate forward for a vacancy: an application at
// PROPOSED, with the score and its parts as they stand. Only a candidate the
// match would show may be proposed; the refusal names the knock-out.
func (a *App) Propose(ctx context.Context, ac Actor, vacancyID, personID int64) (*binakerja.Application, error) {
	v, role, err := a.loadVacancy(ctx, ac, binakerja.ActionApplicationManage, vacancyID)
	if err != nil {
		return nil, err
	}
	if role == string(binakerja.RoleEmployer) {
		return nil, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	if v.Status != binakerja.VacancyOpen {
		return nil, binakerja.Errorf(binakerja.Conflict, "application.vacancy_not_open")
	}
	office, err := a.db.Organization(ctx, v.LabourOffice)
	if err != nil {
		return nil, err
	}
	emp, err := a.db.Organization(ctx, v.Employer)
	if err != nil {
		return nil, err
	}
	r, err := a.db.Inmate(ctx, personID)
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		return nil, binakerja.FieldInvalid("inmate_id", "application.not_candidate")
	}
	if err != nil {
		return nil, err
	}
	fac, err := a.db.Organization(ctx, r.Episode.Facility)
	if err != nil {
		return nil, err
	}
	if ok, err := a.worksWith(ctx, office, fac); err != nil {
		return nil, err
	} else if !ok {
		return nil, binakerja.FieldInvalid("inmate_id", "application.not_candidate")
	}
	// The person as matching sees them: in the pool of the facility, with
	// their evidence of the vacancy's units, then knocked out or scored.
	today := a.today()
	rule := binakerja.MatchRuleFor(today)
	facts, err := a.db.PersonEvidence(ctx, personID, v.Units(), today)
	if err != nil {
		return nil, err
	}
	inPool, err := a.db.InPool(ctx, store.PoolFilter{Facilities: []int64{fac.ID}, DueBy: today.AddDate(0, 0, rule.DueWithinDays),
		ReleasedSince: today.AddDate(0, 0, -rule.ReleasedWithinDays)}, map[int64]*binakerja.CandidateFacts{personID: facts})
	if err != nil {
		return nil, err
	}
	if len(inPool) == 0 {
		return nil, binakerja.FieldInvalid("inmate_id", "application.not_candidate")
	}
	if k := rule.KnockOutFor(inPool[0], v, &emp.Partner); k != "" {
		return nil, binakerja.FieldInvalid("inmate_id", "application.knocked_out."+string(k))
	}
	m := rule.Score(inPool[0], v)
	found := &m
	ap := &binakerja.Application{VacancyID: v.ID, VacancyTitle: v.Title, Employer: v.Employer, EmployerName: v.EmployerName,
		PersonID: personID, Name: r.Name, Status: binakerja.ApplicationProposed, Score: found.Score, Parts: found.Parts,
		ProposedBy: ac.label()}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateApplication(ctx, ap); err != nil {
			if binakerja.ErrorKind(err) == binakerja.Conflict {
				return binakerja.Errorf(binakerja.Conflict, "application.duplicate")
			}
			return err
		}
		return a.record(ctx, tx, ac, role, "application.propose", "person", itoa(personID), fac.Code,
			map[string]any{"vacancy": v.ID, "employer": v.Employer, "score": found.Score, "parts": found.Parts})
	})
	if err != nil {
		return nil, err
	}
	return ap, nil
}

// loadApplication returns an application the actor reaches through its
// vacancy, with the role it acts under; any other is NotFound.
func (a *App) loadApplication(ctx context.Context, ac Actor, id int64) (*binakerja.Application, *binakerja.Vacancy, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionApplicationManage, ""); err != nil {
		return nil, nil, "", err
	}
	ap, err := a.db.Application(ctx, id)
	if err != nil {
		return nil, nil, "", err
	}
	v, role, err := a.loadVacancy(ctx, ac, binakerja.ActionApplicationManage, ap.VacancyID)
	if err != nil {
		return nil, nil, "", err
	}
	return ap, v, role, nil
}

// Applications lists a vacancy's applications, to its employer and its
// labour office.
func (a *App) Applications(ctx context.Context, ac Actor, vacancyID int64) ([]*binakerja.Application, error) {
	v, _, err := a.loadVacancy(ctx, ac, binakerja.ActionApplicationManage, vacancyID)
	if err != nil {
		return nil, err
	}
	return a.vacancyApplications(ctx, v.ID)
}

// EmployerApplications lists the applications to the vacancies of the
// employers within the actor's reach, newest first.
func (a *App) EmployerApplications(ctx context.Context, ac Actor, employer string, open bool, p store.Page) ([]*binakerja.Application, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionApplicationManage, ""); err != nil {
		return nil, "", err
	}
	emp, err := a.db.Organization(ctx, employer)
	if err != nil || !a.canSee(ac, binakerja.ActionApplicationManage, emp.Path) {
		return nil, "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return a.db.Applications(ctx, store.ApplicationFilter{Employer: emp.Code, Open: open, Page: p})
}

// JobCandidate is what an employer may know of a person proposed to it
// (contract §5): the name, the competencies with their evidence, the
// certificates with their verification links, when they are available and
// their region. Never the offence, the sentence, the register number or the
// facility.
type JobCandidate struct {
	Application   *binakerja.Application
	Name          string
	RegionCode    string
	AvailableFrom binakerja.Date
	Units         []CandidateUnit
	Certificates  []CandidateCertificate
	Withdrawn     bool // the application was withdrawn: nothing more is shown
}

// CandidateUnit is a unit the vacancy asks for, with the candidate's
// evidence of it ("" when missing).
type CandidateUnit struct {
	Code     string
	Required bool
	Evidence binakerja.Evidence
}

// CandidateCertificate is a certificate as an employer may see it.
type CandidateCertificate struct {
	Number    string
	Scheme    string
	Title     string
	Issuer    string
	IssuedOn  binakerja.Date
	ExpiresOn binakerja.Date
	Code      string // for the verification link /v/{code}
	Status    binakerja.CertificateStatus
}

// ApplicationCandidate opens the candidate of an application. Every opening
// by an employer is written to the audit trail (and so listed on the
// person's record); the first moves the application to VIEWED. A withdrawn
// application shows only that.
func (a *App) ApplicationCandidate(ctx context.Context, ac Actor, id int64) (*JobCandidate, error) {
	ap, v, role, err := a.loadApplication(ctx, ac, id)
	if err != nil {
		return nil, err
	}
	c := &JobCandidate{Application: ap}
	if ap.Status == binakerja.ApplicationWithdrawn {
		c.Withdrawn = true
		return c, nil
	}
	r, err := a.db.Inmate(ctx, ap.PersonID)
	if err != nil {
		return nil, err
	}
	c.Name, c.RegionCode = r.Name, r.RegionCode
	if r.Episode.Open() {
		c.AvailableFrom = r.Episode.ExpectedRelease
	}
	if role == string(binakerja.RoleEmployer) {
		c.AvailableFrom = CoarseAvailability(c.AvailableFrom, a.today())
	}
	facts := a.factsOf(ctx, ap.PersonID, v)
	for _, u := range v.RequiredUnits {
		c.Units = append(c.Units, CandidateUnit{Code: u, Required: true, Evidence: facts.Units[u].Evidence})
	}
	for _, u := range v.OptionalUnits {
		c.Units = append(c.Units, CandidateUnit{Code: u, Evidence: facts.Units[u].Evidence})
	}
	certs, err := a.db.CertificatesOf(ctx, ap.PersonID)
	if err != nil {
		return nil, err
	}
	for _, ct := range certs {
		if ct.StatusOn(a.today()) != binakerja.CertificateActive {
			continue
		}
		c.Certificates = append(c.Certificates, CandidateCertificate{Number: ct.Number, Scheme: ct.Scheme, Title: ct.SchemeTitle,
			Issuer: ct.IssuerName, IssuedOn: ct.IssuedOn, ExpiresOn: ct.ExpiresOn, Code: ct.Code, Status: ct.Status})
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if role == string(binakerja.RoleEmployer) && ap.Status == binakerja.ApplicationProposed {
			if err := tx.MoveApplication(ctx, ap, binakerja.ApplicationViewed, ac.label(), "", a.today()); err != nil {
				return err
			}
		}
		return a.record(ctx, tx, ac, role, "candidate.view", "person", itoa(ap.PersonID), v.Employer,
			map[string]any{"application": ap.ID, "vacancy": v.ID, "employer": v.Employer})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// factsOf returns what matching knows of one person's evidence of a
// vacancy's units.
func (a *App) factsOf(ctx context.Context, personID int64, v *binakerja.Vacancy) *binakerja.CandidateFacts {
	facts, err := a.db.PersonEvidence(ctx, personID, v.Units(), a.today())
	if err != nil || facts == nil {
		return &binakerja.CandidateFacts{PersonID: personID}
	}
	return facts
}

// MoveApplication moves an application on, as the transition table allows
// the actor's role; HIRED fills the vacancy when its places are taken.
func (a *App) MoveApplication(ctx context.Context, ac Actor, id int64, to binakerja.ApplicationStatus, reason string) (*binakerja.Application, error) {
	ap, v, role, err := a.loadApplication(ctx, ac, id)
	if err != nil {
		return nil, err
	}
	mv, ok := binakerja.ApplicationMoveOf(ap.Status, to)
	if !ok {
		return nil, binakerja.Errorf(binakerja.Conflict, "application.transition", string(ap.Status), string(to))
	}
	if ac.User != nil && !mv.Allows(binakerja.Role(role)) {
		return nil, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	reason = strings.TrimSpace(reason)
	switch {
	case mv.Reason && reason == "":
		return nil, binakerja.FieldInvalid("reason", "field.required")
	case utf8.RuneCountInString(reason) > 500:
		return nil, binakerja.FieldInvalid("reason", "field.too_long", 500)
	}
	from := ap.Status
	today := a.today()
	// A hire starts a placement, checked before anything is written.
	var hired *binakerja.Placement
	var hiredRec *store.InmateRecord
	var hiredEmployer int64
	if to == binakerja.ApplicationHired {
		if hiredRec, hired, hiredEmployer, err = a.hirePlacement(ctx, ac, ap, v); err != nil {
			return nil, err
		}
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.MoveApplication(ctx, ap, to, ac.label(), reason, today); err != nil {
			return err
		}
		if hired != nil {
			if err := a.writePlacement(ctx, tx, ac, role, hiredRec, hired, hiredEmployer); err != nil {
				return err
			}
		}
		if err := a.record(ctx, tx, ac, role, "application.status", "person", itoa(ap.PersonID), v.Employer,
			map[string]any{"application": ap.ID, "vacancy": v.ID, "from": from, "to": to, "reason": reason}); err != nil {
			return err
		}
		if to != binakerja.ApplicationHired {
			return nil
		}
		hired, err := tx.HiredCount(ctx, v.ID)
		if err != nil || hired < v.Places || v.Status != binakerja.VacancyOpen {
			return err
		}
		before := v.Status
		v.Status = binakerja.VacancyFilled
		if err := tx.UpdateVacancy(ctx, v); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "vacancy.update", "vacancy", itoa(v.ID), v.Employer,
			map[string]any{"status": map[string]any{"from": before, "to": v.Status}})
	})
	if err != nil {
		return nil, err
	}
	return ap, nil
}

// ConsentInput is a consent given or withdrawn, as an officer records it.
type ConsentInput struct {
	Scope    binakerja.ConsentScope
	Given    bool
	Date     binakerja.Date
	Note     string
	Form     []byte // an optional scan of the signed form (PDF, JPEG or PNG)
	FormType string
}

// RecordConsent records a person's consent given or withdrawn. A withdrawal
// takes effect at once: every application still under way is withdrawn,
// each in the audit trail, and the employer sees only "withdrawn".
func (a *App) RecordConsent(ctx context.Context, ac Actor, personID int64, in ConsentInput) (*binakerja.Consent, []*binakerja.Application, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionConsentManage, ""); err != nil {
		return nil, nil, err
	}
	r, err := a.db.Inmate(ctx, personID)
	if err != nil {
		return nil, nil, err
	}
	if !a.canSee(ac, binakerja.ActionConsentManage, r.Episode.FacilityPath) {
		return nil, nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionConsentManage, r.Episode.FacilityPath)
	if err != nil {
		return nil, nil, err
	}
	var p binakerja.Problems
	if in.Scope == "" {
		in.Scope = binakerja.ConsentEmployerProposals
	}
	if !slices.Contains(binakerja.ConsentScopes, in.Scope) {
		p.Add("scope", "consent.scope")
	}
	today := a.today()
	switch {
	case in.Date.IsZero():
		in.Date = today
	case in.Date.After(today):
		p.Add("date", "import.date.future")
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 500 {
		p.Add("note", "field.too_long", 500)
	}
	c := &binakerja.Consent{PersonID: personID, Scope: in.Scope, Given: in.Given, Date: in.Date, RecordedBy: ac.label(), Note: in.Note}
	var formType string
	if len(in.Form) > 0 {
		d, err := checkDocument("formulir", in.FormType, in.Form)
		if err != nil {
			e := err.(*binakerja.Error)
			for _, f := range e.Fields {
				p.Add("form", f.Key, f.Args...)
			}
		} else {
			c.FormSHA256, formType = d.SHA256, d.MediaType
		}
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	var withdrawn []*binakerja.Application
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateConsent(ctx, c, in.Form, formType); err != nil {
			return err
		}
		if err := a.record(ctx, tx, ac, role, "consent.record", "person", itoa(personID), r.Episode.Facility,
			map[string]any{"scope": c.Scope, "given": c.Given, "date": c.Date.String(), "form_sha256": c.FormSHA256}); err != nil {
			return err
		}
		if c.Given {
			return nil
		}
		open, err := tx.OpenApplicationsOf(ctx, personID)
		if err != nil {
			return err
		}
		for _, ap := range open {
			from := ap.Status
			if err := tx.MoveApplication(ctx, ap, binakerja.ApplicationWithdrawn, ac.label(), "consent withdrawn", today); err != nil {
				return err
			}
			if err := a.record(ctx, tx, ac, role, "application.status", "person", itoa(personID), ap.Employer,
				map[string]any{"application": ap.ID, "vacancy": ap.VacancyID, "from": from, "to": ap.Status,
					"reason": "consent withdrawn"}); err != nil {
				return err
			}
			withdrawn = append(withdrawn, ap)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return c, withdrawn, nil
}

// Consents returns a person's consent records, newest first, to those who
// may read their record.
func (a *App) Consents(ctx context.Context, ac Actor, personID int64) ([]binakerja.Consent, error) {
	if _, err := a.Inmate(ctx, ac, personID); err != nil {
		return nil, err
	}
	return a.db.Consents(ctx, personID)
}

// CandidateViews lists the times employers opened a person as a candidate,
// from the audit trail, newest first.
func (a *App) CandidateViews(ctx context.Context, ac Actor, personID int64) ([]*binakerja.AuditEvent, error) {
	if _, err := a.Inmate(ctx, ac, personID); err != nil {
		return nil, err
	}
	evs, _, err := a.db.AuditEvents(ctx, store.AuditFilter{Action: "candidate.view", Entity: "person",
		EntityID: itoa(personID), Page: store.Page{Limit: 100}})
	return evs, err
}

// Today is the date in western Indonesian time, by the application's clock.
func (a *App) Today() binakerja.Date { return a.today() }

// CustodyFacts returns what the register keeps of a person's current
// episode beyond the SDP export: the offence group and the last disciplinary
// record. Only those who keep the register read it.
func (a *App) CustodyFacts(ctx context.Context, ac Actor, personID int64) (binakerja.CustodyFacts, error) {
	d, err := a.Inmate(ctx, ac, personID)
	if err != nil {
		return binakerja.CustodyFacts{}, err
	}
	return a.db.CustodyFacts(ctx, d.Episode.ID)
}

// SetCustodyFacts records the offence group and last disciplinary record of
// a person's current episode.
func (a *App) SetCustodyFacts(ctx context.Context, ac Actor, personID int64, f binakerja.CustodyFacts) (binakerja.CustodyFacts, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionInmateWrite, ""); err != nil {
		return f, err
	}
	r, err := a.db.Inmate(ctx, personID)
	if err != nil {
		return f, err
	}
	if !a.canSee(ac, binakerja.ActionInmateWrite, r.Episode.FacilityPath) {
		return f, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionInmateWrite, r.Episode.FacilityPath)
	if err != nil {
		return f, err
	}
	var p binakerja.Problems
	if f.Offence != "" && !f.Offence.Valid() {
		p.Add("offence_group", "partner.offence_group", string(f.Offence))
	}
	if f.LastDiscipline.After(a.today()) {
		p.Add("last_discipline", "import.date.future")
	}
	if err := p.Err(); err != nil {
		return f, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetCustodyFacts(ctx, r.Episode.ID, f); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "inmate.custody_facts", "person", itoa(personID), r.Episode.Facility,
			map[string]any{"offence_group": f.Offence, "last_discipline": f.LastDiscipline.String()})
	})
	return f, err
}

// PersonApplications lists the applications made for a person, newest
// first, to those who may read their record.
func (a *App) PersonApplications(ctx context.Context, ac Actor, personID int64) ([]*binakerja.Application, error) {
	if _, err := a.Inmate(ctx, ac, personID); err != nil {
		return nil, err
	}
	as, _, err := a.db.Applications(ctx, store.ApplicationFilter{Person: personID, Page: store.Page{Limit: 100}})
	return as, err
}

// MatchNationally scores a vacancy against the candidates of every facility
// in the country, as the matching benchmark does; only the command line may
// ask it.
func (a *App) MatchNationally(ctx context.Context, ac Actor, id int64, limit int) (*Matches, error) {
	if ac.User != nil || ac.CLI == "" {
		return nil, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	v, err := a.db.Vacancy(ctx, id)
	if err != nil {
		return nil, err
	}
	emp, err := a.db.Organization(ctx, v.Employer)
	if err != nil {
		return nil, err
	}
	return a.match(ctx, v, &emp.Partner, store.PoolFilter{All: true}, a.today(), limit)
}

// MatchBaseline runs the plain query that selects the same national
// candidate set with their unit results, and counts its rows: the floor
// MatchNationally is measured against.
func (a *App) MatchBaseline(ctx context.Context, ac Actor, id int64) (int, error) {
	if ac.User != nil || ac.CLI == "" {
		return 0, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	v, err := a.db.Vacancy(ctx, id)
	if err != nil {
		return 0, err
	}
	today := a.today()
	rule := binakerja.MatchRuleFor(today)
	return a.db.PoolBaseline(ctx, store.PoolFilter{All: true, DueBy: today.AddDate(0, 0, rule.DueWithinDays),
		ReleasedSince: today.AddDate(0, 0, -rule.ReleasedWithinDays)}, v.Units())
}
