package gen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	"binakerja"
	"binakerja/internal/app"
)

// Province is a province's Kemendagri code and name.
type Province struct{ Code, Name string }

// Provinces are Indonesia's 38 provinces, as the synthetic worlds use them.
var Provinces = []Province{
	{"11", "Aceh"}, {"12", "Sumatera Utara"}, {"13", "Sumatera Barat"}, {"14", "Riau"}, {"15", "Jambi"},
	{"16", "Sumatera Selatan"}, {"17", "Bengkulu"}, {"18", "Lampung"}, {"19", "Kepulauan Bangka Belitung"},
	{"21", "Kepulauan Riau"}, {"31", "DKI Jakarta"}, {"32", "Jawa Barat"}, {"33", "Jawa Tengah"},
	{"34", "DI Yogyakarta"}, {"35", "Jawa Timur"}, {"36", "Banten"}, {"51", "Bali"}, {"52", "Nusa Tenggara Barat"},
	{"53", "Nusa Tenggara Timur"}, {"61", "Kalimantan Barat"}, {"62", "Kalimantan Tengah"},
	{"63", "Kalimantan Selatan"}, {"64", "Kalimantan Timur"}, {"65", "Kalimantan Utara"}, {"71", "Sulawesi Utara"},
	{"72", "Sulawesi Tengah"}, {"73", "Sulawesi Selatan"}, {"74", "Sulawesi Tenggara"}, {"75", "Gorontalo"},
	{"76", "Sulawesi Barat"}, {"81", "Maluku"}, {"82", "Maluku Utara"}, {"91", "Papua"}, {"92", "Papua Barat"},
	{"93", "Papua Selatan"}, {"94", "Papua Tengah"}, {"95", "Papua Pegunungan"}, {"96", "Papua Barat Daya"},
}

// Scale is the size of a synthetic world.
type Scale struct {
	Name                string
	Provinces           int // how many provinces, from Sumatera Selatan on
	FacilitiesPerRegion int
	PeoplePerFacility   int
}

// Scales are the sizes `binakerja gen` makes: one prison; one province; the
// nation (about 530 facilities and 280,000 people in custody).
var Scales = map[string]Scale{
	"facility": {Name: "facility", Provinces: 1, FacilitiesPerRegion: 1, PeoplePerFacility: 500},
	"province": {Name: "province", Provinces: 1, FacilitiesPerRegion: 15, PeoplePerFacility: 500},
	"national": {Name: "national", Provinces: 38, FacilitiesPerRegion: 14, PeoplePerFacility: 528},
}

// Stats counts what a world holds.
type Stats struct {
	Organizations, People, Released, Readmitted int
	// After release: the participants' hand-overs (and how many their mentor
	// acknowledged), the follow-ups past their grace recorded (how many of
	// them reached the person, and found them in work) and left overdue, and
	// the placements made (and how many of them ended since).
	Handovers, Acknowledged                            int
	FollowUpsDone, Contacted, InWork, FollowUpsOverdue int
	Placements, PlacementsEnded                        int
}

// add adds the after-release counts of o.
func (st *Stats) add(o Stats) {
	st.Handovers += o.Handovers
	st.Acknowledged += o.Acknowledged
	st.FollowUpsDone += o.FollowUpsDone
	st.Contacted += o.Contacted
	st.InWork += o.InWork
	st.FollowUpsOverdue += o.FollowUpsOverdue
	st.Placements += o.Placements
	st.PlacementsEnded += o.PlacementsEnded
}

// ReadmissionShare is the share of released people whom a world admits again
// (about one in eight, the order of the recidivism the programme works
// against).
const ReadmissionShare = 8

// World fills the database behind a with a synthetic world: a national
// office, regional offices, facilities, and at each facility people admitted
// over five years, those whose term has ended released (most at two thirds of
// the term, on parole), and about one in ReadmissionShare of those released
// long enough ago admitted again under a new registration number; and, in
// each province, the work after release of the programme's participants
// (hand-overs acknowledged, follow-ups recorded, placements; see
// afterRelease). Codes start with G- so as not to meet real ones.
func World(ctx context.Context, a *app.App, scale Scale, seed uint64, today binakerja.Date, progress func(done, total int)) (Stats, error) {
	var st Stats
	ac := app.CLIActor("gen")
	rng := rand.New(rand.NewPCG(seed, 7)) // #nosec G404 -- synthetic data, the same for the same seed
	create := func(o *binakerja.Organization) error {
		_, err := a.CreateOrganization(ctx, ac, o)
		if err == nil {
			st.Organizations++
		}
		if binakerja.ErrorKind(err) == binakerja.Conflict {
			return fmt.Errorf("%s exists already: generate into an empty database", o.Code)
		}
		return err
	}
	if err := create(&binakerja.Organization{Code: "G-PUSAT", Name: "Direktorat Jenderal Pemasyarakatan (sintetis)",
		Kind: binakerja.OrgNationalOffice}); err != nil {
		return st, err
	}
	if err := catalogue(ctx, a, ac, create); err != nil {
		return st, err
	}
	start := 5 // Sumatera Selatan first, so that small worlds sit in the demo's province
	total := scale.Provinces * scale.FacilitiesPerRegion
	done := 0
	serial := 1
	for i := range scale.Provinces {
		p := Provinces[(start+i)%len(Provinces)]
		region := "G-KW-" + p.Code
		if err := create(&binakerja.Organization{Code: region, Name: "Kanwil Ditjenpas " + p.Name + " (sintetis)",
			Kind: binakerja.OrgRegionalOffice, RegionCode: p.Code, Parent: "G-PUSAT"}); err != nil {
			return st, err
		}
		employers, err := provinceOffice(ctx, a, ac, p, create)
		if err != nil {
			return st, err
		}
		var facilities []string
		regencies := binakerja.RegenciesOf(p.Code)
		for f := range scale.FacilitiesPerRegion {
			regency := regencies[f%len(regencies)].Code
			code := fmt.Sprintf("G-LP-%s-%02d", p.Code, f+1)
			kind := []string{"LAPAS", "LAPAS", "RUTAN", "LPKA"}[rng.IntN(4)]
			class := []string{"I", "IIA", "IIB", "IIB", "III"}[rng.IntN(5)]
			if err := create(&binakerja.Organization{Code: code, Name: fmt.Sprintf("%s Kelas %s %s %02d (sintetis)", titleOf(kind), class, p.Name, f+1),
				Kind: binakerja.OrgFacility, FacilityType: kind, FacilityClass: class, RegionCode: regency, Parent: region}); err != nil {
				return st, err
			}
			facilities = append(facilities, code)
			train := func() (map[int64]binakerja.Date, error) { return facilityTraining(ctx, a, ac, p, code, today, rng) }
			fst, err := facility(ctx, a, ac, code, regency, scale.PeoplePerFacility, seed, serial, today, rng, train)
			if err != nil {
				return st, fmt.Errorf("%s: %w", code, err)
			}
			serial += scale.PeoplePerFacility
			st.People += fst.People
			st.Released += fst.Released
			st.Readmitted += fst.Readmitted
			done++
			if progress != nil {
				progress(done, total)
			}
		}
		if err := provinceJobs(ctx, a, ac, p, facilities, employers, today, rng); err != nil {
			return st, fmt.Errorf("jobs of %s: %w", p.Name, err)
		}
		ast, err := afterRelease(ctx, a, ac, facilities, employers, today, rng)
		if err != nil {
			return st, fmt.Errorf("after release in %s: %w", p.Name, err)
		}
		st.add(ast)
	}
	// The world's records, made now, dated as its history tells them.
	return st, a.DB().BackdateHistory(ctx)
}

func titleOf(facilityType string) string {
	switch facilityType {
	case "RUTAN":
		return "Rutan"
	case "LPKA":
		return "LPKA"
	}
	return "Lapas"
}

// facility imports a facility's people, releases those whose term ended and
// admits some of them again.
func facility(ctx context.Context, a *app.App, ac app.Actor, code, region string, n int, seed uint64, serial int,
	today binakerja.Date, rng *rand.Rand, train func() (map[int64]binakerja.Date, error)) (Stats, error) {
	var st Stats
	var file bytes.Buffer
	if err := InmateFile(&file, n, seed, region, serial, today); err != nil {
		return st, err
	}
	rep, err := importFile(ctx, a, ac, code, "sdp-"+code+".csv", file.Bytes())
	if err != nil {
		return st, err
	}
	st.People = rep.Created
	trained, err := train()
	if err != nil {
		return st, fmt.Errorf("training: %w", err)
	}
	facID, err := a.DB().OrgID(ctx, code)
	if err != nil {
		return st, err
	}
	due, err := a.DB().DueEpisodes(ctx, facID, today)
	if err != nil {
		return st, err
	}
	var items []app.ReleaseListItem
	var people []int64 // beside items
	for _, d := range due {
		it := app.ReleaseListItem{EpisodeID: d.ID, Date: d.ExpectedRelease, Reason: binakerja.ReleaseEndOfSentence}
		// Parole at two thirds of the term, but not for a participant before
		// their training was assessed.
		if rng.IntN(3) > 0 && !d.TwoThirdsDate.IsZero() && !d.TwoThirdsDate.Before(trained[d.PersonID]) {
			it.Date, it.Reason = d.TwoThirdsDate, binakerja.ReleaseParole
		}
		items, people = append(items, it), append(people, d.PersonID)
	}
	if err := a.RecordReleases(ctx, ac, code, items); err != nil {
		return st, err
	}
	st.Released = len(items)

	// Re-admissions: the same person (same NIK) under a new registration
	// number, admitted between a month after release and today.
	lines := bytes.Split(file.Bytes(), []byte("\n"))
	var again bytes.Buffer
	again.WriteString(InmateHeader)
	for i, it := range items {
		gap := int(today.Time().Sub(it.Date.Time()).Hours() / 24)
		if gap < 60 || rng.IntN(ReadmissionShare) != 0 {
			continue
		}
		r, err := a.DB().Inmate(ctx, people[i])
		if err != nil {
			return st, err
		}
		var s, year int
		if _, err := fmt.Sscanf(r.Episode.RegistrationNumber, "B.I-%d/%d", &s, &year); err != nil {
			return st, fmt.Errorf("registration number %q: %w", r.Episode.RegistrationNumber, err)
		}
		f := strings.Split(string(lines[1+s-serial]), ";")
		admission := it.Date.AddDate(0, 0, 30+rng.IntN(gap-30))
		f[0] = fmt.Sprintf("B.I-%07d/%d", readmissionSerial+s, admission.Time().Year())
		f[9], f[10], f[11] = admission.String(), fmt.Sprintf("%d tahun %d bulan", 1+rng.IntN(4), rng.IntN(12)), "NARAPIDANA"
		again.WriteString(strings.Join(f, ";") + "\n")
	}
	if again.Len() == len(InmateHeader) {
		return st, nil
	}
	rep, err = importFile(ctx, a, ac, code, "sdp-"+code+"-readmissions.csv", again.Bytes())
	if err != nil {
		return st, err
	}
	if rep.Rejected > 0 {
		return st, fmt.Errorf("re-admissions: %d rows rejected: %+v", rep.Rejected, rep.Problems)
	}
	st.Readmitted = rep.Readmitted
	return st, nil
}

// readmissionSerial sets re-admission registration numbers apart from first
// admissions.
const readmissionSerial = 5_000_000

func importFile(ctx context.Context, a *app.App, ac app.Actor, code, name string, b []byte) (*app.ImportReport, error) {
	return a.ImportInmates(ctx, ac, code, func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, app.ImportOptions{FileName: name})
}
