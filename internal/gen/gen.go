// Package gen makes synthetic but realistic data for benchmarks and for the
// national-scale demo: inmate files in the SDP export format, and worlds of
// organisations and people. Everything is deterministic for a seed, and
// every identity number is made up.
package gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"binakerja"
)

var (
	maleFirst   = []string{"Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Rahmat", "Rudi", "Slamet", "Taufik", "Yusuf", "Agus", "Bambang", "Dimas", "Hadi", "Sutrisno", "Wahyu", "Zainal", "Andi", "Bayu", "Cahyo", "Gilang", "Heru", "Imam", "Kurnia", "Lukman", "Made", "Nyoman", "Putu", "Ketut", "Rizky", "Samsul", "Teguh", "Umar", "Wayan", "Yoga"}
	femaleFirst = []string{"Dewi", "Fitri", "Lestari", "Nur'aini", "Rina", "Sri", "Wulan", "Yanti", "Ayu", "Indah", "Kartika", "Maya", "Novi", "Putri", "Ratna", "Siti"}
	family      = []string{"Saputra", "Gunawan", "Hidayat", "Kurniawan", "Pratama", "Setiawan", "Susanto", "Wijaya", "Firmansyah", "Nugroho", "Siregar", "Lubis", "Harahap", "Rahman", "Syahputra", "Simanjuntak", "Nasution", "Wibowo", "Santoso", "Purnomo", "Halim", "Tanjung", "Sitompul", "Manurung", "Pohan", "Daulay", "Ginting", "Tarigan", "Sembiring", "Hutapea"}
	educations  = []string{"SD", "SMP", "SMP", "SMA", "SMA", "SMK", "TIDAK_SEKOLAH", "D3", "S1"}
	statuses    = []string{"NARAPIDANA", "NARAPIDANA", "NARAPIDANA", "NARAPIDANA", "TAHANAN"}
)

// InmateHeader is the header row of generated inmate files.
const InmateHeader = "no_registrasi;nama;nik;tempat_lahir;tanggal_lahir;jenis_kelamin;pendidikan;kode_wilayah;golongan;tanggal_masuk;lama_pidana;status\n"

// InmateFile writes an SDP-style CSV of n people in custody at a facility in
// region (a Kemendagri regency code such as 16.08), admitted over the five
// years before today. Registration numbers and NIKs are unique within the
// file (and across files whose serialBase ranges do not overlap).
func InmateFile(w io.Writer, n int, seed uint64, region string, serialBase int, today binakerja.Date) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, err := bw.WriteString(InmateHeader); err != nil {
		return err
	}
	// #nosec G404 G115 -- synthetic data, the same for the same seed; the base is part of the seed
	rng := rand.New(rand.NewPCG(seed, uint64(serialBase)))
	prefix := region[:2] + region[3:5] // the NIK's province and regency
	for i := range n {
		female := rng.IntN(20) == 0 // about 5 % of people in custody are women
		first, sex := maleFirst[rng.IntN(len(maleFirst))], "L"
		if female {
			first, sex = femaleFirst[rng.IntN(len(femaleFirst))], "P"
		}
		birth := binakerja.NewDate(1960+rng.IntN(47), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
		day := birth.Time().Day()
		if female {
			day += 40
		}
		serial := serialBase + i
		// NIK: region (6) + birth date (6) + a 4-digit serial of 0001–9999
		// (never 0000, which no NIK has); the district digits carry the
		// serial's high part so that NIKs stay unique.
		nik := fmt.Sprintf("%s%02d%02d%02d%02d%04d", prefix, ((serial-1)/9999)%100, day, int(birth.Time().Month()),
			birth.Time().Year()%100, (serial-1)%9999+1)
		admission := today.AddDate(0, 0, -rng.IntN(5*365))
		years, months := rng.IntN(6), rng.IntN(12)
		if years == 0 && months < 3 {
			months += 3
		}
		_, err := fmt.Fprintf(bw, "B.I-%07d/%d;%s %s;%s;Kota %s;%s;%s;%s;%s;B.I;%s;%d tahun %d bulan;%s\n",
			serial, admission.Time().Year(), first, family[rng.IntN(len(family))], nik, family[rng.IntN(len(family))],
			birth.Time().Format("02-01-2006"), sex, educations[rng.IntN(len(educations))], region, admission,
			years, months, statuses[rng.IntN(len(statuses))])
		if err != nil {
			return err
		}
	}
	return bw.Flush()
}
