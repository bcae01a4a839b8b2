package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/store"
)

// The work after release in a world, in percent.
const (
	AcknowledgedShare = 85 // hand-overs the mentor has acknowledged; the rest wait
	OverdueShare      = 10 // follow-ups past their grace still unrecorded today
	ContactedShare    = 85 // recorded follow-ups at which the person was reached
	InWorkShare       = 57 // of those reached, the share found in work
	EndedShare        = 20 // placements that have ended since
)

var wib = time.FixedZone("WIB", 7*60*60)

// Work found after release other than at a partner: small businesses,
// other employers and one's own business, with the position held there.
var (
	smallBusinesses = []struct{ name, position string }{
		{"Warung Makan Bu Sri", "Juru masak"}, {"Bengkel Motor Jaya", "Mekanik"}, {"Toko Bangunan Maju", "Pekerja toko"},
		{"Konveksi Berkah", "Penjahit"}, {"Laundry Bersih", "Pekerja laundry"}, {"Bengkel Las Sinar", "Tukang las"},
	}
	otherEmployers = []struct{ name, position string }{
		{"Proyek Perumahan Griya Asri", "Buruh bangunan"}, {"Koperasi Sawit Makmur", "Pemanen sawit"},
		{"Toko Swalayan Sejahtera", "Pramuniaga"}, {"Ekspedisi Cepat Sampai", "Kurir"}, {"Pabrik Tahu Sumber Rezeki", "Operator produksi"},
	}
	ownBusinesses = []string{"Usaha bengkel sendiri", "Pedagang keliling", "Pengemudi ojek daring", "Usaha mebel rumahan",
		"Petani penggarap", "Usaha cucian motor"}
	needs      = []string{"Butuh informasi lowongan", "Butuh modal usaha", "Butuh alat kerja", "Butuh pelatihan lanjutan"}
	unreached  = []string{"Nomor telepon tidak aktif", "Tidak ada di alamat yang tercatat", "Keluarga tidak tahu keberadaannya"}
	endReasons = slices.DeleteFunc(slices.Clone(binakerja.EmploymentEndReasons), func(r string) bool { return r == "KEMBALI_KE_LAPAS" })
)

// afterRelease works, once a province's facilities are filled and its jobs
// offered, the released participants' hand-overs and follow-ups as their
// mentors would have: about AcknowledgedShare of the hand-overs acknowledged
// (those left waiting among the most recently released, whose follow-ups
// stay unrecorded); the follow-ups past their grace recorded but for about
// OverdueShare of them (mostly a person's latest), a few days after they
// fell due; about ContactedShare of those recorded reaching the person, and
// about InWorkShare of those reached finding them in work. Each person found
// in work has a placement, at a partner of the province, in a small
// business, with another employer or on their own, from one to eight weeks
// after release; about EndedShare of them have ended since (some with a
// move to another job), and every follow-up's outcome agrees with the
// person's placements on its contact date.
func afterRelease(ctx context.Context, a *app.App, ac app.Actor, facilities, employers []string, today binakerja.Date,
	rng *rand.Rand) (Stats, error) {
	var st Stats
	last := today // nothing is dated after the application's today either
	if t := binakerja.DateOf(a.DB().Now().In(wib)); t.Before(last) {
		last = t
	}

	// Hand-overs: the province's are the newest pending ones; those left
	// waiting stay pending, so each round decides only those not yet seen.
	ours := map[string]bool{}
	for _, f := range facilities {
		ours[f] = true
	}
	released := map[int64]binakerja.Date{} // person → release date
	waiting := map[int64]bool{}            // person → hand-over not acknowledged
	seen := map[int64]bool{}               // hand-over
	var mentors []string
	for {
		hs, err := a.Handovers(ctx, ac, true)
		if err != nil {
			return st, err
		}
		var fresh []*binakerja.Handover
		for _, h := range hs {
			if ours[h.Facility] && !seen[h.ID] {
				fresh = append(fresh, h)
			}
		}
		if len(fresh) == 0 {
			break
		}
		// The ones left waiting are drawn from the most recently released.
		slices.SortStableFunc(fresh, func(x, y *binakerja.Handover) int { return y.ReleaseDate.Time().Compare(x.ReleaseDate.Time()) })
		n := share(len(fresh), 100-AcknowledgedShare)
		for _, i := range rng.Perm(min(2*n, len(fresh)))[:n] {
			waiting[fresh[i].PersonID] = true
		}
		for _, h := range fresh {
			seen[h.ID] = true
			released[h.PersonID] = h.ReleaseDate
			if !slices.Contains(mentors, h.Mentor) {
				mentors = append(mentors, h.Mentor)
			}
			st.Handovers++
			if waiting[h.PersonID] {
				continue
			}
			if _, err := a.AcknowledgeHandover(ctx, ac, h.ID); err != nil {
				return st, fmt.Errorf("hand-over: %w", err)
			}
			st.Acknowledged++
		}
	}

	// The follow-ups past their grace of the province's people, by person,
	// each person's by due date.
	var fus []*binakerja.FollowUp
	for _, m := range mentors {
		page := store.Page{Limit: store.MaxLimit}
		for {
			fs, next, grace, err := a.FollowUps(ctx, ac, app.FollowUpQuery{Mentor: m, Status: binakerja.FollowUpOverdue, Page: page})
			if err != nil {
				return st, err
			}
			for _, f := range fs {
				if _, ok := released[f.PersonID]; ok && f.DueDate.AddDate(0, 0, grace).Before(today) {
					fus = append(fus, f)
				}
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
	}
	if len(fus) == 0 {
		return st, nil
	}
	var people []int64
	byPerson := map[int64][]*binakerja.FollowUp{}
	for _, f := range fus {
		if byPerson[f.PersonID] == nil {
			people = append(people, f.PersonID)
		}
		byPerson[f.PersonID] = append(byPerson[f.PersonID], f)
	}

	// Those left overdue: every one of a person whose hand-over waits, then
	// enough others, a person's latest first, to make about OverdueShare.
	left := map[int64]bool{}
	var latest, earlier []*binakerja.FollowUp
	for _, p := range people {
		fs := byPerson[p]
		if waiting[p] {
			for _, f := range fs {
				left[f.ID] = true
			}
			continue
		}
		latest, earlier = append(latest, fs[len(fs)-1]), append(earlier, fs[:len(fs)-1]...)
	}
	more := share(len(fus), OverdueShare) - len(left)
	rng.Shuffle(len(latest), func(i, j int) { latest[i], latest[j] = latest[j], latest[i] })
	rng.Shuffle(len(earlier), func(i, j int) { earlier[i], earlier[j] = earlier[j], earlier[i] })
	for _, f := range append(latest, earlier...) {
		if more <= 0 {
			break
		}
		left[f.ID] = true
		more--
	}

	// Of those recorded, about ContactedShare reached the person, a few
	// days after the due date.
	var recorded []*binakerja.FollowUp
	for _, f := range fus {
		if !left[f.ID] {
			recorded = append(recorded, f)
		}
	}
	reached := map[int64]bool{}
	for _, i := range rng.Perm(len(recorded))[:share(len(recorded), ContactedShare)] {
		reached[recorded[i].ID] = true
	}
	contact := map[int64]binakerja.Date{}
	for _, f := range recorded {
		d := f.DueDate.AddDate(0, 0, 1+rng.IntN(6))
		if d.After(last) {
			d = last
		}
		contact[f.ID] = d
	}

	// Work: each person reached at least once either has work already (a
	// hire) or is given some, or none, so that the share of the contacts
	// that find them in work stays near InWorkShare.
	reachedOn := func(p int64) []binakerja.Date {
		var days []binakerja.Date
		for _, f := range byPerson[p] {
			if reached[f.ID] {
				days = append(days, contact[f.ID])
			}
		}
		return days
	}
	placements := map[int64][]*binakerja.Placement{}
	var unplaced []int64
	contacts, inWork := 0, 0
	for _, p := range people {
		days := reachedOn(p)
		if len(days) == 0 {
			continue
		}
		have, err := a.Placements(ctx, ac, p)
		if err != nil {
			return st, err
		}
		if len(have) > 0 {
			placements[p] = have
			contacts, inWork = contacts+len(days), inWork+covered(have, days)
			continue
		}
		unplaced = append(unplaced, p)
	}
	rng.Shuffle(len(unplaced), func(i, j int) { unplaced[i], unplaced[j] = unplaced[j], unplaced[i] })
	for _, p := range unplaced {
		days := reachedOn(p)
		// A few draws of work (ended since or not, as drawn once), and
		// none, each judged by how near it brings the share in work to
		// InWorkShare.
		contacts += len(days)
		var plan []*binakerja.Placement
		j, off := 0, distance(inWork, contacts)
		ended := rng.IntN(100) < EndedShare
		for range workDraws {
			try := planWork(released[p], last, employers, ended, rng)
			n := covered(try, days)
			if n == 0 {
				continue
			}
			if d := distance(inWork+n, contacts); d < off || (d == off && rng.IntN(2) == 0) {
				plan, j, off = try, n, d
			}
		}
		inWork += j
		for _, pl := range plan {
			name := pl.Employer
			if name == "" {
				name = pl.EmployerName
			}
			made, err := a.CreatePlacement(ctx, ac, app.NewPlacement{PersonID: p, Employer: name, Kind: pl.Kind,
				Position: pl.Position, StartDate: pl.StartDate, WageBand: pl.WageBand, ContractType: pl.ContractType})
			if err != nil {
				return st, fmt.Errorf("placement: %w", err)
			}
			st.Placements++
			if !pl.EndDate.IsZero() {
				if made, err = a.EndPlacement(ctx, ac, made.ID, pl.EndDate, pl.EndReason); err != nil {
					return st, fmt.Errorf("placement end: %w", err)
				}
				st.PlacementsEnded++
			}
			placements[p] = append(placements[p], made)
		}
	}

	// The follow-ups recorded, each outcome the work on its contact date.
	for _, f := range fus {
		if left[f.ID] {
			st.FollowUpsOverdue++
			continue
		}
		in := app.FollowUpInput{ContactDate: contact[f.ID], Contacted: reached[f.ID], Outcome: binakerja.OutcomeUnemployed}
		switch pl := current(placements[f.PersonID], in.ContactDate); {
		case !in.Contacted:
			in.Outcome, in.Notes = binakerja.OutcomeUnreachable, unreached[rng.IntN(len(unreached))]
		case pl != nil:
			in.Outcome, in.Employer = outcomeOf(pl), pl.Employer
			if in.Employer == "" {
				in.Employer = pl.EmployerName
			}
			switch {
			case pl.Employer != "":
				in.Confirmed = rng.IntN(10) < 7
			case pl.Kind != binakerja.PlacementSelfEmployed:
				in.Confirmed = rng.IntN(10) < 3
			}
			st.InWork++
		default:
			if rng.IntN(2) == 0 {
				in.Needs = needs[rng.IntN(len(needs))]
			}
		}
		if in.Contacted {
			st.Contacted++
		}
		if _, err := a.RecordFollowUp(ctx, ac, f.ID, in); err != nil {
			return st, fmt.Errorf("follow-up: %w", err)
		}
		st.FollowUpsDone++
	}
	return st, nil
}

// planWork draws the work a person released on a day finds: one placement
// from one to eight weeks after release (nothing if that is after last),
// ended since if ended is true and it has lasted a month by last, a move to
// another job followed by that job.
func planWork(release, last binakerja.Date, employers []string, ended bool, rng *rand.Rand) []*binakerja.Placement {
	start := release.AddDate(0, 0, 7+rng.IntN(50))
	if start.After(last) {
		return nil
	}
	first := job(start, employers, rng.IntN(100), rng)
	plan := []*binakerja.Placement{first}
	from := start.AddDate(0, 0, 30)
	if !ended || from.After(last) {
		return plan
	}
	first.EndDate = from.AddDate(0, 0, rng.IntN(from.DaysUntil(last)+1))
	first.EndReason = endReasons[rng.IntN(len(endReasons))]
	if first.Kind == binakerja.PlacementSelfEmployed && first.EndReason == "DIBERHENTIKAN" {
		first.EndReason = "USAHA_TUTUP" // nobody dismisses the self-employed
	}
	if next := first.EndDate.AddDate(0, 0, 1+rng.IntN(14)); first.EndReason == "PINDAH_KERJA" && !next.After(last) {
		plan = append(plan, job(next, employers, 30+rng.IntN(50), rng)) // a small business or another employer
	}
	return plan
}

// job is a placement from start: at a partner (draw under 30), in a small
// business (under 60), with another employer (under 80) or on one's own.
// With no partner in the province, the partner's share goes to small
// businesses.
func job(start binakerja.Date, employers []string, draw int, rng *rand.Rand) *binakerja.Placement {
	pl := &binakerja.Placement{StartDate: start}
	switch {
	case draw < 30 && len(employers) > 0:
		i := rng.IntN(len(employers))
		e := partnerEmployers[i%len(partnerEmployers)]
		pl.Kind, pl.Employer, pl.Position = binakerja.PlacementJob, employers[i], e.position
		if e.size == "MIKRO" || e.size == "KECIL" {
			pl.Kind = binakerja.PlacementUMKM // as a hire there records it
		}
		pl.ContractType, pl.WageBand = binakerja.ContractFixedTerm, []string{"2-3J", "3-5J"}[rng.IntN(2)]
	case draw < 60:
		b := smallBusinesses[rng.IntN(len(smallBusinesses))]
		pl.Kind, pl.EmployerName, pl.Position = binakerja.PlacementUMKM, b.name, b.position
		pl.ContractType, pl.WageBand = binakerja.ContractDaily, []string{"1-2J", "2-3J"}[rng.IntN(2)]
	case draw < 80:
		e := otherEmployers[rng.IntN(len(otherEmployers))]
		pl.Kind, pl.EmployerName, pl.Position = binakerja.PlacementJob, e.name, e.position
		pl.ContractType = []binakerja.ContractType{binakerja.ContractFixedTerm, binakerja.ContractDaily, binakerja.ContractPiece}[rng.IntN(3)]
		pl.WageBand = []string{"1-2J", "2-3J", "3-5J"}[rng.IntN(3)]
	default:
		pl.Kind, pl.Position = binakerja.PlacementSelfEmployed, ownBusinesses[rng.IntN(len(ownBusinesses))]
		pl.WageBand = []string{"<1J", "1-2J", "2-3J"}[rng.IntN(3)]
	}
	return pl
}

// current returns the placement under way on a day, the latest started.
func current(ps []*binakerja.Placement, d binakerja.Date) *binakerja.Placement {
	var best *binakerja.Placement
	for _, p := range ps {
		if p.Current(d) && (best == nil || p.StartDate.After(best.StartDate)) {
			best = p
		}
	}
	return best
}

// covered counts the days on which one of the placements is under way.
func covered(ps []*binakerja.Placement, days []binakerja.Date) int {
	n := 0
	for _, d := range days {
		if current(ps, d) != nil {
			n++
		}
	}
	return n
}

// outcomeOf is the follow-up outcome of work in a placement: at a partner,
// in a small business, with another employer, on one's own or as an
// apprentice.
func outcomeOf(p *binakerja.Placement) binakerja.Outcome {
	switch {
	case p.Kind == binakerja.PlacementInternship:
		return binakerja.OutcomeApprentice
	case p.Employer != "":
		return binakerja.OutcomePartner
	case p.Kind == binakerja.PlacementUMKM:
		return binakerja.OutcomeUMKM
	case p.Kind == binakerja.PlacementSelfEmployed:
		return binakerja.OutcomeSelfEmployed
	}
	return binakerja.OutcomeOther
}

// share is pct percent of n, rounded, but at least one and at most n-1 when
// n is two or more (so that both sides show even in a small world).
func share(n, pct int) int {
	k := (n*pct + 50) / 100
	if n >= 2 {
		k = min(max(k, 1), n-1)
	}
	return k
}

// workDraws is how many draws of work a person's is chosen from.
const workDraws = 3

// distance is how far a share of in of n lies from InWorkShare, in
// hundredths of a percent point (the same weight for any n).
func distance(in, n int) int {
	d := 100*100*in/n - 100*InWorkShare
	if d < 0 {
		return -d
	}
	return d
}
