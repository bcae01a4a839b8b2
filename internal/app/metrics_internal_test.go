package app

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

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

// The Wilson interval against values computed independently.
func TestWilson(t *testing.T) {
	for _, c := range []struct {
		x, n      int
		low, high float64
	}{{36, 50, 0.5833, 0.8253}, {0, 30, 0, 0.1135}, {21, 36, 0.422, 0.7286}} {
		if l, h := wilson(c.x, c.n); l != c.low || h != c.high {
			t.Errorf("wilson(%d, %d) = %v, %v, want %v, %v", c.x, c.n, l, h, c.low, c.high)
		}
	}
}

// The after-release figures at their edges: the index release is the first
// of the period; on the day of a figure someone back in custody leaves the
// denominator, someone without a placement or a follow-up near the day is
// unknown but stays in; R1 counts a return within its window and types it.
func TestReleaseMetricsAtTheEdges(t *testing.T) {
	d := binakerja.NewDate
	rel := d(2025, 3, 1)
	ep := func(person, id int64, adm, out binakerja.Date, in bool) store.ReleaseEpisode {
		return store.ReleaseEpisode{PersonID: person, EpisodeID: id, Admission: adm, Release: out, Reason: binakerja.ReleaseEndOfSentence, InScope: in}
	}
	back := func(person, id int64, adm binakerja.Date, kind binakerja.ReadmissionKind) store.ReleaseEpisode {
		return store.ReleaseEpisode{PersonID: person, EpisodeID: id, Admission: adm, Readmission: kind}
	}
	facts := &store.ReleaseFacts{
		Episodes: []store.ReleaseEpisode{
			ep(1, 11, d(2024, 1, 1), rel, true), // in work from day 10, for good
			ep(2, 21, d(2024, 1, 1), rel, true), // back in custody on day 30: out of E1
			back(2, 22, rel.AddDate(0, 0, 30), binakerja.ReadmissionRevocation),
			ep(3, 31, d(2024, 1, 1), rel, true), // out of work, said so on day 40: known
			ep(4, 41, d(2024, 1, 1), rel, true), // no word at all: unknown
			ep(5, 51, d(2024, 1, 1), rel, true), // in work days 100–200; back on day 400
			back(5, 52, rel.AddDate(0, 0, 400), binakerja.ReadmissionNewCase),
			ep(6, 61, d(2024, 1, 1), rel.AddDate(0, 0, 20), true), // two releases in the period: the first counts
			ep(6, 62, rel.AddDate(0, 0, 40), rel.AddDate(0, 0, 60), true),
			ep(6, 63, d(2020, 1, 1), d(2020, 6, 1), false), // an older stay, out of scope
		},
		Placements: []store.ReleasePlacement{
			{PersonID: 1, Kind: binakerja.PlacementUMKM, Start: rel.AddDate(0, 0, 10), Partner: true},
			{PersonID: 5, Kind: binakerja.PlacementJob, Start: rel.AddDate(0, 0, 100), End: rel.AddDate(0, 0, 200)},
		},
		FollowUps: []store.ReleaseFollowUp{
			{PersonID: 3, Contact: rel.AddDate(0, 0, 40), Contacted: true, Outcome: binakerja.OutcomeUnemployed},
			{PersonID: 4, Contact: rel.AddDate(0, 0, 40), Contacted: false, Outcome: binakerja.OutcomeUnreachable},
		},
	}
	q := MetricQuery{From: d(2025, 1, 1), To: d(2025, 3, 31)}
	get := func(id string, years int) *Metric {
		q.ID, q.Years = id, years
		return releaseMetric(q, facts)
	}
	counts := func(m *Metric) [4]int { return [4]int{*m.Numerator, *m.Denominator, *m.Excluded, *m.Unknown} }
	// E1 on day 42: 1 in work; 2 in custody (excluded); 3 known out of
	// work; 4, 5 (work only from day 100) and 6 unknown (6 was back in
	// custody from day 20 to 40 only).
	if got, want := counts(get("E1", 0)), [4]int{1, 5, 1, 3}; got != want {
		t.Fatalf("E1 %v, want %v", got, want)
	}
	if got := get("E1k", 0); *got.Denominator != 2 || *got.Rate != 0.5 {
		t.Fatalf("E1k %v", counts(got))
	}
	// E2 on day 182: 1 and 5 in work; 2 back since day 30 stays out.
	if got, want := counts(get("E2", 0)), [4]int{2, 5, 1, 3}; got != want {
		t.Fatalf("E2 %v, want %v", got, want)
	}
	if got := get("E4", 0); *got.Numerator != 1 {
		t.Fatalf("E4: %d sustained, want 1 (5 worked 82 days of 182)", *got.Numerator)
	}
	if got := get("E5", 0); *got.Numerator != 1 || *got.Denominator != 2 {
		t.Fatalf("E5 %v", counts(got))
	}
	// R1: within a year, 2 (a revocation) and 6 (back on day 40 after the
	// index release, a new case); within two, 5 too (a new case).
	if r := get("R1", 1); *r.Numerator != 2 || *r.Denominator != 6 || *r.Parts[1].Numerator != 1 || *r.Parts[0].Numerator != 1 {
		t.Fatalf("R1 1y: %d of %d, parts %+v", *r.Numerator, *r.Denominator, r.Parts)
	}
	r := get("R1", 2)
	if *r.Numerator != 3 || *r.Parts[0].Numerator != 2 || *r.Parts[1].Numerator != 1 || r.MatureOn != d(2025, 3, 31).AddDate(0, 0, 2*365+30) {
		t.Fatalf("R1 2y: %d, parts %+v, mature on %s", *r.Numerator, r.Parts, r.MatureOn)
	}
}

// A withheld part of R1 takes the other with it: from the total shown and
// one part, the other could be told.
func TestAWithheldPartCannotBeRecoveredFromTheTotal(t *testing.T) {
	m := &Metric{Numerator: ptr(45), Denominator: ptr(300), Parts: []MetricPart{{ID: "R1a", Numerator: ptr(40)}, {ID: "R1b", Numerator: ptr(5)}}}
	m.setRate()
	for i := range m.Parts {
		m.Parts[i].Rate = rate(*m.Parts[i].Numerator, 300)
	}
	m.suppress(true)
	shown := *m.Numerator
	for _, p := range m.Parts {
		if p.Numerator != nil {
			shown -= *p.Numerator
		}
	}
	if m.Parts[0].Numerator != nil || m.Parts[1].Numerator != nil || m.Suppressed["r1a"] != "SUPPRESSED_SECONDARY" ||
		m.Suppressed["r1b"] != "SUPPRESSED_SMALL_COUNT" {
		t.Fatalf("parts after suppression: %+v %v", m.Parts, m.Suppressed)
	}
	if shown == 5 && m.Parts[0].Numerator != nil {
		t.Fatal("the withheld part is the total less the part shown")
	}
	if m.Rate == nil || *m.Numerator != 45 {
		t.Fatalf("the total: %+v", m)
	}
}

// twentyFiveReleased is 25 people released on one day, 5 back in custody on
// day 100 and 5 on day 200.
func twentyFiveReleased() (binakerja.Date, *store.ReleaseFacts) {
	rel := binakerja.NewDate(2024, 1, 15)
	facts := &store.ReleaseFacts{}
	for i := int64(1); i <= 25; i++ {
		facts.Episodes = append(facts.Episodes, store.ReleaseEpisode{PersonID: i, EpisodeID: i, Admission: binakerja.NewDate(2023, 1, 1),
			Release: rel, Reason: binakerja.ReleaseEndOfSentence, InScope: true})
		switch {
		case i <= 5:
			facts.Episodes = append(facts.Episodes, store.ReleaseEpisode{PersonID: i, EpisodeID: 100 + i, Admission: rel.AddDate(0, 0, 100)})
		case i <= 10:
			facts.Episodes = append(facts.Episodes, store.ReleaseEpisode{PersonID: i, EpisodeID: 100 + i, Admission: rel.AddDate(0, 0, 200)})
		}
	}
	return rel, facts
}

// The Kaplan–Meier estimate by hand: 25 released on one day, 5 back on day
// 100 and 5 on day 200, the rest still out when counted on day 500. The
// estimate is 1 − 20/25 = 0.2 by day 100 and 1 − 0.8 × 15/20 = 0.4 by day
// 200; then 15 remain at risk, fewer than 20, and the curve stops.
func TestSurvivalByHand(t *testing.T) {
	rel, facts := twentyFiveReleased()
	s := survivalOf("readmission", facts, rel.AddDate(0, 0, 500))
	var g SurvivalGroup
	for _, x := range s.Groups {
		if x.Status == StatusNotTrained {
			g = x
		}
	}
	if g.N != 25 || len(g.Points) != 2 || !g.Truncated || g.Median != 0 {
		t.Fatalf("the curve: %+v", g)
	}
	if p := g.Points[0]; p.Day != 100 || p.AtRisk != 25 || p.Events != 5 || p.Estimate != 0.2 {
		t.Fatalf("day 100: %+v", p)
	}
	if p := g.Points[1]; p.Day != 200 || p.AtRisk != 20 || p.Events != 5 || p.Estimate != 0.4 {
		t.Fatalf("day 200: %+v", p)
	}
	want := map[int]int{0: 25, 30: 25, 90: 25, 182: 20, 365: 15, 730: 0}
	for _, p := range g.AtRisk {
		if n, ok := want[p.Day]; ok && p.AtRisk != n {
			t.Errorf("at risk on day %d: %d, want %d", p.Day, p.AtRisk, n)
		}
	}
	// Past day 200 the curve has stopped: no estimate is known there.
	for _, p := range g.AtRisk {
		if p.Beyond != (p.Day > 200) {
			t.Errorf("day %d beyond the curve: %v", p.Day, p.Beyond)
		}
	}
	// Time to first work: the same people, five placed on day 30; those
	// back in custody before any work leave the risk set then.
	for i := int64(11); i <= 15; i++ {
		facts.Placements = append(facts.Placements, store.ReleasePlacement{PersonID: i, Kind: binakerja.PlacementJob, Start: rel.AddDate(0, 0, 30)})
	}
	e := survivalOf("employment", facts, rel.AddDate(0, 0, 500))
	for _, x := range e.Groups {
		if x.Status == StatusNotTrained && (len(x.Points) == 0 || x.Points[0].Day != 30 || x.Points[0].Estimate != 0.2) {
			t.Fatalf("time to work: %+v", x)
		}
	}
	// The analyst sees no group of fewer than 30.
	e.suppress()
	for _, x := range e.Groups {
		if x.Withheld != "SMALL_DENOMINATOR" || x.Points != nil {
			t.Fatalf("a group of %d shown to the analyst: %+v", x.N, x)
		}
	}
}

// Across the rows of a breakdown with its total shown, one withheld count
// takes the next smallest of its column with it: the withheld one cannot
// be told from the total less the others.
func TestSecondarySuppressionAcrossFacilities(t *testing.T) {
	row := func(code string, participants, completed, certified int) BreakdownRow {
		return BreakdownRow{Key: code, Funnel: &Funnel{Participants: ptr(participants), Completed: ptr(completed),
			Certified: ptr(certified), CertificationRate: rate(certified, completed), CertifiedReleased: ptr(0), Placed: ptr(0)}}
	}
	b := &Breakdown{
		Total: &Funnel{Participants: ptr(160), Completed: ptr(145), Certified: ptr(101), CertificationRate: rate(101, 145),
			CertifiedReleased: ptr(0), Placed: ptr(0)},
		Rows: []BreakdownRow{row("A", 60, 55, 40), row("B", 8, 8, 6), row("C", 92, 82, 55)},
	}
	b.suppress(false, true, false)
	if b.Total.Participants == nil || *b.Total.Participants != 160 {
		t.Fatal("the total's count withheld")
	}
	sum, withheld := 0, 0
	for _, r := range b.Rows {
		if r.Participants == nil {
			withheld++
			continue
		}
		sum += *r.Participants
	}
	if withheld != 2 || b.Rows[0].Participants != nil || b.Rows[0].Suppressed["participants"] != "SUPPRESSED_SECONDARY" {
		t.Fatalf("participants after suppression: %+v %+v %+v", b.Rows[0].Funnel, b.Rows[1].Funnel, b.Rows[2].Funnel)
	}
	if 160-sum == 8 {
		t.Fatal("B's 8 is the total less the rows shown")
	}
	if b.Rows[0].CertificationRate != nil {
		t.Fatal("A's rate shown on a withheld denominator")
	}
}

// A facility's place on the funnel plot against the whole's rate.
func TestOutsideTheFunnelLimits(t *testing.T) {
	for _, c := range []struct {
		num, den int
		want     string
	}{{72, 100, ""}, {62, 100, "95"}, {40, 100, "99.8"}, {95, 100, "99.8"}} {
		if got := outside(0.72, ptr(c.num), ptr(c.den)); got != c.want {
			t.Errorf("%d of %d against 72 %%: %q, want %q", c.num, c.den, got, c.want)
		}
	}
	if lo, hi, lo3, hi3 := FunnelLimits(0.72, 100); math.Abs(lo-0.632) > 0.001 || math.Abs(hi-0.808) > 0.001 || lo3 >= lo || hi3 <= hi {
		t.Errorf("limits around 72 %% at 100: %v %v %v %v", lo, hi, lo3, hi3)
	}
}

// The product-limit estimate against a published worked example: the 21
// leukaemia patients on 6-mercaptopurine of Gehan (1965), as every survival
// text tabulates them (weeks in remission, + censored). S(t) and
// Greenwood's standard error as R's survfit gives them: 0.857 (0.0764) at
// 6, 0.807 (0.0869) at 7, 0.753 (0.0963) at 10, 0.690 (0.1068) at 13,
// 0.627 (0.1141) at 16, 0.538 (0.1282) at 22 and 0.448 (0.1346) at 23.
func TestKaplanMeierAgainstGehan(t *testing.T) {
	var os []obs
	for _, w := range []string{"6", "6", "6", "6+", "7", "9+", "10", "10+", "11+", "13", "16", "17+", "19+", "20+", "22", "23",
		"25+", "32+", "32+", "34+", "35+"} {
		days, err := strconv.Atoi(strings.TrimSuffix(w, "+"))
		if err != nil {
			t.Fatal(err)
		}
		os = append(os, obs{days: days, event: !strings.HasSuffix(w, "+")})
	}
	g := kaplanMeier(os, 0)
	want := map[int][2]float64{6: {0.857, 0.0764}, 7: {0.807, 0.0869}, 10: {0.753, 0.0963}, 13: {0.690, 0.1068},
		16: {0.627, 0.1141}, 22: {0.538, 0.1282}, 23: {0.448, 0.1346}}
	seen := 0
	for _, p := range g.Points {
		w, ok := want[p.Day]
		if !ok {
			if p.Events != 0 {
				t.Errorf("an event on week %d, which has none", p.Day)
			}
			continue
		}
		seen++
		if s := 1 - p.Estimate; math.Abs(s-w[0]) > 0.0006 || math.Abs(p.se-w[1]) > 0.00006 {
			t.Errorf("week %d: S = %.4f (se %.4f), published %.3f (%.4f)", p.Day, s, p.se, w[0], w[1])
		}
	}
	if seen != len(want) || g.Median != 23 || g.N != 21 {
		t.Fatalf("%d event times, median %d, n %d", seen, g.Median, g.N)
	}
}

// E6, R4, R5 and E7 on hand-built releases: 25 released on one day, 5 back
// on day 100 and 5 on day 200, counted on day 500; 3 of the others in work
// on day 182 with wages recorded for 2 of them.
func TestCurveAndHazardFigures(t *testing.T) {
	d := binakerja.NewDate
	rel, facts := twentyFiveReleased()
	for i, band := range map[int64]string{11: "1-2J", 12: "3-5J", 13: ""} {
		facts.Placements = append(facts.Placements, store.ReleasePlacement{PersonID: i, Kind: binakerja.PlacementJob,
			Start: rel.AddDate(0, 0, 10+int(i)), WageBand: band})
	}
	q := MetricQuery{From: d(2024, 1, 1), To: d(2024, 3, 31), AsOf: rel.AddDate(0, 0, 500)}
	get := func(id string, years int) *Metric {
		q.ID, q.Years = id, years
		return releaseMetric(q, facts)
	}
	// R4: 0.2 by month 6 (day 182); the curve stops after day 200 with 15
	// at risk, so months 12 to 36 are not available, nor the headline.
	r4 := get("R4", 0)
	if p := r4.Parts[0]; p.ID != "M6" || p.Rate == nil || *p.Rate != 0.2 || *p.Numerator != 5 || *p.Low >= 0.2 || *p.High <= 0.2 {
		t.Fatalf("R4 at 6 months: %+v", p)
	}
	for _, p := range r4.Parts[1:] {
		if p.Rate != nil {
			t.Errorf("R4 %s shown beyond the curve's end: %v", p.ID, *p.Rate)
		}
	}
	if r4.Rate != nil || *r4.Numerator != 10 || *r4.Denominator != 25 {
		t.Fatalf("R4: %v of %v, rate %v", *r4.Numerator, *r4.Denominator, r4.Rate)
	}
	// E6: three first jobs by day 30 of 25 at risk: 0.12.
	if e6 := get("E6", 0); e6.Parts[0].ID != "D30" || e6.Parts[0].Rate == nil || *e6.Parts[0].Rate != 0.12 {
		t.Fatalf("E6 by day 30: %+v", e6.Parts[0])
	}
	// R5: year 1, 10 of 25; year 2, none of the 15 still out.
	if r := get("R5", 1); *r.Numerator != 10 || *r.Denominator != 25 || *r.Rate != 0.4 {
		t.Fatalf("R5 year 1: %d of %d", *r.Numerator, *r.Denominator)
	}
	if r := get("R5", 2); *r.Numerator != 0 || *r.Denominator != 15 || r.MatureOn != q.To.AddDate(0, 0, 730+30) {
		t.Fatalf("R5 year 2: %d of %d, mature on %s", *r.Numerator, *r.Denominator, r.MatureOn)
	}
	// E7: of the 3 in work on day 182, 2 have a wage band; the median of
	// 1–2 and 3–5 million is the lower (the middle of an even count).
	if e7 := get("E7", 0); *e7.Numerator != 2 || *e7.Denominator != 3 || e7.Value != "1-2J" || e7.Rate != nil {
		t.Fatalf("E7: %d of %d, median %q", *e7.Numerator, *e7.Denominator, e7.Value)
	}
	// The analyst: a median of fewer than 30 is withheld.
	e7 := get("E7", 0)
	e7.suppress(true)
	if e7.Value != "" || e7.Suppressed["value"] != "SMALL_DENOMINATOR" {
		t.Fatalf("E7 for the analyst: %q %v", e7.Value, e7.Suppressed)
	}
}

// Across the quarters of a year, whose total the year's figure shows, a
// single withheld numerator takes the next smallest with it: the year's
// total less the quarters shown no longer tells the withheld one.
func TestAWithheldQuarterCannotBeRecoveredFromTheYear(t *testing.T) {
	d := binakerja.NewDate
	var qs []*Metric
	var truth [][2]int
	for i, n := range []int{40, 5, 22, 31} {
		m := &Metric{From: d(2025, time.Month(1+3*i), 1), Numerator: ptr(n), Denominator: ptr(120)}
		m.setRate()
		m.suppress(true)
		qs, truth = append(qs, m), append(truth, [2]int{n, 120})
	}
	suppressAcrossYears(qs, truth)
	total, known, hidden := 40+5+22+31, 0, 0
	for _, m := range qs {
		if m.Numerator != nil {
			known += *m.Numerator
		} else {
			hidden++
		}
	}
	if hidden != 2 || qs[2].Suppressed["numerator"] != "SUPPRESSED_SECONDARY" || qs[2].Rate != nil {
		t.Fatalf("withheld %d quarters: %+v", hidden, qs[2])
	}
	if total-known == 5 {
		t.Fatal("the withheld quarter is the year less the others")
	}
}

// Two cells written "<10" whose sum is 18 are both 9: the line loses its
// next smallest too. Each withheld cell's range, from the sum shown, must
// stay wider than one value.
func TestWithheldCellsCannotBePinnedByTheirBounds(t *testing.T) {
	small, big := bound{1, 9}, bound{10, unbounded}
	for _, c := range []struct {
		sum   int
		cells []bound
		want  bool
	}{
		{5, []bound{small}, true},               // one withheld: the total less the others
		{18, []bound{small, small}, true},       // 9 and 9
		{2, []bound{small, small}, true},        // 1 and 1
		{10, []bound{small, small}, false},      // 1+9 … 9+1
		{28, []bound{small, small, big}, false}, // 9, 9 and 10, or less of the first two and more of the third
		{11, []bound{small, big}, true},         // at least 1 and at least 10: only 1 + 10
		{12, []bound{small, big}, false},        // 1 + 11 or 2 + 10
		// The programme rows of ten people each, 28 completed in all: a
		// cell withheld beside two small ones is at most its row's 10, and
		// 10 + 9 + 9 is the only way.
		{28, []bound{{10, 10}, {1, 9}, {1, 9}}, true},
		{0, nil, false}, // nothing withheld
	} {
		if got := pinned(c.sum, c.cells); got != c.want {
			t.Errorf("sum %d over %v: pinned %v, want %v", c.sum, c.cells, got, c.want)
		}
	}
}
