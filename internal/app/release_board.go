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
			row := BoardRow{Inmate: a.mask(r)}
			if row.Trained, err = a.db.CompletedTraining(ctx, r.Person.ID); err != nil {
				return nil, err
			}
			certs, err := a.db.CertificatesOf(ctx, r.Person.ID)
			if err != nil {
				return nil, err
			}
			for _, c := range certs {
				row.Certified = row.Certified || c.StatusOn(today) == binakerja.CertificateActive
			}
			its, _, err := a.db.Internships(ctx, store.InternshipFilter{All: true, Person: r.Person.ID, Status: binakerja.InternshipCompleted})
			if err != nil {
				return nil, err
			}
			row.Internship = len(its) > 0
			cs, err := a.db.Consents(ctx, r.Person.ID)
			if err != nil {
				return nil, err
			}
			if len(cs) > 0 {
				given := cs[0].Given
				row.Consent = &given
			}
			as, _, err := a.db.Applications(ctx, store.ApplicationFilter{Person: r.Person.ID, Page: store.Page{Limit: 20}})
			if err != nil {
				return nil, err
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
			row.judge()
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
	switch {
	case len(r.Missing) == 0 || (r.Trained && (r.Certified || r.Internship) && r.Consent != nil && (r.Job != "" || r.Mentor != "")):
		r.Readiness = ReadyForWork
	case r.Trained || r.Certified || r.Consent != nil:
		r.Readiness = NeedsSupport
	default:
		r.Readiness = NotReady
	}
}
