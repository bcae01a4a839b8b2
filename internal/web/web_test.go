package web_test

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/i18n"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestCodedValuesHaveWordsInBothLanguages(t *testing.T) {
	var keys []string
	for _, r := range binakerja.Roles {
		keys = append(keys, "role."+string(r))
	}
	for _, k := range binakerja.OrgKinds {
		keys = append(keys, "org.kind."+string(k))
	}
	for _, v := range binakerja.FacilityTypes {
		keys = append(keys, "org.facility_type."+v)
	}
	for _, v := range binakerja.FacilityClasses {
		keys = append(keys, "org.facility_class."+v)
	}
	for _, v := range binakerja.EmployerSizes {
		keys = append(keys, "org.employer_size."+v)
	}
	for _, l := range i18n.Languages {
		keys = append(keys, "lang."+l)
	}
	for _, c := range []string{"organizations", "users", "audit", "account"} {
		keys = append(keys, "home.card."+c, "home.card."+c+".text")
	}
	for _, k := range keys {
		for _, l := range i18n.Languages {
			if !i18n.Has(l, k) {
				t.Errorf("%s: no %q", l, k)
			}
		}
	}
}

// leftover finds what looks like an untranslated message key in a page.
var leftover = regexp.MustCompile(`>\s*[a-z]+(\.[a-z_]+)+\s*<`)

// control matches a form control's opening tag.
var control = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)

// codes matches elements that show codes as they are (audit actions).
var codes = regexp.MustCompile(`class="code">[^<]*<`)

func TestEveryPageRendersInBothLanguages(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	admin := env.Users[binakerja.RoleAdmin]
	officer := env.Users[binakerja.RoleFacilityOfficer]
	someone, _, err := env.App.Inmates(t.Context(), app.CLIActor("test"), app.InmateQuery{Page: store.Page{Limit: 1}})
	if err != nil || len(someone) != 1 {
		t.Fatalf("the demo world has no inmate: %v", err)
	}
	inmate := fmt.Sprintf("/inmates/%d", someone[0].ID)
	_, readmitted := readmitAtBaturaja(t, env) // a review to decide, a notice, a stay elsewhere
	cohorts, _, err := env.App.Cohorts(t.Context(), app.CLIActor("test"), store.CohortFilter{})
	if err != nil || len(cohorts) == 0 {
		t.Fatalf("the demo world has no cohort: %v", err)
	}
	hs, err := env.App.Handovers(t.Context(), app.CLIActor("test"), false)
	if err != nil || len(hs) == 0 {
		t.Fatalf("the demo world has no hand-over: %v", err)
	}
	clients, _, err := env.App.Clients(t.Context(), app.CLIActor("test"), store.Page{})
	if err != nil || len(clients) == 0 {
		t.Fatalf("the demo world has no probation client: %v", err)
	}
	pages := []string{"/outcomes", "/outcomes?organization=LP-MARTAPURA&from=2020-01-01", "/clients", fmt.Sprintf("/released/%d", hs[0].PersonID), fmt.Sprintf("/released/%d", clients[0].Person.ID),
		"/admin/outbox", "/admin/outbox?status=all", "/admin/outbox?status=sent", "/notices?unread=1", "/training", "/training/catalogue", fmt.Sprintf("/training/cohorts/%d", cohorts[0].ID), "/inmates", "/inmates?all=1&status=BEBAS", "/inmates/import", inmate, inmate + "/export",
		"/inmates/reviews", "/notices", fmt.Sprintf("/inmates/%d", readmitted),
		"/inmates?release_from=2020-01-01&release_to=2030-12-31", "/", "/organizations", "/organizations?q=mar&kind=facility", "/organizations/new",
		"/organizations/LP-MARTAPURA", "/organizations/LP-MARTAPURA/edit", "/organizations/DITJENPAS",
		"/users", "/users?role=employer", "/users/new", fmt.Sprintf("/users/%d", officer.ID),
		fmt.Sprintf("/users/%d", admin.ID), "/audit", "/audit?action=auth.", "/account", "/reauth", "/reauth?next=/users/new",
		"/partners", "/partners?q=mebel&size=KECIL", "/partners/CV-MEBEL-JATI", "/agreements", "/agreements?q=nothing",
		"/agreements/1", "/vacancies", "/vacancies?status=CLOSED", "/vacancies/1", "/applications/1",
		"/internships?facility=LP-MARTAPURA", "/internships/1", "/internships/2",
		"/followups", "/followups?status=overdue", "/followups?status=done", "/followups?status=due",
		"/release-board?facility=LP-MARTAPURA&days=180", "/release-board?facility=LP-MARTAPURA&days=30&status=SIAP_KERJA",
		"/release-board/print?facility=LP-MARTAPURA&days=180", fmt.Sprintf("/release-board/%d", someone[0].ID)}
	for _, lang := range []string{"id", "en"} {
		c := env.Login(t, servertest.Email(binakerja.RoleAdmin))
		env.Form(t, c, "/language", url.Values{"lang": {lang}, "next": {"/"}})
		var visits []visit
		for _, p := range pages {
			visits = append(visits, visit{c, p})
		}
		visits = append(visits, twoStepPages(t, env, lang)...) // half signed in, and an employer's account
		for _, v := range visits {
			p := v.path
			r := env.Do(t, servertest.Request{Method: "GET", Path: p, Client: v.client})
			body := string(r.Body)
			if r.StatusCode != 200 {
				t.Errorf("%s %s: %d", lang, p, r.StatusCode)
				continue
			}
			if !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: not in %s", lang, p, lang)
			}
			if m := leftover.FindString(codes.ReplaceAllString(body, "")); m != "" {
				t.Errorf("%s %s: untranslated key %s", lang, p, m)
			}
			for _, m := range control.FindAllStringSubmatch(body, -1) {
				if strings.Contains(m[0], `type="hidden"`) {
					continue
				}
				id := regexp.MustCompile(`id="([^"]+)"`).FindStringSubmatch(m[0])
				if id == nil || !strings.Contains(body, `for="`+id[1]+`"`) {
					t.Errorf("%s %s: a form control without a label: %s", lang, p, m[0])
				}
			}
			if strings.Contains(body, "<script") || strings.Contains(body, "http://") && !strings.Contains(body, env.URL) {
				t.Errorf("%s %s: inline script or outside link", lang, p)
			}
		}
	}
}

func TestNavigationFollowsTheRole(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	for _, role := range binakerja.Roles {
		c := env.Login(t, servertest.Email(role))
		body := string(env.Do(t, servertest.Request{Method: "GET", Path: "/", Client: c}).Body)
		for link, action := range map[string]binakerja.Action{`href="/users"`: binakerja.ActionUserView,
			`href="/audit"`: binakerja.ActionAuditView, `href="/organizations"`: binakerja.ActionOrgView} {
			if got, want := strings.Contains(body, link), binakerja.Allows(role, action); got != want {
				t.Errorf("%s: link %s shown = %v, want %v", role, link, got, want)
			}
		}
	}
}

func TestRefusedFormComesBackFilledWithAnErrorSummary(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		c := env.Login(t, servertest.Email(binakerja.RoleAdmin))
		r := env.Form(t, c, "/organizations", url.Values{"code": {"lp martapura!"}, "name": {"Lapas Baru"},
			"kind": {"facility"}, "region_code": {"16.8"}, "facility_type": {"LAPAS"}})
		body := string(r.Body)
		if r.StatusCode != 422 {
			t.Fatalf("status %d", r.StatusCode)
		}
		for _, want := range []string{`class="error-summary"`, `href="#f-code"`, `href="#f-region_code"`,
			`value="Lapas Baru"`, `value="lp martapura!"`, `aria-invalid="true"`, "Kode wilayah harus berpola Kemendagri"} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused form lacks %s", want)
			}
		}
		r = env.Form(t, c, "/organizations", url.Values{"code": {"LP-BARU"}, "name": {"Lapas Baru"},
			"kind": {"facility"}, "region_code": {"16.08"}, "facility_type": {"LAPAS"}, "parent": {"KANWIL-SUMSEL"}})
		if r.StatusCode != 303 || r.Header.Get("Location") != "/organizations/LP-BARU" {
			t.Fatalf("create: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = env.Do(t, servertest.Request{Method: "GET", Path: "/organizations/LP-BARU", Client: c})
		if !strings.Contains(string(r.Body), "Organisasi sudah ditambahkan.") {
			t.Fatal("no confirmation after creating")
		}
	})
}

func TestAdminCreatesAUserWithAOneTimePassword(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	c := env.Login(t, servertest.Email(binakerja.RoleAdmin))
	r := env.Form(t, c, "/users", url.Values{"name": {"Wati"}, "email": {"wati@example.id"}, "role": {"facility_officer"},
		"organization": {"lp-martapura"}})
	if r.StatusCode != 201 {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	m := regexp.MustCompile(`data-testid="one-time-password">([^<]+)<`).FindStringSubmatch(string(r.Body))
	if m == nil {
		t.Fatal("no one-time password shown")
	}
	if _, _, err := env.App.Login(t.Context(), "wati@example.id", m[1], "127.0.0.2", ""); err != nil {
		t.Fatalf("the one-time password does not work: %v", err)
	}
	r = env.Form(t, c, "/users", url.Values{"name": {"X"}, "email": {"x@example.id"}, "role": {"assessor"},
		"organization": {"LP-MARTAPURA"}})
	if r.StatusCode != 422 || !strings.Contains(string(r.Body), `href="#f-role"`) {
		t.Fatalf("an assessor at a prison: %d", r.StatusCode)
	}
}

// loginMessage returns the error summary of a sign-in page.
func loginMessage(t *testing.T, r *servertest.Response) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<a href="#f-email">(.*?)</a>`).FindStringSubmatch(string(r.Body))
	if m == nil {
		t.Fatalf("no error summary on the sign-in page: %d %s", r.StatusCode, r.Body)
	}
	return m[1]
}

func TestLoginFailureSaysWhatToDoAndSlowsAfterFive(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	email := servertest.Email(binakerja.RoleLabourOfficer)
	var r *servertest.Response
	for range 5 {
		r = env.Form(t, servertest.NoRedirect(nil), "/login", url.Values{"email": {email}, "password": {"salah sekali"}})
	}
	wrong := loginMessage(t, r)
	// Throttled now: the right password gets the answer of a wrong one, and
	// of an unknown email, which says what to do.
	r = env.Form(t, servertest.NoRedirect(nil), "/login", url.Values{"email": {email}, "password": {"binakerja-demo"}})
	if r.StatusCode != 401 || !strings.Contains(string(r.Body), "tunggu beberapa menit") || !strings.Contains(string(r.Body), `value="`+email+`"`) {
		t.Fatalf("the right password on a throttled account: %d", r.StatusCode)
	}
	throttled := loginMessage(t, r)
	r = env.Form(t, servertest.NoRedirect(nil), "/login", url.Values{"email": {"tidak.ada@binakerja.test"}, "password": {"salah sekali"}})
	if unknown := loginMessage(t, r); r.StatusCode != 401 || unknown != throttled || unknown != wrong {
		t.Fatalf("unknown %q, wrong password %q, throttled %q must be one answer", unknown, wrong, throttled)
	}
	if me := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/me", Token: env.Tokens[binakerja.RoleLabourOfficer]}); me.StatusCode != 200 {
		t.Fatalf("the throttled account's API token: %d", me.StatusCode)
	}
	admin := env.Login(t, servertest.Email(binakerja.RoleAdmin))
	u := env.Users[binakerja.RoleLabourOfficer]
	r = env.Form(t, admin, fmt.Sprintf("/users/%d/unlock", u.ID), url.Values{})
	if r.StatusCode != 303 {
		t.Fatalf("unlock: %d", r.StatusCode)
	}
	env.Login(t, email)
}

func TestAccountTokensAndPassword(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	email := servertest.Email(binakerja.RoleAssessor)
	c := env.Login(t, email)
	r := env.Form(t, c, "/account/tokens", url.Values{"name": {"laptop"}})
	m := regexp.MustCompile(`data-testid="new-token">(bk_[^<]+)<`).FindStringSubmatch(string(r.Body))
	if r.StatusCode != 200 || m == nil {
		t.Fatalf("token: %d", r.StatusCode)
	}
	if me := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/me", Token: m[1]}); me.StatusCode != 200 {
		t.Fatalf("the new token does not work: %d", me.StatusCode)
	}
	r = env.Form(t, c, "/account/password", url.Values{"current_password": {"binakerja-demo"},
		"new_password": {"pendek"}, "confirm_password": {"pendek"}})
	if r.StatusCode != 422 || !strings.Contains(string(r.Body), "minimal 12 karakter") {
		t.Fatalf("short password: %d", r.StatusCode)
	}
	r = env.Form(t, c, "/account/password", url.Values{"current_password": {"binakerja-demo"},
		"new_password": {"kopi susu di sore hari"}, "confirm_password": {"kopi susu di sore hari"}})
	if r.StatusCode != 303 {
		t.Fatalf("change: %d", r.StatusCode)
	}
	if _, _, err := env.App.Login(t.Context(), email, "kopi susu di sore hari", "127.0.0.3", ""); err != nil {
		t.Fatalf("the new password does not work: %v", err)
	}
}

func TestCertificatePagePDFAndQR(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	officer := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	people, _, err := env.App.Inmates(t.Context(), app.CLIActor("test"), app.InmateQuery{Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	var certID int64
	for _, p := range people {
		d, err := env.App.Inmate(t.Context(), app.CLIActor("test"), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Certificates) > 0 {
			certID = d.Certificates[0].ID
			break
		}
	}
	if certID == 0 {
		t.Fatal("the demo world has no certificate")
	}
	base := fmt.Sprintf("/certificates/%d", certID)
	if r := env.Do(t, servertest.Request{Method: "GET", Path: base, Client: officer}); r.StatusCode != 200 || !strings.Contains(string(r.Body), "/v/") {
		t.Fatalf("certificate page: %d", r.StatusCode)
	}
	r := env.Do(t, servertest.Request{Method: "GET", Path: base + "/pdf", Client: officer})
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(r.Body), "%PDF-") {
		t.Fatalf("pdf: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if !strings.Contains(string(r.Body), "SERTIFIKAT KOMPETENSI") || !strings.Contains(string(r.Body), "LSP Karya Mandiri") {
		t.Fatal("the PDF's text is not readable: the checks below would prove nothing")
	}
	for _, w := range []string{"Lapas", "Martapura", "Pemasyarakatan", "warga binaan", "B.I-"} {
		if strings.Contains(string(r.Body), w) {
			t.Errorf("the PDF names %q", w)
		}
	}
	r = env.Do(t, servertest.Request{Method: "GET", Path: base + "/qr.png", Client: officer})
	if r.StatusCode != 200 || !strings.HasPrefix(string(r.Body), "\x89PNG") {
		t.Fatalf("qr: %d", r.StatusCode)
	}
	employer := env.Login(t, servertest.Email(binakerja.RoleEmployer))
	if r := env.Do(t, servertest.Request{Method: "GET", Path: base, Client: employer}); r.StatusCode != 403 {
		t.Fatalf("an employer opening the certificate record: %d", r.StatusCode)
	}

	// A suspended certificate is neither printed nor downloaded, and its
	// page offers neither.
	if _, err := env.App.SetCertificateStatus(t.Context(), app.CLIActor("test"), certID, binakerja.CertificateSuspended, "diperiksa"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{base + "/pdf", base + "/credential"} {
		if r := env.Do(t, servertest.Request{Method: "GET", Path: path, Client: officer}); r.StatusCode != 409 {
			t.Fatalf("%s of a suspended certificate: %d", path, r.StatusCode)
		}
	}
	if r := env.Do(t, servertest.Request{Method: "GET", Path: base, Client: officer}); r.StatusCode != 200 || strings.Contains(string(r.Body), base+"/pdf") {
		t.Fatalf("the suspended certificate's page: %d, still offers the PDF: %v", r.StatusCode, strings.Contains(string(r.Body), base+"/pdf"))
	}
}

func TestTheBodyRegisterListsItsCertificatesByNumber(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		all, _, err := env.App.Certificates(t.Context(), app.CLIActor("test"), "", store.Page{Limit: store.MaxLimit})
		if err != nil || len(all) < 2 {
			t.Fatalf("the demo world's certificates: %d %v", len(all), err)
		}
		assessor := env.Login(t, servertest.Email(binakerja.RoleAssessor))
		r := env.Do(t, servertest.Request{Method: "GET", Path: "/certificates", Client: assessor})
		for _, c := range all {
			if r.StatusCode != 200 || !strings.Contains(string(r.Body), fmt.Sprintf(`href="/certificates/%d"`, c.ID)) {
				t.Fatalf("the register: %d, missing certificate %d", r.StatusCode, c.ID)
			}
		}
		one := all[len(all)-1]
		r = env.Do(t, servertest.Request{Method: "GET", Path: "/certificates?number=" + url.QueryEscape(one.Number), Client: assessor})
		if r.StatusCode != 200 || strings.Count(string(r.Body), `href="/certificates/`) != 1 || !strings.Contains(string(r.Body), one.HolderName) {
			t.Fatalf("by number %q: %d", one.Number, r.StatusCode)
		}
		officer := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
		if r := env.Do(t, servertest.Request{Method: "GET", Path: "/certificates", Client: officer}); r.StatusCode != 403 {
			t.Fatalf("a facility officer opening the body's register: %d", r.StatusCode)
		}
	})
}
