package importer

import (
	"testing"

	"binakerja"
)

// TestNIKsOfNoStructureAreRefused: sixteen zeros were taken as a NIK.
func TestNIKsOfNoStructureAreRefused(t *testing.T) {
	h, _, _ := ParseHeader([]string{"No. Registrasi", "Nama", "NIK", "Tanggal Masuk"})
	today := binakerja.NewDate(2026, 1, 1)
	for nik, want := range map[string]string{
		"0000000000000000":    "import.nik.province",
		"1608013202900001":    "import.nik.birth_date",
		"1608011506880000":    "import.nik.serial",
		"1608-0115-0688-0003": "",
	} {
		row, ps := h.Parse([]string{"B.I-1", "Budi", nik, "2025-01-10"}, 3, today)
		switch {
		case want == "" && (row == nil || row.NIK != "1608011506880003"):
			t.Errorf("%s: %+v %+v", nik, row, ps)
		case want != "" && (row != nil || len(ps) != 1 || ps[0].Field != "NIK" || ps[0].Key != want || ps[0].Line != 3):
			t.Errorf("%s: %+v %+v, want %s", nik, row, ps, want)
		}
	}
}
