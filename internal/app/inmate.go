package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"

	"binakerja"
	"binakerja/internal/store"
)

// InmateQuery selects inmates for a list.
type InmateQuery struct {
	Facility    string
	Query       string // a name (any word's prefix) or a registration number
	NIK         string // exact identity number
	Status      binakerja.LegalStatus
	InCustody   bool
	ReleaseFrom binakerja.Date
	ReleaseTo   binakerja.Date
	Page        store.Page
}

// mask replaces the sealed NIK of a record by its masked form.
func (a *App) mask(r *store.InmateRecord) binakerja.Inmate {
	in := r.Inmate
	in.NIK = ""
	if len(r.NIKSealed) > 0 && a.nik != nil {
		if plain, err := a.nik.Open(r.UID, r.NIKSealed); err == nil {
			in.NIKMasked = binakerja.MaskNIK(plain)
		} else {
			a.log.Error("open NIK", "person_id", r.Person.ID)
			in.NIKMasked = "****************"
		}
	}
	return in
}

// Inmates lists the people in custody (or once in custody) within the
// actor's reach, each with their latest episode; identity numbers masked.
// A search is recorded in the audit trail.
func (a *App) Inmates(ctx context.Context, ac Actor, q InmateQuery) ([]binakerja.Inmate, string, error) {
	role, err := a.authorize(ctx, ac, binakerja.ActionInmateView, "")
	if err != nil {
		return nil, "", err
	}
	f := store.InmateFilter{Facility: q.Facility, Query: q.Query, Status: q.Status, InCustody: q.InCustody,
		ReleaseFrom: q.ReleaseFrom, ReleaseTo: q.ReleaseTo, Page: q.Page}
	f.Within, f.All = a.scope(ac, binakerja.ActionInmateView)
	if q.NIK != "" {
		n, ok := binakerja.NormalizeNIK(q.NIK)
		if !ok {
			return nil, "", binakerja.FieldInvalid("nik", "import.nik.format")
		}
		if a.nik == nil {
			return nil, "", binakerja.Errorf(binakerja.Internal, "error.internal")
		}
		f.NIKIndex = a.nik.Index(n)
	}
	if q.Status != "" && !q.Status.Valid() {
		return nil, "", binakerja.FieldInvalid("status", "inmate.status.invalid")
	}
	recs, next, err := a.db.Inmates(ctx, f)
	if err != nil {
		return nil, "", err
	}
	if q.Query != "" || q.NIK != "" {
		err := a.db.Transact(ctx, func(tx *store.Tx) error {
			return a.record(ctx, tx, ac, role, "inmate.search", "person", "", q.Facility,
				map[string]any{"query": q.Query != "", "nik": q.NIK != "", "results": len(recs)})
		})
		if err != nil {
			return nil, "", err
		}
	}
	out := make([]binakerja.Inmate, len(recs))
	for i, r := range recs {
		out[i] = a.mask(r)
	}
	return out, next, nil
}

// InmateDetail is everything the person page shows: the person and their
// earlier names, every custody episode (latest first) with its status
// history and transfers, and of the episodes at facilities outside the
// viewer's reach only a summary.
type InmateDetail struct {
	binakerja.Inmate
	EarlierNames []store.EarlierName
	Episodes     []EpisodeDetail
	Elsewhere    StaysElsewhere
	Enrollments  []store.PersonEnrollment
	Certificates []*binakerja.Certificate
	Placements   []*binakerja.Placement
	FollowUps    []*binakerja.FollowUp
	Handovers    []*binakerja.Handover
	Supervisor   string // the Bapas supervising a conditional release
}

// StaysElsewhere sums up the custody episodes at facilities outside the
// viewer's reach: how many, and the years they span (from the first
// admission to the last release, or admission when there was none). It
// names no facility, registration number, sentence or status: that someone
// was held before, and when, is what another facility needs to know of a
// person come back.
type StaysElsewhere struct {
	Count    int
	FromYear int
	ToYear   int
}

// EpisodeDetail is one custody episode with its history.
type EpisodeDetail struct {
	binakerja.Episode
	History   []binakerja.StatusChange
	Transfers []binakerja.Transfer
}

// inmateFor authorizes action and loads the person it is about: the role
// under which the actor acts, and the record.
func (a *App) inmateFor(ctx context.Context, ac Actor, action binakerja.Action, id int64) (string, *store.InmateRecord, error) {
	role, err := a.authorize(ctx, ac, action, "")
	if err != nil {
		return "", nil, err
	}
	r, err := a.loadInmate(ctx, ac, action, id)
	return role, r, err
}

// loadInmate returns a person whose latest episode lies within the actor's
// reach for action; anyone else is NotFound.
func (a *App) loadInmate(ctx context.Context, ac Actor, action binakerja.Action, id int64) (*store.InmateRecord, error) {
	r, err := a.db.Inmate(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.canSee(ac, action, r.Episode.FacilityPath) {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return r, nil
}

// Inmate returns one person's record. Reading it is recorded in the audit
// trail: it holds criminal-record data.
func (a *App) Inmate(ctx context.Context, ac Actor, id int64) (*InmateDetail, error) {
	role, r, err := a.inmateFor(ctx, ac, binakerja.ActionInmateView, id)
	if err != nil {
		return nil, err
	}
	d, err := a.detail(ctx, r, func(path string) bool { return a.canSee(ac, binakerja.ActionInmateView, path) })
	if err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "inmate.view", "person", itoa(id), r.Episode.Facility, nil)
	})
	return d, err
}

// detail gathers a person's record. The episodes at facilities for which
// reach is false are only summed up, and the enrolments in cohorts there
// left out; reach nil gives everything.
func (a *App) detail(ctx context.Context, r *store.InmateRecord, reach func(path string) bool) (*InmateDetail, error) {
	d := &InmateDetail{Inmate: a.mask(r)}
	eps, err := a.db.Episodes(ctx, r.Person.ID)
	if err != nil {
		return nil, err
	}
	if d.Placements, err = a.db.PlacementsOf(ctx, r.Person.ID); err != nil {
		return nil, err
	}
	if d.FollowUps, _, err = a.db.FollowUps(ctx, store.FollowUpFilter{All: true, Person: r.Person.ID, Page: store.Page{Limit: store.MaxLimit}}); err != nil {
		return nil, err
	}
	if d.Handovers, err = a.db.Handovers(ctx, store.HandoverFilter{All: true, Person: r.Person.ID, Limit: 20}); err != nil {
		return nil, err
	}
	if d.Supervisor, err = a.db.Supervisor(ctx, r.Episode.ID); err != nil {
		return nil, err
	}
	if d.EarlierNames, err = a.db.PersonNames(ctx, r.Person.ID); err != nil {
		return nil, err
	}
	paths := map[string]string{} // facility code → path, of the episodes
	for _, e := range eps {
		paths[e.Episode.Facility] = e.Episode.FacilityPath
		if reach != nil && !reach(e.Episode.FacilityPath) {
			d.Elsewhere.add(e.Episode)
			continue
		}
		ed := EpisodeDetail{Episode: e.Episode}
		if ed.History, err = a.db.StatusHistory(ctx, e.Episode.ID); err != nil {
			return nil, err
		}
		if ed.Transfers, err = a.db.Transfers(ctx, e.Episode.ID); err != nil {
			return nil, err
		}
		d.Episodes = append(d.Episodes, ed)
	}
	if d.Enrollments, err = a.db.EnrollmentsOf(ctx, r.Person.ID); err != nil {
		return nil, err
	}
	if reach != nil {
		var kept []store.PersonEnrollment
		for _, en := range d.Enrollments {
			path, ok := paths[en.Facility]
			if !ok { // a cohort at a facility the person has no episode at
				o, err := a.db.Organization(ctx, en.Facility)
				if err != nil {
					return nil, err
				}
				path, paths[en.Facility] = o.Path, o.Path
			}
			if reach(path) {
				kept = append(kept, en)
			}
		}
		d.Enrollments = kept
	}
	if d.Certificates, err = a.db.CertificatesOf(ctx, r.Person.ID); err != nil {
		return nil, err
	}
	return d, nil
}

// Years is the span of the stays: "2021" or "2021–2023".
func (s StaysElsewhere) Years() string {
	if s.FromYear == s.ToYear {
		return strconv.Itoa(s.FromYear)
	}
	return strconv.Itoa(s.FromYear) + "–" + strconv.Itoa(s.ToYear)
}

func (s *StaysElsewhere) add(e binakerja.Episode) {
	from, to := e.AdmissionDate.Time().Year(), e.AdmissionDate.Time().Year()
	if !e.ReleaseDate.IsZero() {
		to = e.ReleaseDate.Time().Year()
	}
	if s.Count == 0 || from < s.FromYear {
		s.FromYear = from
	}
	if s.Count == 0 || to > s.ToYear {
		s.ToYear = to
	}
	s.Count++
}

// RevealNIK returns a person's full identity number to a role that needs it,
// for a stated reason, and records who saw it and why.
func (a *App) RevealNIK(ctx context.Context, ac Actor, id int64, reason string) (string, error) {
	role, err := a.authorize(ctx, ac, binakerja.ActionNIKView, "")
	if err != nil {
		return "", err
	}
	reason = strings.TrimSpace(reason)
	if len(reason) < 5 || len(reason) > 300 {
		return "", binakerja.FieldInvalid("reason", "nik.reason.required")
	}
	r, err := a.loadInmate(ctx, ac, binakerja.ActionNIKView, id)
	if err != nil {
		return "", err
	}
	if len(r.NIKSealed) == 0 {
		return "", binakerja.Errorf(binakerja.NotFound, "nik.none")
	}
	if a.nik == nil {
		return "", binakerja.Errorf(binakerja.Internal, "error.internal")
	}
	if err := a.fresh(ctx, ac, "nik.view"); err != nil {
		return "", err
	}
	plain, err := a.nik.Open(r.UID, r.NIKSealed)
	if err != nil {
		return "", err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "nik.view", "person", itoa(id), r.Episode.Facility,
			map[string]string{"reason": reason})
	})
	if err != nil {
		return "", err
	}
	return plain, nil
}

// Release ends a person's custody episode on date for reason (a release
// reason of research §7.2; a transfer is not a release).
func (a *App) Release(ctx context.Context, ac Actor, id int64, date binakerja.Date, reason binakerja.ReleaseReason) (*binakerja.Inmate, error) {
	return a.ReleaseUnder(ctx, ac, id, date, reason, "")
}

// ReleaseUnder ends the custody episode as Release does, naming for a
// conditional release (PB, CB, CMB) the Bapas that supervises it (by default
// the one under the facility's regional office). A programme participant is
// handed over to a mentor (that Bapas, or the labour office working with
// the facility), with the follow-ups after release scheduled.
func (a *App) ReleaseUnder(ctx context.Context, ac Actor, id int64, date binakerja.Date, reason binakerja.ReleaseReason, supervisor string) (*binakerja.Inmate, error) {
	role, r, err := a.inmateFor(ctx, ac, binakerja.ActionInmateWrite, id)
	if err != nil {
		return nil, err
	}
	var p binakerja.Problems
	if !reason.Valid() {
		p.Add("reason", "release.reason.invalid")
	}
	switch today := a.today(); {
	case date.IsZero():
		p.Add("date", "field.required")
	case date.After(today):
		p.Add("date", "import.date.future")
	case date.Before(r.Episode.AdmissionDate):
		p.Add("date", "release.date.before_admission")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	e := r.Episode
	if !e.Open() {
		return nil, binakerja.Errorf(binakerja.Conflict, "release.already")
	}
	fac, err := a.db.Organization(ctx, e.Facility)
	if err != nil {
		return nil, err
	}
	facilityID := fac.ID
	var bapas *binakerja.Organization
	if reason == binakerja.ReleaseParole || reason == binakerja.ReleaseConditional || reason == binakerja.ReleasePreRelease {
		if bapas, err = a.supervisorFor(ctx, fac, supervisor); err != nil {
			return nil, err
		}
	} else if strings.TrimSpace(supervisor) != "" {
		return nil, binakerja.FieldInvalid("supervisor", "release.supervisor_unconditional")
	}
	e.ReleaseDate, e.ReleaseReason, e.Status = date, reason, reason.StatusAfter()
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateEpisode(ctx, &e, facilityID); err != nil {
			return err
		}
		if err := tx.AddStatus(ctx, e.ID, e.Status, date, string(reason)); err != nil {
			return err
		}
		if err := a.closeEnrollments(ctx, tx, ac, role, id, binakerja.EnrollmentReleased, string(reason)); err != nil {
			return err
		}
		sup := ""
		if bapas != nil {
			if err := tx.SetSupervisor(ctx, e.ID, bapas.ID); err != nil {
				return err
			}
			sup = bapas.Code
		}
		if reason != binakerja.ReleaseDeath {
			if err := a.handOver(ctx, tx, ac, role, id, e, bapas); err != nil {
				return err
			}
		}
		return a.record(ctx, tx, ac, role, "inmate.release", "person", itoa(id), e.Facility,
			map[string]string{"date": date.String(), "reason": string(reason), "supervisor": sup})
	})
	if err != nil {
		return nil, err
	}
	r.Episode = e
	out := a.mask(r)
	return &out, nil
}

// Transfer moves a person in custody to another facility on date, under the
// registration number given there. The person and the episode carry over: a
// transfer is not a release.
func (a *App) Transfer(ctx context.Context, ac Actor, id int64, to string, date binakerja.Date, regno string) (*binakerja.Inmate, error) {
	role, r, err := a.inmateFor(ctx, ac, binakerja.ActionInmateWrite, id)
	if err != nil {
		return nil, err
	}
	e := r.Episode
	var p binakerja.Problems
	regno = strings.Join(strings.Fields(regno), " ")
	if regno == "" {
		regno = e.RegistrationNumber
	}
	dest, err := a.db.Organization(ctx, to)
	switch {
	case binakerja.ErrorKind(err) == binakerja.NotFound:
		p.Add("to", "org.unknown", binakerja.NormalizeOrgCode(to))
	case err != nil:
		return nil, err
	case dest.Kind != binakerja.OrgFacility:
		p.Add("to", "transfer.not_facility")
	case dest.Code == e.Facility:
		p.Add("to", "transfer.same")
	}
	switch today := a.today(); {
	case date.IsZero():
		p.Add("date", "field.required")
	case date.After(today):
		p.Add("date", "import.date.future")
	case date.Before(e.AdmissionDate):
		p.Add("date", "release.date.before_admission")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if !e.Open() {
		return nil, binakerja.Errorf(binakerja.Conflict, "transfer.released")
	}
	fromID, err := a.db.OrgID(ctx, e.Facility)
	if err != nil {
		return nil, err
	}
	from := e.Facility
	e.Facility, e.RegistrationNumber = dest.Code, regno
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateEpisode(ctx, &e, dest.ID); err != nil {
			if binakerja.ErrorKind(err) == binakerja.Conflict {
				return binakerja.FieldInvalid("registration_number", "transfer.regno_taken", regno)
			}
			return err
		}
		if err := tx.AddTransfer(ctx, e.ID, fromID, dest.ID, date, regno); err != nil {
			return err
		}
		if err := a.closeEnrollments(ctx, tx, ac, role, id, binakerja.EnrollmentTransferred, dest.Code); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "inmate.transfer", "person", itoa(id), from,
			map[string]string{"from": from, "to": dest.Code, "date": date.String()})
	})
	if err != nil {
		return nil, err
	}
	e.FacilityName, e.FacilityPath = dest.Name, dest.Path
	r.Episode = e
	out := a.mask(r)
	return &out, nil
}

// SubjectAccess is everything BinaKerja holds about one person, for a request
// under the personal data protection law (UU 27/2022): the record, every
// episode with its history, and the audit trail of what was done with it.
type SubjectAccess struct {
	InmateDetail
	NIK   string // in full: the person is entitled to their own data
	Trail []*binakerja.AuditEvent
}

// ExportSubject gathers everything held about a person, and records the
// disclosure.
func (a *App) ExportSubject(ctx context.Context, ac Actor, id int64) (*SubjectAccess, error) {
	role, r, err := a.inmateFor(ctx, ac, binakerja.ActionSubjectExport, id)
	if err != nil {
		return nil, err
	}
	if err := a.fresh(ctx, ac, "subject.export"); err != nil {
		return nil, err
	}
	// The person is entitled to everything held about them, whichever
	// facility held them.
	d, err := a.detail(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	s := &SubjectAccess{InmateDetail: *d}
	if len(r.NIKSealed) > 0 && a.nik != nil {
		if s.NIK, err = a.nik.Open(r.UID, r.NIKSealed); err != nil {
			return nil, err
		}
	}
	for page := (store.Page{Limit: store.MaxLimit}); ; {
		evs, next, err := a.db.AuditEvents(ctx, store.AuditFilter{Entity: "person", EntityID: itoa(id), Page: page})
		if err != nil {
			return nil, err
		}
		s.Trail = append(s.Trail, evs...)
		if next == "" {
			break
		}
		page.Cursor = next
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "subject.export", "person", itoa(id), r.Episode.Facility, nil)
	})
	return s, err
}

// today is the current date in western Indonesian time, against which "not
// in the future" is judged.
func (a *App) today() binakerja.Date { return binakerja.DateOf(a.db.Now().In(wib)) }

func newUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
