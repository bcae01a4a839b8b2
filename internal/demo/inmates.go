package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/app"
)

var (
	maleNames   = []string{"Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Rahmat", "Rudi", "Slamet", "Taufik", "Yusuf", "Agus", "Bambang", "Dimas", "Hadi", "Sutrisno", "Wahyu", "Zainal"}
	femaleNames = []string{"Dewi", "Fitri", "Lestari", "Nur'aini", "Rina", "Sri", "Wulan", "Yanti"}
	familyNames = []string{"Saputra", "Gunawan", "Hidayat", "Kurniawan", "Pratama", "Setiawan", "Susanto", "Wijaya", "Firmansyah", "Nugroho", "Siregar", "Lubis", "Harahap", "Rahman", "Syahputra"}
	places      = []string{"Martapura", "Baturaja", "Belitang", "Palembang", "Muara Dua", "Cempaka", "Buay Madang"}
	educations  = []string{"SD", "SMP", "SMP", "SMA", "SMA", "SMK", "TIDAK_SEKOLAH", "D3"}
)

// demoInmate is one person of the demo register.
type demoInmate struct {
	regno, name, nik, place, sex, education, sentence, status string
	birth, admission                                          binakerja.Date
	release                                                   binakerja.Date
	reason                                                    binakerja.ReleaseReason
}

// inmates builds the demo register of Lapas Kelas IIB Martapura: people
// admitted over the last four years, some of them released since, all
// generated (deterministically) with made-up names and identity numbers.
func inmates(today binakerja.Date) []demoInmate {
	rng := rand.New(rand.NewPCG(16, 8)) // #nosec G404 -- the demo world, the same at every start
	var out []demoInmate
	for i := range 60 {
		female := i%8 == 5
		first := maleNames[rng.IntN(len(maleNames))]
		sex := "L"
		if female {
			first = femaleNames[rng.IntN(len(femaleNames))]
			sex = "P"
		}
		birth := binakerja.NewDate(1970+rng.IntN(35), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
		day := birth.Time().Day()
		if female {
			day += 40 // the NIK adds 40 to a woman's birth day
		}
		nik := fmt.Sprintf("160801%02d%02d%02d%04d", day, int(birth.Time().Month()), birth.Time().Year()%100, 1+i)
		admission := today.AddDate(0, 0, -30-rng.IntN(4*365))
		years, months := rng.IntN(4), rng.IntN(12)
		if years == 0 && months < 6 {
			months += 6
		}
		d := demoInmate{
			regno: fmt.Sprintf("B.I-%03d/%d", 100+i, admission.Time().Year()), name: first + " " + familyNames[rng.IntN(len(familyNames))],
			nik: nik, place: places[rng.IntN(len(places))], sex: sex, education: educations[rng.IntN(len(educations))],
			sentence: fmt.Sprintf("%d tahun %d bulan", years, months), status: "NARAPIDANA", birth: birth, admission: admission,
		}
		// Who has served two thirds of the term, or the term, has been
		// released: most on parole, some at the end of the sentence.
		term := binakerja.Sentence{Years: years, Months: months}
		end := term.EndFrom(admission)
		_, twoThirds := binakerja.MilestoneRuleFor(admission).Dates(admission, term)
		switch {
		case end.Before(today):
			d.release, d.reason = end, binakerja.ReleaseEndOfSentence
		case twoThirds.Before(today) && i%3 != 0:
			d.release, d.reason = twoThirds, binakerja.ReleaseParole
		}
		out = append(out, d)
	}
	return out
}

// The seed's story, as the labour office reads it for the last full year:
// three cohorts of ten at the Lapas ending in its first half, 28 who
// completed of whom 20 certified (71 %), 12 of the certified released on
// parole in its June, 7 of them in work within a fortnight (58 %). The
// people of the story are made for it: admitted the year before, on terms
// that end long after, except those released.
const storyPeople = 30

// storyRole is what becomes of the story's i-th participant: cohort i/10,
// completing unless last in the first or third cohort; of those completing
// (counted across cohorts as k), certified unless k % 7 is 3 or 6; of the
// certified (r-th), released unless r % 5 is 0 or 3 (12 of 20; the others,
// of every trade, still inside and due out soon), and of those (q-th)
// placed if q × 7 % 12 < 7; of the others, every second completer and the
// first who failed released, and two of them placed. Every second release
// is at the end of the sentence (the labour office mentors them), the
// others on parole (the Bapas does).
type storyRole struct {
	cohort                               int
	complete, certified, release, placed bool
	endOfSentence                        bool
}

func storyRoles() []storyRole {
	out := make([]storyRole, storyPeople)
	k, r, q, other, released := 0, 0, 0, 0, 0
	for i := range out {
		x := &out[i]
		x.cohort = i / 10
		x.complete = !(i == 9 || i == 29)
		switch {
		case x.complete && k%7 != 3 && k%7 != 6:
			x.certified = true
			if x.release = r%5 != 0 && r%5 != 3; x.release {
				x.placed = q*7%12 < 7
				q++
			}
			r++
		case x.complete:
			x.release, x.placed = other%2 == 0, other == 0 || other == 4
			other++
		case i == 9:
			x.release = true
		}
		if x.complete {
			k++
		}
		if x.release {
			x.endOfSentence = released%2 == 0
			released++
		}
	}
	return out
}

// storyInmates are the people of the story, admitted in January two years
// ago.
func storyInmates(today binakerja.Date) []demoInmate {
	rng := rand.New(rand.NewPCG(25, 6)) // #nosec G404 -- the demo world, the same at every start
	y := today.Time().Year() - 2
	var out []demoInmate
	for i, role := range storyRoles() {
		first := maleNames[rng.IntN(len(maleNames))]
		birth := binakerja.NewDate(1975+rng.IntN(28), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
		nik := fmt.Sprintf("160801%02d%02d%02d%04d", birth.Time().Day(), int(birth.Time().Month()), birth.Time().Year()%100, 5001+i)
		admission := binakerja.NewDate(y, time.January, 3+i/2)
		// Those still inside are due out in the coming months.
		due := today.AddDate(0, 1+i%5, 0).Time()
		months := (due.Year()-y)*12 + int(due.Month()) - 1
		sentence := fmt.Sprintf("%d tahun %d bulan", months/12, months%12)
		switch {
		case role.release && role.endOfSentence:
			sentence = "1 tahun 5 bulan" // ends in the June of the story
		case role.release:
			sentence = "2 tahun 0 bulan" // two thirds served by then
		}
		out = append(out, demoInmate{regno: fmt.Sprintf("B.II-%03d/%d", 200+i, y), name: first + " " + familyNames[rng.IntN(len(familyNames))],
			nik: nik, place: places[rng.IntN(len(places))], sex: "L", education: educations[rng.IntN(len(educations))],
			sentence: sentence, status: "NARAPIDANA", birth: birth, admission: admission})
	}
	return out
}

func csvOf(rows []demoInmate) string {
	var b strings.Builder
	b.WriteString("no_registrasi;nama;nik;tempat_lahir;tanggal_lahir;jenis_kelamin;pendidikan;kode_wilayah;golongan;tanggal_masuk;lama_pidana;status\n")
	for _, d := range rows {
		fmt.Fprintf(&b, "%s;%s;%s;%s;%s;%s;%s;16.08;B.I;%s;%s;%s\n", d.regno, d.name, d.nik, d.place, d.birth,
			d.sex, d.education, d.admission, d.sentence, d.status)
	}
	return b.String()
}

// seedInmates imports the demo register through the same import officers
// use, then records the releases, and brings one released man back in: a
// re-admission, which the outcome figures count as reoffending.
// It returns the people of the story, each with whether they find work.
func seedInmates(ctx context.Context, a *app.App, ac app.Actor, today binakerja.Date) (story map[int64]bool, err error) {
	people := inmates(today)
	story = map[int64]bool{}
	storyRows := storyInmates(today)
	src := func(s string) app.ImportSource {
		return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
	}
	if _, err := a.ImportInmates(ctx, ac, "LP-MARTAPURA", src(csvOf(append(slices.Clone(people), storyRows...))),
		app.ImportOptions{FileName: "sdp-lp-martapura.csv"}); err != nil {
		return nil, fmt.Errorf("demo register: %w", err)
	}
	var storyIDs []int64
	roles := storyRoles()
	for i, d := range storyRows {
		found, _, err := a.Inmates(ctx, ac, app.InmateQuery{NIK: d.nik})
		if err != nil || len(found) != 1 {
			return nil, fmt.Errorf("demo register: find %s: %v", d.regno, err)
		}
		storyIDs = append(storyIDs, found[0].ID)
		story[found[0].ID] = roles[i].placed
	}
	if err := seedTraining(ctx, a, ac, today, storyIDs); err != nil {
		return nil, err
	}
	// The story's releases, in its June, at the end of the sentence or on
	// parole (supervised by the Bapas), after the last certificates.
	june := binakerja.NewDate(today.Time().Year()-1, time.June, 16)
	for i, role := range roles {
		if !role.release {
			continue
		}
		date, reason := june.AddDate(0, 0, i%14), binakerja.ReleaseParole
		if role.endOfSentence {
			date, reason = binakerja.Sentence{Years: 1, Months: 5}.EndFrom(storyRows[i].admission), binakerja.ReleaseEndOfSentence
		}
		if _, err := a.Release(ctx, ac, storyIDs[i], date, reason); err != nil {
			return nil, fmt.Errorf("demo story release: %w", err)
		}
	}
	var back, revoked *demoInmate
	for i := range people {
		d := &people[i]
		if d.release.IsZero() {
			continue
		}
		found, _, err := a.Inmates(ctx, ac, app.InmateQuery{NIK: d.nik})
		if err != nil || len(found) != 1 {
			return nil, fmt.Errorf("demo register: find %s: %v", d.regno, err)
		}
		if _, err := a.Release(ctx, ac, found[0].ID, d.release, d.reason); err != nil {
			return nil, fmt.Errorf("demo register: release %s: %w", d.regno, err)
		}
		if back == nil && d.reason == binakerja.ReleaseEndOfSentence && d.release.Before(today.AddDate(0, -3, 0)) {
			back = d
		}
		if revoked == nil && d.reason == binakerja.ReleaseParole && d.release.Before(today.AddDate(0, -2, 0)) {
			revoked = d
		}
	}
	// One comes back with a new case; a parolee's release is revoked before
	// the sentence ends.
	var again []demoInmate
	if back != nil {
		d := *back
		d.regno = "B.I-900/" + fmt.Sprint(today.Time().Year())
		d.admission = today.AddDate(0, 0, -60)
		d.sentence = "1 tahun 6 bulan"
		again = append(again, d)
	}
	if revoked != nil {
		d := *revoked
		d.regno = "B.I-901/" + fmt.Sprint(today.Time().Year())
		d.admission = today.AddDate(0, 0, -20)
		again = append(again, d)
	}
	if len(again) > 0 {
		if _, err := a.ImportInmates(ctx, ac, "LP-MARTAPURA", src(csvOf(again)),
			app.ImportOptions{FileName: "sdp-lp-martapura-susulan.csv"}); err != nil {
			return nil, fmt.Errorf("demo re-admission: %w", err)
		}
	}
	return story, nil
}
