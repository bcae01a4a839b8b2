package binakerja

import "testing"

func TestCheckNIKLooksAtItsStructure(t *testing.T) {
	for nik, want := range map[string]string{
		"1608011506880003": "",                      // 15 June 1988, a man
		"1608015506880003": "",                      // the same day, a woman (+40)
		"9471012902000001": "",                      // 29 February 2000, Papua
		"3174012902040001": "",                      // 29 February 2004
		"9301010101990001": "",                      // Papua Selatan, a province since 2022
		"0000000000000000": "import.nik.province",   // the attack
		"2008011506880003": "import.nik.province",   // no province 20
		"1608010001900003": "import.nik.birth_date", // day 00
		"1608013201900003": "import.nik.birth_date", // 32 January
		"1608017201900003": "import.nik.birth_date", // 72 - 40 = 32 January
		"1608013002900003": "import.nik.birth_date", // 30 February
		"1608012902010003": "import.nik.birth_date", // 29 February 01
		"1608011513900003": "import.nik.birth_date", // month 13
		"1608011506880000": "import.nik.serial",
		"160801150688000":  "import.nik.format",
	} {
		if got, _ := CheckNIK(nik); got != want {
			t.Errorf("%s: %q, want %q", nik, got, want)
		}
	}
}
