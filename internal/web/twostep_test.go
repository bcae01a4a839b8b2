package web_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/demo"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

// visit is a page to render, with the client that asks for it.
type visit struct {
	client *http.Client
	path   string
}

// twoStepPages are the pages of the second step, in lang: the code asked
// of a staff login half signed in, the setup asked of a staff account
// without TOTP, and the account page of an employer, which offers TOTP.
func twoStepPages(t *testing.T, env *servertest.Env, lang string) []visit {
	t.Helper()
	email := "baru." + lang + "@binakerja.test"
	if _, _, err := env.App.CreateUser(t.Context(), app.CLIActor("test"), app.NewUser{Email: email, Name: "Petugas Baru",
		Password: demo.Password, Grants: []app.GrantInput{{Role: binakerja.RoleFacilityOfficer, Org: "LP-MARTAPURA"}}}); err != nil {
		t.Fatal(err)
	}
	code := env.Password(t, servertest.Email(binakerja.RoleFacilityOfficer)).Client
	enrol := env.Password(t, email).Client
	employer := env.Login(t, servertest.Email(binakerja.RoleEmployer))
	for _, c := range []*http.Client{code, enrol, employer} {
		env.Form(t, c, "/language", url.Values{"lang": {lang}, "next": {"/"}})
	}
	return []visit{{code, "/login/code"}, {code, "/login/code?next=/inmates"}, {enrol, "/login/enrol"}, {employer, "/account"}}
}

func location(r *servertest.Response) string { return r.Header.Get("Location") }

func sessionCookie(t *testing.T, env *servertest.Env, c *http.Client) string {
	t.Helper()
	u, _ := url.Parse(env.URL)
	for _, k := range c.Jar.Cookies(u) {
		if k.Name == "binakerja_session" {
			return k.Value
		}
	}
	return ""
}

// TestTheCodeIsAskedAfterThePasswordAndNothingElseMeanwhile: a staff login
// with TOTP is, after its password, sent to the code and reaches nothing
// else (pages, the API, the sign-in page) until a right code, which takes
// it on to where it was going, under a new session token.
func TestTheCodeIsAskedAfterThePasswordAndNothingElseMeanwhile(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	email := servertest.Email(binakerja.RoleFacilityOfficer)
	jar, _ := cookiejar.New(nil)
	c := servertest.NoRedirect(jar)
	r := env.Form(t, c, "/login", url.Values{"email": {email}, "password": {demo.Password}, "next": {"/inmates"}})
	if r.StatusCode != 303 || location(r) != "/login/code?next=%2Finmates" {
		t.Fatalf("after the password: %d %q", r.StatusCode, location(r))
	}
	half := sessionCookie(t, env, c)
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/inmates", Client: c}); r.StatusCode != 303 || location(r) != "/login?next=%2Finmates" {
		t.Fatalf("a page half signed in: %d %q", r.StatusCode, location(r))
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/login?next=%2Finmates", Client: c}); location(r) != "/login/code?next=%2Finmates" {
		t.Fatalf("the sign-in page half signed in: %d %q", r.StatusCode, location(r))
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/me", Client: c}); r.StatusCode != 401 {
		t.Fatalf("the API half signed in: %d", r.StatusCode)
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/login/enrol", Client: c}); location(r) != "/login/code" {
		t.Fatalf("the setup page for a login with TOTP: %d %q", r.StatusCode, location(r))
	}
	page := env.Do(t, servertest.Request{Method: "GET", Path: "/login/code?next=/inmates", Client: c})
	if body := string(page.Body); page.StatusCode != 200 || !strings.Contains(body, `autocomplete="one-time-code"`) ||
		!strings.Contains(body, `name="next" value="/inmates"`) || strings.Contains(body, `nav aria-label`) {
		t.Fatalf("the code page: %d\n%s", page.StatusCode, body)
	}
	r = env.Form(t, c, "/login/code", url.Values{"code": {"000000"}, "next": {"/inmates"}})
	if r.StatusCode != 422 || !strings.Contains(string(r.Body), "Kode salah atau sudah pernah dipakai") || !strings.Contains(string(r.Body), `href="#f-code"`) {
		t.Fatalf("a wrong code: %d\n%s", r.StatusCode, r.Body)
	}
	code := env.Code(t, email)
	r = env.Form(t, c, "/login/code", url.Values{"code": {code}, "next": {"/inmates"}})
	if r.StatusCode != 303 || location(r) != "/inmates" {
		t.Fatalf("the right code: %d %q", r.StatusCode, location(r))
	}
	if now := sessionCookie(t, env, c); now == "" || now == half {
		t.Fatal("the second step must give the session a new token")
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/inmates", Client: c}); r.StatusCode != 200 {
		t.Fatalf("signed in: %d", r.StatusCode)
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/login/code", Client: c}); location(r) != "/" {
		t.Fatalf("the code page once signed in: %d %q", r.StatusCode, location(r))
	}
	// The same code on another sign-in is refused.
	again := env.Password(t, email)
	if r := env.Form(t, again.Client, "/login/code", url.Values{"code": {code}}); r.StatusCode != 422 {
		t.Fatalf("a code used before: %d", r.StatusCode)
	}
}

// TestAStaffAccountWithoutTOTPSetsItUpBeforeAnythingElse: a new staff
// account is sent, after its password, to set up TOTP (a QR code and the
// secret, confirmed by a code), gets ten recovery codes once, and from then
// on signs in with a code or, once each, a recovery code.
func TestAStaffAccountWithoutTOTPSetsItUpBeforeAnythingElse(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	const email = "petugas.baru@binakerja.test"
	if _, _, err := env.App.CreateUser(t.Context(), app.CLIActor("test"), app.NewUser{Email: email, Name: "Petugas Baru",
		Password: demo.Password, Grants: []app.GrantInput{{Role: binakerja.RoleFacilityOfficer, Org: "LP-MARTAPURA"}}}); err != nil {
		t.Fatal(err)
	}
	pw := env.Password(t, email)
	if pw.Location() != "/login/enrol" {
		t.Fatalf("after the password: %q", pw.Location())
	}
	for _, p := range []string{"/", "/account", "/inmates", "/reauth"} {
		if r := env.Do(t, servertest.Request{Method: "GET", Path: p, Client: pw.Client}); r.StatusCode != 303 || !strings.HasPrefix(location(r), "/login") {
			t.Errorf("%s before setting up: %d %q", p, r.StatusCode, location(r))
		}
	}
	if r := env.Form(t, pw.Client, "/account/2fa", url.Values{"setup": {"x"}, "code": {"123456"}}); r.StatusCode != 303 || !strings.HasPrefix(location(r), "/login") {
		t.Errorf("the account's setup before signing in: %d %q", r.StatusCode, location(r))
	}
	page := string(env.Do(t, servertest.Request{Method: "GET", Path: "/login/enrol", Client: pw.Client}).Body)
	for _, want := range []string{`<img class="qr" src="data:image/png;base64,`, `data-testid="totp-secret"`, `name="setup"`, email} {
		if !strings.Contains(page, want) {
			t.Errorf("the setup page lacks %s", want)
		}
	}
	if r := env.Form(t, pw.Client, "/login/enrol", url.Values{"setup": {"not a setup"}, "code": {"123456"}}); r.StatusCode != 422 ||
		!strings.Contains(string(r.Body), "Waktu pengaturan sudah habis") {
		t.Fatalf("a forged setup: %d", r.StatusCode)
	}
	codes := env.Enrol(t, pw.Client, email, "/login/enrol")
	if r := env.Do(t, servertest.Request{Method: "GET", Path: "/", Client: pw.Client}); r.StatusCode != 200 {
		t.Fatalf("after setting up: %d %q", r.StatusCode, location(r))
	}
	account := string(env.Do(t, servertest.Request{Method: "GET", Path: "/account", Client: pw.Client}).Body)
	if !strings.Contains(account, `data-testid="totp-status"`) || !strings.Contains(account, "Kode pemulihan tersisa: 10.") ||
		strings.Contains(account, "/account/2fa/disable") {
		t.Fatalf("the account page after setting up:\n%s", account)
	}

	next := env.Password(t, email)
	if next.Location() != "/login/code" {
		t.Fatalf("the next sign-in: %q", next.Location())
	}
	if r := env.Form(t, next.Client, "/login/code", url.Values{"code": {strings.ToUpper(codes[0])}}); r.StatusCode != 303 {
		t.Fatalf("a recovery code: %d", r.StatusCode)
	}
	if r := env.Form(t, env.Password(t, email).Client, "/login/code", url.Values{"code": {codes[0]}}); r.StatusCode != 422 {
		t.Fatalf("a recovery code used before: %d", r.StatusCode)
	}
	env.Login(t, email)

	evs, _, err := env.DB.AuditEvents(t.Context(), store.AuditFilter{Action: "auth.", Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range evs {
		if e.Actor == email {
			got[e.Action]++
		}
	}
	if got["auth.totp.enrol"] != 1 || got["auth.2fa"] != 2 || got["auth.2fa.fail"] != 1 {
		t.Fatalf("audit of %s: %v", email, got)
	}
}

// TestSensitiveActionsSendToTheConfirmationAndBack: five minutes after
// signing in, the export, the full NIK and a new user go to the
// re-authentication page, which takes the password and a code (not a wrong
// one) and sends back, to the page itself for a GET and to the form's page
// for a form; the action then goes through.
func TestSensitiveActionsSendToTheConfirmationAndBack(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	email := servertest.Email(binakerja.RoleFacilityOfficer)
	people, _, err := env.App.Inmates(t.Context(), app.CLIActor("test"), app.InmateQuery{Facility: "LP-MARTAPURA", Page: store.Page{Limit: 1}})
	if err != nil || len(people) != 1 {
		t.Fatalf("a person of the demo world: %v", err)
	}
	person := fmt.Sprintf("/inmates/%d", people[0].ID)
	c := env.Login(t, email)
	if r := env.Do(t, servertest.Request{Method: "GET", Path: person + "/export", Client: c}); r.StatusCode != 200 {
		t.Fatalf("the export fresh from signing in: %d %q", r.StatusCode, location(r))
	}
	env.Clock.Advance(5 * time.Minute)
	r := env.Do(t, servertest.Request{Method: "GET", Path: person + "/export", Client: c})
	if r.StatusCode != 303 || location(r) != "/reauth?next="+url.QueryEscape(person+"/export") {
		t.Fatalf("the export five minutes later: %d %q", r.StatusCode, location(r))
	}
	post := func(c *http.Client, path, referer string, form url.Values) *servertest.Response {
		return env.Do(t, servertest.Request{Method: "POST", Path: path, Client: c, Body: form.Encode(),
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": env.URL, "Referer": referer}})
	}
	reason := url.Values{"reason": {"verifikasi data BNSP"}}
	if r := post(c, person+"/nik", env.URL+person, reason); r.StatusCode != 303 || location(r) != "/reauth?next="+url.QueryEscape(person) {
		t.Fatalf("the full NIK five minutes later: %d %q", r.StatusCode, location(r))
	}
	if r := post(c, person+"/nik", "https://evil.example"+person, reason); location(r) != "/reauth?next=%2F" {
		t.Fatalf("the full NIK from another site's page: %q", location(r))
	}
	page := env.Do(t, servertest.Request{Method: "GET", Path: "/reauth?next=" + url.QueryEscape(person+"/export"), Client: c})
	if body := string(page.Body); page.StatusCode != 200 || !strings.Contains(body, `id="f-password"`) || !strings.Contains(body, `id="f-code"`) {
		t.Fatalf("the confirmation page: %d", page.StatusCode)
	}
	form := url.Values{"password": {"not the password"}, "code": {env.Code(t, email)}, "next": {person + "/export"}}
	if r := post(c, "/reauth", "", form); r.StatusCode != 422 || !strings.Contains(string(r.Body), "Kata sandi salah") {
		t.Fatalf("a wrong password: %d", r.StatusCode)
	}
	form.Set("password", demo.Password)
	form.Set("code", env.Code(t, email))
	if r := post(c, "/reauth", "", form); r.StatusCode != 303 || location(r) != person+"/export" {
		t.Fatalf("confirmed: %d %q", r.StatusCode, location(r))
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: person + "/export", Client: c}); r.StatusCode != 200 {
		t.Fatalf("the export after confirming: %d %q", r.StatusCode, location(r))
	}
	if r := post(c, person+"/nik", env.URL+person, reason); r.StatusCode != 200 {
		t.Fatalf("the full NIK after confirming: %d %q", r.StatusCode, location(r))
	}

	// A new user, from the admin's form.
	admin := env.Login(t, servertest.Email(binakerja.RoleAdmin))
	env.Clock.Advance(5 * time.Minute)
	user := url.Values{"email": {"baru@binakerja.test"}, "name": {"Baru"}, "role": {"analyst"}, "organization": {"KANWIL-SUMSEL"}}
	if r := post(admin, "/users", env.URL+"/users/new", user); r.StatusCode != 303 || location(r) != "/reauth?next=%2Fusers%2Fnew" {
		t.Fatalf("a new user five minutes after signing in: %d %q\n%s", r.StatusCode, location(r), r.Body)
	}
	if _, err := env.DB.UserByEmail(t.Context(), "baru@binakerja.test"); binakerja.ErrorKind(err) != binakerja.NotFound {
		t.Fatalf("the refused form made the user: %v", err)
	}

	evs, _, _ := env.DB.AuditEvents(t.Context(), store.AuditFilter{Action: "auth.", Page: store.Page{Limit: 500}})
	got := map[string]int{}
	for _, e := range evs {
		got[e.Action]++
	}
	if got["auth.reauth"] != 1 || got["auth.reauth.fail"] != 1 {
		t.Fatalf("re-authentications recorded: %v", got)
	}
}

// TestAnEmployerChoosesTOTPOnItsAccountPage: the employer's account page
// offers TOTP; once set up, the next sign-in asks for a code; new recovery
// codes replace the old; the employer may turn it off, a staff login may
// not.
func TestAnEmployerChoosesTOTPOnItsAccountPage(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	email := servertest.Email(binakerja.RoleEmployer)
	c := env.Login(t, email)
	env.Form(t, c, "/language", url.Values{"lang": {"en"}, "next": {"/"}})
	if page := string(env.Do(t, servertest.Request{Method: "GET", Path: "/account", Client: c}).Body); !strings.Contains(page, `action="/account/2fa"`) {
		t.Fatal("the employer's account page offers no TOTP")
	}
	env.Enrol(t, c, email, "/account")
	if env.Password(t, email).Location() != "/login/code" {
		t.Fatal("the employer's next sign-in must ask for a code")
	}
	c = env.Login(t, email)
	r := env.Form(t, c, "/account/2fa/recovery-codes", nil)
	if body := string(r.Body); r.StatusCode != 200 || !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Keep these ten recovery codes") {
		t.Fatalf("new recovery codes: %d", r.StatusCode)
	}
	if r := env.Form(t, c, "/account/2fa/disable", nil); r.StatusCode != 303 || location(r) != "/account" {
		t.Fatalf("turning TOTP off: %d %q", r.StatusCode, location(r))
	}
	if env.Password(t, email).Location() != "/" {
		t.Fatal("with TOTP off, the password alone must do")
	}
	admin := env.Login(t, servertest.Email(binakerja.RoleAdmin))
	if r := env.Form(t, admin, "/account/2fa/disable", nil); r.StatusCode != 409 {
		t.Fatalf("a staff login turning TOTP off: %d", r.StatusCode)
	}
}
