package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/store"
)

// Schemes are the trades of a synthetic world: carpentry, horticulture and
// electrical installation, three units each.
var Schemes = []binakerja.Scheme{
	{Code: "G-SKM-KAYU", Title: "Tukang Kayu (sintetis)", KKNILevel: 2, KBJICode: "7115", ValidityYears: 3, Units: []binakerja.Unit{
		{Code: "G.KAYU.001", Title: "K3 pertukangan"}, {Code: "G.KAYU.002", Title: "Sambungan kayu"}, {Code: "G.KAYU.003", Title: "Kusen"}}},
	{Code: "G-SKM-TANI", Title: "Pembudidaya Hortikultura (sintetis)", KKNILevel: 2, KBJICode: "6111", ValidityYears: 3, Units: []binakerja.Unit{
		{Code: "G.TANI.001", Title: "Menyiapkan lahan"}, {Code: "G.TANI.002", Title: "Menanam"}, {Code: "G.TANI.003", Title: "Memanen"}}},
	{Code: "G-SKM-LSTR", Title: "Instalasi Listrik (sintetis)", KKNILevel: 2, KBJICode: "7411", ValidityYears: 3, Units: []binakerja.Unit{
		{Code: "G.LSTR.001", Title: "K3 listrik"}, {Code: "G.LSTR.002", Title: "Instalasi penerangan"}, {Code: "G.LSTR.003", Title: "Pemeriksaan instalasi"}}},
}

// ConsentShare is the share, in percent, of the people due out or recently
// released who consent to be proposed to employers.
const ConsentShare = 60

// catalogue adds the world's trades and a national certification body.
func catalogue(ctx context.Context, a *app.App, ac app.Actor, create func(*binakerja.Organization) error) error {
	for i := range Schemes {
		s := Schemes[i]
		s.Units = append([]binakerja.Unit(nil), s.Units...)
		if _, err := a.CreateScheme(ctx, ac, &s); err != nil {
			return fmt.Errorf("scheme %s: %w", s.Code, err)
		}
	}
	return create(&binakerja.Organization{Code: "G-LSP", Name: "LSP Nasional (sintetis)", Kind: binakerja.OrgCertificationBody,
		RegionCode: "31", Parent: "G-PUSAT"})
}

// partnerEmployers are the partner employers of each province, in the order
// of their codes (G-EMP-<province>-1, -2, …), with the work a released person
// does there.
var partnerEmployers = []struct {
	name, size, kbli, position string
	excluded                   []binakerja.OffenceGroup
}{
	{"CV Mebel", "KECIL", "31001", "Tukang kayu mebel", nil},
	{"UD Tani", "MIKRO", "01131", "Pekerja kebun hortikultura", nil},
	{"PT Listrik", "BESAR", "43211", "Teknisi instalasi listrik", []binakerja.OffenceGroup{binakerja.OffenceFraud}},
}

// provinceOffice adds a province's labour office (which works with every
// facility of its province), its training provider with a programme for
// each trade, and three partner employers of different sizes.
func provinceOffice(ctx context.Context, a *app.App, ac app.Actor, p Province, create func(*binakerja.Organization) error) ([]string, error) {
	office, provider := "G-DN-"+p.Code, "G-BLK-"+p.Code
	for _, o := range []*binakerja.Organization{
		{Code: office, Name: "Disnakertrans Provinsi " + p.Name + " (sintetis)", Kind: binakerja.OrgLabourOffice, RegionCode: p.Code, Parent: "G-KW-" + p.Code},
		{Code: provider, Name: "BLK " + p.Name + " (sintetis)", Kind: binakerja.OrgTrainingProvider, RegionCode: p.Code, Parent: office},
	} {
		if err := create(o); err != nil {
			return nil, err
		}
	}
	for i, s := range Schemes {
		if _, err := a.CreateProgram(ctx, ac, &binakerja.Program{Code: fmt.Sprintf("G-PRG-%s-%d", p.Code, i+1), Title: s.Title,
			Provider: provider, Scheme: s.Code, Hours: 120}); err != nil {
			return nil, err
		}
	}
	regencies := binakerja.RegenciesOf(p.Code)
	var employers []string
	for i, e := range partnerEmployers {
		code := fmt.Sprintf("G-EMP-%s-%d", p.Code, i+1)
		if _, err := a.CreatePartner(ctx, ac, app.NewPartner{Code: code, Name: e.name + " " + p.Name + " (sintetis)",
			RegionCode: regencies[i%len(regencies)].Code, EmployerSize: e.size, Parent: office,
			Partner: binakerja.Partner{KBLICode: e.kbli, KBLIVersion: "2020", Tier: binakerja.TierMain, Excluded: e.excluded,
				Contacts: []binakerja.Contact{{Name: "Narahubung " + e.name}}}}); err != nil {
			return nil, err
		}
		employers = append(employers, code)
	}
	return employers, nil
}

// trainingRounds are the cohorts a facility ran, in months before today: one
// of a single trade that ended twenty months ago, for those due out within
// the year after it (so that by now most of them have been released and
// followed up for a year), and one of each trade that ended eight months
// ago, for any of the eligible.
var trainingRounds = []struct {
	start, end int
	allTrades  bool
	dueWithin  int // months after the end within which those chosen first are due out; 0 for any
}{{-23, -20, false, 12}, {-11, -8, true, 0}}

// facilityTraining runs, at a facility, the cohorts of the province's
// programmes of the trainingRounds; nine in ten who completed are certified.
// It runs before the releases, as the history happened, and returns the
// date of each participant's last assessment.
func facilityTraining(ctx context.Context, a *app.App, ac app.Actor, p Province, code string, today binakerja.Date,
	rng *rand.Rand) (map[int64]binakerja.Date, error) {
	assessed := map[int64]binakerja.Date{}
	for _, r := range trainingRounds {
		var trades []int
		if r.allTrades {
			for i := range Schemes {
				trades = append(trades, i)
			}
		} else {
			trades = []int{rng.IntN(len(Schemes))}
		}
		start, end := today.AddDate(0, r.start, 0), today.AddDate(0, r.end, 0)
		var due binakerja.Date
		if r.dueWithin > 0 {
			due = end.AddDate(0, r.dueWithin, 0)
		}
		for _, i := range trades {
			if err := cohort(ctx, a, ac, p, code, i, start, end, due, rng, assessed); err != nil {
				return nil, err
			}
		}
	}
	return assessed, nil
}

// cohort runs a cohort of the province's programme of trade i from start to
// end, its places to the eligible due out by due first (when due is not
// zero), noting in assessed when each participant was assessed.
func cohort(ctx context.Context, a *app.App, ac app.Actor, p Province, code string, i int, start, end, due binakerja.Date,
	rng *rand.Rand, assessed map[int64]binakerja.Date) error {
	c, err := a.CreateCohort(ctx, ac, app.NewCohort{Program: fmt.Sprintf("G-PRG-%s-%d", p.Code, i+1), Facility: code,
		StartDate: start, EndDate: end, Capacity: 8, CertificationBody: "G-LSP"})
	if err != nil {
		return err
	}
	cands, err := a.Candidates(ctx, ac, c.ID)
	if err != nil {
		return err
	}
	// Any of the eligible, not only those with the most time left, so
	// that some of them are due out or released by now; in a round for
	// those due out soon, those first.
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	if !due.IsZero() {
		soon := func(c app.Candidate) bool {
			r := c.Inmate.Episode.ExpectedRelease
			return !r.IsZero() && !r.After(due)
		}
		slices.SortStableFunc(cands, func(x, y app.Candidate) int {
			switch {
			case soon(x) && !soon(y):
				return -1
			case soon(y) && !soon(x):
				return 1
			}
			return 0
		})
	}
	var done []int64
	for _, cand := range cands {
		if len(done) == c.Capacity {
			break
		}
		if len(cand.Reasons) > 0 {
			continue
		}
		e, err := a.Enroll(ctx, ac, c.ID, cand.Inmate.ID, false)
		if err != nil {
			return err
		}
		if _, err := a.ChangeEnrollment(ctx, ac, e.ID, binakerja.EnrollmentCompleted, ""); err != nil {
			return err
		}
		done = append(done, cand.Inmate.ID)
	}
	if len(done) == 0 {
		return nil
	}
	as, err := a.CreateAssessment(ctx, ac, app.NewAssessment{CohortID: c.ID, CertificationBody: "G-LSP",
		AssessorName: "Asesor Sintetis", AssessorNumber: "MET.000.000001 2026", Date: end.AddDate(0, 0, 15)})
	if err != nil {
		return err
	}
	for _, person := range done {
		result := binakerja.Competent
		if rng.IntN(10) == 0 {
			result = binakerja.NotCompetent
		}
		var units []app.UnitInput
		for _, u := range Schemes[i].Units {
			units = append(units, app.UnitInput{Code: u.Code, Result: result})
		}
		if _, err := a.RecordResults(ctx, ac, as.ID, person, units); err != nil {
			return err
		}
		assessed[person] = as.Date
	}
	return nil
}

// provinceJobs adds, once a province's facilities are filled: an MoU
// between its labour office, its facilities and its employers; offence
// groups and consent from most of those due out within half a year or
// released in the last year; a vacancy of each employer for one trade; and
// the best candidates proposed to each, at several stages.
func provinceJobs(ctx context.Context, a *app.App, ac app.Actor, p Province, facilities, employers []string, today binakerja.Date, rng *rand.Rand) error {
	parties := append(append([]string{"G-DN-" + p.Code}, facilities...), employers...)
	if len(parties) > 20 {
		parties = parties[:20]
	}
	mou, err := a.CreateAgreement(ctx, ac, app.NewAgreement{Type: binakerja.AgreementMoU, Number: "G-MOU-" + p.Code,
		Title: "Rehabilitasi berbasis kerja " + p.Name, Parties: parties, SignedDate: today.AddDate(-1, 0, -7),
		ValidFrom: today.AddDate(-1, 0, 0), ValidUntil: today.AddDate(1, 0, 0),
		Commitments: []binakerja.Commitment{{Kind: binakerja.CommitHires, Target: 5 * len(employers)},
			{Kind: binakerja.CommitTraining, Target: 20 * len(facilities)}}})
	if err != nil {
		return fmt.Errorf("MoU %s: %w", p.Code, err)
	}
	rule := binakerja.MatchRuleFor(today)
	for _, fac := range facilities {
		page := store.Page{Limit: store.MaxLimit}
		for {
			people, next, err := a.Inmates(ctx, ac, app.InmateQuery{Facility: fac, Page: page})
			if err != nil {
				return err
			}
			for _, person := range people {
				e := person.Episode
				inWindow := (e.Open() && !e.ExpectedRelease.IsZero() && !e.ExpectedRelease.After(today.AddDate(0, 0, rule.DueWithinDays))) ||
					(!e.Open() && !e.ReleaseDate.Before(today.AddDate(0, 0, -rule.ReleasedWithinDays)))
				if !inWindow {
					continue
				}
				if e.Open() {
					if _, err := a.SetCustodyFacts(ctx, ac, person.ID, binakerja.CustodyFacts{
						Offence: binakerja.OffenceGroups[rng.IntN(len(binakerja.OffenceGroups))]}); err != nil {
						return err
					}
				}
				if rng.IntN(100) >= ConsentShare {
					continue
				}
				date := today.AddDate(0, 0, -rng.IntN(60))
				if !e.Open() && e.ReleaseDate.Before(date) {
					date = e.ReleaseDate
				}
				if _, _, err := a.RecordConsent(ctx, ac, person.ID, app.ConsentInput{Given: true, Date: date}); err != nil {
					return err
				}
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
	}
	for i, emp := range employers {
		s := Schemes[i%len(Schemes)]
		var units []string
		for _, u := range s.Units {
			units = append(units, u.Code)
		}
		v, err := a.CreateVacancy(ctx, ac, app.NewVacancy{Vacancy: binakerja.Vacancy{Employer: emp, AgreementID: mou.ID,
			Title: s.Title, KBJICode: s.KBJICode, RequiredUnits: units, KKNILevel: s.KKNILevel, Places: 3,
			RegionCode: binakerja.RegenciesOf(p.Code)[0].Code, ContractType: binakerja.ContractFixedTerm,
			ClosingDate: today.AddDate(0, 0, 30), StartDate: today.AddDate(0, 0, 45)}})
		if err != nil {
			return fmt.Errorf("vacancy %s: %w", emp, err)
		}
		m, err := a.Match(ctx, ac, v.ID, 5)
		if err != nil {
			return err
		}
		for j, it := range m.Items {
			ap, err := a.Propose(ctx, ac, v.ID, it.Facts.PersonID)
			if err != nil {
				return fmt.Errorf("proposal %s: %w", emp, err)
			}
			steps := [][]binakerja.ApplicationStatus{{binakerja.ApplicationInterview, binakerja.ApplicationOffered, binakerja.ApplicationHired},
				{binakerja.ApplicationInterview}, {binakerja.ApplicationViewed}}
			if j < len(steps) {
				for _, to := range steps[j] {
					if _, err := a.MoveApplication(ctx, ac, ap.ID, to, ""); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
