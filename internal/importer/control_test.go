package importer

import (
	"strings"
	"testing"

	"binakerja"
)

func TestControlCharactersInCellsAreRefusedWithLineAndColumn(t *testing.T) {
	h, _, _ := ParseHeader([]string{"No. Registrasi", "Nama", "Tempat Lahir", "Tanggal Masuk", "Catatan"})
	today := binakerja.NewDate(2026, 1, 1)
	for _, c := range []struct {
		rec   []string
		field string
	}{
		{[]string{"B.I-1", "Budi\x00", "Martapura", "2025-01-10", ""}, "Nama"},
		{[]string{"B.I-1", "Budi\tSantoso", "Martapura", "2025-01-10", ""}, "Nama"},
		{[]string{"B.I-1", "Budi", "Mar\ntapura", "2025-01-10", ""}, "Tempat Lahir"},
		{[]string{"B.I-1\r", "Budi", "Martapura", "2025-01-10", ""}, "No. Registrasi"},
		{[]string{"B.I-1", "Budi", "Martapura", "2025-01-10\x7f", ""}, "Tanggal Masuk"},
	} {
		row, ps := h.Parse(c.rec, 7, today)
		if row != nil || len(ps) != 1 || ps[0].Line != 7 || ps[0].Field != c.field || ps[0].Key != "text.control" {
			t.Errorf("%q: %+v %+v", c.rec, row, ps)
		}
	}
	if row, ps := h.Parse([]string{"B.I-1", "Budi", "Martapura", "2025-01-10", "a\x00b"}, 7, today); row == nil {
		t.Errorf("a control character in an unknown column, which is not kept: %+v", ps)
	}
}

func TestControlCharactersInSchemeFilesAreRefused(t *testing.T) {
	recs, err := Open(strings.NewReader("kode_skema,judul_skema,jenjang_kkni,masa_berlaku,kode_unit,judul_unit\n"+
		"SK-1,Tukang Kayu,2,3,U-1,Mengukur\x1b\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer recs.Close()
	_, ps := Schemes(recs)
	if len(ps) != 1 || ps[0].Line != 2 || ps[0].Field != "judul_unit" || ps[0].Key != "text.control" {
		t.Fatalf("%+v", ps)
	}
}
