package app

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"binakerja"
	"binakerja/internal/store"
)

// NewInternship is the input of CreateInternship.
type NewInternship struct {
	PersonID    int64
	Host        string
	AgreementID int64
	StartDate   binakerja.Date
	EndDate     binakerja.Date
	Supervisor  string
	Officer     string
	Schedule    string
}

// InternshipEligibility is what the internship rule says of a person for a
// start date: every rule they fail, by the rule table's version.
type InternshipEligibility struct {
	Rule binakerja.InternshipRule
	Bars []binakerja.InternshipBar
}

// internshipBars checks a person in custody against the internship rule in
// force on the start date.
func (a *App) internshipBars(ctx context.Context, r *store.InmateRecord, start binakerja.Date) (InternshipEligibility, error) {
	rule := binakerja.InternshipRuleFor(start)
	facts, err := a.db.CustodyFacts(ctx, r.Episode.ID)
	if err != nil {
		return InternshipEligibility{}, err
	}
	trained, err := a.db.CompletedTraining(ctx, r.Person.ID)
	if err != nil {
		return InternshipEligibility{}, err
	}
	return InternshipEligibility{Rule: rule, Bars: rule.Check(&r.Episode, facts, trained, start)}, nil
}

// CreateInternship plans an internship before release: assimilation with a
// third party. The person must pass every rule of rules/internship.json (the
// refusal names each rule failed); the host must be a party, with the
// facility, to an agreement in force with internship places left; and the
// person may hold no other internship on those days.
func (a *App) CreateInternship(ctx context.Context, ac Actor, in NewInternship) (*binakerja.Internship, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionInternshipManage, ""); err != nil {
		return nil, err
	}
	r, err := a.db.Inmate(ctx, in.PersonID)
	if binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && !a.canSee(ac, binakerja.ActionInternshipManage, r.Episode.FacilityPath)) {
		return nil, binakerja.FieldInvalid("inmate_id", "internship.not_here")
	}
	if err != nil {
		return nil, err
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionInternshipManage, r.Episode.FacilityPath)
	if err != nil {
		return nil, err
	}
	var p binakerja.Problems
	in.Supervisor = strings.Join(strings.Fields(in.Supervisor), " ")
	in.Officer = strings.Join(strings.Fields(in.Officer), " ")
	in.Schedule = strings.Join(strings.Fields(in.Schedule), " ")
	if in.Officer == "" && ac.User != nil {
		in.Officer = ac.User.Name
	}
	switch n := utf8.RuneCountInString(in.Supervisor); {
	case n == 0:
		p.Add("supervisor", "field.required")
	case n > 200:
		p.Add("supervisor", "field.too_long", 200)
	}
	if utf8.RuneCountInString(in.Officer) > 200 || utf8.RuneCountInString(in.Schedule) > 200 {
		p.Add("schedule", "field.too_long", 200)
	}
	today := a.today()
	rule := binakerja.InternshipRuleFor(in.StartDate)
	switch {
	case in.StartDate.IsZero():
		p.Add("start_date", "field.required")
	case in.StartDate.Before(r.Episode.AdmissionDate):
		p.Add("start_date", "internship.start_before_admission")
	case in.StartDate.After(today.AddDate(1, 0, 0)):
		p.Add("start_date", "internship.start_far")
	}
	switch {
	case in.EndDate.IsZero():
		p.Add("end_date", "field.required")
	case !in.StartDate.IsZero() && in.EndDate.Before(in.StartDate):
		p.Add("end_date", "internship.end_before_start")
	case !in.StartDate.IsZero() && in.StartDate.DaysUntil(in.EndDate) > rule.MaxDays:
		p.Add("end_date", "internship.too_long", rule.MaxDays)
	case !r.Episode.ExpectedRelease.IsZero() && in.EndDate.After(r.Episode.ExpectedRelease):
		p.Add("end_date", "internship.after_release")
	}
	host, err := a.db.Organization(ctx, in.Host)
	switch {
	case binakerja.ErrorKind(err) == binakerja.NotFound:
		p.Add("host", "org.unknown", binakerja.NormalizeOrgCode(in.Host))
	case err != nil:
		return nil, err
	case host.Kind != binakerja.OrgEmployer:
		p.Add("host", "internship.host_kind")
	}
	var ag *binakerja.Agreement
	if in.AgreementID == 0 {
		p.Add("agreement_id", "field.required")
	} else if ag, err = a.db.Agreement(ctx, in.AgreementID); binakerja.ErrorKind(err) == binakerja.NotFound {
		p.Add("agreement_id", "internship.agreement_unknown")
		ag = nil
	} else if err != nil {
		return nil, err
	}
	if ag != nil && host != nil && !in.StartDate.IsZero() {
		places, hasPlaces := ag.Commitment(binakerja.CommitInternships)
		switch {
		case !ag.HasParty(host.Code) || !ag.HasParty(r.Episode.Facility):
			p.Add("agreement_id", "internship.agreement_parties")
		case !ag.ActiveOn(in.StartDate) || (!in.EndDate.IsZero() && in.EndDate.After(ag.ValidUntil)):
			p.Add("agreement_id", "internship.agreement_not_in_force")
		case !hasPlaces:
			p.Add("agreement_id", "internship.no_places")
		default:
			held, err := a.db.InternshipsHeld(ctx, ag.ID, 0)
			if err != nil {
				return nil, err
			}
			if held >= places.Target {
				p.Add("agreement_id", "internship.places_taken", places.Target)
			}
		}
	}
	if !in.StartDate.IsZero() && !in.EndDate.IsZero() && !in.EndDate.Before(in.StartDate) {
		if other, err := a.db.OverlappingInternship(ctx, in.PersonID, in.StartDate, in.EndDate, 0); err != nil {
			return nil, err
		} else if other != 0 {
			p.Add("start_date", "internship.overlaps", other)
		}
	}
	if !in.StartDate.IsZero() {
		el, err := a.internshipBars(ctx, r, in.StartDate)
		if err != nil {
			return nil, err
		}
		for _, b := range el.Bars {
			p.Add("inmate_id", "internship.bar."+string(b), el.Rule.Version)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	it := &binakerja.Internship{PersonID: r.Person.ID, Name: r.Name, Facility: r.Episode.Facility, FacilityPath: r.Episode.FacilityPath,
		Host: host.Code, HostName: host.Name, HostPath: host.Path, AgreementID: ag.ID, AgreementNo: ag.Number,
		StartDate: in.StartDate, EndDate: in.EndDate, Supervisor: in.Supervisor, Officer: in.Officer, Schedule: in.Schedule,
		Status: binakerja.InternshipPending}
	fac, err := a.db.Organization(ctx, r.Episode.Facility)
	if err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		// Places are counted again under the writer's lock, so that two
		// officers cannot take the last place at once.
		if held, err := tx.InternshipsHeld(ctx, ag.ID, 0); err != nil {
			return err
		} else if c, _ := ag.Commitment(binakerja.CommitInternships); held >= c.Target {
			return binakerja.FieldInvalid("agreement_id", "internship.places_taken", c.Target)
		}
		if err := tx.CreateInternship(ctx, it, r.Episode.ID, fac.ID, host.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "internship.create", "person", itoa(it.PersonID), it.Facility, map[string]any{
			"internship": it.ID, "host": it.Host, "agreement": ag.ID, "start_date": it.StartDate.String(), "end_date": it.EndDate.String()})
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// loadInternship returns an internship the actor reaches through its
// facility (or, for the host's people, through the host) and the role it
// acts under; any other is NotFound.
func (a *App) loadInternship(ctx context.Context, ac Actor, action binakerja.Action, id int64) (*binakerja.Internship, string, error) {
	if _, err := a.authorize(ctx, ac, action, ""); err != nil {
		return nil, "", err
	}
	it, err := a.db.Internship(ctx, id)
	if err != nil {
		return nil, "", err
	}
	for _, path := range []string{it.FacilityPath, it.HostPath} {
		if a.canSee(ac, action, path) {
			role, err := a.authorize(ctx, ac, action, path)
			return it, role, err
		}
	}
	return nil, "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
}

// InternshipDetail is an internship with its daily log.
type InternshipDetail struct {
	*binakerja.Internship
	Logs []*binakerja.InternshipLog
}

// Internship returns an internship with its log, to the facility's officers
// and the host's people.
func (a *App) Internship(ctx context.Context, ac Actor, id int64) (*InternshipDetail, error) {
	it, _, err := a.loadInternship(ctx, ac, binakerja.ActionInternshipView, id)
	if err != nil {
		return nil, err
	}
	logs, err := a.db.InternshipLogs(ctx, id)
	if err != nil {
		return nil, err
	}
	return &InternshipDetail{Internship: it, Logs: logs}, nil
}

// Internships lists the internships of the facilities (or hosts) within the
// actor's reach.
func (a *App) Internships(ctx context.Context, ac Actor, f store.InternshipFilter) ([]*binakerja.Internship, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionInternshipView, ""); err != nil {
		return nil, "", err
	}
	f.Within, f.All = a.scope(ac, binakerja.ActionInternshipView)
	return a.db.Internships(ctx, f)
}

// ChangeInternship moves an internship on: approved, started, completed,
// ended early or cancelled (the last two with a reason).
func (a *App) ChangeInternship(ctx context.Context, ac Actor, id int64, to binakerja.InternshipStatus, reason string) (*binakerja.Internship, error) {
	it, role, err := a.loadInternship(ctx, ac, binakerja.ActionInternshipManage, id)
	if err != nil {
		return nil, err
	}
	ok, needReason := it.Status.CanMove(to)
	if !ok {
		return nil, binakerja.Errorf(binakerja.Conflict, "internship.transition", string(it.Status), string(to))
	}
	reason = strings.TrimSpace(reason)
	switch {
	case needReason && reason == "":
		return nil, binakerja.FieldInvalid("reason", "field.required")
	case utf8.RuneCountInString(reason) > 500:
		return nil, binakerja.FieldInvalid("reason", "field.too_long", 500)
	}
	if to == binakerja.InternshipActive {
		// The rule is checked again on the day it starts: conduct may have
		// changed since it was planned.
		r, err := a.db.Inmate(ctx, it.PersonID)
		if err != nil {
			return nil, err
		}
		on := a.today()
		if on.Before(it.StartDate) {
			on = it.StartDate
		}
		el, err := a.internshipBars(ctx, r, on)
		if err != nil {
			return nil, err
		}
		var bars binakerja.Problems
		for _, b := range el.Bars {
			bars.Add("status", "internship.bar."+string(b), el.Rule.Version)
		}
		if err := bars.Err(); err != nil {
			return nil, err
		}
	}
	from := it.Status
	it.Status, it.Reason = to, reason
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetInternshipStatus(ctx, it); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "internship.status", "person", itoa(it.PersonID), it.Facility,
			map[string]any{"internship": it.ID, "from": from, "to": to, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// RecordEvaluation keeps the host's evaluation of an internship against
// the competency units, and whether it led to a job offer. The host's
// people or the facility's officers record it.
func (a *App) RecordEvaluation(ctx context.Context, ac Actor, id int64, units []binakerja.UnitEvaluation, note string, jobOffer bool) (*binakerja.Internship, error) {
	it, role, err := a.loadInternship(ctx, ac, binakerja.ActionInternshipEval, id)
	if err != nil {
		return nil, err
	}
	if it.Status != binakerja.InternshipActive && it.Status != binakerja.InternshipCompleted && it.Status != binakerja.InternshipEnded {
		return nil, binakerja.Errorf(binakerja.Conflict, "internship.evaluation_early")
	}
	var p binakerja.Problems
	var codes []string
	for i, u := range units {
		units[i].Unit = strings.ToUpper(strings.TrimSpace(u.Unit))
		if u.Result != binakerja.Competent && u.Result != binakerja.NotCompetent {
			p.Add(fmt.Sprintf("units[%d].result", i), "assessment.result")
		}
		codes = append(codes, units[i].Unit)
	}
	unknown, err := a.db.UnknownUnits(ctx, codes)
	if err != nil {
		return nil, err
	}
	for _, u := range unknown {
		p.Add("units", "vacancy.unit_unknown", u)
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 1000 {
		p.Add("note", "field.too_long", 1000)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	it.EvalNote, it.JobOffer = note, jobOffer
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetInternshipEvaluation(ctx, it.ID, units); err != nil {
			return err
		}
		if err := tx.SetInternshipStatus(ctx, it); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "internship.evaluation", "person", itoa(it.PersonID), it.Facility,
			map[string]any{"internship": it.ID, "units": units, "job_offer": jobOffer})
	})
	if err != nil {
		return nil, err
	}
	it.Evaluation = units
	return it, nil
}

// LogLeaving records that the person went out to the host on a day, and when
// they are due back.
func (a *App) LogLeaving(ctx context.Context, ac Actor, id int64, left, due time.Time, note string) (*binakerja.InternshipLog, error) {
	it, role, err := a.loadInternship(ctx, ac, binakerja.ActionInternshipManage, id)
	if err != nil {
		return nil, err
	}
	if it.Status != binakerja.InternshipActive {
		return nil, binakerja.Errorf(binakerja.Conflict, "internship.not_active")
	}
	day := binakerja.DateOf(left.In(wib))
	var p binakerja.Problems
	switch {
	case left.IsZero():
		p.Add("left_at", "field.required")
	case day.Before(it.StartDate) || day.After(it.EndDate):
		p.Add("left_at", "internship.log_outside")
	case left.After(a.db.Now().Add(time.Hour)):
		p.Add("left_at", "import.date.future")
	}
	if due.IsZero() || !due.After(left) {
		p.Add("due_at", "internship.due_after_left")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	l := &binakerja.InternshipLog{InternshipID: it.ID, Date: day, Left: left, Due: due, Note: strings.TrimSpace(note), RecordedBy: ac.label()}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateInternshipLog(ctx, l); err != nil {
			if binakerja.ErrorKind(err) == binakerja.Conflict {
				return binakerja.FieldInvalid("left_at", "internship.log_twice")
			}
			return err
		}
		return a.record(ctx, tx, ac, role, "internship.leave", "person", itoa(it.PersonID), it.Facility,
			map[string]any{"internship": it.ID, "left_at": left.UTC(), "due_at": due.UTC()})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// LogReturn records the person's return on a day's log; a return later than
// the rule's grace after the due time is flagged late.
func (a *App) LogReturn(ctx context.Context, ac Actor, id, logID int64, returned time.Time, note string) (*binakerja.InternshipLog, error) {
	it, role, err := a.loadInternship(ctx, ac, binakerja.ActionInternshipManage, id)
	if err != nil {
		return nil, err
	}
	l, err := a.db.InternshipLog(ctx, logID)
	if err != nil || l.InternshipID != it.ID {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	if !l.Returned.IsZero() {
		return nil, binakerja.Errorf(binakerja.Conflict, "internship.returned_twice")
	}
	if returned.IsZero() || returned.Before(l.Left) {
		return nil, binakerja.FieldInvalid("returned_at", "internship.return_before_leave")
	}
	rule := binakerja.InternshipRuleFor(it.StartDate)
	l.Returned = returned
	l.Late = returned.After(l.Due.Add(time.Duration(rule.LateAfterMinutes) * time.Minute))
	if n := strings.TrimSpace(note); n != "" {
		l.Note = strings.TrimSpace(l.Note + " " + n)
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.ReturnInternshipLog(ctx, l); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "internship.return", "person", itoa(it.PersonID), it.Facility,
			map[string]any{"internship": it.ID, "returned_at": returned.UTC(), "late": l.Late})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// BoardEntry is one person out on an internship today.
type BoardEntry struct {
	Internship *binakerja.Internship
	Log        *binakerja.InternshipLog
	Late       bool // back later than due (or still out past it)
}

// InternshipBoard is a facility's internships on a day: who is out, who is
// late back, and every internship planned or under way.
type InternshipBoard struct {
	Facility *binakerja.Organization
	Day      binakerja.Date
	Out      []BoardEntry // left today, not back yet
	Back     []BoardEntry // left and came back today
	Current  []*binakerja.Internship
}

// Board returns the internship board of a facility for today.
func (a *App) Board(ctx context.Context, ac Actor, facility string) (*InternshipBoard, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionInternshipManage, ""); err != nil {
		return nil, err
	}
	fac, err := a.db.Organization(ctx, facility)
	if err != nil || fac.Kind != binakerja.OrgFacility || !a.canSee(ac, binakerja.ActionInternshipManage, fac.Path) {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	now := a.db.Now()
	b := &InternshipBoard{Facility: fac, Day: a.today()}
	logs, err := a.db.OutOn(ctx, fac.ID, b.Day)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*binakerja.Internship{}
	for _, st := range []binakerja.InternshipStatus{binakerja.InternshipActive, binakerja.InternshipApproved, binakerja.InternshipPending} {
		its, _, err := a.db.Internships(ctx, store.InternshipFilter{All: true, Facility: fac.Code, Status: st, Page: store.Page{Limit: store.MaxLimit}})
		if err != nil {
			return nil, err
		}
		for _, it := range its {
			byID[it.ID] = it
		}
		b.Current = append(b.Current, its...)
	}
	rule := binakerja.InternshipRuleFor(b.Day)
	grace := time.Duration(rule.LateAfterMinutes) * time.Minute
	for _, l := range logs {
		it := byID[l.InternshipID]
		if it == nil {
			if it, err = a.db.Internship(ctx, l.InternshipID); err != nil {
				return nil, err
			}
		}
		e := BoardEntry{Internship: it, Log: l}
		if l.Returned.IsZero() {
			e.Late = now.After(l.Due.Add(grace))
			b.Out = append(b.Out, e)
		} else {
			e.Late = l.Late
			b.Back = append(b.Back, e)
		}
	}
	return b, nil
}

// InternshipCheck says, for a person and a start date, every rule of the
// internship rule table they fail, before anything is planned.
func (a *App) InternshipCheck(ctx context.Context, ac Actor, personID int64, start binakerja.Date) (InternshipEligibility, error) {
	d, err := a.Inmate(ctx, ac, personID)
	if err != nil {
		return InternshipEligibility{}, err
	}
	if !a.canSee(ac, binakerja.ActionInternshipManage, d.Episode.FacilityPath) {
		return InternshipEligibility{}, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	r, err := a.db.Inmate(ctx, personID)
	if err != nil {
		return InternshipEligibility{}, err
	}
	return a.internshipBars(ctx, r, start)
}

// InternshipUnits returns the units a host evaluates an intern on: those of
// the schemes the person completed a training for.
func (a *App) InternshipUnits(ctx context.Context, ac Actor, id int64) ([]binakerja.Unit, error) {
	it, _, err := a.loadInternship(ctx, ac, binakerja.ActionInternshipView, id)
	if err != nil {
		return nil, err
	}
	return a.db.TrainedUnits(ctx, it.PersonID)
}

// TrainedUnits returns the units of the schemes a person completed a
// training for, to those who keep their record.
func (a *App) TrainedUnits(ctx context.Context, ac Actor, personID int64) ([]binakerja.Unit, error) {
	if _, err := a.Inmate(ctx, ac, personID); err != nil {
		return nil, err
	}
	return a.db.TrainedUnits(ctx, personID)
}
