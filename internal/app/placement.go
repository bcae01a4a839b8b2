package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"binakerja"
	"binakerja/internal/store"
)

// personRole returns the role under which the actor may act on a person
// after release: through the facility that held them, as the labour office
// that works with that facility, or as the mentor the person was handed
// over to (or the Bapas supervising their conditional release). Anyone else
// gets NotFound.
func (a *App) personRole(ctx context.Context, ac Actor, action binakerja.Action, r *store.InmateRecord) (string, error) {
	if _, err := a.authorize(ctx, ac, action, ""); err != nil {
		return "", err
	}
	if a.canSee(ac, action, r.Episode.FacilityPath) {
		return a.authorize(ctx, ac, action, r.Episode.FacilityPath)
	}
	hs, err := a.db.Handovers(ctx, store.HandoverFilter{All: true, Person: r.Person.ID, Limit: 10})
	if err != nil {
		return "", err
	}
	for _, h := range hs {
		if a.canSee(ac, action, h.MentorPath) {
			return a.authorize(ctx, ac, action, h.MentorPath)
		}
	}
	if sup, err := a.db.Supervisor(ctx, r.Episode.ID); err == nil && sup != "" {
		if o, err := a.db.Organization(ctx, sup); err == nil && a.canSee(ac, action, o.Path) {
			return a.authorize(ctx, ac, action, o.Path)
		}
	}
	if ok, err := a.reachesFacility(ctx, ac, action, "/", r.Episode.FacilityPath); err == nil && ok && ac.User != nil {
		for _, g := range ac.User.Grants {
			if g.Role == binakerja.RoleLabourOfficer && binakerja.Allows(g.Role, action) {
				return string(g.Role), nil
			}
		}
	}
	return "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
}

// handOver hands a released programme participant over to a mentor: the
// Bapas supervising a conditional release, or else the labour office that
// works with the facility; and schedules the follow-ups after release
// (rules/followups.json). Someone who took part in no training is not
// handed over.
func (a *App) handOver(ctx context.Context, tx *store.Tx, ac Actor, role string, personID int64, e binakerja.Episode, supervisor *binakerja.Organization) error {
	took, err := tx.TookPart(ctx, personID)
	if err != nil || !took {
		return err
	}
	fac, err := tx.Organization(ctx, e.Facility)
	if err != nil {
		return err
	}
	mentor := supervisor
	if mentor == nil {
		if mentor, err = a.officeFor(ctx, fac); err != nil || mentor == nil {
			return err
		}
	}
	h := &binakerja.Handover{PersonID: personID}
	if err := tx.CreateHandover(ctx, h, e.ID, fac.ID, mentor.ID); err != nil {
		return err
	}
	if err := a.notify(ctx, tx, mentor.Code, store.NoticeHandover, personID, ref("handover", h.ID)); err != nil {
		return err
	}
	rule := binakerja.FollowUpRuleFor(e.ReleaseDate)
	for _, m := range rule.Months {
		f := &binakerja.FollowUp{PersonID: personID, Month: m, DueDate: e.ReleaseDate.AddMonths(m)}
		if err := tx.CreateFollowUp(ctx, f, e.ID, mentor.ID); err != nil {
			return err
		}
	}
	return a.record(ctx, tx, ac, role, "handover.create", "person", itoa(personID), fac.Code,
		map[string]any{"handover": h.ID, "mentor": mentor.Code, "followups": rule.Months, "rule": rule.Version})
}

// officeFor returns the labour office that works with a facility's region
// (the most local one), or nil.
func (a *App) officeFor(ctx context.Context, fac *binakerja.Organization) (*binakerja.Organization, error) {
	offices, _, err := a.db.Organizations(ctx, store.OrgFilter{All: true, Kind: binakerja.OrgLabourOffice,
		Region: fac.RegionCode[:2], Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return nil, err
	}
	var best *binakerja.Organization
	for _, o := range offices {
		if binakerja.RegionWithin(fac.RegionCode, o.RegionCode) && (best == nil || len(o.RegionCode) > len(best.RegionCode)) {
			best = o
		}
	}
	return best, nil
}

// supervisorFor returns the Bapas supervising a conditional release from a
// facility: the one named, or else the one under the same regional office.
func (a *App) supervisorFor(ctx context.Context, fac *binakerja.Organization, code string) (*binakerja.Organization, error) {
	if code != "" {
		o, err := a.db.Organization(ctx, code)
		if binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && o.Kind != binakerja.OrgProbationOffice) {
			return nil, binakerja.FieldInvalid("supervisor", "release.supervisor")
		}
		return o, err
	}
	if fac.Parent == "" {
		return nil, nil
	}
	bapas, _, err := a.db.Organizations(ctx, store.OrgFilter{All: true, Kind: binakerja.OrgProbationOffice, Parent: fac.Parent,
		Page: store.Page{Limit: 1}})
	if err != nil || len(bapas) == 0 {
		return nil, err
	}
	return bapas[0], nil
}

// AcknowledgeHandover records that the mentor took a released person on.
func (a *App) AcknowledgeHandover(ctx context.Context, ac Actor, id int64) (*binakerja.Handover, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionFollowUpManage, ""); err != nil {
		return nil, err
	}
	h, err := a.db.Handover(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.canSee(ac, binakerja.ActionFollowUpManage, h.MentorPath) {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionFollowUpManage, h.MentorPath)
	if err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.AcknowledgeHandover(ctx, id, ac.label()); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "handover.acknowledge", "person", itoa(h.PersonID), h.Mentor,
			map[string]any{"handover": id})
	})
	if err != nil {
		return nil, err
	}
	return a.db.Handover(ctx, id)
}

// Handovers lists the hand-overs of the facilities and mentors within the
// actor's reach, newest first; pending only those not yet acknowledged.
func (a *App) Handovers(ctx context.Context, ac Actor, pending bool) ([]*binakerja.Handover, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionFollowUpView, ""); err != nil {
		return nil, err
	}
	f := store.HandoverFilter{Pending: pending, Limit: store.MaxLimit}
	f.Within, f.All = a.scope(ac, binakerja.ActionFollowUpView)
	return a.db.Handovers(ctx, f)
}

// NewPlacement is the input of CreatePlacement.
type NewPlacement struct {
	PersonID      int64
	Employer      string // a partner's code, or the name of an employer not (yet) a partner
	Kind          binakerja.PlacementKind
	Position      string
	StartDate     binakerja.Date
	WageBand      string
	ContractType  binakerja.ContractType
	PartTime      bool
	ApplicationID int64
	AgreementID   int64
}

// CreatePlacement records a period of work of a released person (or an
// internship of one in custody). Work may not start before release, and a
// second job may not overlap a first unless the first has ended or both are
// part-time.
func (a *App) CreatePlacement(ctx context.Context, ac Actor, in NewPlacement) (*binakerja.Placement, error) {
	r, err := a.db.Inmate(ctx, in.PersonID)
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		return nil, binakerja.FieldInvalid("inmate_id", "placement.unknown_person")
	}
	if err != nil {
		return nil, err
	}
	role, err := a.personRole(ctx, ac, binakerja.ActionPlacementManage, r)
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		return nil, binakerja.FieldInvalid("inmate_id", "placement.unknown_person")
	}
	if err != nil {
		return nil, err
	}
	return a.placeIn(ctx, ac, role, r, in)
}

func (a *App) placeIn(ctx context.Context, ac Actor, role string, r *store.InmateRecord, in NewPlacement) (*binakerja.Placement, error) {
	p, employerID, err := a.preparePlacement(ctx, ac, r, in)
	if err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.writePlacement(ctx, tx, ac, role, r, p, employerID)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// preparePlacement builds and checks a placement. Work may not start before
// release (an internship aside): for someone still in custody, only a job
// arranged to start on or after the expected release; and it may not
// overlap another unless that one has ended or both are part-time.
func (a *App) preparePlacement(ctx context.Context, ac Actor, r *store.InmateRecord, in NewPlacement) (*binakerja.Placement, int64, error) {
	p := &binakerja.Placement{PersonID: r.Person.ID, Name: r.Name, Kind: in.Kind, Position: in.Position, StartDate: in.StartDate,
		WageBand: in.WageBand, ContractType: in.ContractType, PartTime: in.PartTime, ApplicationID: in.ApplicationID,
		AgreementID: in.AgreementID, RecordedBy: ac.label()}
	var employerID int64
	if code := strings.TrimSpace(in.Employer); code != "" {
		if o, err := a.db.Organization(ctx, code); err == nil && o.Kind == binakerja.OrgEmployer {
			p.Employer, p.EmployerName, employerID = o.Code, o.Name, o.ID
		} else {
			p.EmployerName = code
		}
	}
	p.Normalize()
	var pr binakerja.Problems
	if err := p.Validate(); err != nil {
		pr = append(pr, err.(*binakerja.Error).Fields...)
	}
	if !p.StartDate.IsZero() {
		switch e := r.Episode; {
		case p.Kind == binakerja.PlacementInternship:
		case e.Open() && e.Status.InCustody():
			if e.ExpectedRelease.IsZero() || p.StartDate.Before(e.ExpectedRelease) {
				pr.Add("start_date", "placement.in_custody")
			}
		case !e.ReleaseDate.IsZero() && p.StartDate.Before(e.ReleaseDate):
			pr.Add("start_date", "placement.before_release", e.ReleaseDate.String())
		}
		if p.StartDate.After(a.today().AddDate(1, 0, 0)) {
			pr.Add("start_date", "placement.far")
		}
		others, err := a.db.PlacementsOf(ctx, r.Person.ID)
		if err != nil {
			return nil, 0, err
		}
		for _, o := range others {
			if (o.EndDate.IsZero() || !o.EndDate.Before(p.StartDate)) && !(o.PartTime && p.PartTime) {
				pr.Add("start_date", "placement.overlaps", o.EmployerName)
				break
			}
		}
	}
	if err := pr.Err(); err != nil {
		return nil, 0, err
	}
	return p, employerID, nil
}

func (a *App) writePlacement(ctx context.Context, tx *store.Tx, ac Actor, role string, r *store.InmateRecord, p *binakerja.Placement, employerID int64) error {
	if err := tx.CreatePlacement(ctx, p, employerID); err != nil {
		return err
	}
	return a.record(ctx, tx, ac, role, "placement.create", "person", itoa(p.PersonID), r.Episode.Facility, map[string]any{
		"placement": p.ID, "kind": p.Kind, "employer": p.EmployerName, "position": p.Position,
		"start_date": p.StartDate.String(), "application": p.ApplicationID, "agreement": p.AgreementID})
}

// hirePlacement is the placement a hire starts: the vacancy's job with its
// employer, from the vacancy's start (or the release, when later).
func (a *App) hirePlacement(ctx context.Context, ac Actor, ap *binakerja.Application, v *binakerja.Vacancy) (*store.InmateRecord, *binakerja.Placement, int64, error) {
	r, err := a.db.Inmate(ctx, ap.PersonID)
	if err != nil {
		return nil, nil, 0, err
	}
	start := v.StartDate
	if e := r.Episode; e.Open() && e.ExpectedRelease.After(start) {
		start = e.ExpectedRelease
	} else if !e.Open() && e.ReleaseDate.After(start) {
		start = e.ReleaseDate
	}
	kind := binakerja.PlacementJob
	if emp, err := a.db.Organization(ctx, v.Employer); err == nil && (emp.EmployerSize == "MIKRO" || emp.EmployerSize == "KECIL") {
		kind = binakerja.PlacementUMKM
	}
	p, employerID, err := a.preparePlacement(ctx, ac, r, NewPlacement{PersonID: ap.PersonID, Employer: v.Employer, Kind: kind,
		Position: v.Title, StartDate: start, ContractType: v.ContractType, ApplicationID: ap.ID, AgreementID: v.AgreementID})
	return r, p, employerID, err
}

// EndPlacement closes an employment period with its end date and reason.
func (a *App) EndPlacement(ctx context.Context, ac Actor, id int64, date binakerja.Date, reason string) (*binakerja.Placement, error) {
	p, err := a.db.Placement(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := a.db.Inmate(ctx, p.PersonID)
	if err != nil {
		return nil, err
	}
	role, err := a.personRole(ctx, ac, binakerja.ActionPlacementManage, r)
	if err != nil {
		return nil, err
	}
	if !p.EndDate.IsZero() {
		return nil, binakerja.Errorf(binakerja.Conflict, "placement.ended")
	}
	var pr binakerja.Problems
	today := a.today()
	switch {
	case date.IsZero():
		pr.Add("date", "field.required")
	case date.After(today):
		pr.Add("date", "import.date.future")
	case p.StartDate.After(today):
		// Work arranged to start later that will not take place: it ends
		// on the day it would have begun, never having run.
		date = p.StartDate
	case date.Before(p.StartDate):
		pr.Add("date", "placement.end_before_start")
	}
	found := false
	for _, r := range binakerja.EmploymentEndReasons {
		found = found || r == reason
	}
	if !found {
		pr.Add("reason", "placement.end_reason")
	}
	if err := pr.Err(); err != nil {
		return nil, err
	}
	p.EndDate, p.EndReason = date, reason
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.EndPlacement(ctx, p); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "placement.end", "person", itoa(p.PersonID), r.Episode.Facility,
			map[string]any{"placement": p.ID, "date": date.String(), "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Placements lists a person's placements, to those who reach them.
func (a *App) Placements(ctx context.Context, ac Actor, personID int64) ([]*binakerja.Placement, error) {
	r, err := a.db.Inmate(ctx, personID)
	if err != nil {
		return nil, err
	}
	if _, err := a.personRole(ctx, ac, binakerja.ActionFollowUpView, r); err != nil {
		return nil, err
	}
	return a.db.PlacementsOf(ctx, personID)
}

// FollowUpQuery selects follow-ups for a caseload.
type FollowUpQuery struct {
	Mentor string
	Status binakerja.FollowUpStatus // DUE, OVERDUE or DONE; empty for all open
	Person int64
	Page   store.Page
}

// FollowUps lists the follow-ups of the mentors within the actor's reach,
// by due date: due (within their grace), overdue, or done.
func (a *App) FollowUps(ctx context.Context, ac Actor, q FollowUpQuery) ([]*binakerja.FollowUp, string, int, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionFollowUpView, ""); err != nil {
		return nil, "", 0, err
	}
	f := store.FollowUpFilter{Mentor: q.Mentor, Person: q.Person, Page: q.Page}
	f.Within, f.All = a.scope(ac, binakerja.ActionFollowUpView)
	today := a.today()
	grace := binakerja.FollowUpRuleFor(today).GraceDays
	switch q.Status {
	case binakerja.FollowUpDue:
		f.Open = true
	case binakerja.FollowUpOverdue:
		f.Open, f.DueUntil = true, today.AddDate(0, 0, -grace-1)
	case binakerja.FollowUpDone:
		f.Done = true
	case "":
		f.Open = true
	default:
		return nil, "", 0, binakerja.FieldInvalid("status", "followup.status")
	}
	fs, next, err := a.db.FollowUps(ctx, f)
	if err != nil {
		return nil, "", 0, err
	}
	if q.Status == binakerja.FollowUpDue {
		// Due: not yet past their grace.
		var out []*binakerja.FollowUp
		for _, fu := range fs {
			if fu.StatusOn(today, grace) == binakerja.FollowUpDue {
				out = append(out, fu)
			}
		}
		fs = out
	}
	return fs, next, grace, nil
}

// FollowUpInput is what a mentor records of a follow-up.
type FollowUpInput struct {
	ContactDate binakerja.Date
	Contacted   bool
	Outcome     binakerja.Outcome
	Confirmed   bool
	Employer    string
	Needs       string
	Notes       string
}

// RecordFollowUp records a follow-up: the contact made (or not), the
// person's work (unknown kept apart from out of work), whether the employer
// confirmed it, needs and notes. A follow-up is recorded once.
func (a *App) RecordFollowUp(ctx context.Context, ac Actor, id int64, in FollowUpInput) (*binakerja.FollowUp, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionFollowUpManage, ""); err != nil {
		return nil, err
	}
	f, err := a.db.FollowUp(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.canSee(ac, binakerja.ActionFollowUpManage, f.MentorPath) {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionFollowUpManage, f.MentorPath)
	if err != nil {
		return nil, err
	}
	if f.Status != binakerja.FollowUpDue {
		return nil, binakerja.Errorf(binakerja.Conflict, "followup.recorded")
	}
	r, err := a.db.Inmate(ctx, f.PersonID)
	if err != nil {
		return nil, err
	}
	var p binakerja.Problems
	today := a.today()
	switch {
	case in.ContactDate.IsZero():
		p.Add("contact_date", "field.required")
	case in.ContactDate.After(today):
		p.Add("contact_date", "import.date.future")
	case !r.Episode.ReleaseDate.IsZero() && in.ContactDate.Before(r.Episode.ReleaseDate):
		p.Add("contact_date", "followup.before_release")
	}
	if r.Episode.Open() && r.Episode.Status.InCustody() {
		p.Add("contact_date", "followup.not_released")
	}
	switch {
	case in.Outcome == "" && in.Contacted:
		p.Add("outcome", "field.required")
	case in.Outcome == "":
		in.Outcome = binakerja.OutcomeUnreachable
	}
	valid := in.Outcome == ""
	for _, o := range binakerja.Outcomes {
		valid = valid || o == in.Outcome
	}
	switch {
	case !valid:
		p.Add("outcome", "followup.outcome")
	case in.Contacted && in.Outcome == binakerja.OutcomeUnreachable:
		p.Add("outcome", "followup.reached_unreachable")
	case !in.Contacted && in.Outcome != binakerja.OutcomeUnreachable && !in.Confirmed:
		// What someone not reached is doing is known only from the
		// employer's word.
		p.Add("contacted", "followup.not_reached_outcome")
	}
	in.Employer, in.Needs, in.Notes = strings.TrimSpace(in.Employer), strings.TrimSpace(in.Needs), strings.TrimSpace(in.Notes)
	if utf8.RuneCountInString(in.Notes) > 2000 || utf8.RuneCountInString(in.Needs) > 1000 || utf8.RuneCountInString(in.Employer) > 200 {
		p.Add("notes", "field.too_long", 2000)
	}
	if in.Confirmed && !in.Outcome.Employed() {
		p.Add("confirmed", "followup.confirmed_unemployed")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	f.Status, f.ContactDate, f.Contacted, f.Outcome, f.Confirmed = binakerja.FollowUpDone, in.ContactDate, in.Contacted, in.Outcome, in.Confirmed
	f.Employer, f.Needs, f.Notes, f.RecordedBy = in.Employer, in.Needs, in.Notes, ac.label()
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RecordFollowUp(ctx, f); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "followup.record", "person", itoa(f.PersonID), f.Mentor, map[string]any{
			"followup": f.ID, "month": f.Month, "contacted": f.Contacted, "outcome": f.Outcome, "confirmed": f.Confirmed})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}
