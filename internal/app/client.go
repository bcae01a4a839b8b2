package app

import (
	"context"

	"binakerja"
	"binakerja/internal/store"
)

// Clients lists the conditional releases supervised by the Bapas within the
// actor's reach (a probation officer's own Bapas), the latest release first.
func (a *App) Clients(ctx context.Context, ac Actor, page store.Page) ([]*store.Client, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionClientView, ""); err != nil {
		return nil, "", err
	}
	f := store.ClientFilter{Page: page}
	f.Within, f.All = a.scope(ac, binakerja.ActionClientView)
	return a.db.Clients(ctx, f)
}

// Released is the road of a released person as their mentor (the labour
// office they were handed over to, or the Bapas supervising their
// conditional release) or the facility that released them sees it: the
// stays the viewer reaches (others only summed up), training and
// certificates there, the hand-over, placements, follow-ups, the
// conditional release and its end, and a re-admission if there was one.
type Released struct {
	*InmateDetail
	Role         string        // the viewer's role towards the person
	Client       *store.Client // the latest conditional release, if any
	Readmission  binakerja.ReadmissionKind
	ReadmittedOn binakerja.Date
	Grace        int
	CanPlace     bool // the viewer may record placements
}

// ReleasedPerson returns a released person's road after release to those
// who work with them then. Anyone else gets NotFound; each opening is
// recorded in the audit trail.
func (a *App) ReleasedPerson(ctx context.Context, ac Actor, personID int64) (*Released, error) {
	r, err := a.db.Inmate(ctx, personID)
	if err != nil {
		return nil, err
	}
	role, err := a.personRole(ctx, ac, binakerja.ActionFollowUpView, r)
	if err != nil {
		return nil, err
	}
	// The stays reached: those of the facilities in the viewer's reach, and
	// those that ended in a hand-over to the viewer or in a conditional
	// release the viewer supervises.
	hs, err := a.db.Handovers(ctx, store.HandoverFilter{All: true, Person: personID, Limit: 20})
	if err != nil {
		return nil, err
	}
	reached := map[string]bool{}
	for _, h := range hs {
		if a.canSee(ac, binakerja.ActionFollowUpView, h.MentorPath) {
			reached[h.FacilityPath] = true
		}
	}
	cs, _, err := a.db.Clients(ctx, store.ClientFilter{All: true, Person: personID, Page: store.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	out := &Released{Role: role}
	if len(cs) > 0 {
		out.Client = cs[0]
		if a.canSee(ac, binakerja.ActionFollowUpView, cs[0].SupervisorPath) {
			reached[cs[0].Episode.FacilityPath] = true
		}
	}
	d, err := a.detail(ctx, r, func(path string) bool {
		return reached[path] || a.canSee(ac, binakerja.ActionInmateView, path)
	})
	if err != nil {
		return nil, err
	}
	out.InmateDetail = d
	// Back in custody: when and why, but not where (the stay is another
	// facility's, summed up with the others).
	if e := r.Episode; e.Open() && e.PreviousEpisode != 0 {
		out.Readmission, out.ReadmittedOn = e.Readmission, e.AdmissionDate
	}
	out.Grace = binakerja.FollowUpRuleFor(a.today()).GraceDays
	out.CanPlace = role == "cli" || binakerja.Allows(binakerja.Role(role), binakerja.ActionPlacementManage)
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "person.after_release.view", "person", itoa(personID), "", nil)
	})
	return out, err
}
