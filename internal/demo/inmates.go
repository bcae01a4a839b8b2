package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
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
func seedInmates(ctx context.Context, a *app.App, ac app.Actor, today binakerja.Date) error {
	people := inmates(today)
	src := func(s string) app.ImportSource {
		return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
	}
	if _, err := a.ImportInmates(ctx, ac, "LP-MARTAPURA", src(csvOf(people)), app.ImportOptions{FileName: "sdp-lp-martapura.csv"}); err != nil {
		return fmt.Errorf("demo register: %w", err)
	}
	if err := seedTraining(ctx, a, ac, today); err != nil {
		return err
	}
	var back, revoked *demoInmate
	for i := range people {
		d := &people[i]
		if d.release.IsZero() {
			continue
		}
		found, _, err := a.Inmates(ctx, ac, app.InmateQuery{NIK: d.nik})
		if err != nil || len(found) != 1 {
			return fmt.Errorf("demo register: find %s: %v", d.regno, err)
		}
		if _, err := a.Release(ctx, ac, found[0].ID, d.release, d.reason); err != nil {
			return fmt.Errorf("demo register: release %s: %w", d.regno, err)
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
			return fmt.Errorf("demo re-admission: %w", err)
		}
	}
	return nil
}
