package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/demo"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

// A probation officer sees the clients of its own Bapas, opens one and finds
// the whole road after release; the officer of another Bapas sees none of
// them, and opening one is a 404.
func TestAProbationOfficerSeesOnlyItsOwnClients(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		cli := app.CLIActor("test")
		clients, _, err := env.App.Clients(t.Context(), cli, store.Page{})
		if err != nil || len(clients) == 0 {
			t.Fatalf("the demo's clients: %d %v", len(clients), err)
		}
		bapas := env.Login(t, servertest.Email(binakerja.RoleProbationOfficer))
		list := string(env.Do(t, servertest.Request{Method: "GET", Path: "/clients", Client: bapas}).Body)
		for _, c := range clients {
			if !strings.Contains(list, fmt.Sprintf(`href="/released/%d"`, c.Person.ID)) {
				t.Fatalf("client %s missing from the list", c.Person.Name)
			}
		}
		c := clients[0]
		r := env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/released/%d", c.Person.ID), Client: bapas})
		page := string(r.Body)
		if r.StatusCode != 200 || !strings.Contains(page, c.Person.Name) || !strings.Contains(page, `data-testid="supervision-until"`) ||
			!strings.Contains(page, `data-testid="person-followups"`) || !strings.Contains(page, `data-testid="handover"`) {
			t.Fatalf("the client's page: %d %s", r.StatusCode, page)
		}
		if strings.Contains(page, "/inmates/") {
			t.Fatal("the client's page links to the register")
		}
		audited := env.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'person.after_release.view' AND entity_id = $1`, fmt.Sprint(c.Person.ID))
		if audited != 1 {
			t.Fatalf("openings audited: %d", audited)
		}
		// The demo's parolee whose release was revoked shows it, typed.
		revoked := 0
		for _, c := range clients {
			if !c.Readmitted {
				continue
			}
			revoked++
			page := string(env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/released/%d", c.Person.ID), Client: bapas}).Body)
			if !strings.Contains(page, `data-testid="readmitted"`) || !strings.Contains(page, "pencabutan pembebasan bersyarat") {
				t.Fatalf("a revoked client's page: %s", page)
			}
		}
		if revoked != 1 {
			t.Fatalf("the demo's revoked clients: %d", revoked)
		}
		// Another Bapas, in another province.
		if _, err := env.App.CreateOrganization(t.Context(), cli, &binakerja.Organization{Code: "BAPAS-LAIN", Name: "Bapas Kelas I Palembang",
			Kind: binakerja.OrgProbationOffice, RegionCode: "16.71"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := env.App.CreateUser(t.Context(), cli, app.NewUser{Email: "bapas.lain@binakerja.test", Name: "Petugas Lain",
			Password: demo.Password, Grants: []app.GrantInput{{Role: binakerja.RoleProbationOfficer, Org: "BAPAS-LAIN"}}}); err != nil {
			t.Fatal(err)
		}
		other := env.Login(t, "bapas.lain@binakerja.test")
		if list := string(env.Do(t, servertest.Request{Method: "GET", Path: "/clients", Client: other}).Body); strings.Contains(list, "/released/") {
			t.Fatal("another Bapas lists these clients")
		}
		for _, c := range clients {
			if r := env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/released/%d", c.Person.ID), Client: other}); r.StatusCode != 404 {
				t.Fatalf("another Bapas opens %s: %d", c.Person.Name, r.StatusCode)
			}
		}
	})
}

// A placement is ended from its own person's page only; and the outbox
// tells an admin that nothing is sent without an SMTP server.
func TestAPlacementEndsOnlyFromItsPersonsPage(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	pl := env.Int(t, `SELECT min(id) FROM placements WHERE end_date IS NULL`)
	owner := env.Int(t, `SELECT person_id FROM placements WHERE id = $1`, pl)
	other := env.Int(t, `SELECT min(person_id) FROM handovers WHERE person_id <> $1`, owner)
	labour := env.Login(t, servertest.Email(binakerja.RoleLabourOfficer))
	form := url.Values{"end_date": {env.App.Today().String()}, "end_reason": {"KONTRAK_SELESAI"}}
	if r := env.Form(t, labour, fmt.Sprintf("/released/%d/placements/%d/end", other, pl), form); r.StatusCode != 404 {
		t.Fatalf("ending another person's placement: %d", r.StatusCode)
	}
	if n := env.Int(t, `SELECT count(*) FROM placements WHERE id = $1 AND end_date IS NULL`, pl); n != 1 {
		t.Fatal("the placement was ended from another person's page")
	}
	admin := env.Login(t, servertest.Email(binakerja.RoleAdmin))
	page := string(env.Do(t, servertest.Request{Method: "GET", Path: "/admin/outbox", Client: admin}).Body)
	if !strings.Contains(page, `data-testid="no-smtp"`) || !strings.Contains(page, "BINAKERJA_SMTP_URL") {
		t.Fatal("the outbox does not say that nothing is sent")
	}
}

// The labour officer of another region, same role, sees none of another
// office's people after release: not their page, not their notices.
func TestAnotherLabourOfficeSeesNoneOfTheReleased(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	cli := app.CLIActor("test")
	if _, err := env.App.CreateOrganization(t.Context(), cli, &binakerja.Organization{Code: "DISNAKER-PLG", Name: "Dinas Tenaga Kerja Kota Palembang",
		Kind: binakerja.OrgLabourOffice, RegionCode: "16.71"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.App.CreateUser(t.Context(), cli, app.NewUser{Email: "disnaker.plg@binakerja.test", Name: "Petugas Palembang",
		Password: demo.Password, Grants: []app.GrantInput{{Role: binakerja.RoleLabourOfficer, Org: "DISNAKER-PLG"}}}); err != nil {
		t.Fatal(err)
	}
	other := env.Login(t, "disnaker.plg@binakerja.test")
	hs, err := env.App.Handovers(t.Context(), cli, false)
	if err != nil || len(hs) == 0 {
		t.Fatalf("hand-overs: %d %v", len(hs), err)
	}
	for _, h := range hs {
		if r := env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/released/%d", h.PersonID), Client: other}); r.StatusCode != 404 {
			t.Fatalf("another labour office opens %s: %d", h.Name, r.StatusCode)
		}
	}
	page := string(env.Do(t, servertest.Request{Method: "GET", Path: "/notices", Client: other}).Body)
	if !strings.Contains(page, `class="empty"`) || strings.Contains(page, hs[0].Name) {
		t.Fatal("another labour office reads this office's notices")
	}
	if page := string(env.Do(t, servertest.Request{Method: "GET", Path: "/followups", Client: other}).Body); strings.Contains(page, "/released/") {
		t.Fatal("another labour office's caseload lists these people")
	}
}
