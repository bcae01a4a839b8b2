package server_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/demo"
	"binakerja/internal/pgtest"
	"binakerja/internal/route"
	"binakerja/internal/servertest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// fill puts values into a route pattern's wildcards that name nothing, so
// that walking the routes changes no record.
func fill(path string) string {
	r := strings.NewReplacer("{code}", "NO-SUCH-ORG", "{id}", "999999", "{hash}", "0", "{file}", "x.css", "{$}", "")
	return r.Replace(path)
}

// TestEveryRouteIsCoveredByThePolicyForEveryRole walks every registered route
// and, for every role, checks that the answer is a refusal exactly when the
// policy does not let that role perform the route's action.
func TestEveryRouteIsCoveredByThePolicyForEveryRole(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	sessions := map[binakerja.Role]*http.Client{}
	for _, l := range demo.Logins {
		sessions[l.Role] = env.Login(t, l.Email)
	}
	routes := env.Server.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, rt := range routes {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok {
			method, path = "GET", rt.Pattern
		}
		if rt.Action == route.Public {
			continue
		}
		if _, ok := binakerja.Policy[rt.Action]; !ok {
			t.Errorf("route %s names action %q, which the policy does not cover", rt.Pattern, rt.Action)
			continue
		}
		p := fill(path)
		api := strings.HasPrefix(p, "/api/")
		// Nobody signed in: 401 from the API, the sign-in page from the web.
		anon := env.Do(t, servertest.Request{Method: method, Path: p, Header: map[string]string{"Origin": env.URL}})
		if (api && anon.StatusCode != 401) || (!api && (anon.StatusCode != 303 || !strings.HasPrefix(anon.Header.Get("Location"), "/login"))) {
			t.Errorf("%s without credentials: %d %s", rt.Pattern, anon.StatusCode, anon.Header.Get("Location"))
		}
		for _, role := range binakerja.Roles {
			req := servertest.Request{Method: method, Path: p, Header: map[string]string{"Origin": env.URL}}
			if api {
				req.Token = env.Tokens[role]
				if method == "POST" || method == "PUT" {
					req.Body = "{}"
				}
			} else {
				req.Client = sessions[role]
				req.Header["Content-Type"] = "application/x-www-form-urlencoded"
			}
			r := env.Do(t, req)
			allowed := binakerja.Allows(role, rt.Action)
			switch {
			case allowed && (r.StatusCode == 401 || r.StatusCode == 403):
				t.Errorf("%s as %s: %d, but the policy allows %s", rt.Pattern, role, r.StatusCode, rt.Action)
			case !allowed && r.StatusCode != 403:
				t.Errorf("%s as %s: %d, want 403 (the policy refuses %s)", rt.Pattern, role, r.StatusCode, rt.Action)
			}
		}
	}
}

func TestStateChangesFromAnotherOriginAreRefused(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	c := env.Login(t, servertest.Email(binakerja.RoleAdmin))
	form := url.Values{"code": {"CSRF-TEST"}, "name": {"Forged"}, "kind": {"employer"}, "region_code": {"16.08"}}.Encode()
	post := func(h map[string]string) int {
		h["Content-Type"] = "application/x-www-form-urlencoded"
		return env.Do(t, servertest.Request{Method: "POST", Path: "/organizations", Client: c, Body: form, Header: h}).StatusCode
	}
	if s := post(map[string]string{"Sec-Fetch-Site": "cross-site"}); s != 403 {
		t.Errorf("Sec-Fetch-Site cross-site: %d, want 403", s)
	}
	if s := post(map[string]string{"Origin": "https://evil.example"}); s != 403 {
		t.Errorf("Origin of another site: %d, want 403", s)
	}
	if s := post(map[string]string{}); s != 403 {
		t.Errorf("cookie without Origin or Sec-Fetch-Site: %d, want 403", s)
	}
	if _, err := env.DB.Organization(t.Context(), "CSRF-TEST"); binakerja.ErrorKind(err) != binakerja.NotFound {
		t.Fatalf("a refused request wrote the organisation: %v", err)
	}
	if s := post(map[string]string{"Origin": env.URL, "Sec-Fetch-Site": "same-origin"}); s != 303 {
		t.Errorf("same origin: %d, want 303", s)
	}
	if _, err := env.DB.Organization(t.Context(), "CSRF-TEST"); err != nil {
		t.Fatalf("the same-origin request did not write: %v", err)
	}
}

func TestSecurityHeadersOnEveryKindOfAnswer(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	admin := env.Login(t, servertest.Email(binakerja.RoleAdmin))
	for _, r := range []servertest.Request{
		{Method: "GET", Path: "/login"},
		{Method: "GET", Path: "/organizations", Client: admin},
		{Method: "GET", Path: "/no/such/page", Client: admin},
		{Method: "GET", Path: "/api/v1/organizations", Token: env.Tokens[binakerja.RoleAdmin]},
		{Method: "GET", Path: "/api/v1/nothing-here", Token: env.Tokens[binakerja.RoleAdmin]},
		{Method: "GET", Path: "/healthz"},
	} {
		resp := env.Do(t, r)
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "script-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", r.Path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", r.Path)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", r.Path, h)
		}
		if !strings.Contains(h.Get("Content-Type"), "charset=utf-8") {
			t.Errorf("%s: content type %q", r.Path, h.Get("Content-Type"))
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", r.Path)
		}
	}
	if s := env.Do(t, servertest.Request{Method: "GET", Path: "/no/such/page", Client: admin}).StatusCode; s != 404 {
		t.Errorf("unknown page: %d", s)
	}
}

func TestCookiesAndHSTSUnderTLS(t *testing.T) {
	for _, secure := range []bool{false, true} {
		env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db", servertest.Options{Secure: secure})
		jar, _ := cookiejar.New(nil)
		form := url.Values{"email": {servertest.Email(binakerja.RoleAdmin)}, "password": {demo.Password}}
		r := env.Do(t, servertest.Request{Method: "POST", Path: "/login", Client: servertest.NoRedirect(jar), Body: form.Encode(),
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": env.URL}})
		if r.StatusCode != 303 {
			t.Fatalf("login: %d", r.StatusCode)
		}
		var session *http.Cookie
		for _, c := range r.Cookies() {
			if strings.Contains(c.Name, "session") {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Domain != "" {
			t.Fatalf("secure=%v: session cookie %+v", secure, session)
		}
		if secure && (!session.Secure || !strings.HasPrefix(session.Name, "__Host-")) {
			t.Fatalf("under TLS the cookie must be Secure and __Host- prefixed: %+v", session)
		}
		if len(session.Value) < 43 {
			t.Fatalf("session token too short: %d characters", len(session.Value))
		}
		hsts := r.Header.Get("Strict-Transport-Security")
		if secure != strings.Contains(hsts, "max-age=63072000") {
			t.Fatalf("secure=%v: HSTS %q", secure, hsts)
		}
	}
}

func TestLogoutEndsTheSessionForGood(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		c := env.Login(t, servertest.Email(binakerja.RoleAdmin))
		u, _ := url.Parse(env.URL)
		stolen := c.Jar.Cookies(u)
		if r := env.Do(t, servertest.Request{Method: "GET", Path: "/organizations", Client: c}); r.StatusCode != 200 {
			t.Fatalf("signed in: %d", r.StatusCode)
		}
		env.Form(t, c, "/logout", nil)
		replay, _ := cookiejar.New(nil)
		replay.SetCookies(u, stolen)
		r := env.Do(t, servertest.Request{Method: "GET", Path: "/organizations", Client: servertest.NoRedirect(replay)})
		if r.StatusCode != 303 {
			t.Fatalf("replaying the cookie after sign-out: %d, want a redirect to sign in", r.StatusCode)
		}
	})
}
