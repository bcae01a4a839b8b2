package app

import (
	"context"

	"binakerja"
	"binakerja/internal/store"
)

// ReleaseListItem is one release of a release list.
type ReleaseListItem struct {
	EpisodeID int64
	Date      binakerja.Date
	Reason    binakerja.ReleaseReason
}

// RecordReleases records a facility's list of releases (as SDP prints them
// each month) in one transaction with one audit event. Every item must name
// an open episode at that facility, with a valid reason and a date not in
// the future; otherwise nothing is written.
func (a *App) RecordReleases(ctx context.Context, ac Actor, facility string, items []ReleaseListItem) error {
	role, err := a.authorize(ctx, ac, binakerja.ActionInmateWrite, "")
	if err != nil {
		return err
	}
	fac, err := a.db.Organization(ctx, facility)
	if err != nil || !a.canSee(ac, binakerja.ActionInmateWrite, fac.Path) {
		return binakerja.FieldInvalid("organization", "org.unknown", binakerja.NormalizeOrgCode(facility))
	}
	today := a.today()
	for _, it := range items {
		if !it.Reason.Valid() {
			return binakerja.FieldInvalid("reason", "release.reason.invalid")
		}
		if it.Date.IsZero() || it.Date.After(today) {
			return binakerja.FieldInvalid("date", "import.date.future")
		}
	}
	bapas, err := a.supervisorFor(ctx, fac, "")
	if err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		for _, it := range items {
			r, err := tx.InmateByEpisode(ctx, it.EpisodeID)
			if err != nil {
				return err
			}
			if r.Episode.Facility != fac.Code {
				return binakerja.Errorf(binakerja.NotFound, "error.not_found")
			}
			if it.Date.Before(r.Episode.AdmissionDate) {
				return binakerja.FieldInvalid("date", "release.date.before_admission")
			}
			if err := tx.ReleaseEpisode(ctx, it.EpisodeID, it.Date, it.Reason); err != nil {
				return err
			}
			// As one release: a participant is handed over to a mentor,
			// the Bapas of a conditional release supervising it.
			e := r.Episode
			e.ReleaseDate, e.ReleaseReason = it.Date, it.Reason
			var sup *binakerja.Organization
			if it.Reason == binakerja.ReleaseParole || it.Reason == binakerja.ReleaseConditional || it.Reason == binakerja.ReleasePreRelease {
				if sup = bapas; sup != nil {
					if err := tx.SetSupervisor(ctx, e.ID, sup.ID); err != nil {
						return err
					}
				}
			}
			if it.Reason != binakerja.ReleaseDeath {
				if err := a.handOver(ctx, tx, ac, role, r.Person.ID, e, sup); err != nil {
					return err
				}
			}
		}
		return a.record(ctx, tx, ac, role, "inmate.release_list", "organization", fac.Code, fac.Code,
			map[string]int{"releases": len(items)})
	})
}
