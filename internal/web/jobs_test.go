package web_test

import (
	"net/url"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/servertest"
)

// Each form of partners and jobs, refused, comes back with what was typed
// and an error summary; accepted, it leads to what it made.
func TestJobFormsComeBackFilledWhenRefused(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	lab := env.Login(t, servertest.Email(binakerja.RoleLabourOfficer))
	fac := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	for _, c := range []struct {
		name     string
		client   int // 0 labour officer, 1 facility officer
		path     string
		refused  url.Values
		want     []string
		accepted url.Values
		location string
	}{
		{"partner", 0, "/partners", url.Values{"name": {"Toko Baru"}, "code": {"TOKO BARU!"}, "region_code": {"16.99"}},
			[]string{`href="#f-code"`, `href="#f-region_code"`, `value="Toko Baru"`},
			url.Values{"name": {"Toko Baru"}, "code": {"TOKO-BARU"}, "region_code": {"16.08"}, "employer_size": {"MIKRO"}}, "/partners/TOKO-BARU"},
		{"agreement", 1, "/agreements", url.Values{"type": {"PKS"}, "number": {"PKS/X/1"}, "parties": {"LP-MARTAPURA"}},
			[]string{`href="#f-parties"`, `href="#f-signed_date"`, `value="PKS/X/1"`},
			url.Values{"type": {"PKS"}, "number": {"PKS/X/1"}, "parties": {"LP-MARTAPURA\nBENGKEL-SINAR"}, "signed_date": {"2026-01-02"},
				"valid_from": {"2026-01-02"}, "valid_until": {"2027-01-01"}, "target_INTERNSHIP_PLACES": {"2"}}, "/agreements/"},
		{"vacancy", 0, "/vacancies", url.Values{"employer": {"BENGKEL-SINAR"}, "title": {"Montir"}, "places": {"1"}},
			[]string{`href="#f-required_units"`, `href="#f-closing_date"`, `value="Montir"`},
			url.Values{"employer": {"BENGKEL-SINAR"}, "title": {"Montir"}, "places": {"1"}, "region_code": {"16.08"},
				"required_schemes": {"SKM-IPL-2"}, "closing_date": {"2099-01-01"}, "start_date": {"2099-02-01"}}, "/vacancies/"},
	} {
		client := lab
		if c.client == 1 {
			client = fac
		}
		r := env.Form(t, client, c.path, c.refused)
		body := string(r.Body)
		if r.StatusCode != 422 || !strings.Contains(body, `class="error-summary"`) {
			t.Errorf("%s refused: %d", c.name, r.StatusCode)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s refused: the page lacks %s", c.name, w)
			}
		}
		r = env.Form(t, client, c.path, c.accepted)
		if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), c.location) {
			t.Errorf("%s accepted: %d %q", c.name, r.StatusCode, r.Header.Get("Location"))
		}
	}
}
