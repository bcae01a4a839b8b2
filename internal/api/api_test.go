package api_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

func decodeError(t *testing.T, r *servertest.Response) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not an error envelope (%v): %s", err, r.Body)
	}
	return e
}

func fieldsOf(e errorBody) string {
	var fs []string
	for _, f := range e.Error.Fields {
		fs = append(fs, f.Field)
	}
	return strings.Join(fs, ",")
}

// counts returns how many organisations, users and audit events the database
// holds, to prove that refused requests write nothing.
func counts(t *testing.T, env *servertest.Env) string {
	t.Helper()
	orgs, _, err := env.DB.Organizations(t.Context(), store.OrgFilter{All: true, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	users, _, err := env.DB.Users(t.Context(), store.UserFilter{All: true, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := env.DB.VerifyAudit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("orgs=%d users=%d audit=%d", len(orgs), len(users), n)
}

func TestHealthAndOpenAPI(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	r := env.Do(t, servertest.Request{Method: "GET", Path: "/healthz"})
	if r.StatusCode != 200 || strings.TrimSpace(string(r.Body)) != `{"status":"ok"}` {
		t.Fatalf("healthz: %d %s", r.StatusCode, r.Body)
	}
	r = env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/openapi.json"})
	var doc map[string]any
	if r.StatusCode != 200 || json.Unmarshal(r.Body, &doc) != nil || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi.json: %d", r.StatusCode)
	}
	paths := doc["paths"].(map[string]any)
	for _, rt := range env.Server.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if !strings.HasPrefix(path, "/api/v1/") && path != "/healthz" {
			continue
		}
		item, ok := paths[path].(map[string]any)
		if !ok || item[strings.ToLower(method)] == nil {
			t.Errorf("route %s is not described in the OpenAPI document", rt.Pattern)
		}
	}
}

func TestCreateOrganizationAndReadItBack(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		admin := env.Tokens[binakerja.RoleAdmin]
		r := env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations", Token: admin,
			Body: `{"code":"lp-kayuagung","name":"Lapas Kelas III Kayuagung","kind":"facility","region_code":"16.02",
			"parent":"KANWIL-SUMSEL","facility_type":"LAPAS","facility_class":"III"}`})
		if r.StatusCode != 201 {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		var o map[string]any
		json.Unmarshal(r.Body, &o)
		if o["code"] != "LP-KAYUAGUNG" || o["parent"] != "KANWIL-SUMSEL" || o["facility_class"] != "III" {
			t.Fatalf("created: %s", r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/organizations/LP-KAYUAGUNG",
			Token: env.Tokens[binakerja.RoleAnalyst]})
		if r.StatusCode != 200 {
			t.Fatalf("the regional analyst should see a facility of the region: %d %s", r.StatusCode, r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/organizations/LP-KAYUAGUNG",
			Token: env.Tokens[binakerja.RoleFacilityOfficer]})
		if r.StatusCode != 404 {
			t.Fatalf("another facility's officer must not see it: %d", r.StatusCode)
		}
		evs, _, _ := env.DB.AuditEvents(t.Context(), store.AuditFilter{Action: "org.create", EntityID: "LP-KAYUAGUNG"})
		if len(evs) != 1 || evs[0].Actor != servertest.Email(binakerja.RoleAdmin) || !strings.Contains(evs[0].Summary, "Kayuagung") {
			t.Fatalf("audit of the creation: %+v", evs)
		}
	})
}

func TestCreateUserWithRolesAndNoPasswordEcho(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		r := env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/users", Token: env.Tokens[binakerja.RoleAdmin],
			Body: `{"email":"Yanti@Disnaker.example.id","name":"Yanti","password":"sawah hijau di pagi hari",
			"roles":[{"role":"labour_officer","organization":"DISNAKER-OKUT"},{"role":"analyst","organization":"DISNAKER-OKUT"}]}`,
			Header: reauth(t, env, binakerja.RoleAdmin)})
		if r.StatusCode != 201 {
			t.Fatalf("create user: %d %s", r.StatusCode, r.Body)
		}
		if strings.Contains(string(r.Body), "sawah") || strings.Contains(string(r.Body), "password") {
			t.Fatalf("the password must not be echoed: %s", r.Body)
		}
		var u struct {
			ID    int64  `json:"id"`
			Email string `json:"email"`
			Roles []struct{ Role, Organization string }
		}
		json.Unmarshal(r.Body, &u)
		if u.Email != "yanti@disnaker.example.id" || len(u.Roles) != 2 {
			t.Fatalf("user: %s", r.Body)
		}
		if _, _, err := env.App.Login(t.Context(), "yanti@disnaker.example.id", "sawah hijau di pagi hari", "127.0.0.9", ""); err != nil {
			t.Fatalf("the new user cannot sign in: %v", err)
		}
	})
}

func TestBadInputNamesTheFieldAndWritesNothing(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	admin := env.Tokens[binakerja.RoleAdmin]
	before := counts(t, env)
	big := `{"code":"X","name":"` + strings.Repeat("a", 1<<20) + `"}`
	cases := []struct {
		name, path, body, contentType string
		status                        int
		code, fields                  string
	}{
		{"malformed JSON", "/api/v1/organizations", `{"code": "A",`, "", 400, "bad_request", ""},
		{"unknown field", "/api/v1/organizations", `{"code":"ABC","name":"N","kind":"employer","region_code":"16","facility_id":7}`, "", 400, "bad_request", "facility_id"},
		{"wrong type", "/api/v1/organizations", `{"code":12,"name":"N","kind":"employer"}`, "", 400, "bad_request", "code"},
		{"two objects", "/api/v1/organizations", `{"code":"ABC"} {"code":"DEF"}`, "", 400, "bad_request", ""},
		{"oversized body", "/api/v1/organizations", big, "", 413, "too_large", ""},
		{"not JSON", "/api/v1/organizations", `code=ABC`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		{"every field wrong", "/api/v1/organizations", `{"code":"a b","name":"","kind":"prison","region_code":"1608"}`, "", 422, "invalid", "code,name,kind,region_code"},
		{"unknown parent", "/api/v1/organizations", `{"code":"LP-NEW","name":"N","kind":"facility","facility_type":"LAPAS","region_code":"16.08","parent":"NOPE"}`, "", 422, "invalid", "parent"},
		{"parent of the wrong kind", "/api/v1/organizations", `{"code":"LP-NEW","name":"N","kind":"facility","facility_type":"LAPAS","region_code":"16.08","parent":"CV-MEBEL-JATI"}`, "", 422, "invalid", "parent"},
		{"duplicate code", "/api/v1/organizations", `{"code":"lp-martapura","name":"Again","kind":"facility","facility_type":"LAPAS","region_code":"16.08"}`, "", 409, "conflict", "code"},
		{"duplicate email", "/api/v1/users", `{"email":"ADMIN@binakerja.test","name":"Again","password":"a long enough passphrase","roles":[{"role":"admin"}]}`, "", 409, "conflict", "email"},
		{"unknown organisation of a role", "/api/v1/users", `{"email":"n@example.id","name":"N","password":"a long enough passphrase","roles":[{"role":"employer","organization":"NOPE"}]}`, "", 422, "invalid", "roles[0].organization"},
		{"role at the wrong kind", "/api/v1/users", `{"email":"n@example.id","name":"N","password":"a long enough passphrase","roles":[{"role":"assessor","organization":"LP-MARTAPURA"}]}`, "", 422, "invalid", "roles[0].role"},
		{"weak password and no role", "/api/v1/users", `{"email":"n@example.id","name":"N","password":"password1234","roles":[]}`, "", 422, "invalid", "password,roles"},
		{"missing password", "/api/v1/users", `{"email":"n@example.id","name":"N","roles":[{"role":"admin"}]}`, "", 422, "invalid", "password"},
		{"role not in the list", "/api/v1/users", `{"email":"n@example.id","name":"N","password":"a long enough passphrase","roles":[{"role":"warden","organization":"LP-MARTAPURA"}]}`, "", 422, "invalid", "roles[0].role"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{}
			if c.contentType != "" {
				h["Content-Type"] = c.contentType
			}
			if strings.HasPrefix(c.path, "/api/v1/users") { // the admin's fresh code, asked once the input is good
				h = reauth(t, env, binakerja.RoleAdmin)
			}
			r := env.Do(t, servertest.Request{Method: "POST", Path: c.path, Token: admin, Body: c.body, Header: h})
			if r.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, c.status, r.Body)
			}
			e := decodeError(t, r)
			if e.Error.Code != c.code || fieldsOf(e) != c.fields {
				t.Fatalf("code %q fields %q, want %q %q: %s", e.Error.Code, fieldsOf(e), c.code, c.fields, r.Body)
			}
		})
	}
	// The admin's code sent with the duplicate email was taken, and
	// recorded, before the insert was refused: that re-authentication is the
	// one entry a refused request leaves.
	reauths, _, err := env.DB.AuditEvents(t.Context(), store.AuditFilter{Action: "auth.reauth"})
	if err != nil {
		t.Fatal(err)
	}
	var orgs, users, audit int
	fmt.Sscanf(before, "orgs=%d users=%d audit=%d", &orgs, &users, &audit)
	before = fmt.Sprintf("orgs=%d users=%d audit=%d", orgs, users, audit+len(reauths))
	if after := counts(t, env); after != before {
		t.Fatalf("refused requests changed the database: %s → %s", before, after)
	}
}

func TestErrorsSpeakTheRequestedLanguage(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	body := `{"code":"LP-NEW","name":"N","kind":"facility","facility_type":"LAPAS","region_code":"16.08","parent":"NOPE"}`
	id := decodeError(t, env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations",
		Token: env.Tokens[binakerja.RoleAdmin], Body: body}))
	en := decodeError(t, env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations",
		Token: env.Tokens[binakerja.RoleAdmin], Body: body, Header: map[string]string{"Accept-Language": "en-GB,en;q=0.9"}}))
	if id.Error.Fields[0].Message != "Tidak ada organisasi berkode NOPE." || en.Error.Fields[0].Message != "There is no organisation with code NOPE." {
		t.Fatalf("messages: id %q, en %q", id.Error.Fields[0].Message, en.Error.Fields[0].Message)
	}
}

func TestAuthentication(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	for _, tok := range []string{"", "bk_not-a-real-token", "garbage"} {
		r := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/organizations", Token: tok})
		if r.StatusCode != 401 || decodeError(t, r).Error.Code != "unauthenticated" {
			t.Fatalf("token %q: %d %s", tok, r.StatusCode, r.Body)
		}
	}
	r := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/organizations", Header: map[string]string{"Authorization": "Basic eDp5"}})
	if r.StatusCode != 401 {
		t.Fatalf("basic auth: %d", r.StatusCode)
	}
	r = env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/me", Token: env.Tokens[binakerja.RoleEmployer]})
	if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"role":"employer"`) {
		t.Fatalf("me: %d %s", r.StatusCode, r.Body)
	}
}

func TestListsArePagedWithACursor(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		seen := map[string]bool{}
		path := "/api/v1/organizations?limit=5"
		pages := 0
		for path != "" {
			r := env.Do(t, servertest.Request{Method: "GET", Path: path, Token: env.Tokens[binakerja.RoleAdmin]})
			if r.StatusCode != 200 {
				t.Fatalf("%s: %d %s", path, r.StatusCode, r.Body)
			}
			var l struct {
				Items      []struct{ Code string }
				NextCursor string `json:"next_cursor"`
			}
			json.Unmarshal(r.Body, &l)
			for _, it := range l.Items {
				if seen[it.Code] {
					t.Fatalf("%s seen twice", it.Code)
				}
				seen[it.Code] = true
			}
			pages++
			path = ""
			if l.NextCursor != "" {
				path = "/api/v1/organizations?limit=5&cursor=" + l.NextCursor
			}
		}
		all, _, _ := env.DB.Organizations(t.Context(), store.OrgFilter{All: true, Page: store.Page{Limit: 500}})
		if len(seen) != len(all) || pages != (len(all)+4)/5 {
			t.Fatalf("walked %d organisations in %d pages; there are %d", len(seen), pages, len(all))
		}
		r := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/organizations?limit=0", Token: env.Tokens[binakerja.RoleAdmin]})
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "limit" {
			t.Fatalf("limit=0: %d %s", r.StatusCode, r.Body)
		}
		r = env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/organizations?cursor=%25%25", Token: env.Tokens[binakerja.RoleAdmin]})
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "cursor" {
			t.Fatalf("bad cursor: %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestUserAdministration(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	admin := env.Tokens[binakerja.RoleAdmin]
	emp := env.Users[binakerja.RoleEmployer]
	path := fmt.Sprintf("/api/v1/users/%d", emp.ID)
	r := env.Do(t, servertest.Request{Method: "POST", Path: path + "/roles", Token: admin,
		Body: `{"role":"employer","organization":"UD-TANI-MAKMUR"}`, Header: reauth(t, env, binakerja.RoleAdmin)})
	if r.StatusCode != 200 || !strings.Contains(string(r.Body), "UD-TANI-MAKMUR") {
		t.Fatalf("grant: %d %s", r.StatusCode, r.Body)
	}
	r = env.Do(t, servertest.Request{Method: "DELETE", Path: path + "/roles?role=employer&organization=UD-TANI-MAKMUR", Token: admin,
		Header: reauth(t, env, binakerja.RoleAdmin)})
	if r.StatusCode != 200 || strings.Contains(string(r.Body), "UD-TANI-MAKMUR") {
		t.Fatalf("revoke: %d %s", r.StatusCode, r.Body)
	}
	r = env.Do(t, servertest.Request{Method: "POST", Path: path + "/disable", Token: admin, Header: reauth(t, env, binakerja.RoleAdmin)})
	if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"active":false`) {
		t.Fatalf("disable: %d %s", r.StatusCode, r.Body)
	}
	r = env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/me", Token: env.Tokens[binakerja.RoleEmployer]})
	if r.StatusCode != 401 {
		t.Fatalf("a disabled user's token must stop working: %d", r.StatusCode)
	}
	r = env.Do(t, servertest.Request{Method: "POST", Path: path + "/enable", Token: admin, Header: reauth(t, env, binakerja.RoleAdmin)})
	if r.StatusCode != 200 {
		t.Fatalf("enable: %d", r.StatusCode)
	}
	r = env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/users?role=employer", Token: admin})
	if r.StatusCode != 200 || !strings.Contains(string(r.Body), emp.Email) {
		t.Fatalf("list by role: %d %s", r.StatusCode, r.Body)
	}
	r = env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/audit?action=user.", Token: admin})
	if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"action":"user.disable"`) {
		t.Fatalf("audit: %d %s", r.StatusCode, r.Body)
	}
}
