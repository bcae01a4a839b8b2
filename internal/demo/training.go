package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"binakerja"
	"binakerja/internal/app"
)

// The seed's three trades: carpentry, agriculture and a technician trade.
var schemes = []binakerja.Scheme{
	{Code: "SKM-TKK-2", Title: "Tukang Kayu Konstruksi", KKNILevel: 2, KBJICode: "7115", ValidityYears: 3, Units: []binakerja.Unit{
		{Code: "F.45KYU01.001.1", Title: "Menerapkan ketentuan keselamatan dan kesehatan kerja"},
		{Code: "F.45KYU01.005.1", Title: "Membuat sambungan kayu"},
		{Code: "F.45KYU01.010.1", Title: "Memasang kusen pintu dan jendela"},
	}},
	{Code: "SKM-BTH-2", Title: "Pembudidaya Tanaman Hortikultura", KKNILevel: 2, KBJICode: "6111", ValidityYears: 3, Units: []binakerja.Unit{
		{Code: "A.011100.001.01", Title: "Menyiapkan lahan tanam"},
		{Code: "A.011100.004.01", Title: "Melakukan penanaman"},
		{Code: "A.011100.009.01", Title: "Melakukan panen"},
	}},
	{Code: "SKM-IPL-2", Title: "Teknisi Instalasi Penerangan dan Listrik", KKNILevel: 2, KBJICode: "7411", ValidityYears: 3, Units: []binakerja.Unit{
		{Code: "D.351000.001.01", Title: "Menerapkan K3 kelistrikan"},
		{Code: "D.351000.010.01", Title: "Memasang instalasi penerangan"},
		{Code: "D.351000.012.01", Title: "Memeriksa instalasi listrik"},
	}},
}

var programs = []binakerja.Program{
	{Code: "PRG-TKK", Title: "Pelatihan Pertukangan Kayu", Provider: "BLK-OKUT", Scheme: "SKM-TKK-2", Hours: 160, SkillArea: "KONSTRUKSI"},
	{Code: "PRG-BTH", Title: "Pelatihan Budidaya Hortikultura", Provider: "DISNAKER-OKUT", Scheme: "SKM-BTH-2", Hours: 120, SkillArea: "PERTANIAN"},
	{Code: "PRG-IPL", Title: "Pelatihan Instalasi Listrik", Provider: "BLK-OKUT", Scheme: "SKM-IPL-2", Hours: 200, SkillArea: "KELISTRIKAN"},
}

// seedTraining adds the trades, their programmes, and at Lapas Kelas IIB
// Martapura the story's three cohorts of the last full year (with the
// people of the story, see storyRoles) and one running now. It runs after
// the register is imported and before the releases, as the history
// happened.
func seedTraining(ctx context.Context, a *app.App, ac app.Actor, today binakerja.Date, story []int64) error {
	for i := range schemes {
		s := schemes[i]
		s.Units = append([]binakerja.Unit(nil), s.Units...)
		if _, err := a.CreateScheme(ctx, ac, &s); err != nil {
			return fmt.Errorf("demo scheme %s: %w", s.Code, err)
		}
	}
	for i := range programs {
		p := programs[i]
		if _, err := a.CreateProgram(ctx, ac, &p); err != nil {
			return fmt.Errorf("demo programme %s: %w", p.Code, err)
		}
	}
	y := today.Time().Year() - 1
	plan := []struct {
		program    string
		start, end binakerja.Date
		capacity   int
	}{
		{"PRG-TKK", binakerja.NewDate(y, time.January, 13), binakerja.NewDate(y, time.March, 28), 12},
		{"PRG-BTH", binakerja.NewDate(y, time.February, 3), binakerja.NewDate(y, time.April, 25), 12},
		{"PRG-IPL", binakerja.NewDate(y, time.February, 17), binakerja.NewDate(y, time.May, 9), 10},
	}
	roles := storyRoles()
	taken := map[int64]bool{}
	for n, p := range plan {
		c, err := a.CreateCohort(ctx, ac, app.NewCohort{Program: p.program, Facility: "LP-MARTAPURA",
			StartDate: p.start, EndDate: p.end, Capacity: p.capacity, CertificationBody: "LSP-KARYA-SUMSEL"})
		if err != nil {
			return fmt.Errorf("demo cohort: %w", err)
		}
		var completed []*binakerja.Enrollment
		var certified []bool
		for i, role := range roles {
			if role.cohort != n {
				continue
			}
			e, err := a.Enroll(ctx, ac, c.ID, story[i], false)
			if err != nil {
				return fmt.Errorf("demo enrolment: %w", err)
			}
			if role.complete {
				_, err = a.ChangeEnrollment(ctx, ac, e.ID, binakerja.EnrollmentCompleted, "")
				completed, certified = append(completed, e), append(certified, role.certified)
			} else {
				_, err = a.ChangeEnrollment(ctx, ac, e.ID, binakerja.EnrollmentFailed, "kehadiran kurang dari 80%")
			}
			if err != nil {
				return fmt.Errorf("demo completion: %w", err)
			}
		}
		if err := assess(ctx, a, ac, c, completed, certified, p.end.AddDate(0, 0, 14)); err != nil {
			return err
		}
	}
	// This year's cohorts, ended (kept inside the year, so that the story's
	// year stays as the story tells it) and one running now, of those with
	// the least time left who can still finish: many of them have been
	// released since and looked for work.
	jan := binakerja.NewDate(today.Time().Year(), time.January, 1)
	later := func(d binakerja.Date) binakerja.Date {
		if d.Before(jan) {
			return jan
		}
		return d
	}
	recent := []struct {
		program         string
		start, end      binakerja.Date
		take, complete  int
		fails           int
		certifiedEveryN int
	}{
		{"PRG-BTH", later(today.AddDate(0, -8, 0)).AddDate(0, -2, 0), later(today.AddDate(0, -8, 0)), 10, 10, 0, 4},
		{"PRG-IPL", later(today.AddDate(0, -4, 0)).AddDate(0, -3, 0), later(today.AddDate(0, -4, 0)), 8, 7, 1, 4},
		{"PRG-TKK", today.AddDate(0, 0, -20), today.AddDate(0, 2, 0), 8, 0, 0, 0},
	}
	for _, p := range recent {
		c, err := a.CreateCohort(ctx, ac, app.NewCohort{Program: p.program, Facility: "LP-MARTAPURA",
			StartDate: p.start, EndDate: p.end, Capacity: 12, CertificationBody: "LSP-KARYA-SUMSEL"})
		if err != nil {
			return fmt.Errorf("demo cohort: %w", err)
		}
		cands, err := a.Candidates(ctx, ac, c.ID)
		if err != nil {
			return err
		}
		if p.complete > 0 {
			slices.SortStableFunc(cands, func(x, y app.Candidate) int {
				if (len(x.Reasons) == 0) != (len(y.Reasons) == 0) {
					return len(x.Reasons) - len(y.Reasons)
				}
				return x.Inmate.Episode.ExpectedRelease.Time().Compare(y.Inmate.Episode.ExpectedRelease.Time())
			})
		}
		var enrolled []*binakerja.Enrollment
		for _, cand := range cands {
			if len(enrolled) == p.take {
				break
			}
			if len(cand.Reasons) > 0 || slices.Contains(story, cand.Inmate.ID) || taken[cand.Inmate.ID] {
				continue
			}
			e, err := a.Enroll(ctx, ac, c.ID, cand.Inmate.ID, false)
			if err != nil {
				return fmt.Errorf("demo enrolment: %w", err)
			}
			taken[cand.Inmate.ID] = true
			enrolled = append(enrolled, e)
		}
		var certified []bool
		for i, e := range enrolled {
			var err error
			switch {
			case i < p.complete:
				_, err = a.ChangeEnrollment(ctx, ac, e.ID, binakerja.EnrollmentCompleted, "")
				certified = append(certified, i%p.certifiedEveryN != p.certifiedEveryN-1)
			case i < p.complete+p.fails:
				_, err = a.ChangeEnrollment(ctx, ac, e.ID, binakerja.EnrollmentFailed, "kehadiran kurang dari 80%")
			}
			if err != nil {
				return fmt.Errorf("demo completion: %w", err)
			}
		}
		if p.complete > 0 {
			on := p.end.AddDate(0, 0, 14)
			if on.After(today) {
				on = today
			}
			if err := assess(ctx, a, ac, c, enrolled[:p.complete], certified, on); err != nil {
				return err
			}
		}
	}
	return nil
}

// assess holds the certification body's assessment of a finished cohort:
// those marked certified are found competent in every unit, the others not
// in the last.
func assess(ctx context.Context, a *app.App, ac app.Actor, c *binakerja.Cohort, completed []*binakerja.Enrollment, certified []bool, date binakerja.Date) error {
	as, err := a.CreateAssessment(ctx, ac, app.NewAssessment{CohortID: c.ID, CertificationBody: "LSP-KARYA-SUMSEL",
		AssessorName: "Dewi Kartika", AssessorNumber: "MET.000.004217.2019", SiteType: "SEWAKTU", Date: date})
	if err != nil {
		return fmt.Errorf("demo assessment: %w", err)
	}
	s, err := a.Scheme(ctx, ac, c.Scheme)
	if err != nil {
		return err
	}
	for i, e := range completed {
		var units []app.UnitInput
		for j, u := range s.Units {
			r := binakerja.Competent
			if !certified[i] && j == len(s.Units)-1 {
				r = binakerja.NotCompetent
			}
			units = append(units, app.UnitInput{Code: u.Code, Result: r})
		}
		if _, err := a.RecordResults(ctx, ac, as.ID, e.PersonID, units); err != nil {
			return fmt.Errorf("demo results: %w", err)
		}
	}
	return nil
}
