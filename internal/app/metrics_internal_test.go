package app

import (
	"testing"

	"binakerja"
	"binakerja/internal/store"
)

// The funnel's definitions at their edges: each person once; a certificate
// of the cohort's scheme by 90 days after its end, not revoked; the first
// qualifying release since the training, six months complete by asOf; work
// of a kind that counts, starting within 182 days of it.
func TestCountFunnelAtTheEdges(t *testing.T) {
	d := binakerja.NewDate
	start, end := d(2025, 1, 6), d(2025, 3, 28)
	asOf := d(2026, 6, 30)
	last := asOf.AddDate(0, 0, -182) // the last release whose six months are complete
	en := func(id int64, s binakerja.EnrollmentStatus) store.FunnelEnrolment {
		return store.FunnelEnrolment{PersonID: id, Status: s, Scheme: 7, CohortStart: start, CohortEnd: end}
	}
	cert := func(id int64, issued binakerja.Date, s binakerja.CertificateStatus) store.FunnelCertificate {
		return store.FunnelCertificate{PersonID: id, Scheme: 7, IssuedOn: issued, Status: s}
	}
	facts := &store.FunnelFacts{
		Enrolments: []store.FunnelEnrolment{
			en(1, binakerja.EnrollmentCompleted), en(1, binakerja.EnrollmentCompleted), // twice: counted once
			en(2, binakerja.EnrollmentCompleted), en(3, binakerja.EnrollmentCompleted), en(4, binakerja.EnrollmentCompleted),
			en(5, binakerja.EnrollmentCompleted), en(6, binakerja.EnrollmentCompleted), en(7, binakerja.EnrollmentCompleted),
			en(8, binakerja.EnrollmentCompleted),
			en(9, "TIDAK_LULUS"),  // a participant, not completed
			en(10, "TIDAK_LULUS"), // not completed: their certificate does not count
		},
		Certificates: []store.FunnelCertificate{
			cert(1, end.AddDate(0, 0, 90), binakerja.CertificateActive), // the 90th day counts
			cert(2, end.AddDate(0, 0, 91), binakerja.CertificateActive), // the 91st does not
			cert(3, end, binakerja.CertificateRevoked),                  // revoked: not held
			cert(4, end, "KEDALUWARSA"),                                 // expired since: still certified then
			cert(5, end, binakerja.CertificateActive),
			cert(6, end, binakerja.CertificateActive),
			cert(7, end, binakerja.CertificateActive),
			{PersonID: 8, Scheme: 99, IssuedOn: end, Status: binakerja.CertificateActive}, // another scheme
			cert(10, end, binakerja.CertificateActive),
		},
		Releases: []store.FunnelRelease{
			{PersonID: 1, Date: last, Reason: binakerja.ReleaseParole},                         // the last day that counts
			{PersonID: 4, Date: last.AddDate(0, 0, 1), Reason: binakerja.ReleaseEndOfSentence}, // a day short
			{PersonID: 5, Date: d(2025, 6, 1), Reason: binakerja.ReleaseTransferredOut},        // a transfer: not a release
			{PersonID: 6, Date: d(2024, 12, 1), Reason: binakerja.ReleaseEndOfSentence},        // before the training
			{PersonID: 6, Date: d(2025, 7, 1), Reason: binakerja.ReleaseConditional},           // the index release
			{PersonID: 6, Date: d(2025, 9, 1), Reason: binakerja.ReleaseEndOfSentence},         // a later one
			{PersonID: 7, Date: d(2025, 7, 1), Reason: binakerja.ReleasePreRelease},
		},
		Placements: []store.FunnelPlacement{
			{PersonID: 1, Kind: binakerja.PlacementUMKM, Start: last.AddDate(0, 0, 182)},         // day 182 counts
			{PersonID: 6, Kind: binakerja.PlacementInternship, Start: d(2025, 7, 10)},            // an internship does not
			{PersonID: 6, Kind: binakerja.PlacementJob, Start: d(2025, 7, 1).AddDate(0, 0, 183)}, // day 183 does not
			{PersonID: 7, Kind: binakerja.PlacementSelfEmployed, Start: d(2025, 6, 30)},          // before release does not
			{PersonID: 7, Kind: binakerja.PlacementJob, Start: d(2025, 8, 1)},
			{PersonID: 7, Kind: binakerja.PlacementUMKM, Start: d(2025, 9, 1)}, // a second job: once
		},
	}
	f := countFunnel(facts, asOf)
	got := [5]int{*f.Participants, *f.Completed, *f.Certified, *f.CertifiedReleased, *f.Placed}
	// participants 1–10; completed 1–8; certified 1, 4, 5, 6, 7; released
	// 1, 6, 7; placed 1, 7.
	if want := [5]int{10, 8, 5, 3, 2}; got != want {
		t.Fatalf("funnel %v, want %v", got, want)
	}
	if *f.CertificationRate != 0.625 || *f.PlacementRate != 0.6667 {
		t.Fatalf("rates %v %v", *f.CertificationRate, *f.PlacementRate)
	}
	if e := countFunnel(&store.FunnelFacts{}, asOf); e.CertificationRate != nil || e.PlacementRate != nil || *e.Participants != 0 {
		t.Fatalf("an empty funnel: %+v", e)
	}
}

// The small-number rules on an analyst's funnel: counts of 1 to 9 and the
// rates built on them withheld with their reason; a rate on fewer than 30
// withheld; on 30 to 99 shown with a caution; a facility's 0 or 1
// top-coded.
func TestTheAnalystsFunnelFollowsTheSmallNumberRules(t *testing.T) {
	f := &Funnel{Participants: ptr(120), Completed: ptr(100), Certified: ptr(100), CertificationRate: rate(100, 100),
		CertifiedReleased: ptr(40), Placed: ptr(7), PlacementRate: rate(7, 40)}
	f.suppress(false)
	if f.Placed != nil || f.Suppressed["placed"] != "SUPPRESSED_SMALL_COUNT" || f.PlacementRate != nil ||
		f.Suppressed["placement_rate"] != "SUPPRESSED_SMALL_COUNT" {
		t.Fatalf("a count of 7: %+v", f)
	}
	if *f.CertificationRate != 0.95 || len(f.TopCoded) != 1 || f.TopCoded[0] != "certification_rate" {
		t.Fatalf("a facility's 100 %%: %+v", f)
	}
	g := &Funnel{Participants: ptr(60), Completed: ptr(50), Certified: ptr(36), CertificationRate: rate(36, 50),
		CertifiedReleased: ptr(20), Placed: ptr(12), PlacementRate: rate(12, 20)}
	g.suppress(true)
	if g.PlacementRate != nil || g.Suppressed["placement_rate"] != "SMALL_DENOMINATOR" || *g.Placed != 12 {
		t.Fatalf("a rate on 20: %+v", g)
	}
	if *g.CertificationRate != 0.72 || len(g.Caution) != 1 || g.Caution[0] != "certification_rate" {
		t.Fatalf("a rate on 50: %+v", g)
	}
	if _, ok := g.Suppressed["participants"]; ok {
		t.Fatal("a count of 60 withheld")
	}
}
