package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/store"
)

// partners are the demo employers' partner profiles: UMKM and a large
// company of several sectors, one of them with exclusions.
var partners = map[string]binakerja.Partner{
	"CV-MEBEL-JATI": {KBLICode: "31001", KBLIVersion: "2020", Address: "Jl. Lintas Sumatera Km 3, Martapura",
		Tier: binakerja.TierStrategic, Contacts: []binakerja.Contact{{Name: "Budi Santoso", Position: "Pemilik", Phone: "0812 7300 1122", Email: "mitra@binakerja.test"}}},
	"UD-TANI-MAKMUR": {KBLICode: "01131", KBLIVersion: "2020", Address: "Desa Tanjung Kemala, Martapura",
		Tier: binakerja.TierMain, Contacts: []binakerja.Contact{{Name: "Sumarni", Position: "Pengelola kebun", Phone: "0813 6711 2040"}}},
	"BENGKEL-SINAR": {KBLICode: "43211", KBLIVersion: "2020", Address: "Jl. Merdeka 12, Martapura",
		Tier: binakerja.TierRegular, Excluded: []binakerja.OffenceGroup{binakerja.OffenceFraud},
		Contacts: []binakerja.Contact{{Name: "Yusuf Hidayat", Position: "Kepala bengkel", Phone: "0852 6612 7788"}}},
	"PT-AGRO-OKU": {KBLICode: "01262", KBLIVersion: "2020", Address: "Kawasan Perkebunan Belitang, OKU Timur",
		Tier: binakerja.TierStrategic, Excluded: []binakerja.OffenceGroup{binakerja.OffenceChild, binakerja.OffenceSexual},
		Contacts: []binakerja.Contact{{Name: "Rudi Hartono", Position: "Manajer SDM", Phone: "0711 555 120", Email: "sdm@agrolestari.test"}}},
}

// offences gives the demo people offence groups, in turn (most of them
// narcotics and theft, as in Indonesian prisons).
var offences = []binakerja.OffenceGroup{binakerja.OffenceNarcotics, binakerja.OffenceTheft, binakerja.OffenceNarcotics,
	binakerja.OffenceFraud, binakerja.OffenceViolence, binakerja.OffenceNarcotics, binakerja.OffenceTheft,
	binakerja.OffenceTraffic, binakerja.OffenceNarcotics, binakerja.OffenceChild}

// seedJobs adds the second half of the chain: partner profiles, an MoU
// between the Lapas, the Disnaker and three partners with commitments
// partly met (its training places counted from the cohorts it supports), a
// PKS ending within 90 days, offence groups and consents in the register,
// open vacancies, and applications at every stage, so that the employer's
// login has real work.
func seedJobs(ctx context.Context, a *app.App, ac app.Actor, today binakerja.Date, story map[int64]bool) error {
	for code, p := range partners {
		o, err := a.Partner(ctx, ac, code)
		if err != nil {
			return fmt.Errorf("demo partner %s: %w", code, err)
		}
		if _, err := a.UpdatePartner(ctx, ac, code, app.PartnerChange{EmployerSize: o.EmployerSize, Partner: p, Version: o.Version}); err != nil {
			return fmt.Errorf("demo partner %s: %w", code, err)
		}
	}
	y := today.Time().Year() - 1 // the story's year
	mou, err := a.CreateAgreement(ctx, ac, app.NewAgreement{Type: binakerja.AgreementMoU,
		Number:     fmt.Sprintf("W6.PAS.PAS12-PK.01.05/%d/MOU-01", today.AddDate(-1, 0, 0).Time().Year()),
		Title:      "Rehabilitasi berbasis kerja bagi warga binaan Lapas Martapura",
		Parties:    []string{"LP-MARTAPURA", "DISNAKER-OKUT", "CV-MEBEL-JATI", "UD-TANI-MAKMUR", "PT-AGRO-OKU"},
		SignedDate: binakerja.NewDate(y-1, time.December, 18), ValidFrom: binakerja.NewDate(y, time.January, 2),
		ValidUntil: binakerja.NewDate(y+2, time.December, 31),
		Commitments: []binakerja.Commitment{{Kind: binakerja.CommitInternships, Target: 6}, {Kind: binakerja.CommitHires, Target: 15},
			{Kind: binakerja.CommitTraining, Target: 60}}})
	if err != nil {
		return fmt.Errorf("demo MoU: %w", err)
	}
	pks, err := a.CreateAgreement(ctx, ac, app.NewAgreement{Type: binakerja.AgreementPKS,
		Number:     fmt.Sprintf("W6.PAS.PAS12-PK.01.05/%d/PKS-03", today.AddDate(0, -10, 0).Time().Year()),
		Title:      "Asimilasi kerja pihak ketiga di bengkel mebel",
		Parties:    []string{"LP-MARTAPURA", "CV-MEBEL-JATI"},
		SignedDate: today.AddDate(0, -10, -3), ValidFrom: today.AddDate(0, -10, 0), ValidUntil: today.AddDate(0, 0, 60),
		Commitments: []binakerja.Commitment{{Kind: binakerja.CommitInternships, Target: 4}}})
	if err != nil {
		return fmt.Errorf("demo PKS: %w", err)
	}
	cohorts, _, err := a.Cohorts(ctx, ac, store.CohortFilter{Facility: "LP-MARTAPURA", Page: store.Page{Limit: 50}})
	if err != nil {
		return err
	}
	for _, c := range cohorts {
		if !c.StartDate.Before(mou.ValidFrom) {
			if err := a.SupportCohort(ctx, ac, c.ID, mou.ID); err != nil {
				return fmt.Errorf("demo cohort under the MoU: %w", err)
			}
		}
	}

	// Offence groups for the register, and consent to be proposed from
	// most of those due out within half a year or released this past year.
	people, _, err := a.Inmates(ctx, ac, app.InmateQuery{Facility: "LP-MARTAPURA", Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return err
	}
	for i, p := range people {
		if p.Episode.Open() {
			if _, err := a.SetCustodyFacts(ctx, ac, p.ID, binakerja.CustodyFacts{Offence: offences[i%len(offences)]}); err != nil {
				return fmt.Errorf("demo custody facts: %w", err)
			}
		}
		if i%5 == 4 {
			continue // no consent asked yet
		}
		date := today.AddDate(0, 0, -30-i)
		if !p.Episode.Open() && p.Episode.ReleaseDate.Before(date) {
			date = p.Episode.ReleaseDate.AddDate(0, 0, -7)
		}
		if _, _, err := a.RecordConsent(ctx, ac, p.ID, app.ConsentInput{Given: true, Date: date}); err != nil {
			return fmt.Errorf("demo consent: %w", err)
		}
	}

	if err := seedInternships(ctx, a, ac, today, pks, mou); err != nil {
		return err
	}

	units := func(scheme string) []string {
		for _, s := range schemes {
			if s.Code == scheme {
				var out []string
				for _, u := range s.Units {
					out = append(out, u.Code)
				}
				return out
			}
		}
		return nil
	}
	vacancies := []app.NewVacancy{
		{Vacancy: binakerja.Vacancy{Employer: "CV-MEBEL-JATI", AgreementID: mou.ID, Title: "Tukang kayu mebel",
			Description: "Membuat dan merakit kusen, pintu dan mebel jati di bengkel Martapura.", KBJICode: "7115",
			RequiredUnits: units("SKM-TKK-2"), OptionalUnits: []string{"D.351000.001.01"}, KKNILevel: 2, Places: 3,
			RegionCode: "16.08", WageMin: 2_800_000, WageMax: 3_500_000, ContractType: binakerja.ContractFixedTerm,
			ClosingDate: today.AddDate(0, 0, 30), StartDate: today.AddDate(0, 0, 45)}},
		{Vacancy: binakerja.Vacancy{Employer: "UD-TANI-MAKMUR", AgreementID: mou.ID, Title: "Pekerja kebun hortikultura",
			Description: "Menyiapkan lahan, menanam dan memanen cabai dan sayuran.", KBJICode: "6111",
			RequiredUnits: units("SKM-BTH-2"), KKNILevel: 2, Places: 4, RegionCode: "16.08", WageMin: 2_500_000,
			WageMax: 2_900_000, ContractType: binakerja.ContractDaily, ClosingDate: today.AddDate(0, 0, 21), StartDate: today.AddDate(0, 1, 0)}},
		{Vacancy: binakerja.Vacancy{Employer: "BENGKEL-SINAR", Title: "Teknisi instalasi listrik rumah",
			Description: "Memasang dan memeriksa instalasi listrik rumah tinggal.", KBJICode: "7411",
			RequiredUnits: units("SKM-IPL-2"), KKNILevel: 2, Places: 1, RegionCode: "16.08", WageMin: 3_000_000,
			ContractType: binakerja.ContractFixedTerm, ClosingDate: today.AddDate(0, 0, 14), StartDate: today.AddDate(0, 0, 28)}},
	}
	var first *binakerja.Vacancy
	for _, nv := range vacancies {
		v, err := a.CreateVacancy(ctx, ac, nv)
		if err != nil {
			return fmt.Errorf("demo vacancy %s: %w", nv.Title, err)
		}
		if first == nil {
			first = v
		}
	}
	// Applications at every stage for the carpentry vacancy.
	m, err := a.Match(ctx, ac, first.ID, 20)
	if err != nil {
		return err
	}
	steps := [][]binakerja.ApplicationStatus{
		{binakerja.ApplicationInterview, binakerja.ApplicationOffered, binakerja.ApplicationHired},
		{binakerja.ApplicationInterview, binakerja.ApplicationOffered},
		{binakerja.ApplicationInterview},
		{binakerja.ApplicationViewed},
		{binakerja.ApplicationViewed, binakerja.ApplicationNotSelected},
		{},
		{},
	}
	var withdraw int64
	for i, it := range m.Items {
		if i == len(steps) {
			break
		}
		ap, err := a.Propose(ctx, ac, first.ID, it.Facts.PersonID)
		if err != nil {
			return fmt.Errorf("demo proposal: %w", err)
		}
		for _, to := range steps[i] {
			reason := ""
			if to == binakerja.ApplicationNotSelected {
				reason = "Posisi sudah terisi kandidat lain"
			}
			if _, err := a.MoveApplication(ctx, ac, ap.ID, to, reason); err != nil {
				return fmt.Errorf("demo application %s: %w", to, err)
			}
		}
		if i == len(steps)-1 {
			withdraw = it.Facts.PersonID
		}
	}
	if err := seedAfterRelease(ctx, a, ac, today, story); err != nil {
		return err
	}
	if err := seedDocuments(ctx, a, ac); err != nil {
		return err
	}
	if withdraw != 0 {
		// One candidate changed their mind: the withdrawal of consent
		// withdraws the proposal at once.
		if _, _, err := a.RecordConsent(ctx, ac, withdraw, app.ConsentInput{Given: false, Date: today,
			Note: "Ingin kembali ke kampung halaman setelah bebas"}); err != nil {
			return fmt.Errorf("demo consent withdrawn: %w", err)
		}
	}
	return nil
}

// seedInternships sends two trained people out to a partner of their trade:
// one internship completed with a job offer, one under way today, its
// intern out now and already late back.
func seedInternships(ctx context.Context, a *app.App, ac app.Actor, today binakerja.Date, pks, mou *binakerja.Agreement) error {
	hosts := []struct {
		units, code string
		agreement   *binakerja.Agreement
	}{{"F.45KYU01", "CV-MEBEL-JATI", pks}, {"A.011100", "UD-TANI-MAKMUR", mou}}
	people, _, err := a.Inmates(ctx, ac, app.InmateQuery{Facility: "LP-MARTAPURA", InCustody: true, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return err
	}
	plans := []struct {
		start, end binakerja.Date
		done       bool
	}{
		{today.AddDate(0, -4, 0), today.AddDate(0, -1, 0), true},
		{today.AddDate(0, 0, -14), today.AddDate(0, 0, 45), false},
	}
	now := time.Now()
	for _, pl := range plans {
		var chosen *binakerja.Inmate
		var host string
		var under *binakerja.Agreement
		for i := range people {
			p := &people[i]
			if p.Episode.ExpectedRelease.Before(pl.end) {
				continue
			}
			el, err := a.InternshipCheck(ctx, ac, p.ID, pl.start)
			if err != nil {
				return err
			}
			units, err := a.TrainedUnits(ctx, ac, p.ID)
			if err != nil {
				return err
			}
			// The furniture workshop takes carpenters, under the PKS; the
			// farm takes growers, under the MoU.
			host, under = "", nil
			for _, h := range hosts {
				if slices.ContainsFunc(units, func(u binakerja.Unit) bool { return strings.HasPrefix(u.Code, h.units) }) {
					host, under = h.code, h.agreement
					break
				}
			}
			if len(el.Bars) == 0 && host != "" {
				chosen = p
				people = append(people[:i:i], people[i+1:]...)
				break
			}
		}
		if chosen == nil {
			return fmt.Errorf("demo internship: nobody eligible from %s", pl.start)
		}
		supervisor := "Budi Santoso"
		if host != "CV-MEBEL-JATI" {
			supervisor = "Sumarni"
		}
		it, err := a.CreateInternship(ctx, ac, app.NewInternship{PersonID: chosen.ID, Host: host, AgreementID: under.ID,
			StartDate: pl.start, EndDate: pl.end, Supervisor: supervisor, Officer: "Rina Marlina",
			Schedule: "Senin–Jumat 07.00–16.00"})
		if err != nil {
			return fmt.Errorf("demo internship: %w", err)
		}
		for _, to := range []binakerja.InternshipStatus{binakerja.InternshipApproved, binakerja.InternshipActive} {
			if _, err := a.ChangeInternship(ctx, ac, it.ID, to, ""); err != nil {
				return fmt.Errorf("demo internship %s: %w", to, err)
			}
		}
		// The daily log: the first days on time, one late return.
		for i := range 3 {
			day := pl.start.AddDate(0, 0, i).Time()
			left := time.Date(day.Year(), day.Month(), day.Day(), 7, 0, 0, 0, wib)
			due := time.Date(day.Year(), day.Month(), day.Day(), 16, 0, 0, 0, wib)
			l, err := a.LogLeaving(ctx, ac, it.ID, left, due, "")
			if err != nil {
				return fmt.Errorf("demo internship log: %w", err)
			}
			back := due.Add(-10 * time.Minute)
			if i == 2 {
				back = due.Add(50 * time.Minute)
			}
			if _, err := a.LogReturn(ctx, ac, it.ID, l.ID, back, ""); err != nil {
				return fmt.Errorf("demo internship return: %w", err)
			}
		}
		if pl.done {
			units, err := a.InternshipUnits(ctx, ac, it.ID)
			if err != nil {
				return err
			}
			var ev []binakerja.UnitEvaluation
			for _, u := range units {
				ev = append(ev, binakerja.UnitEvaluation{Unit: u.Code, Result: binakerja.Competent})
			}
			if _, err := a.RecordEvaluation(ctx, ac, it.ID, ev, "Rajin, teliti, cepat belajar; siap bekerja setelah bebas.", true); err != nil {
				return fmt.Errorf("demo evaluation: %w", err)
			}
			if _, err := a.ChangeInternship(ctx, ac, it.ID, binakerja.InternshipCompleted, ""); err != nil {
				return fmt.Errorf("demo internship completed: %w", err)
			}
			continue
		}
		// Out today since three hours ago (or since midnight), due back half
		// an hour ago.
		local := now.In(wib)
		left := now.Add(-3 * time.Hour)
		if midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, wib); left.Before(midnight) {
			left = midnight
		}
		due := now.Add(-30 * time.Minute)
		if !due.After(left) {
			due = left.Add(now.Sub(left) / 2)
		}
		if _, err := a.LogLeaving(ctx, ac, it.ID, left, due, ""); err != nil {
			return fmt.Errorf("demo internship today: %w", err)
		}
	}
	return nil
}

// seedAfterRelease works the released participants' hand-overs and
// follow-ups as their mentors would have: most hand-overs acknowledged (one
// left waiting), most follow-ups past their grace recorded, with work found
// for many (a placement at a partner or an UMKM from a fortnight after
// release), a few left overdue today.
func seedAfterRelease(ctx context.Context, a *app.App, ac app.Actor, today binakerja.Date, story map[int64]bool) error {
	hs, err := a.Handovers(ctx, ac, true)
	if err != nil {
		return err
	}
	waiting := slices.IndexFunc(hs, func(h *binakerja.Handover) bool { return h.Mentor == "DISNAKER-OKUT" })
	for i, h := range hs {
		if i == waiting {
			continue // the one still waiting, at the labour office
		}
		if _, err := a.AcknowledgeHandover(ctx, ac, h.ID); err != nil {
			return fmt.Errorf("demo hand-over: %w", err)
		}
	}
	fs, _, grace, err := a.FollowUps(ctx, ac, app.FollowUpQuery{Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return err
	}
	employers := []struct {
		code string
		kind binakerja.PlacementKind
	}{
		{"UD-TANI-MAKMUR", binakerja.PlacementUMKM},
		{"PT-AGRO-OKU", binakerja.PlacementJob},
		{"Bengkel Motor Jaya Martapura", binakerja.PlacementUMKM},
	}
	// About six in ten find work a fortnight after release, unless a job
	// they were hired for before release starts later or an employer is
	// still deciding on them.
	placements := map[int64][]*binakerja.Placement{}
	for _, f := range fs {
		if _, done := placements[f.PersonID]; done {
			continue
		}
		have, err := a.Placements(ctx, ac, f.PersonID)
		if err != nil {
			return err
		}
		apps, err := a.PersonApplications(ctx, ac, f.PersonID)
		if err != nil {
			return err
		}
		// Those in an employer's pipeline wait for its decision; the
		// story's people find work as the story tells.
		place := int(f.PersonID%10) < 6
		if placed, ok := story[f.PersonID]; ok {
			place = placed
		}
		if n := int(f.PersonID % 10); place && len(have) == 0 && len(apps) == 0 {
			r, err := a.Inmate(ctx, ac, f.PersonID)
			if err != nil {
				return err
			}
			if start := r.Episode.ReleaseDate.AddDate(0, 0, 14); !start.After(today) {
				e := employers[n%len(employers)]
				p, err := a.CreatePlacement(ctx, ac, app.NewPlacement{PersonID: f.PersonID, Employer: e.code, Kind: e.kind,
					Position: "Pekerja", StartDate: start, WageBand: []string{"1-2J", "2-3J", "2-3J", ""}[f.PersonID%4]})
				if err != nil {
					return fmt.Errorf("demo placement: %w", err)
				}
				have = append(have, p)
			}
		}
		placements[f.PersonID] = have
	}
	for i, f := range fs {
		if !f.DueDate.AddDate(0, 0, grace).Before(today) || i%7 == 3 {
			continue // not yet due, or left overdue
		}
		in := app.FollowUpInput{ContactDate: f.DueDate.AddDate(0, 0, 3), Contacted: true, Outcome: binakerja.OutcomeUnemployed}
		if in.ContactDate.After(today) {
			in.ContactDate = today
		}
		// What the mentor finds agrees with the placements on the day.
		for _, p := range placements[f.PersonID] {
			if !p.Current(in.ContactDate) {
				continue
			}
			switch {
			case p.Kind == binakerja.PlacementUMKM:
				in.Outcome = binakerja.OutcomeUMKM
			case p.Employer != "":
				in.Outcome = binakerja.OutcomePartner
			default:
				in.Outcome = binakerja.OutcomeOther
			}
			in.Confirmed, in.Employer = f.PersonID%2 == 0, p.EmployerName
		}
		if f.PersonID%10 == 9 {
			in.Contacted, in.Outcome = false, binakerja.OutcomeUnreachable
		}
		if _, err := a.RecordFollowUp(ctx, ac, f.ID, in); err != nil {
			return fmt.Errorf("demo follow-up: %w", err)
		}
	}
	return nil
}

// seedDocuments fills the documents checklist of those due out within half
// a year as a facility would have: a third with everything, a third with
// their identity papers and the SKCK being arranged, the rest with nothing
// yet.
func seedDocuments(ctx context.Context, a *app.App, ac app.Actor) error {
	rows, err := a.ReleaseBoard(ctx, ac, "LP-MARTAPURA", 180)
	if err != nil {
		return err
	}
	for i, r := range rows {
		docs := map[binakerja.DocumentKind]binakerja.DocumentStatus{}
		switch i % 3 {
		case 0:
			for _, k := range binakerja.DocumentKinds {
				docs[k] = binakerja.DocumentHeld
			}
		case 1:
			docs[binakerja.DocumentKTP], docs[binakerja.DocumentKK] = binakerja.DocumentHeld, binakerja.DocumentHeld
			docs[binakerja.DocumentSKCK] = binakerja.DocumentInProgress
		default:
			continue
		}
		if err := a.SetReleaseDocuments(ctx, ac, r.Inmate.ID, docs); err != nil {
			return fmt.Errorf("demo documents: %w", err)
		}
	}
	return nil
}
