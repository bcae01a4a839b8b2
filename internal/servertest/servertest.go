// Package servertest starts BinaKerja's real HTTP handler over a real
// database seeded with the demo world, for tests of the web pages, the API and
// the browser journeys. Every API answer a test receives through it is checked
// against the OpenAPI document.
package servertest

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"binakerja"
	"binakerja/internal/api"
	"binakerja/internal/app"
	"binakerja/internal/demo"
	"binakerja/internal/keys"
	"binakerja/internal/server"
	"binakerja/internal/store"
	"binakerja/internal/totp"
)

func init() {
	// Credentials are compact JWS strings: check them as text.
	openapi3filter.RegisterBodyDecoder("application/vc+jwt", openapi3filter.PlainBodyDecoder)
}

// Clock is a settable time source.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Env is a running server with the demo world.
type Env struct {
	URL    string
	App    *app.App
	DB     *store.DB
	Server *server.Server
	Clock  *Clock
	// Tokens holds an API token for the demo login of each role.
	Tokens map[binakerja.Role]string
	Users  map[binakerja.Role]*binakerja.User
	router routers.Router
	dsn    string
	raw    *sql.DB

	mu      sync.Mutex
	steps   map[string]int64  // the last TOTP step whose code Code gave, by email
	secrets map[string][]byte // the TOTP secrets Login set up, by email (else the demo's)
}

// Code returns a TOTP code that the user with the given email has not used
// yet, of the demo secret (or of the one Login set up for them): of the
// clock's step or the next, else (when the test used those) of a step after
// moving the clock on by 30 seconds. It knows only the codes it gave.
func (e *Env) Code(t testing.TB, email string) string {
	t.Helper()
	secret, err := totp.Decode(totp.DemoSecret)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	key := binakerja.NormalizeEmail(email)
	if s, ok := e.secrets[key]; ok {
		secret = s
	}
	for {
		cur := totp.Step(e.Clock.Now())
		for s := cur; s <= cur+totp.Skew; s++ {
			if s > e.steps[key] {
				e.steps[key] = s
				return totp.Code(secret, s)
			}
		}
		e.Clock.Advance(totp.Period)
	}
}

// SQL runs a statement on the database with a plain connection of its own,
// as a test's way to change a record behind the application's back.
func (e *Env) SQL(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := e.rawDB(t).ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// Int runs a query whose answer is one number.
func (e *Env) Int(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.rawDB(t).QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *Env) rawDB(t testing.TB) *sql.DB {
	t.Helper()
	if e.raw == nil {
		driver, src := "sqlite", "file:"+strings.TrimPrefix(e.dsn, "sqlite:")+"?_pragma=busy_timeout(5000)"
		if !strings.HasPrefix(e.dsn, "sqlite:") {
			driver, src = "pgx", e.dsn
		}
		raw, err := sql.Open(driver, src)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		e.raw = raw
	}
	return e.raw
}

// Options change the server under test.
type Options struct {
	Secure       bool // serve as if behind HTTPS
	MailAttempts int  // e-mail attempts before giving up (the default when zero)
}

// New starts a server over the database at dsn, migrated and seeded with the
// demo world, with an API token for every demo login.
func New(t testing.TB, dsn string, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	ctx := context.Background()
	clock := &Clock{t: time.Now().UTC()}
	db, err := store.Open(ctx, dsn, store.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	settings := app.DefaultSettings
	settings.BaseURL = "http://binakerja.test"
	settings.MailAttempts = o.MailAttempts
	settings.Demo = true
	ring, err := keys.Load(filepath.Join(t.TempDir(), "binakerja.keys"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(db, ring, nil, settings)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, a); err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, l := range demo.Logins {
		emails = append(emails, l.Email)
	}
	if _, err := a.EnrolDemoTOTP(ctx, app.CLIActor("test"), emails...); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(a, nil, o.Secure)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &Env{URL: ts.URL, App: a, DB: db, Server: srv, Clock: clock, dsn: dsn,
		Tokens: map[binakerja.Role]string{}, Users: map[binakerja.Role]*binakerja.User{}, steps: map[string]int64{}}
	for _, l := range demo.Logins {
		secret, _, err := a.CreateAPIToken(ctx, app.CLIActor("test"), l.Email, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.Tokens[l.Role] = secret
		if e.Users[l.Role], err = db.UserByEmail(ctx, l.Email); err != nil {
			t.Fatal(err)
		}
	}
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	doc.Servers = nil // match paths on any host
	if e.router, err = legacy.NewRouter(doc); err != nil {
		t.Fatal(err)
	}
	return e
}

// Email returns the demo login of role.
func Email(role binakerja.Role) string {
	for _, l := range demo.Logins {
		if l.Role == role {
			return l.Email
		}
	}
	panic("no demo login for " + role)
}

// Response is an answer with its body read.
type Response struct {
	*http.Response
	Body []byte
}

// Request describes one request.
type Request struct {
	Method, Path string
	Token        string            // bearer token, if any
	Body         string            // sent as application/json unless Header says otherwise
	Header       map[string]string // extra headers
	Client       *http.Client      // nil for a plain client without cookies
}

// Do sends the request and returns the answer. Answers from the API and the
// health check are validated against the OpenAPI document, and a route the
// document does not describe fails the test.
func (e *Env) Do(t testing.TB, r Request) *Response {
	t.Helper()
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequest(r.Method, e.URL+r.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	c := r.Client
	if c == nil {
		c = NoRedirect(nil)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := &Response{Response: resp, Body: b}
	if strings.HasPrefix(r.Path, "/api/") || r.Path == "/healthz" {
		e.validate(t, r, out)
	}
	return out
}

func (e *Env) validate(t testing.TB, r Request, resp *Response) {
	t.Helper()
	req, _ := http.NewRequest(r.Method, "http://x"+r.Path, nil)
	route, params, err := e.router.FindRoute(req)
	if err != nil {
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed ||
			resp.StatusCode == http.StatusUnauthorized {
			return // an unknown path: the answer is the error envelope, checked below
		}
		t.Fatalf("%s %s answered %d but is not in the OpenAPI document: %v", r.Method, r.Path, resp.StatusCode, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(resp.Body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s: the %d answer does not match the OpenAPI document: %v\n%s", r.Method, r.Path,
			resp.StatusCode, err, resp.Body)
	}
}

// NoRedirect returns a client that does not follow redirects, with the given
// cookie jar (or none).
func NoRedirect(jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// Login signs in through the login form as the given email (with the demo
// password) and, when the second step is asked, with a code of the demo
// TOTP secret (see Code), and returns a client holding the session cookie.
func (e *Env) Login(t testing.TB, email string) *http.Client {
	t.Helper()
	c := e.Password(t, email)
	switch {
	case c.loc == "/login/code":
		r := e.Form(t, c.Client, "/login/code", url.Values{"code": {e.Code(t, email)}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in as %s: the code answered %d", email, r.StatusCode)
		}
	case c.loc == "/login/enrol":
		e.Enrol(t, c.Client, email, "/login/enrol")
	case strings.HasPrefix(c.loc, "/login"):
		t.Fatalf("sign in as %s: sent on to %s", email, c.loc)
	}
	return c.Client
}

var (
	setupToken  = regexp.MustCompile(`name="setup" value="([^"]+)"`)
	setupSecret = regexp.MustCompile(`data-testid="totp-secret">([^<]+)<`)
	recovery    = regexp.MustCompile(`<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>`)
)

// Enrol sets up TOTP on the page at path (the sign-in's /login/enrol, or
// /account) as a person would: reads the secret the page shows, confirms it
// with a code, and returns the recovery codes shown. Code then gives codes
// of that secret.
func (e *Env) Enrol(t testing.TB, c *http.Client, email, path string) []string {
	t.Helper()
	page := e.Do(t, Request{Method: "GET", Path: path, Client: c})
	tok, sec := setupToken.FindSubmatch(page.Body), setupSecret.FindSubmatch(page.Body)
	if page.StatusCode != http.StatusOK || tok == nil || sec == nil {
		t.Fatalf("set up TOTP for %s: %s answered %d without a setup", email, path, page.StatusCode)
	}
	secret, err := totp.Decode(string(sec[1]))
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	if e.secrets == nil {
		e.secrets = map[string][]byte{}
	}
	e.secrets[binakerja.NormalizeEmail(email)] = secret
	e.mu.Unlock()
	action := "/login/enrol"
	if path == "/account" {
		action = "/account/2fa"
	}
	r := e.Form(t, c, action, url.Values{"setup": {string(tok[1])}, "code": {e.Code(t, email)}})
	var codes []string
	for _, m := range recovery.FindAllSubmatch(r.Body, -1) {
		codes = append(codes, string(m[1]))
	}
	if r.StatusCode != http.StatusOK || len(codes) != 10 {
		t.Fatalf("set up TOTP for %s: %d with %d recovery codes", email, r.StatusCode, len(codes))
	}
	return codes
}

// PasswordStep is a client that gave the password, and where the sign-in
// sent it.
type PasswordStep struct {
	*http.Client
	loc string
}

// Location is where the password step sent the client: the second step's
// page, or on.
func (p PasswordStep) Location() string { return p.loc }

// Password gives the demo password for email on the sign-in form: the first
// step alone.
func (e *Env) Password(t testing.TB, email string) PasswordStep {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := NoRedirect(jar)
	form := url.Values{"email": {email}, "password": {demo.Password}}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.URL)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", email, resp.StatusCode)
	}
	loc, _, _ := strings.Cut(resp.Header.Get("Location"), "?")
	return PasswordStep{Client: c, loc: loc}
}

// Form posts a urlencoded form from this site's origin with client c.
func (e *Env) Form(t testing.TB, c *http.Client, path string, form url.Values) *Response {
	t.Helper()
	return e.Do(t, Request{Method: http.MethodPost, Path: path, Client: c, Body: form.Encode(),
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": e.URL}})
}
