package app

import (
	"context"
	"slices"

	"binakerja"
	"binakerja/internal/store"
)

// Readiness is how ready someone due for release is for work.
type Readiness string

// The readiness statuses: ready for work (trained and certified or
// internship done, consenting, with a job in view or a mentor to follow
// them), needing support (some of it missing), not ready (nothing of it),
// or not willing (consent withdrawn).
const (
	ReadyForWork Readiness = "SIAP_KERJA"
	NeedsSupport Readiness = "PERLU_DUKUNGAN"
	NotReady     Readiness = "BELUM_SIAP"
	NotWilling   Readiness = "TIDAK_BERSEDIA"
)

// BoardRow is one person on a facility's release board, with what is done
// and what is missing.
type BoardRow struct {
	Inmate     binakerja.Inmate
	Trained    bool
	Certified  bool
	Internship bool // an internship completed
	Consent    *bool
	Job        binakerja.ApplicationStatus // the furthest application: OFFERED, HIRED …; "" for none
	Mentor     string                      // the labour office (or Bapas) who will follow them
	Documents  map[binakerja.DocumentKind]binakerja.DocumentStatus
	NoDocument []binakerja.DocumentKind // the documents missing (neither held nor in progress)
	Readiness  Readiness
	Missing    []string // message keys of what is missing
}

// ReleaseBoard lists everyone in custody at a facility due for release
// within days, soonest first, with their readiness.
func (a *App) ReleaseBoard(ctx context.Context, ac Actor, facility string, days int) ([]BoardRow, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionInmateWrite, ""); err != nil {
		return nil, err
	}
	fac, err := a.db.Organization(ctx, facility)
	if err != nil || fac.Kind != binakerja.OrgFacility || !a.canSee(ac, binakerja.ActionInmateWrite, fac.Path) {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	today := a.today()
	mentor, err := a.officeFor(ctx, fac)
	if err != nil {
		return nil, err
	}
	var out []BoardRow
	page := store.Page{Limit: store.MaxLimit}
	for {
		recs, next, err := a.db.Inmates(ctx, store.InmateFilter{All: true, Facility: fac.Code, InCustody: true,
			ReleaseTo: today.AddDate(0, 0, days), Page: page})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			row, err := a.boardRow(ctx, r, mentor, today)
			if err != nil {
				return nil, err
			}
			out = append(out, row)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	slices.SortStableFunc(out, func(x, y BoardRow) int {
		return x.Inmate.Episode.ExpectedRelease.Time().Compare(y.Inmate.Episode.ExpectedRelease.Time())
	})
	return out, nil
}

// boardRow gathers one person's readiness.
func (a *App) boardRow(ctx context.Context, r *store.InmateRecord, mentor *binakerja.Organization, today binakerja.Date) (BoardRow, error) {
	row := BoardRow{Inmate: a.mask(r)}
	var err error
	if row.Trained, err = a.db.CompletedTraining(ctx, r.Person.ID); err != nil {
		return BoardRow{}, err
	}
	certs, err := a.db.CertificatesOf(ctx, r.Person.ID)
	if err != nil {
		return BoardRow{}, err
	}
	for _, c := range certs {
		row.Certified = row.Certified || c.StatusOn(today) == binakerja.CertificateActive
	}
	its, _, err := a.db.Internships(ctx, store.InternshipFilter{All: true, Person: r.Person.ID, Status: binakerja.InternshipCompleted})
	if err != nil {
		return BoardRow{}, err
	}
	row.Internship = len(its) > 0
	cs, err := a.db.Consents(ctx, r.Person.ID)
	if err != nil {
		return BoardRow{}, err
	}
	if len(cs) > 0 {
		given := cs[0].Given
		row.Consent = &given
	}
	as, _, err := a.db.Applications(ctx, store.ApplicationFilter{Person: r.Person.ID, Page: store.Page{Limit: 20}})
	if err != nil {
		return BoardRow{}, err
	}
	rank := map[binakerja.ApplicationStatus]int{binakerja.ApplicationProposed: 1, binakerja.ApplicationViewed: 2,
		binakerja.ApplicationInterview: 3, binakerja.ApplicationOffered: 4, binakerja.ApplicationHired: 5}
	for _, ap := range as {
		if rank[ap.Status] > rank[row.Job] {
			row.Job = ap.Status
		}
	}
	if mentor != nil {
		row.Mentor = mentor.Name
	}
	if row.Documents, err = a.db.ReleaseDocumentsOf(ctx, r.Person.ID); err != nil {
		return BoardRow{}, err
	}
	row.judge()
	return row, nil
}

// judge sets the row's readiness and what is missing.
func (r *BoardRow) judge() {
	if r.Consent != nil && !*r.Consent {
		r.Readiness = NotWilling
		return
	}
	if !r.Trained {
		r.Missing = append(r.Missing, "board.missing.training")
	}
	if !r.Certified && !r.Internship {
		r.Missing = append(r.Missing, "board.missing.certificate")
	}
	if r.Consent == nil {
		r.Missing = append(r.Missing, "board.missing.consent")
	}
	if r.Job == "" {
		r.Missing = append(r.Missing, "board.missing.job")
	}
	if r.Mentor == "" {
		r.Missing = append(r.Missing, "board.missing.mentor")
	}
	for _, k := range binakerja.DocumentKinds {
		if _, ok := r.Documents[k]; !ok {
			r.NoDocument = append(r.NoDocument, k)
		}
	}
	if len(r.NoDocument) > 0 {
		r.Missing = append(r.Missing, "board.missing.documents")
	}
	// Ready for work: trained, with a certificate or an internship to show,
	// consenting, a job or a mentor in view, and the identity card held or
	// being arranged (no employer takes anyone on without one; BPJS, a bank
	// account and the rest follow the first wage).
	_, ktp := r.Documents[binakerja.DocumentKTP]
	switch {
	case r.Trained && (r.Certified || r.Internship) && r.Consent != nil && (r.Job != "" || r.Mentor != "") && ktp:
		r.Readiness = ReadyForWork
	case r.Trained || r.Certified || r.Consent != nil:
		r.Readiness = NeedsSupport
	default:
		r.Readiness = NotReady
	}
}

// ReleaseSheet returns one person's row of their facility's release board:
// the printable sheet of what is done and what is missing before release.
func (a *App) ReleaseSheet(ctx context.Context, ac Actor, personID int64) (BoardRow, error) {
	role, r, err := a.inmateFor(ctx, ac, binakerja.ActionInmateWrite, personID)
	if err != nil {
		return BoardRow{}, err
	}
	fac, err := a.db.Organization(ctx, r.Episode.Facility)
	if err != nil {
		return BoardRow{}, err
	}
	mentor, err := a.officeFor(ctx, fac)
	if err != nil {
		return BoardRow{}, err
	}
	row, err := a.boardRow(ctx, r, mentor, a.today())
	if err != nil {
		return BoardRow{}, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "release.sheet.view", "person", itoa(personID), fac.Code, nil)
	})
	return row, err
}

// SetReleaseDocuments records which documents a person in custody holds or
// is having arranged for release; a kind left out is missing. An unknown
// kind or status is refused, naming it, and nothing is written.
func (a *App) SetReleaseDocuments(ctx context.Context, ac Actor, personID int64, docs map[binakerja.DocumentKind]binakerja.DocumentStatus) error {
	role, r, err := a.inmateFor(ctx, ac, binakerja.ActionInmateWrite, personID)
	if err != nil {
		return err
	}
	var p binakerja.Problems
	for k, s := range docs {
		if !slices.Contains(binakerja.DocumentKinds, k) {
			p.Add("documents", "board.document.unknown", string(k))
		} else if s != binakerja.DocumentHeld && s != binakerja.DocumentInProgress {
			p.Add("documents", "board.document.status", string(k))
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetReleaseDocuments(ctx, personID, docs, ac.label()); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "release.documents", "person", itoa(personID), r.Episode.Facility, docs)
	})
}
