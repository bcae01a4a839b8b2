package api_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
)

type funnelBody struct {
	Participants      *int
	Completed         *int
	Certified         *int
	CertificationRate *float64 `json:"certification_rate"`
	CertifiedReleased *int     `json:"certified_released"`
	Placed            *int
	PlacementRate     *float64 `json:"placement_rate"`
	Suppressed        map[string]string
}

// The demo's funnel on both engines: each figure within the one before it,
// the rates its counts' quotients, the region's at least the facility's, a
// cancelled enrolment not counted; the other figures of the catalogue are
// another issue.
func TestTheFunnelCountsTheDemoWorld(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		today := binakerja.DateOf(env.Clock.Now())
		q := fmt.Sprintf("from=2020-01-01&to=%s", today)
		var fac, region, office funnelBody
		mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/funnel?organization=LP-MARTAPURA&"+q), &fac)
		mustJSON(t, get(t, env, binakerja.RoleAdmin, "/api/v1/metrics/funnel?organization=KANWIL-SUMSEL&"+q), &region)
		mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, "/api/v1/metrics/funnel?organization=DISNAKER-OKUT&"+q), &office)
		chain := []int{*fac.Participants, *fac.Completed, *fac.Certified, *fac.CertifiedReleased, *fac.Placed}
		for i := 1; i < len(chain); i++ {
			if chain[i] > chain[i-1] {
				t.Fatalf("a figure larger than the one before it: %v", chain)
			}
		}
		if chain[0] == 0 || chain[2] == 0 {
			t.Fatalf("the demo's funnel is empty: %v", chain)
		}
		if want := math.Round(float64(chain[2])/float64(chain[1])*10000) / 10000; fac.CertificationRate == nil || *fac.CertificationRate != want {
			t.Fatalf("certification rate %v, want %v", fac.CertificationRate, want)
		}
		if *region.Participants < *fac.Participants || *office.Participants == 0 {
			t.Fatalf("region %d, facility %d, labour office %d", *region.Participants, *fac.Participants, *office.Participants)
		}
		want := env.Int(t, `SELECT count(DISTINCT en.person_id) FROM enrollments en JOIN cohorts c ON c.id = en.cohort_id
			JOIN organizations f ON f.id = c.facility_id
			WHERE f.code = 'LP-MARTAPURA' AND en.status NOT IN ('DIBATALKAN', 'DAFTAR_TUNGGU') AND c.end_date <= $1`, today)
		if *fac.Participants != want {
			t.Fatalf("participants %d, enrolled persons %d", *fac.Participants, want)
		}
		// The region by facility: each row a facility's, in name order,
		// together at least the region's (a person may train at two).
		var by struct {
			Participants *int
			Breakdown    []struct {
				Organization     string
				OrganizationName string `json:"organization_name"`
				Participants     *int
			}
		}
		mustJSON(t, get(t, env, binakerja.RoleAdmin, "/api/v1/metrics/funnel?by=facility&organization=KANWIL-SUMSEL&"+q), &by)
		sum := 0
		for i, row := range by.Breakdown {
			sum += *row.Participants
			if i > 0 && row.OrganizationName < by.Breakdown[i-1].OrganizationName {
				t.Fatalf("not in name order: %+v", by.Breakdown)
			}
			if row.Organization == "LP-MARTAPURA" && *row.Participants != *fac.Participants {
				t.Fatalf("the Lapas's row %d, its own funnel %d", *row.Participants, *fac.Participants)
			}
		}
		if len(by.Breakdown) == 0 || sum < *by.Participants {
			t.Fatalf("breakdown %+v, total %d", by.Breakdown, *by.Participants)
		}
		if r := get(t, env, binakerja.RoleAdmin, "/api/v1/metrics/funnel?by=religion&organization=KANWIL-SUMSEL"); r.StatusCode != 422 ||
			decodeError(t, r).Error.Fields[0].Field != "by" {
			t.Fatalf("by=religion: %d %s", r.StatusCode, r.Body)
		}
		// By sex each person counts in one row, so the rows add up to the
		// total; by age band, at least to it (two cohorts, two ages).
		for by, exact := range map[string]bool{"sex": true, "age_band": false} {
			var g struct {
				Participants *int
				Breakdown    []struct {
					Group        string
					Participants *int
				}
			}
			mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/funnel?organization=LP-MARTAPURA&by="+by+"&"+q), &g)
			sum := 0
			for _, row := range g.Breakdown {
				sum += *row.Participants
				if row.Group == "" {
					t.Fatalf("by %s: a row without its group", by)
				}
			}
			if (exact && sum != *g.Participants) || sum < *g.Participants || len(g.Breakdown) == 0 {
				t.Fatalf("by %s: rows %+v add to %d, total %d", by, g.Breakdown, sum, *g.Participants)
			}
		}
		// A person whose only enrolment is cancelled is no participant.
		env.SQL(t, `UPDATE enrollments SET status = 'DIBATALKAN' WHERE person_id = (SELECT min(en.person_id) FROM enrollments en
			JOIN cohorts c ON c.id = en.cohort_id WHERE c.end_date <= $1 AND en.status <> 'DIBATALKAN'
			AND en.person_id IN (SELECT person_id FROM enrollments GROUP BY person_id HAVING count(*) = 1))`, today)
		var after funnelBody
		mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/funnel?organization=LP-MARTAPURA&"+q), &after)
		if *after.Participants != *fac.Participants-1 {
			t.Fatalf("after a cancellation: %d, before %d", *after.Participants, *fac.Participants)
		}
		// Reach: an employer may not; another organisation's figures are
		// not found; bad dates are named.
		if r := get(t, env, binakerja.RoleEmployer, "/api/v1/metrics/funnel?organization=CV-MEBEL-JATI"); r.StatusCode != 403 {
			t.Fatalf("an employer: %d", r.StatusCode)
		}
		if r := get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/funnel?organization=RUTAN-BATURAJA"); r.StatusCode != 404 {
			t.Fatalf("another facility's funnel: %d", r.StatusCode)
		}
		if r := get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/funnel?organization=LP-MARTAPURA&from=2026-02-30"); r.StatusCode != 422 ||
			decodeError(t, r).Error.Fields[0].Field != "from" {
			t.Fatalf("a bad date: %d %s", r.StatusCode, r.Body)
		}
		if r := get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/funnel?organization=LP-MARTAPURA&from=2026-02-01&to=2026-01-01"); r.StatusCode != 422 ||
			decodeError(t, r).Error.Fields[0].Field != "to" {
			t.Fatalf("to before from: %d %s", r.StatusCode, r.Body)
		}
		if r := get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/funnel"); r.StatusCode != 422 {
			t.Fatalf("the nation for a facility officer: %d %s", r.StatusCode, r.Body)
		}
		// The analyst of the region sees the small numbers withheld.
		var an funnelBody
		r := get(t, env, binakerja.RoleAnalyst, "/api/v1/metrics/funnel?organization=KANWIL-SUMSEL")
		mustJSON(t, r, &an)
		if r.StatusCode != 200 {
			t.Fatalf("the analyst's year: %d %s", r.StatusCode, r.Body)
		}
		if r := get(t, env, binakerja.RoleAnalyst, "/api/v1/metrics/funnel?organization=KANWIL-SUMSEL&"+q); r.StatusCode != 422 ||
			decodeError(t, r).Error.Fields[0].Field != "from" {
			t.Fatalf("an analyst's period of years: %d %s", r.StatusCode, r.Body)
		}
		for name, v := range map[string]*int{"participants": an.Participants, "completed": an.Completed, "certified": an.Certified,
			"certified_released": an.CertifiedReleased, "placed": an.Placed} {
			if v != nil && *v > 0 && *v < 10 {
				t.Fatalf("the analyst sees %s = %d", name, *v)
			}
			if v == nil && an.Suppressed[name] != "SUPPRESSED_SMALL_COUNT" {
				t.Fatalf("%s withheld without its reason: %v", name, an.Suppressed)
			}
		}
		if r := get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/funnel?organization=LP-MARTAPURA&program=NOPE"); r.StatusCode != 422 ||
			decodeError(t, r).Error.Fields[0].Field != "program" {
			t.Fatalf("an unknown programme: %d %s", r.StatusCode, r.Body)
		}
	})
}

// Every figure of the catalogue answers on the demo world, on both engines,
// as the OpenAPI document describes it (servertest checks), with its rate
// inside its interval; bad parameters are named.
func TestEveryCatalogueFigureAnswers(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		today := binakerja.DateOf(env.Clock.Now())
		for _, id := range app.MetricIDs {
			var m struct {
				ID          string
				Title       string
				Numerator   *int
				Denominator *int
				Rate        *float64
				Low         *float64 `json:"ci_low"`
				High        *float64 `json:"ci_high"`
				Mature      bool
				MatureOn    binakerja.Date `json:"mature_on"`
			}
			r := get(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/metrics/%s?organization=LP-MARTAPURA&from=2020-01-01&to=%s", id, today))
			mustJSON(t, r, &m)
			if r.StatusCode != 200 || m.ID != id || m.Title == "" || m.Numerator == nil {
				t.Fatalf("%s: %d %s", id, r.StatusCode, r.Body)
			}
			if m.Rate != nil && (*m.Low > *m.Rate || *m.High < *m.Rate) {
				t.Fatalf("%s: %v outside [%v, %v]", id, *m.Rate, *m.Low, *m.High)
			}
			if m.Mature != !m.MatureOn.After(today) {
				t.Fatalf("%s: mature %v on %s", id, m.Mature, m.MatureOn)
			}
		}
		for path, field := range map[string]string{
			"/api/v1/metrics/R1?organization=LP-MARTAPURA&years=4":                       "years",
			"/api/v1/metrics/E2?organization=LP-MARTAPURA&years=2":                       "years",
			"/api/v1/metrics/E2?organization=LP-MARTAPURA&to=x":                          "to",
			"/api/v1/metrics/E2?organization=LP-MARTAPURA&from=2010-01-01&to=2020-06-30": "to",
		} {
			r := get(t, env, binakerja.RoleFacilityOfficer, path)
			if r.StatusCode != 422 || decodeError(t, r).Error.Fields[0].Field != field {
				t.Fatalf("%s: %d %s", path, r.StatusCode, r.Body)
			}
		}
		// An employer within the labour office's reach has no figures of its own.
		if r := get(t, env, binakerja.RoleLabourOfficer, "/api/v1/metrics/E2?organization=CV-MEBEL-JATI"); r.StatusCode != 422 ||
			decodeError(t, r).Error.Fields[0].Field != "organization" {
			t.Fatalf("an employer's figures: %d %s", r.StatusCode, r.Body)
		}
		if r := get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/X9?organization=LP-MARTAPURA"); r.StatusCode != 404 {
			t.Fatalf("an unknown figure: %d", r.StatusCode)
		}
		// The analyst of the region: no count of 1 to 9.
		for _, id := range app.MetricIDs {
			var m struct {
				Numerator, Denominator, Excluded, Unknown *int
				Suppressed                                map[string]string
			}
			r := get(t, env, binakerja.RoleAnalyst, fmt.Sprintf("/api/v1/metrics/%s?organization=KANWIL-SUMSEL&from=%d-01-01&to=%d-12-31", id, today.Time().Year()-1, today.Time().Year()-1))
			mustJSON(t, r, &m)
			if r.StatusCode != 200 {
				t.Fatalf("%s for the analyst: %d %s", id, r.StatusCode, r.Body)
			}
			for _, v := range []*int{m.Numerator, m.Denominator, m.Excluded, m.Unknown} {
				if v != nil && *v > 0 && *v < 10 {
					t.Fatalf("%s: the analyst sees %d (%v)", id, *v, m.Suppressed)
				}
			}
		}
	})
}

// The curves answer on both engines as the OpenAPI document says, one group
// per training status, each rising, the at-risk table falling; a kind that
// is not one is named.
func TestTheSurvivalCurvesAnswer(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		for _, kind := range app.SurvivalKinds {
			var s struct {
				Groups []struct {
					Status string
					Points []struct{ Estimate float64 }
					Table  []struct {
						AtRisk *int `json:"at_risk"`
					} `json:"at_risk_table"`
				}
			}
			mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/survival?organization=LP-MARTAPURA&from=2020-01-01&kind="+kind), &s)
			if len(s.Groups) != 3 {
				t.Fatalf("%s: %d groups", kind, len(s.Groups))
			}
			for _, g := range s.Groups {
				for i := 1; i < len(g.Points); i++ {
					if g.Points[i].Estimate < g.Points[i-1].Estimate {
						t.Fatalf("%s %s falls: %+v", kind, g.Status, g.Points)
					}
				}
				for i := 1; i < len(g.Table); i++ {
					if *g.Table[i].AtRisk > *g.Table[i-1].AtRisk {
						t.Fatalf("%s %s: more at risk later: %+v", kind, g.Status, g.Table)
					}
				}
			}
		}
		r := get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/survival?organization=LP-MARTAPURA&kind=jobs")
		if r.StatusCode != 422 || decodeError(t, r).Error.Fields[0].Field != "kind" {
			t.Fatalf("a bad kind: %d %s", r.StatusCode, r.Body)
		}
	})
}

// A figure asked for as of a past day counts only what had been recorded by
// its end: a release and a job recorded two days later, both dated before
// it, leave every figure as of that day as it was, and the same figures as
// of today count them.
func TestAFigureAsOfAPastDayStaysAsItWas(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		day := binakerja.DateOf(env.Clock.Now().In(time.FixedZone("WIB", 7*3600)))
		paths := []string{fmt.Sprintf("/api/v1/metrics/funnel?organization=LP-MARTAPURA&from=2020-01-01&to=%s", day),
			fmt.Sprintf("/api/v1/metrics/survival?organization=LP-MARTAPURA&kind=employment&from=2020-01-01&to=%s", day)}
		for _, id := range app.MetricIDs {
			paths = append(paths, fmt.Sprintf("/api/v1/metrics/%s?organization=LP-MARTAPURA&from=2020-01-01&to=%s", id, day))
		}
		read := func(asOf binakerja.Date) map[string]string {
			out := map[string]string{}
			for _, p := range paths {
				r := get(t, env, binakerja.RoleFacilityOfficer, p+"&as_of="+asOf.String())
				if r.StatusCode != 200 {
					t.Fatalf("%s: %d %s", p, r.StatusCode, r.Body)
				}
				out[p] = string(r.Body)
			}
			return out
		}
		before := read(day)
		env.Clock.Advance(48 * time.Hour)
		person := releasedParticipant(t, env, "HABIS_MASA_PIDANA", "")
		if r := post(t, env, binakerja.RoleLabourOfficer, "/api/v1/placements", fmt.Sprintf(`{"inmate_id":%d,
			"employer":"UD-TANI-MAKMUR","kind":"UMKM","start_date":"%s","position":"Pekerja kebun"}`, person, day)); r.StatusCode != 201 {
			t.Fatalf("a placement: %d %s", r.StatusCode, r.Body)
		}
		for p, body := range read(day) {
			if body != before[p] {
				t.Errorf("%s as of %s changed:\n%s\n%s", p, day, before[p], body)
			}
		}
		var was, now struct{ Denominator *int }
		mustJSON(t, &servertest.Response{Body: []byte(before[paths[2+slices.Index(app.MetricIDs, "T4")]])}, &was)
		r := get(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/metrics/T4?organization=LP-MARTAPURA&from=2020-01-01&to=%s", day))
		mustJSON(t, r, &now)
		if *now.Denominator != *was.Denominator+1 {
			t.Fatalf("T4 as of today counts %d releases, as of %s %d", *now.Denominator, day, *was.Denominator)
		}
	})
}

// The data-quality panel counts a release recorded more than 30 days after
// its day as late, and one recorded the next day as not; both engines.
func TestDataQualityCountsLateEntries(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		today := env.App.Today()
		q := app.MetricQuery{Organization: "LP-MARTAPURA", From: today.AddDate(0, 0, -60), To: today}
		ac := app.Actor{User: env.Users[binakerja.RoleFacilityOfficer]}
		item := func() [2]int {
			items, err := env.App.DataQuality(t.Context(), ac, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.Key == "late_release" {
					return [2]int{*it.Count, *it.Of}
				}
			}
			t.Fatal("no late_release")
			return [2]int{}
		}
		was := item()
		for _, ago := range []int{40, 1} {
			id := env.Int(t, `SELECT min(e.person_id) FROM custody_episodes e JOIN organizations f ON f.id = e.facility_id
				WHERE f.code = 'LP-MARTAPURA' AND e.release_date IS NULL AND e.admission_date < $1
				AND e.person_id NOT IN (SELECT person_id FROM custody_episodes WHERE release_date IS NOT NULL)`, today.AddDate(0, 0, -60))
			r := post(t, env, binakerja.RoleFacilityOfficer, fmt.Sprintf("/api/v1/inmates/%d/release", id),
				fmt.Sprintf(`{"date":"%s","reason":"HABIS_MASA_PIDANA"}`, today.AddDate(0, 0, -ago)))
			if r.StatusCode != 200 {
				t.Fatalf("release: %d %s", r.StatusCode, r.Body)
			}
		}
		if got, want := item(), [2]int{was[0] + 1, was[1] + 2}; got != want {
			t.Fatalf("late releases %v, want %v (before: %v)", got, want, was)
		}
	})
}

// The programme effect answers on both engines as the OpenAPI document
// says: the demo has too few participants to compare, and says so in
// words, with no outcome.
func TestTheProgrammeEffectSaysWhenThereAreTooFew(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		var ef struct {
			Participants, Pool, Matched int
			Enough                      bool
			Summary                     string
			Outcomes                    []any
		}
		r := get(t, env, binakerja.RoleLabourOfficer, "/api/v1/metrics/effect?organization=DISNAKER-OKUT")
		mustJSON(t, r, &ef)
		if r.StatusCode != 200 || ef.Enough || len(ef.Outcomes) != 0 || ef.Participants == 0 ||
			!strings.Contains(ef.Summary, "Belum cukup untuk dibandingkan") || !strings.Contains(ef.Summary, "60") {
			t.Fatalf("the demo's effect: %d %s", r.StatusCode, r.Body)
		}
		if r := get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/metrics/effect?organization=RUTAN-BATURAJA"); r.StatusCode != 404 {
			t.Fatalf("another facility's effect: %d", r.StatusCode)
		}
	})
}
