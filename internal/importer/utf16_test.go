package importer

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

// TestUTF16WithItsByteOrderMarkIsText: spreadsheets save "Unicode text" as
// UTF-16 with a byte order mark, whose NULs were taken for a binary file.
func TestUTF16WithItsByteOrderMarkIsText(t *testing.T) {
	csv := "No. Registrasi\tNama\tTanggal Masuk\r\nB.I-1\tSiti Nurhaliza\t2025-01-10\r\nB.I-2\tIbu Ñoñó 𝄞\t31 Januari 2025\r\n"
	csv += strings.Repeat("B.I-3\tBudi\t2025-01-10\r\n", 4000) // past the sample the format is told from
	for _, order := range []unicode.Endianness{unicode.LittleEndian, unicode.BigEndian} {
		b, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes([]byte(csv))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := Open(strings.NewReader(string(b)), "")
		if err != nil {
			t.Fatalf("%v: %v", order, err)
		}
		var got []string
		n := 0
		for {
			rec, line, ok := recs.Next()
			if !ok {
				break
			}
			if n++; n <= 3 {
				got = append(got, fmt.Sprintf("%d:%s", line, strings.Join(rec, "|")))
			}
		}
		recs.Close()
		if err := recs.Err(); err != nil || n != 4003 {
			t.Fatalf("%v: %d records, %v", order, n, err)
		}
		want := "[1:No. Registrasi|Nama|Tanggal Masuk 2:B.I-1|Siti Nurhaliza|2025-01-10 3:B.I-2|Ibu Ñoñó 𝄞|31 Januari 2025]"
		if fmt.Sprint(got) != want {
			t.Fatalf("%v: %v", order, got)
		}
	}
}
