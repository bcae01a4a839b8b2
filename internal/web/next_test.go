package web_test

import (
	"net/http/cookiejar"
	"net/url"
	"testing"

	"binakerja"
	"binakerja/internal/servertest"
)

// TestSignInGoesOnlyToAPathOfThisSite asks the sign-in page, for someone
// signed in, to go on to each value of next: a plain path of the site is
// followed, anything a browser could read as another site goes home.
func TestSignInGoesOnlyToAPathOfThisSite(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	c := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	for next, want := range map[string]string{
		"/":                           "/",
		"/inmates":                    "/inmates",
		"/inmates?q=budi&limit=20":    "/inmates?q=budi&limit=20",
		"/training/cohorts/12#top":    "/training/cohorts/12#top",
		"/organizations/LP%20A":       "/organizations/LP%20A",
		"":                            "/",
		"inmates":                     "/",
		"//evil.example":              "/",
		"///evil.example":             "/",
		"/\t/evil.example":            "/",
		"/\n/evil.example":            "/",
		"/\r\n/evil.example":          "/",
		"/\x00/evil.example":          "/",
		"/\x7f/evil.example":          "/",
		"\t//evil.example":            "/",
		" //evil.example":             "/",
		"/ /evil.example":             "/",
		"/\u00a0/evil.example":        "/",
		"/\u3000/evil.example":        "/",
		"/\ufeff/evil.example":        "/",
		"/\u0085/evil.example":        "/",
		"/\\evil.example":             "/",
		"/\\/evil.example":            "/",
		"\\\\evil.example":            "/",
		"/%09/evil.example":           "/",
		"/%2F/evil.example":           "/",
		"/%2f%2fevil.example":         "/",
		"/%5C/evil.example":           "/",
		"/%5cevil.example":            "/",
		"/%0a/evil.example":           "/",
		"/%00":                        "/",
		"/..//evil.example":           "/",
		"/./evil.example":             "/",
		"/%2e%2e//evil.example":       "/",
		"/%zz":                        "/",
		"https://evil.example/":       "/",
		"http:evil.example":           "/",
		"javascript:alert(1)":         "/",
		"/@evil.example":              "/@evil.example",
		"//user@evil.example/":        "/",
		"/\xff/evil.example":          "/",
		"/inmates\x1b[31m":            "/",
		"/inmates/\u202e/evil":        "/",
		"/inmates?next=//evil.ex":     "/inmates?next=//evil.ex",
		"/inmates?q=%0d%0aX-Evil:%20": "/inmates?q=%0d%0aX-Evil:%20",
	} {
		r := env.Do(t, servertest.Request{Method: "GET", Path: "/login?next=" + url.QueryEscape(next), Client: c})
		if r.StatusCode != 303 {
			t.Fatalf("next=%q: %d", next, r.StatusCode)
		}
		if got := r.Header.Get("Location"); got != want {
			t.Errorf("next=%q goes to %q, want %q", next, got, want)
		}
	}
	// After signing in, too: the password step drops the bad next, and so
	// does the code step.
	jar, _ := cookiejar.New(nil)
	c2 := servertest.NoRedirect(jar)
	assessor := servertest.Email(binakerja.RoleAssessor)
	r := env.Form(t, c2, "/login", url.Values{"email": {assessor}, "password": {"binakerja-demo"},
		"next": {"/\t/evil.example"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/login/code" {
		t.Fatalf("sign-in with next=/<tab>/evil.example: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	r = env.Form(t, c2, "/login/code", url.Values{"code": {env.Code(t, assessor)}, "next": {"/\t/evil.example"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/" {
		t.Fatalf("the code with next=/<tab>/evil.example: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}
