package importer

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/rand"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// part is one entry of a test archive: data, then fill bytes of spaces,
// deflated a chunk at a time so that a bomb of gigabytes costs the test a
// few milliseconds and no memory. stored keeps data uncompressed.
type part struct {
	name   string
	data   []byte
	fill   int64
	stored bool
}

// spaceChunk deflated on its own: a block that any deflate stream may repeat,
// since its back-references stay within itself.
var spaceChunk, spaceChunkDeflated = func() ([]byte, []byte) {
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	return chunk, deflateFlushed(chunk)
}()

func deflateFlushed(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(b)
	w.Flush()
	return buf.Bytes()
}

// zipOf writes the parts into a zip archive.
func zipOf(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		var err error
		switch {
		case p.stored:
			var w interface{ Write([]byte) (int, error) }
			if w, err = zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store}); err == nil {
				_, err = w.Write(p.data)
			}
		case p.fill == 0:
			var w interface{ Write([]byte) (int, error) }
			if w, err = zw.Create(p.name); err == nil {
				_, err = w.Write(p.data)
			}
		default:
			if p.fill%int64(len(spaceChunk)) != 0 {
				t.Fatalf("%s: fill must be whole MiB", p.name)
			}
			raw := deflateFlushed(p.data)
			crc := crc32.ChecksumIEEE(p.data)
			for range p.fill / int64(len(spaceChunk)) {
				raw = append(raw, spaceChunkDeflated...)
				crc = crc32.Update(crc, crc32.IEEETable, spaceChunk)
			}
			raw = append(raw, 3, 0) // the final, empty block
			var w interface{ Write([]byte) (int, error) }
			w, err = zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: crc,
				CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(len(p.data)) + uint64(p.fill)})
			if err == nil {
				_, err = w.Write(raw)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	sheetTail = `</sheetData></worksheet>`
)

// workbook is the smallest spreadsheet excelize reads, but for its sheets
// (sheet1.xml … sheetN.xml) and shared strings, which the caller adds.
func workbook(sheets int) []part {
	var types, list, rels strings.Builder
	for i := 1; i <= sheets; i++ {
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i)
		fmt.Fprintf(&list, `<sheet name="Sheet%d" sheetId="%d" r:id="rId%d"/>`, i, i, i)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i, i)
	}
	return []part{
		{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` +
			types.String() + `</Types>`)},
		{name: "_rels/.rels", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{name: "xl/workbook.xml", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` + list.String() + `</sheets></workbook>`)},
		{name: "xl/_rels/workbook.xml.rels", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			rels.String() + fmt.Sprintf(`<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`, sheets+1) +
			`</Relationships>`)},
	}
}

// register is a well-formed inmate register of n people, its text in the
// shared strings, big enough (for n in the tens of thousands) that excelize
// streams both the sheet and the shared strings from temporary files.
func register(n int) []part {
	var sheet, sst bytes.Buffer
	sheet.WriteString(sheetHead)
	fmt.Fprintf(&sst, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, 3*(n+1), 3*(n+1))
	for i := 0; i <= n; i++ {
		cells := []string{"no_registrasi", "nama", "tanggal_masuk"}
		if i > 0 {
			cells = []string{fmt.Sprintf("B.I %d/2024", i), fmt.Sprintf("Warga Binaan Nomor %d", i), "2024-01-31"}
		}
		fmt.Fprintf(&sheet, `<row r="%d">`, i+1)
		for j, c := range cells {
			fmt.Fprintf(&sheet, `<c r="%c%d" t="s"><v>%d</v></c>`, 'A'+j, i+1, 3*i+j)
			fmt.Fprintf(&sst, `<si><t>%s</t></si>`, c)
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(sheetTail)
	sst.WriteString(`</sst>`)
	return append(workbook(1), part{name: "xl/worksheets/sheet1.xml", data: sheet.Bytes()},
		part{name: "xl/sharedStrings.xml", data: sst.Bytes()})
}

// leftovers lists what the XLSX reads left in the temporary directory: any
// file, and any directory but BinaKerja's own.
func leftovers(t *testing.T, tmp string) []string {
	t.Helper()
	var left []string
	filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if rel, _ := filepath.Rel(tmp, p); rel != "." && rel != tempRootName() {
			left = append(left, rel)
		}
		return nil
	})
	return left
}

// privateTemp points the temporary directory at one of the test's own.
func privateTemp(t *testing.T) string {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	return tmp
}

func allocated() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

func TestXLSXBombsAreRefused(t *testing.T) {
	upload := maxXLSXFile
	defer func() { maxXLSXFile = upload }()
	big := make([]byte, 3<<20)
	rand.Read(big)
	manySheets := workbook(80)
	for i := 1; i <= 80; i++ {
		manySheets = append(manySheets, part{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i),
			data: append([]byte(sheetHead), bytes.Repeat([]byte(" "), 900<<10)...)})
	}
	var thousands []part
	for i := range 5000 {
		thousands = append(thousands, part{name: fmt.Sprintf("xl/media/image%d.png", i), data: []byte{byte(i)}})
	}
	var directory []part // tiny parts, whose listing alone is over 2 MiB
	for i := range 40000 {
		directory = append(directory, part{name: fmt.Sprintf("xl/media/image%d.png", i)})
	}
	for _, c := range []struct {
		name  string
		file  []byte
		key   string
		about string // the first argument, when the message names a part
		limit int64  // the file size limit, when not the upload limit
	}{
		{"a sheet unpacking to 1 GiB", zipOf(t, append(workbook(1),
			part{name: "xl/worksheets/sheet1.xml", data: []byte(sheetHead), fill: 1 << 30})...), "import.file.xlsx_unpacked", "", 0},
		{"styles unpacking to 64 MiB", zipOf(t, append(register(10),
			part{name: "xl/styles.xml", data: []byte(`<?xml version="1.0"?>`), fill: 64 << 20})...), "import.file.xlsx_part_size", "xl/styles.xml", 0},
		{"shared strings unpacking to 128 MiB", zipOf(t, append(workbook(1),
			part{name: "xl/sharedStrings.xml", data: []byte(`<?xml version="1.0"?>`), fill: 128 << 20})...), "import.file.xlsx_part_size", "xl/sharedStrings.xml", 0},
		{"a sheet compressed a thousandfold", zipOf(t, append(workbook(1),
			part{name: "xl/worksheets/sheet1.xml", data: []byte(sheetHead), fill: 100 << 20})...), "import.file.xlsx_ratio", "xl/worksheets/sheet1.xml", 0},
		{"80 small sheets, all held in memory", zipOf(t, manySheets...), "import.file.xlsx_held", "", 0},
		{"5,000 parts", zipOf(t, append(register(10), thousands...)...), "import.file.xlsx_entries", "", 0},
		{"a listing of 40,000 parts", zipOf(t, append(register(10), directory...)...), "import.file.xlsx_directory", "", 0},
		{"a foreign part", zipOf(t, append(register(10),
			part{name: "evil/payload.bin", data: []byte("MZ\x90\x00")})...), "import.file.xlsx_part", "evil/payload.bin", 0},
		{"a file over the limit", zipOf(t, append(register(10),
			part{name: "xl/media/image1.png", data: big, stored: true})...), "import.file.xlsx_too_large", "", 2 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := privateTemp(t)
			maxXLSXFile = upload
			if c.limit > 0 {
				maxXLSXFile = c.limit
			}
			before := allocated()
			recs, err := Open(bytes.NewReader(c.file), "")
			if err == nil {
				for {
					if _, _, ok := recs.Next(); !ok {
						break
					}
				}
				err = recs.Err()
				recs.Close()
			}
			grown := allocated() - before
			t.Logf("%d KiB file: %v; %d MiB allocated", len(c.file)>>10, err, grown>>20)
			fe, ok := err.(*FileError)
			if !ok || fe.Key != c.key {
				t.Errorf("want %s, got %v", c.key, err)
			} else if c.about != "" && (len(fe.Args) == 0 || fe.Args[0] != c.about) {
				t.Errorf("the message must name %s: %v", c.about, fe.Args)
			}
			if grown > 16<<20 {
				t.Errorf("reading the bomb allocated %d MiB", grown>>20)
			}
			if left := leftovers(t, tmp); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

func TestXLSXStreamsFromPrivateTempFilesAndRemovesThem(t *testing.T) {
	tmp := privateTemp(t)
	file := zipOf(t, register(40000)...)
	for _, read := range []int{-1, 1, 0} { // every row; the header only; none
		t.Run(strconv.Itoa(read), func(t *testing.T) {
			recs, err := Open(bytes.NewReader(file), "")
			if err != nil {
				t.Fatal(err)
			}
			// The sheet and the shared strings are each over the in-memory
			// limit: excelize streams them from files in a directory of ours.
			root := filepath.Join(tmp, tempRootName())
			if fi, err := os.Stat(root); err != nil || fi.Mode().Perm() != 0o700 {
				t.Fatalf("temporary directory: %v %v", fi, err)
			}
			if left := leftovers(t, tmp); len(left) < 2 {
				t.Fatalf("the sheet is not streamed from a temporary file: %v", left)
			}
			rows := 0
			for read < 0 || rows < read {
				rec, line, ok := recs.Next()
				if !ok {
					break
				}
				rows++
				if rows == 40001 && (line != 40001 || rec[1] != "Warga Binaan Nomor 40000") {
					t.Fatalf("last row: %d %q", line, rec)
				}
			}
			if err := recs.Err(); err != nil || (read < 0 && rows != 40001) {
				t.Fatalf("%d rows: %v", rows, err)
			}
			if err := recs.Close(); err != nil {
				t.Fatal(err)
			}
			if err := recs.Close(); err != nil {
				t.Fatalf("a second Close: %v", err)
			}
			if left := leftovers(t, tmp); len(left) > 0 {
				t.Fatalf("left behind: %v", left)
			}
		})
	}
}

func TestSweepTempKeepsOnlyLiveProcesses(t *testing.T) {
	tmp := privateTemp(t)
	root, err := tempRoot()
	if err != nil {
		t.Fatal(err)
	}
	mine := fmt.Sprintf("%d-%s-1", os.Getpid(), processStart)
	for _, name := range []string{
		mine,
		"1-x-1",                                  // init's: a live process, perhaps another BinaKerja
		"999999999-x-1",                          // a process long gone
		fmt.Sprintf("%d-earlier-1", os.Getpid()), // this pid, an earlier process
		"stray",
	} {
		if err := os.MkdirAll(filepath.Join(root, name), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name, "excelize-1"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := SweepTemp(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(root)
	var kept []string
	for _, e := range entries {
		kept = append(kept, e.Name())
	}
	if want := []string{"1-x-1", mine}; fmt.Sprint(kept) != fmt.Sprint(want) {
		t.Fatalf("kept %v, want %v (under %s)", kept, want, tmp)
	}
}

func TestTempRootMustBeThisUsersOwn(t *testing.T) {
	xlsx := zipOf(t, register(10)...)
	t.Run("a symlink", func(t *testing.T) {
		tmp := privateTemp(t)
		elsewhere := t.TempDir()
		if err := os.Symlink(elsewhere, filepath.Join(tmp, tempRootName())); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(bytes.NewReader(xlsx), ""); err == nil {
			t.Fatal("read through a symlinked temporary directory")
		}
		if entries, _ := os.ReadDir(elsewhere); len(entries) > 0 {
			t.Fatalf("wrote into the symlink's target: %v", entries)
		}
	})
	t.Run("open to others", func(t *testing.T) {
		tmp := privateTemp(t)
		root := filepath.Join(tmp, tempRootName())
		if err := os.Mkdir(root, 0o777); err != nil {
			t.Fatal(err)
		}
		os.Chmod(root, 0o777)
		recs, err := Open(bytes.NewReader(xlsx), "")
		if err != nil {
			t.Fatal(err)
		}
		recs.Close()
		if fi, _ := os.Stat(root); fi.Mode().Perm() != 0o700 {
			t.Fatalf("mode %v", fi.Mode())
		}
	})
	if os.Geteuid() != 0 || runtime.GOOS == "windows" {
		return
	}
	t.Run("someone else's", func(t *testing.T) {
		tmp := privateTemp(t)
		root := filepath.Join(tmp, tempRootName())
		if err := os.Mkdir(root, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(root, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(bytes.NewReader(xlsx), ""); err == nil {
			t.Fatal("read through another user's temporary directory")
		}
		if entries, _ := os.ReadDir(root); len(entries) > 0 {
			t.Fatalf("wrote into another user's directory: %v", entries)
		}
	})
}

func TestCSVRecordsClose(t *testing.T) {
	recs, err := Open(strings.NewReader("nama,no_registrasi\nBudi,B1\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := recs.Close(); err != nil {
		t.Fatal(err)
	}
}
