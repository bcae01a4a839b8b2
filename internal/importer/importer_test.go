package importer

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"binakerja"
)

var today = binakerja.NewDate(2026, 11, 26)

func TestParseDateFormats(t *testing.T) {
	want := binakerja.NewDate(2024, 1, 31)
	for _, s := range []string{"2024-01-31", "31-01-2024", "31/01/2024", "31.01.2024", "31 Januari 2024",
		"31 Jan 2024", "31-Jan-2024", " 31 JANUARI 2024 ", "31 january 2024", "31/1/2024"} {
		if d, err := ParseDate(s); err != nil || !d.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v", s, d, err)
		}
	}
	if d, err := ParseDate("17 Agustus 1945"); err != nil || d.String() != "1945-08-17" {
		t.Errorf("Agustus: %v %v", d, err)
	}
	for _, s := range []string{"", "31-02-2024", "2024/01/31", "31 Foo 2024", "31-01-24", "tomorrow", "2024-13-01", "00-01-2024"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
}

func TestParseSentence(t *testing.T) {
	for in, want := range map[string]binakerja.Sentence{
		"2 tahun 6 bulan 15 hari": {Years: 2, Months: 6, Days: 15}, "2 th 6 bl": {Years: 2, Months: 6, Days: 0}, "30 bulan": {Years: 0, Months: 30, Days: 0},
		"30": {Years: 0, Months: 30, Days: 0}, "1 Tahun": {Years: 1, Months: 0, Days: 0}, "8 bln 10 hr": {Years: 0, Months: 8, Days: 10}, "1 year 3 months": {Years: 1, Months: 3, Days: 0},
		"2y6m": {Years: 2, Months: 6, Days: 0}, "": {},
	} {
		got, err := binakerja.ParseSentence(in)
		if err != nil || got != want {
			t.Errorf("ParseSentence(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"seumur hidup", "2 tahun 3 tahun", "abc", "5 minggu", "-3", "2 tahun lagi"} {
		if _, err := binakerja.ParseSentence(in); err == nil {
			t.Errorf("ParseSentence(%q) accepted", in)
		}
	}
}

func records(t *testing.T, data []byte) (*Header, [][]string, []int, error) {
	t.Helper()
	recs, err := Open(bytes.NewReader(data), "")
	if err != nil {
		return nil, nil, nil, err
	}
	first, _, ok := recs.Next()
	if !ok {
		return nil, nil, nil, recs.Err()
	}
	h, missing, _ := ParseHeader(append([]string(nil), first...))
	if len(missing) > 0 {
		t.Fatalf("missing %v", missing)
	}
	var out [][]string
	var lines []int
	for {
		rec, line, ok := recs.Next()
		if !ok {
			break
		}
		out = append(out, append([]string(nil), rec...))
		lines = append(lines, line)
	}
	return h, out, lines, recs.Err()
}

func TestCSVDelimitersEncodingsAndQuoting(t *testing.T) {
	for name, data := range map[string]string{
		"comma":     "no_registrasi,nama,tanggal_masuk\nB.I-001,\"Budi, S.Pd.\",2024-01-31\n",
		"semicolon": "No. Registrasi;Nama;Tanggal Masuk\r\nB.I-001;\"Budi, S.Pd.\";31/01/2024\r\n",
		"tab":       "registration_number\tname\tadmission_date\nB.I-001\tBudi, S.Pd.\t31 Jan 2024\n",
		"bom":       "\xef\xbb\xbfNO_REGISTRASI,Nama,Tanggal-Masuk\n\nB.I-001,\"Budi, S.Pd.\",31-01-2024\n",
	} {
		h, recs, lines, err := records(t, []byte(data))
		if err != nil || len(recs) != 1 {
			t.Fatalf("%s: %v %v", name, recs, err)
		}
		row, ps := h.Parse(recs[0], lines[0], today)
		if len(ps) > 0 || row.Name != "Budi, S.Pd." || row.RegistrationNumber != "B.I-001" || row.Admission.String() != "2024-01-31" {
			t.Errorf("%s: %+v %v", name, row, ps)
		}
		if name == "bom" && lines[0] != 3 {
			t.Errorf("line numbers must count the blank line: %d", lines[0])
		}
	}
	latin := []byte("nama;no_registrasi;tanggal_masuk\nJos\xe9 Ma\xf1uel;X1;2024-01-31\n")
	h, recs, lines, err := records(t, latin)
	if err != nil {
		t.Fatal(err)
	}
	if row, _ := h.Parse(recs[0], lines[0], today); row == nil || row.Name != "José Mañuel" {
		t.Fatalf("Windows-1252: %+v", row)
	}
}

func TestBadFilesGetAReportNotACrash(t *testing.T) {
	for name, data := range map[string][]byte{
		"binary":       {0x7f, 'E', 'L', 'F', 0, 0, 1, 2, 3},
		"empty":        []byte("  \n\n"),
		"zip not xlsx": append([]byte("PK\x03\x04"), bytes.Repeat([]byte{1}, 100)...),
	} {
		if _, err := Open(bytes.NewReader(data), ""); err == nil {
			t.Errorf("%s: accepted", name)
		} else if _, ok := err.(*FileError); !ok {
			t.Errorf("%s: %T %v", name, err, err)
		}
	}
	recs, err := Open(strings.NewReader("a,b\n\"unterminated,x\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, _, ok := recs.Next(); !ok {
			break
		}
	}
	if _, ok := recs.Err().(*FileError); !ok {
		t.Fatalf("broken quoting: %v", recs.Err())
	}
	_, missing, _ := ParseHeader([]string{"nama", "foo"})
	if len(missing) != 2 {
		t.Fatalf("missing columns: %v", missing)
	}
}

func TestRowValidationNamesTheColumn(t *testing.T) {
	h, _, _ := ParseHeader([]string{"no_registrasi", "nama", "nik", "tanggal_lahir", "jenis_kelamin", "pendidikan",
		"kode_wilayah", "golongan", "tanggal_masuk", "lama_pidana", "tanggal_ekspirasi", "status", "hobi"})
	if len(h.Unknown) != 1 || h.Unknown[0] != "hobi" {
		t.Fatalf("unknown columns: %v", h.Unknown)
	}
	good := []string{"B.I 123/2024", "Ahmad", "1608 0145 0790 0012", "12-05-1990", "Laki-laki", "smk", "16.08", "b.i",
		"2024-01-10", "2 tahun 6 bulan", "", "narapidana", "memancing"}
	row, ps := h.Parse(good, 2, today)
	if len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	if row.NIK != "1608014507900012" || row.Sex != binakerja.Male || row.Education != "SMK" || row.RegisterClass != "B.I" {
		t.Fatalf("row: %+v", row)
	}
	if src := row.Milestones(); src == "" || row.Expected.String() != "2026-07-10" || row.Half.IsZero() || !row.Half.Before(row.TwoThirds) {
		t.Fatalf("milestones %q: expected %v half %v ⅔ %v", src, row.Expected, row.Half, row.TwoThirds)
	}
	cases := map[string][]string{
		"nik":               set(good, 2, "160801450790001"),
		"tanggal_lahir":     set(good, 3, "30-02-1990"),
		"jenis_kelamin":     set(good, 4, "X"),
		"pendidikan":        set(good, 5, "SMU"),
		"kode_wilayah":      set(good, 6, "1608"),
		"golongan":          set(good, 7, "Z.9"),
		"tanggal_masuk":     set(good, 8, "2099-01-01"),
		"lama_pidana":       set(good, 9, "seumur hidup"),
		"tanggal_ekspirasi": set(good, 10, "2020-01-01"),
		"status":            set(good, 11, "BEBAS"),
		"no_registrasi":     set(good, 0, " "),
		"nama":              set(good, 1, ""),
	}
	for field, rec := range cases {
		_, ps := h.Parse(rec, 7, today)
		if len(ps) != 1 || ps[0].Field != field || ps[0].Line != 7 {
			t.Errorf("%s: %+v", field, ps)
		}
	}
	if _, ps := h.Parse(set(good, 2, "16080145079000123"), 7, today); len(ps) != 1 {
		t.Error("a 17-digit NIK must be refused")
	}
}

func set(rec []string, i int, v string) []string {
	out := append([]string(nil), rec...)
	out[i] = v
	return out
}

func TestXLSXWithDateCells(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"No Registrasi", "Nama", "Tanggal Masuk", "Tanggal Lahir"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"A.II-7", "Siti", 45322, "15/08/1995"}) // 45322 = 2024-01-31
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	h, recs, lines, err := records(t, buf.Bytes())
	if err != nil || len(recs) != 1 || lines[0] != 2 {
		t.Fatalf("xlsx: %v %v %v", recs, lines, err)
	}
	row, ps := h.Parse(recs[0], lines[0], today)
	if len(ps) > 0 || row.Admission.String() != "2024-01-31" || row.BirthDate.String() != "1995-08-15" {
		t.Fatalf("xlsx row: %+v %v", row, ps)
	}
	if _, err := Open(bytes.NewReader(buf.Bytes()), "Nope"); err == nil {
		t.Fatal("an unknown sheet must be refused")
	}
}

// The fuzz tests' seeds run in every test run; `go test -fuzz` explores more.

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-01-31", "31/01/2024", "31 Januari 2024", "31-Jan-2024", "", "99.99.9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err == nil {
			if again, err := ParseDate(d.String()); err != nil || !again.Equal(d) {
				t.Fatalf("%q parsed to %v, which does not parse back", s, d)
			}
		}
	})
}

func FuzzParseSentence(f *testing.F) {
	for _, s := range []string{"2 tahun 6 bulan 15 hari", "2 th 6 bl", "30 bulan", "30", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sen, err := binakerja.ParseSentence(s)
		if err == nil && !sen.IsZero() {
			again, err := binakerja.ParseSentence(sen.String())
			if err != nil || again != sen {
				t.Fatalf("%q parsed to %v, which does not parse back (%v)", s, sen, err)
			}
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("no_registrasi,nama,tanggal_masuk\nB1,Budi,2024-01-31\n"))
	f.Add([]byte("a;b\n\"x;y\";z\n"))
	f.Add([]byte("\xef\xbb\xbfnama\tnik\n\xe9\t1\n"))
	f.Add([]byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Open(bytes.NewReader(data), "")
		if err != nil {
			return
		}
		first, line, ok := recs.Next()
		if !ok {
			return
		}
		h, _, _ := ParseHeader(append([]string(nil), first...))
		for n := 0; n < 1000; n++ {
			rec, l, ok := recs.Next()
			if !ok {
				break
			}
			if l < line {
				t.Fatalf("line numbers went back: %d after %d", l, line)
			}
			line = l
			if row, ps := h.Parse(rec, l, today); row == nil && len(ps) == 0 {
				t.Fatal("a row must be valid or have problems")
			}
		}
	})
}
