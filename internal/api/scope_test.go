package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
)

// scopedToken adds a user holding one role at one organisation and returns
// an API token of theirs.
func scopedToken(t *testing.T, env *servertest.Env, email string, role binakerja.Role, org string) string {
	t.Helper()
	cli := app.CLIActor("test")
	if _, _, err := env.App.CreateUser(t.Context(), cli, app.NewUser{Email: email, Name: "User " + email,
		Password: "kopi tubruk pagi hari", Grants: []app.GrantInput{{Role: role, Org: org}}}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := env.App.CreateAPIToken(t.Context(), cli, email, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestOnlyTheIssuingBodyAndASystemAdminChangeACertificate: an admin of the
// holder's prison, or even of the issuing body, neither suspends,
// reinstates, replaces nor revokes a certificate; the body's assessor and a
// system-wide admin do.
func TestOnlyTheIssuingBodyAndASystemAdminChangeACertificate(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		_, _, r := certify(t, env)
		var out struct{ Certificate struct{ ID int64 } }
		json.Unmarshal(r.Body, &out)
		cert := fmt.Sprintf("/api/v1/certificates/%d", out.Certificate.ID)
		status := func() string {
			r := env.Do(t, servertest.Request{Method: "GET", Path: cert, Token: env.Tokens[binakerja.RoleAssessor]})
			var c struct{ Status string }
			json.Unmarshal(r.Body, &c)
			return c.Status
		}
		before := status()
		prisonAdmin := scopedToken(t, env, "admin.lapas@example.id", binakerja.RoleAdmin, "LP-MARTAPURA")
		bodyAdmin := scopedToken(t, env, "admin.lsp@example.id", binakerja.RoleAdmin, "LSP-KARYA-SUMSEL")
		for _, tok := range []string{prisonAdmin, bodyAdmin} {
			for _, act := range []string{"suspend", "reinstate", "replace", "revoke"} {
				r := env.Do(t, servertest.Request{Method: "POST", Path: cert + "/" + act, Token: tok, Body: `{"reason":"coba"}`})
				if r.StatusCode != 403 {
					t.Errorf("a scoped admin's %s: %d %s", act, r.StatusCode, r.Body)
				}
			}
		}
		if got := status(); got != before {
			t.Fatalf("the certificate changed from %s to %s", before, got)
		}
		admin := env.Tokens[binakerja.RoleAdmin]
		for _, act := range []string{"suspend", "reinstate"} {
			if r := env.Do(t, servertest.Request{Method: "POST", Path: cert + "/" + act, Token: admin, Body: `{"reason":"periksa"}`}); r.StatusCode != 200 {
				t.Fatalf("the system-wide admin's %s: %d %s", act, r.StatusCode, r.Body)
			}
		}
		if r := env.Do(t, servertest.Request{Method: "POST", Path: cert + "/suspend", Token: env.Tokens[binakerja.RoleAssessor],
			Body: `{"reason":"periksa"}`}); r.StatusCode != 200 {
			t.Fatalf("the body's assessor suspends: %d %s", r.StatusCode, r.Body)
		}
	})
}

// A probe of another organisation's records is answered as not found, and
// recorded in the audit trail with what was asked; so is a route the role
// may not use at all.
func TestRefusedProbesAreAudited(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		// One person moves to the Rutan, out of the Lapas officer's reach.
		env.SQL(t, `UPDATE custody_episodes SET facility_id = (SELECT id FROM organizations WHERE code = 'RUTAN-BATURAJA')
			WHERE id = (SELECT max(id) FROM custody_episodes)`)
		other := env.Int(t, `SELECT person_id FROM custody_episodes WHERE id = (SELECT max(id) FROM custody_episodes)`)
		path := fmt.Sprintf("/api/v1/inmates/%d", other)
		if r := get(t, env, binakerja.RoleFacilityOfficer, path); r.StatusCode != 404 {
			t.Fatalf("another facility's person: %d", r.StatusCode)
		}
		n := env.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'authz.not_found' AND entity_id = 'GET /api/v1/inmates/{id}'
			AND summary LIKE $1`, "%"+path+"%")
		if n != 1 {
			t.Fatalf("the probe audited %d times", n)
		}
		if r := get(t, env, binakerja.RoleEmployer, "/api/v1/inmates"); r.StatusCode != 403 {
			t.Fatalf("an employer lists inmates: %d", r.StatusCode)
		}
		if n := env.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'authz.deny' AND entity_id = 'GET /api/v1/inmates'`); n != 1 {
			t.Fatalf("the refused route audited %d times", n)
		}
	})
}
