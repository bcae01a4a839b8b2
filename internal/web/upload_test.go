package web_test

import (
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/servertest"
	"binakerja/internal/web"
)

// tempFiles lists the files under dir, and those whose bytes hold needle.
func tempFiles(t *testing.T, dir, needle string) (all, holding []string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		all = append(all, p)
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(needle)) {
			holding = append(holding, p)
		}
		return nil
	})
	return all, holding
}

// upload posts the import form with a file, as the page's form does.
func upload(t *testing.T, env *servertest.Env, c *http.Client, facility, name, content string) *servertest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("organization", facility)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename*=utf-8''`+url.PathEscape(name))
	h.Set("Content-Type", "text/csv")
	fw, _ := mw.CreatePart(h)
	fw.Write([]byte(content))
	mw.WriteField("on_error", "abort")
	mw.Close()
	return env.Do(t, servertest.Request{Method: http.MethodPost, Path: "/inmates/import", Client: c, Body: body.String(),
		Header: map[string]string{"Content-Type": mw.FormDataContentType(), "Origin": env.URL}})
}

// TestUploadsLeaveNoCleartextNIKOnDisk: the upload page's file, waiting for
// its confirmation after the dry run, is on disk only encrypted; a refused
// upload leaves nothing; one never confirmed goes when its hour is up.
func TestUploadsLeaveNoCleartextNIKOnDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	pass, restore := web.HoldUploadExpiryForTest()
	defer restore()
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	c := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	people := env.Int(t, `SELECT count(*) FROM persons`)
	const nik = "1608015506900417"
	csv := "no_registrasi;nama;nik;tanggal_masuk\nB.I-900/2025;Siti Uji;" + nik + ";2025-01-10\n"

	r := upload(t, env, c, "LP-MARTAPURA", "register.csv", csv)
	if r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), `data-testid="confirm-import"`) {
		t.Fatalf("dry run: %d %s", r.StatusCode, r.Body)
	}
	all, holding := tempFiles(t, tmp, nik)
	if len(holding) > 0 || len(all) != 1 {
		t.Fatalf("after the dry run: files %v, holding the NIK %v; want one, encrypted", all, holding)
	}
	waiting := all[0]

	for name, bad := range map[string]struct{ facility, csv string }{
		"a refused row":      {"LP-MARTAPURA", csv + "B.I-901/2025;Budi;123;2025-01-10\n"},
		"an unknown place":   {"NOPE", csv},
		"no inmate table":    {"LP-MARTAPURA", "a;b\n" + nik + ";x\n"},
		"a binary file":      {"LP-MARTAPURA", nik + "\x00\x01"},
		"a sheet that lacks": {"LP-MARTAPURA", "nama\n" + nik + "\n"},
	} {
		r := upload(t, env, c, bad.facility, "x.csv", bad.csv)
		if r.StatusCode == http.StatusOK && strings.Contains(string(r.Body), `data-testid="confirm-import"`) {
			t.Fatalf("%s: offered to confirm", name)
		}
		if all, holding := tempFiles(t, tmp, nik); len(holding) > 0 || len(all) != 1 || all[0] != waiting {
			t.Fatalf("after %s: files %v, holding the NIK %v", name, all, holding)
		}
	}

	pass() // the hour is up, unconfirmed
	if all, _ := tempFiles(t, tmp, nik); len(all) != 0 {
		t.Fatalf("an upload never confirmed is still there: %v", all)
	}
	token := regexp.MustCompile(`name="token" value="([0-9a-f]+)"`).FindStringSubmatch(string(r.Body))
	if token == nil {
		t.Fatal("no token")
	}
	resp := env.Form(t, c, "/inmates/import/confirm", map[string][]string{"token": {token[1]}, "on_error": {"abort"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirming an expired upload: %d", resp.StatusCode)
	}
	if n := env.Int(t, `SELECT count(*) FROM persons`); n != people {
		t.Fatalf("an expired upload was imported: %d people, were %d", n, people)
	}

	// Confirmed in time, the file goes once imported.
	r = upload(t, env, c, "LP-MARTAPURA", "register.csv", csv)
	token = regexp.MustCompile(`name="token" value="([0-9a-f]+)"`).FindStringSubmatch(string(r.Body))
	if token == nil {
		t.Fatalf("no token: %s", r.Body)
	}
	resp = env.Form(t, c, "/inmates/import/confirm", map[string][]string{"token": {token[1]}, "on_error": {"abort"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	if all, _ := tempFiles(t, tmp, nik); len(all) != 0 {
		t.Fatalf("after the import: %v", all)
	}
}

// TestFormsRefuseControlCharacters: a form value with a NUL or an escape is
// refused (422) naming its field, before any handler stores it; a text
// area's line breaks pass.
func TestFormsRefuseControlCharacters(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	c := env.Login(t, servertest.Email(binakerja.RoleAdmin))
	for field, value := range map[string]string{"name": "LSP\x00Nol", "code": "LSP-\x1b"} {
		form := map[string][]string{"code": {"LSP-NOL"}, "name": {"LSP Nol"}, "kind": {"certification_body"}}
		form[field] = []string{value}
		r := env.Form(t, c, "/organizations", form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), field) {
			t.Fatalf("%s with a control character: %d", field, r.StatusCode)
		}
	}
	if n := env.Int(t, `SELECT count(*) FROM organizations WHERE code = 'LSP-NOL'`); n != 0 {
		t.Fatal("the organisation was written")
	}
	off := env.Login(t, servertest.Email(binakerja.RoleFacilityOfficer))
	r := upload(t, env, off, "LP-MARTAPURA", "a\x01.csv", "no_registrasi;nama;tanggal_masuk\nB.I-9;Budi;2025-01-10\n")
	if r.StatusCode != http.StatusUnprocessableEntity || strings.Contains(string(r.Body), `data-testid="confirm-import"`) {
		t.Fatalf("a file name with a control character: %d", r.StatusCode)
	}
}
