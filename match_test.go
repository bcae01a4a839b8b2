package binakerja

import (
	"math"
	"testing"
)

func TestDecayIsOneUpToTheOffsetAndTheDecayValueAtOffsetPlusScale(t *testing.T) {
	d := Decay{Offset: 5, Scale: 15, Decay: 0.5}
	for x, want := range map[float64]float64{0: 1, 5: 1, 20: 0.5} {
		if got := d.At(x); math.Abs(got-want) > 1e-9 {
			t.Errorf("At(%v) = %v, want %v", x, got, want)
		}
	}
	if d.At(50) >= d.At(30) || d.At(30) >= d.At(20) {
		t.Error("the decay does not fall with distance")
	}
}

func TestScoreWeighsEvidenceAndLeavesOutWhatTheVacancyDoesNotAsk(t *testing.T) {
	r := MatchRuleFor(NewDate(2026, 12, 1))
	v := &Vacancy{RequiredUnits: []string{"U1", "U2"}, RegionCode: "16.08", StartDate: NewDate(2027, 1, 1)}
	cert := &CandidateFacts{RegionCode: "16.08", AvailableFrom: NewDate(2026, 12, 1)}
	cert.Add("U1", EvidenceTraining, 2)
	cert.Add("U1", EvidenceCertificate, 2) // the stronger evidence is kept
	cert.Add("U2", EvidenceReported, 0)
	m := r.Score(cert, v)
	wantR := (r.EvidenceValue[EvidenceCertificate] + r.EvidenceValue[EvidenceReported]) / 2
	if m.Parts.Required != wantR || m.Parts.Optional != -1 || m.Parts.Level != -1 || m.Evidence["U1"] != EvidenceCertificate {
		t.Fatalf("parts %+v evidence %v", m.Parts, m.Evidence)
	}
	// No optional units and no level: the other weights are scaled up.
	w := r.Weights
	want := 100 * (w.Required*wantR + w.Distance + w.Availability) / (w.Required + w.Distance + w.Availability)
	if math.Abs(m.Score-math.Round(want*10)/10) > 1e-9 {
		t.Errorf("score %v, want %v", m.Score, want)
	}
	none := r.Score(&CandidateFacts{RegionCode: "16.08"}, v)
	if !none.TrainingGap || len(none.MissingRequired) != 2 || none.Score >= m.Score {
		t.Errorf("no evidence: %+v", none)
	}
	ms := []Match{none, m}
	RankMatches(ms)
	if ms[0].TrainingGap {
		t.Error("a training gap ranked first")
	}
}

func TestKnockOutsComeInOrder(t *testing.T) {
	r := MatchRuleFor(NewDate(2026, 12, 1))
	v := &Vacancy{StartDate: NewDate(2027, 1, 1)}
	p := &Partner{Excluded: []OffenceGroup{OffenceFraud}}
	for _, c := range []struct {
		facts CandidateFacts
		want  KnockOut
	}{
		{CandidateFacts{}, KnockNoConsent},
		{CandidateFacts{Consented: true, Offence: OffenceFraud}, KnockExcluded},
		{CandidateFacts{Consented: true, AvailableFrom: v.StartDate.AddDate(0, 0, r.GraceDays+1)}, KnockUnavailable},
		{CandidateFacts{Consented: true, Placed: true}, KnockPlaced},
		{CandidateFacts{Consented: true, Offence: OffenceTheft, AvailableFrom: v.StartDate.AddDate(0, 0, r.GraceDays)}, ""},
	} {
		if got := r.KnockOutFor(&c.facts, v, p); got != c.want {
			t.Errorf("%+v: %q, want %q", c.facts, got, c.want)
		}
	}
	if (&Partner{RefusesConvictions: true}).Takes("", true) || !(&Partner{RefusesConvictions: true}).Takes("", false) {
		t.Error("a partner refusing convictions")
	}
}

func TestRegionDistanceBetweenCentres(t *testing.T) {
	if km, ok := RegionDistanceKm("16.08", "16.08.03"); !ok || km != 0 {
		t.Errorf("within one regency: %v %v", km, ok)
	}
	km, ok := RegionDistanceKm("16.08", "16.71") // OKU Timur to Palembang, about 150 km
	if !ok || km < 80 || km > 250 {
		t.Errorf("OKU Timur to Palembang: %v %v", km, ok)
	}
	if _, ok := RegionDistanceKm("16.08", "99.99"); ok || KnownRegion("16.99") || !KnownRegion("16") || !KnownRegion("16.08.01") {
		t.Error("unknown regions")
	}
}
