package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

// reauth is the header of a fresh TOTP code of the demo login of role, which
// the sensitive actions ask of a token whose user has TOTP.
func reauth(t *testing.T, env *servertest.Env, role binakerja.Role) map[string]string {
	t.Helper()
	return map[string]string{"X-BinaKerja-Reauth": env.Code(t, servertest.Email(role))}
}

// TestSensitiveActionsOverTheAPIAskForAFreshCode: over a token whose user
// has TOTP, the full NIK, the export and user changes need a fresh code in
// X-BinaKerja-Reauth (refused without, with a wrong one or with one used
// before, and the refusal says so in a header); a token whose user has no
// TOTP needs none; a browser session over the API needs a recent sign-in.
func TestSensitiveActionsOverTheAPIAskForAFreshCode(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		ctx := t.Context()
		people, _, err := env.App.Inmates(ctx, app.CLIActor("test"), app.InmateQuery{Facility: "LP-MARTAPURA", Page: store.Page{Limit: 1}})
		if err != nil || len(people) != 1 {
			t.Fatalf("a person of the demo world: %v", err)
		}
		nik := fmt.Sprintf("/api/v1/inmates/%d/nik", people[0].ID)
		export := fmt.Sprintf("/api/v1/inmates/%d/export", people[0].ID)
		officer := env.Tokens[binakerja.RoleFacilityOfficer]
		reveal := func(h map[string]string) *servertest.Response {
			return env.Do(t, servertest.Request{Method: "POST", Path: nik, Token: officer, Body: `{"reason":"verifikasi data"}`, Header: h})
		}
		refused := func(why string, r *servertest.Response) {
			t.Helper()
			if r.StatusCode != 403 || r.Header.Get("X-BinaKerja-Reauth") != "required" || !strings.Contains(string(r.Body), "X-BinaKerja-Reauth") {
				t.Errorf("%s: %d %q %s", why, r.StatusCode, r.Header.Get("X-BinaKerja-Reauth"), r.Body)
			}
		}
		refused("no code", reveal(nil))
		refused("a wrong code", reveal(map[string]string{"X-BinaKerja-Reauth": "000000"}))
		h := reauth(t, env, binakerja.RoleFacilityOfficer)
		if r := reveal(h); r.StatusCode != 200 {
			t.Fatalf("a fresh code: %d %s", r.StatusCode, r.Body)
		}
		refused("a code used before", reveal(h))
		refused("the export without a code", env.Do(t, servertest.Request{Method: "GET", Path: export, Token: officer}))
		if r := env.Do(t, servertest.Request{Method: "GET", Path: export, Token: officer, Header: reauth(t, env, binakerja.RoleFacilityOfficer)}); r.StatusCode != 200 {
			t.Fatalf("the export with a fresh code: %d %s", r.StatusCode, r.Body)
		}
		user := `{"email":"baru@example.id","name":"Baru","password":"sawah hijau di pagi hari","roles":[{"role":"analyst","organization":"KANWIL-SUMSEL"}]}`
		refused("a new user without a code", env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/users", Token: env.Tokens[binakerja.RoleAdmin], Body: user}))

		// An admin without TOTP (made from the command line, never signed
		// in on the web): the token alone does it.
		if _, _, err := env.App.CreateUser(ctx, app.CLIActor("test"), app.NewUser{Email: "root@example.id", Name: "Root",
			Password: "sawah hijau di pagi hari", Grants: []app.GrantInput{{Role: binakerja.RoleAdmin}}}); err != nil {
			t.Fatal(err)
		}
		root, _, err := env.App.CreateAPIToken(ctx, app.CLIActor("test"), "root@example.id", "script")
		if err != nil {
			t.Fatal(err)
		}
		if r := env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/users", Token: root, Body: user}); r.StatusCode != 201 {
			t.Fatalf("a token whose user has no TOTP: %d %s", r.StatusCode, r.Body)
		}

		// A browser session over the API: fresh from its sign-in, not five
		// minutes later.
		c := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
		post := func() *servertest.Response {
			return env.Do(t, servertest.Request{Method: "POST", Path: nik, Client: c, Body: `{"reason":"verifikasi data"}`,
				Header: map[string]string{"Origin": env.URL}})
		}
		if r := post(); r.StatusCode != 200 {
			t.Fatalf("a session fresh from signing in: %d %s", r.StatusCode, r.Body)
		}
		env.Clock.Advance(5 * time.Minute)
		refused("a session five minutes after signing in", post())

		evs, _, err := env.DB.AuditEvents(ctx, store.AuditFilter{Action: "auth.", Page: store.Page{Limit: 500}})
		if err != nil {
			t.Fatal(err)
		}
		ok, failed := 0, 0
		for _, e := range evs {
			switch e.Action {
			case "auth.reauth":
				ok++
			case "auth.reauth.fail":
				failed++
			}
		}
		if ok != 2 || failed != 2 {
			t.Fatalf("re-authentications recorded: %d, failures %d", ok, failed)
		}
	})
}
