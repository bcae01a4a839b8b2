package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
)

type envelope struct {
	Error struct {
		Code    string
		Message string
		Fields  []struct{ Field, Message string }
	}
}

func errorOf(t *testing.T, r *servertest.Response) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("%d %s: %v", r.StatusCode, r.Body, err)
	}
	return e
}

// TestControlCharactersAreRefusedWithTheirLineAndField: a NUL in a name, deep
// in a file where the check for a binary file does not look, failed a whole
// PostgreSQL import with a 500 naming no line. Now every cell of a known
// column with a control character is refused with its line and column, and
// nothing is written; a JSON string or an address with one is refused too.
func TestControlCharactersAreRefusedWithTheirLineAndField(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		people := env.Int(t, `SELECT count(*) FROM persons`)
		var b strings.Builder
		b.WriteString("no_registrasi;nama;tempat_lahir;tanggal_masuk;catatan\n")
		for i := range 2000 { // past the first 64 KiB, which the binary check reads
			fmt.Fprintf(&b, "LPM-%05d;Warga Binaan Nomor %d;Martapura;2025-01-10;\n", i, i)
		}
		b.WriteString("LPM-X1;Budi\x00Santoso;Martapura;2025-01-10;\n")         // line 2002
		b.WriteString("LPM-X2;Budi Santoso;Mar\x1btapura;2025-01-10;\n")        // line 2003
		b.WriteString("LPM-X3\t;Budi Santoso;Martapura;2025-01-10;\n")          // line 2004
		b.WriteString("LPM-X4;Budi Santoso;Martapura;2025-01-10;catatan\x00\n") // an unknown column: ignored
		r, rep := importCSV(t, env, binakerja.RoleFacilityOfficer, "", b.String())
		if r.StatusCode != 422 || rep.Written || rep.Rejected != 3 || len(rep.Errors) != 3 {
			t.Fatalf("import: %d %s", r.StatusCode, r.Body)
		}
		for i, want := range []struct {
			line  int
			field string
		}{{2002, "nama"}, {2003, "tempat_lahir"}, {2004, "no_registrasi"}} {
			if e := rep.Errors[i]; e.Line != want.line || e.Field != want.field || !strings.Contains(e.Message, "kendali") {
				t.Errorf("error %d: %+v, want line %d, field %s", i, e, want.line, want.field)
			}
		}
		if n := env.Int(t, `SELECT count(*) FROM persons`); n != people {
			t.Fatalf("%d people written", n-people)
		}

		r = env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations/LP-MARTAPURA/inmates/import?filename=a%00.csv",
			Token: env.Tokens[binakerja.RoleFacilityOfficer], Body: inmateCSV, Header: map[string]string{"Content-Type": "text/csv"}})
		if r.StatusCode != 400 {
			t.Fatalf("a NUL in the query: %d %s", r.StatusCode, r.Body)
		}
		admin := env.Tokens[binakerja.RoleAdmin]
		if r := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/partners?q=a%00b", Token: admin}); r.StatusCode != 400 {
			t.Fatalf("a NUL in a search: %d %s", r.StatusCode, r.Body)
		}
		c := env.Login(t, servertest.Email(binakerja.RoleAdmin))
		for _, path := range []string{"/organizations/LP-MARTAPURA%00", "/inmates?q=a%00b", "/audit?action=%1b"} {
			if r := env.Do(t, servertest.Request{Method: "GET", Path: path, Client: c}); r.StatusCode != 400 {
				t.Fatalf("GET %s: %d", path, r.StatusCode)
			}
		}

		for body, field := range map[string]string{
			`{"code":"LSP-NUL","name":"LSP \u0000 Nol","kind":"certification_body"}`:                   "name",
			"{\"code\":\"LSP-NUL\",\"name\":\"LSP \xff Nol\",\"kind\":\"certification_body\"}":         "name",
			`{"code":"LSP-NUL","name":"LSP Nol","kind":"certification_body","region_code":"16\u001b"}`: "region_code",
		} {
			r := env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations", Token: admin, Body: body})
			e := errorOf(t, r)
			if r.StatusCode != 422 || len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != field {
				t.Fatalf("%s: %d %s", body, r.StatusCode, r.Body)
			}
		}
		if n := env.Int(t, `SELECT count(*) FROM organizations WHERE code = 'LSP-NUL'`); n != 0 {
			t.Fatal("the organisation was written")
		}
	})
}

// TestJSONKeysMustBeExactAndOnce: encoding/json takes the last of a key given
// twice and matches keys to fields whatever their case, so that a body could
// say one thing to a reader and another to the server. Both are refused
// (400) naming the key.
func TestJSONKeysMustBeExactAndOnce(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	admin := env.Tokens[binakerja.RoleAdmin]
	for _, c := range []struct {
		path, body, field, says string
	}{
		{"/api/v1/organizations", `{"code":"LSP-A","code":"LSP-B","name":"LSP","kind":"certification_body"}`, "code", "more than once"},
		{"/api/v1/organizations", `{"code":"LSP-A","Name":"LSP","kind":"certification_body"}`, "Name", "only in case from name"},
		{"/api/v1/organizations", `{"code":"LSP-A","name":"LSP","NAME":"Other","kind":"certification_body"}`, "NAME", "only in case from name"},
		{"/api/v1/organizations", `{"code":"LSP-A","name":"LSP","kind":"certification_body","\u212aind":"employer"}`, "\u212aind", "only in case from kind"},
		{"/api/v1/users", `{"email":"x@example.id","name":"X","roles":[{"role":"admin","Role":"analyst"}]}`, "roles.Role", "only in case from roles.role"},
		{"/api/v1/users", `{"email":"x@example.id","name":"X","roles":[{"role":"admin","role":"analyst"}]}`, "roles.role", "more than once"},
	} {
		r := env.Do(t, servertest.Request{Method: "POST", Path: c.path, Token: admin, Body: c.body,
			Header: map[string]string{"Accept-Language": "en"}})
		e := errorOf(t, r)
		if r.StatusCode != 400 || len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != c.field || !strings.Contains(e.Error.Fields[0].Message, c.says) {
			t.Errorf("%s: %d %s", c.body, r.StatusCode, r.Body)
		}
	}
	if n := env.Int(t, `SELECT count(*) FROM organizations WHERE code IN ('LSP-A', 'LSP-B')`); n != 0 {
		t.Fatal("written")
	}
	r := env.Do(t, servertest.Request{Method: "POST", Path: "/api/v1/organizations", Token: admin,
		Body: `{"code":"LSP-A","name":"LSP A","kind":"certification_body","region_code":"16.71"}`})
	if r.StatusCode != 201 {
		t.Fatalf("the exact keys: %d %s", r.StatusCode, r.Body)
	}
}

// TestUnknownColumnsAreListedWithinBounds: a header of many thousands of
// unknown columns was echoed back whole; the report lists the first 50, each
// name cut at 100 characters, and counts the rest.
func TestUnknownColumnsAreListedWithinBounds(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	var b strings.Builder
	b.WriteString("no_registrasi;nama;tanggal_masuk;" + strings.Repeat("x", 5000))
	for i := range 200000 {
		fmt.Fprintf(&b, ";c%d", i)
	}
	b.WriteString("\nLPM-1;Budi;2025-01-10\n")
	r, _ := importCSV(t, env, binakerja.RoleFacilityOfficer, "?dry_run=true", b.String())
	var rep struct {
		UnknownColumns     []string `json:"unknown_columns"`
		MoreUnknownColumns int      `json:"more_unknown_columns"`
	}
	json.Unmarshal(r.Body, &rep)
	if r.StatusCode != 200 || len(rep.UnknownColumns) != 50 || rep.MoreUnknownColumns != 200001-50 || len(r.Body) > 10000 {
		t.Fatalf("%d: %d columns listed, %d more, %d bytes", r.StatusCode, len(rep.UnknownColumns), rep.MoreUnknownColumns, len(r.Body))
	}
	if first := rep.UnknownColumns[0]; len([]rune(first)) != 100 || !strings.HasSuffix(first, "…") || rep.UnknownColumns[1] != "c0" {
		t.Fatalf("names %q…", rep.UnknownColumns[:2])
	}
}
