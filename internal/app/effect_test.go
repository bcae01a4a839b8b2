package app

import (
	"math"
	"math/rand/v2"
	"testing"
)

// synthetic builds participants younger and with shorter sentences than
// the pool, re-admitted within a year with a chance that falls with age,
// less effect for participants: the naive difference mixes the effect
// with age, the matched one recovers it.
func synthetic(treated, pool int, effect float64) []*subject {
	rng := rand.New(rand.NewPCG(7, 11))
	var out []*subject
	add := func(t bool, ageMean float64) {
		age := ageMean + rng.NormFloat64()*6
		p := math.Max(0.05, math.Min(0.9, 0.9-0.015*age))
		if t {
			p = math.Max(0, p-effect)
		}
		x := make([]float64, len(Covariates))
		x[0] = age
		x[1] = 1
		x[6] = 1 + rng.Float64()*3
		if t {
			x[6] -= 0.5
		}
		x[9] = 2025
		x[10] = 1
		s := &subject{treated: t, x: x, r1Known: true, e2Known: true, r1: rng.Float64() < p, e2: rng.Float64() < 0.4}
		out = append(out, s)
	}
	for range treated {
		add(true, 30)
	}
	for range pool {
		add(false, 36)
	}
	return out
}

func TestTheProgrammeEffectBalancesItsMatchedGroups(t *testing.T) {
	ef := matchSubjects(synthetic(200, 600, 0.15))
	if !ef.Enough || ef.Matched < 150 {
		t.Fatalf("matched %d of %d", ef.Matched, ef.Participants)
	}
	for _, b := range ef.Balance {
		if math.Abs(b.SMDAfter) >= 0.1 {
			t.Errorf("%s unbalanced after matching: SMD %.3f (before %.3f)", b.Covariate, b.SMDAfter, b.SMDBefore)
		}
	}
	if age := ef.Balance[0]; age.Covariate != "age" || age.SMDBefore > -0.5 {
		t.Fatalf("the groups should differ in age before matching: %+v", age)
	}
	r1 := ef.Outcomes[0]
	if r1.ID != "R1" || r1.N != ef.Matched || *r1.Low > -0.15 || *r1.High < -0.15 || !r1.Significant {
		t.Fatalf("R1: %v [%v, %v] on %d pairs, want about −0.15", *r1.Difference, *r1.Low, *r1.High, r1.N)
	}
	if e2 := ef.Outcomes[1]; *e2.Low > 0 || *e2.High < 0 {
		t.Errorf("E2 has no effect but reads %v [%v, %v]", *e2.Difference, *e2.Low, *e2.High)
	}
	// Fewer than 60 participants: not compared at all.
	few := matchSubjects(synthetic(45, 600, 0.15))
	if few.Enough || few.Outcomes != nil || few.Participants != 45 {
		t.Fatalf("45 participants compared: %+v", few)
	}
}
