// Package importer reads inmate files as the national prison database (SDP)
// exports them or officers keep them in spreadsheets (contract §4): CSV with
// any of the usual delimiters and encodings, or XLSX, with Indonesian or
// English headers and the date and sentence formats found in practice. It
// turns each row into a validated Row or into errors naming the line and the
// column. It touches no database; internal/app matches and writes the rows.
package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Records yields the records of a file, one at a time. Whoever opens them
// closes them, on every path: an XLSX file's records hold temporary files.
type Records interface {
	// Next returns the next record and the file line it starts on; ok is
	// false at the end or on an error (see Err).
	Next() (rec []string, line int, ok bool)
	Err() error
	// Close releases what the records hold (for XLSX, the workbook and its
	// temporary files). It may be called more than once, and before the
	// last record.
	Close() error
}

// FileError is a file that cannot be read as a table at all.
type FileError struct {
	Key  string // message key
	Args []any
}

func (e *FileError) Error() string { return fmt.Sprintf("importer: %s %v", e.Key, e.Args) }

// xlsxMagic starts every XLSX file (a zip archive).
var xlsxMagic = []byte("PK\x03\x04")

// Open returns the records of a CSV or XLSX file. The format is told from
// the content, not the name: a binary file named .csv is refused. sheet
// names the XLSX sheet to read (the first when empty).
func Open(r io.Reader, sheet string) (Records, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if bytes.HasPrefix(head, xlsxMagic) {
		return openXLSX(br, sheet)
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, &FileError{Key: "import.file.empty"}
	}
	// A byte order mark says UTF-16, as spreadsheets save "Unicode text":
	// the text decoded to UTF-8 is read as any other (its NULs are gone).
	if bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")) {
		order := unicode.LittleEndian
		if head[0] == 0xfe {
			order = unicode.BigEndian
		}
		return Open(unicode.UTF16(order, unicode.ExpectBOM).NewDecoder().Reader(br), sheet)
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, &FileError{Key: "import.file.binary"}
	}
	var src io.Reader = br
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		if _, err := br.Discard(3); err != nil {
			return nil, err
		}
		head = head[3:]
	}
	// A sample that is not valid UTF-8 means the file is in Windows-1252, as
	// older spreadsheet exports are. (The sample may end inside a character.)
	sample := head
	for i := 0; i < 3 && len(sample) > 0 && !utf8.Valid(sample); i++ {
		sample = sample[:len(sample)-1]
	}
	latin := !utf8.Valid(sample)
	if latin {
		src = charmap.Windows1252.NewDecoder().Reader(br)
	}
	cr := csv.NewReader(src)
	cr.Comma = sniffDelimiter(head)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvRecords{r: cr, latin: latin}, nil
}

// sniffDelimiter picks , ; or tab: whichever occurs most in the first line
// outside quotes.
func sniffDelimiter(head []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(head) {
		if r == '"' {
			quoted = !quoted
		}
		if r == '\n' && !quoted {
			break
		}
		if !quoted && (r == ',' || r == ';' || r == '\t') {
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

type csvRecords struct {
	r     *csv.Reader
	latin bool
	err   error
}

func (c *csvRecords) Next() ([]string, int, bool) {
	for {
		rec, err := c.r.Read()
		if errors.Is(err, io.EOF) {
			return nil, 0, false
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				c.err = &FileError{Key: "import.file.csv", Args: []any{pe.StartLine, pe.Err.Error()}}
			} else {
				c.err = err
			}
			return nil, 0, false
		}
		line, _ := c.r.FieldPos(0)
		if blank(rec) {
			continue
		}
		for i, f := range rec {
			if !utf8.ValidString(f) {
				// A stray Windows-1252 character in a UTF-8 file.
				rec[i], _ = charmap.Windows1252.NewDecoder().String(f)
			}
		}
		return rec, line, true
	}
}

func (c *csvRecords) Err() error { return c.err }

// Close does nothing: the CSV records read straight from their reader.
func (c *csvRecords) Close() error { return nil }

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// IsXLSX reports whether the records come from an XLSX file, which is read
// whole before its first record.
func IsXLSX(r Records) bool {
	_, ok := r.(*xlsxRecords)
	return ok
}

type xlsxRecords struct {
	dir  string // the temporary directory of this read (see tempDir)
	f    *excelize.File
	rows *excelize.Rows
	line int
	err  error
}

// The limits of an XLSX file. On opening an archive, excelize unpacks every
// part of it, into memory or, for a worksheet or the shared strings over
// xlsxInMemory, into a temporary file; so openXLSX checks the archive's
// directory against these limits before excelize unpacks a byte. The sizes
// checked are the ones each entry declares, and they are real upper bounds:
// Go's archive/zip refuses to read past an entry's declared uncompressed
// size (and fails on an entry that ends short of it), so a part that lies
// about its size fails to read instead of inflating further.
const (
	// xlsxMaxDirectory bounds the bytes archive/zip reads to list the
	// entries (their directory, and the search for its end): it keeps every
	// entry it lists in memory, some 200 bytes each, however many there are.
	// 500 entries take some 60 KB.
	xlsxMaxDirectory = 2 << 20
	// xlsxMaxEntries: a workbook has a dozen parts, and two or three more
	// for each sheet (its relations, drawings, comments, printer settings).
	xlsxMaxEntries = 500
	// xlsxMaxUnpacked bounds all the parts together, unpacked. An SDP export
	// of 50,000 people unpacks to 22 MB (16 of sheet, 5 of shared strings),
	// so 256 MiB is some 600,000 rows, more than any register holds (Excel
	// stops at 1,048,576); and it is the upload limit, which an archive
	// can hardly exceed unpacked.
	xlsxMaxUnpacked = 256 << 20
	// xlsxInMemory is excelize's UnzipXMLSizeLimit: a worksheet or the
	// shared strings over it are streamed from a temporary file, not held
	// in memory (excelize's own default is 16 MiB).
	xlsxInMemory = 1 << 20
	// xlsxMaxPart bounds each part but the worksheets and the shared
	// strings: the workbook, its relations, the styles, the theme, pictures.
	// excelize holds them in memory and decodes some whole; they are a few
	// kilobytes in the files officers keep, a megabyte or two when bloated.
	xlsxMaxPart = 4 << 20
	// xlsxMaxSharedStrings bounds the shared strings, the text of the
	// cells: excelize keeps an index of 50 to 90 bytes per string in memory
	// when it streams them, so 64 MiB of the shortest strings (<si><t>1</t></si>)
	// cost some 330 MiB (and half a minute of reading). The text of 250,000
	// people, more than a prison region holds, takes some 60 MB.
	xlsxMaxSharedStrings = 64 << 20
	// xlsxMaxHeld bounds all that excelize holds in memory together: every
	// part but the worksheets and the shared strings it streams.
	xlsxMaxHeld = 64 << 20
	// xlsxMaxRatio bounds how well a part of over xlsxRatioFloor may
	// compress: spreadsheet XML deflates 5 to 10 times, a decompression
	// bomb a thousand times. (A small part may compress better, and matters
	// little.)
	xlsxMaxRatio   = 100
	xlsxRatioFloor = 1 << 20
)

// maxXLSXFile is the largest XLSX file read: the upload limit of the page
// and the API (api.MaxImport), which a command-line import meets here. A
// variable, for the tests.
var maxXLSXFile int64 = 256 << 20

// openXLSX copies the file into a temporary directory of its own, checks the
// archive against the limits above and opens it with excelize, which puts its
// temporary files into that directory too. Close removes the directory.
func openXLSX(r io.Reader, sheet string) (Records, error) {
	dir, err := tempDir()
	if err != nil {
		return nil, err
	}
	x := &xlsxRecords{dir: dir}
	if err := x.open(r, sheet); err != nil {
		_ = x.Close() // the open's error is the one to tell; SweepTemp removes what a failed removal leaves
		return nil, err
	}
	return x, nil
}

func (x *xlsxRecords) open(r io.Reader, sheet string) error {
	path := filepath.Join(x.dir, "file.xlsx")
	size, err := spool(path, r)
	if err != nil {
		return err
	}
	if err := checkXLSX(path, size); err != nil {
		return err
	}
	// From a file, excelize reads the archive by random access, and only
	// the parts into memory, never the whole archive.
	x.f, err = excelize.OpenFile(path, excelize.Options{RawCellValue: true,
		UnzipSizeLimit: xlsxMaxUnpacked, UnzipXMLSizeLimit: xlsxInMemory, TmpDir: x.dir})
	if err != nil {
		return &FileError{Key: "import.file.xlsx"}
	}
	os.Remove(path) // every part is in memory or in a temporary file now
	if sheet == "" {
		sheet = x.f.GetSheetName(0)
	}
	if idx, err := x.f.GetSheetIndex(sheet); err != nil || idx < 0 {
		return &FileError{Key: "import.file.sheet", Args: []any{sheet}}
	}
	if x.rows, err = x.f.Rows(sheet); err != nil {
		return &FileError{Key: "import.file.xlsx"}
	}
	return nil
}

// spool copies the file to path, up to maxXLSXFile.
func spool(path string, r io.Reader) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- file.xlsx in a directory of this read's own (openXLSX)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, io.LimitReader(r, maxXLSXFile+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	if n > maxXLSXFile {
		return 0, &FileError{Key: "import.file.xlsx_too_large", Args: []any{maxXLSXFile >> 20}}
	}
	return n, nil
}

// checkXLSX refuses an archive that breaks one of the limits, naming it.
func checkXLSX(path string, size int64) error {
	f, err := os.Open(path) // #nosec G304 -- the copy spool made
	if err != nil {
		return err
	}
	defer f.Close()
	dir := &readBudget{r: f, n: xlsxMaxDirectory}
	zr, err := zip.NewReader(dir, size)
	if dir.n < 0 {
		return &FileError{Key: "import.file.xlsx_directory", Args: []any{xlsxMaxDirectory >> 10}}
	}
	if err != nil {
		return &FileError{Key: "import.file.xlsx"}
	}
	if n := len(zr.File); n > xlsxMaxEntries {
		return &FileError{Key: "import.file.xlsx_entries", Args: []any{n, xlsxMaxEntries}}
	}
	var total uint64
	for _, e := range zr.File {
		if !spreadsheetPart(e.Name) {
			return &FileError{Key: "import.file.xlsx_part", Args: []any{e.Name}}
		}
		if e.UncompressedSize64 > xlsxMaxUnpacked { // and the sum cannot overflow
			return &FileError{Key: "import.file.xlsx_unpacked", Args: []any{mib(e.UncompressedSize64), xlsxMaxUnpacked >> 20}}
		}
		total += e.UncompressedSize64
	}
	if total > xlsxMaxUnpacked {
		return &FileError{Key: "import.file.xlsx_unpacked", Args: []any{mib(total), xlsxMaxUnpacked >> 20}}
	}
	var held uint64
	for _, e := range zr.File {
		size, streamable := e.UncompressedSize64, streamedPart(e.Name)
		if limit := partLimit(e.Name); size > limit {
			return &FileError{Key: "import.file.xlsx_part_size", Args: []any{e.Name, mib(size), limit >> 20}}
		}
		if !streamable || size <= xlsxInMemory {
			held += size
		}
		if size > xlsxRatioFloor && size > xlsxMaxRatio*e.CompressedSize64 {
			return &FileError{Key: "import.file.xlsx_ratio", Args: []any{e.Name, size / max(1, e.CompressedSize64), xlsxMaxRatio}}
		}
	}
	if held > xlsxMaxHeld {
		return &FileError{Key: "import.file.xlsx_held", Args: []any{mib(held), xlsxMaxHeld >> 20}}
	}
	return nil
}

// spreadsheetPart reports whether name is a part a spreadsheet has: the
// content types, or a part under _rels/, docProps/, xl/ or customXml/, with
// no step up (..). Part names are case-insensitive; excelize reads \ as /.
func spreadsheetPart(name string) bool {
	name = strings.ToLower(strings.ReplaceAll(name, "\\", "/"))
	if name == "[content_types].xml" {
		return true
	}
	if slices.Contains(strings.Split(name, "/"), "..") {
		return false
	}
	for _, dir := range []string{"_rels/", "docprops/", "xl/", "customxml/"} {
		if strings.HasPrefix(name, dir) {
			return true
		}
	}
	return false
}

// streamedPart reports whether excelize streams the part from a temporary
// file when it is over xlsxInMemory: a worksheet, or the shared strings
// (excelize's own tests, in lib.go ReadZipReader).
func streamedPart(name string) bool {
	name = strings.ToLower(strings.ReplaceAll(name, "\\", "/"))
	return strings.HasPrefix(name, "xl/worksheets/sheet") || name == "xl/sharedstrings.xml"
}

// partLimit is the most a part may unpack to, besides the limit on them all.
func partLimit(name string) uint64 {
	switch {
	case strings.EqualFold(strings.ReplaceAll(name, "\\", "/"), "xl/sharedStrings.xml"):
		return xlsxMaxSharedStrings
	case streamedPart(name):
		return xlsxMaxUnpacked
	}
	return xlsxMaxPart
}

// mib is n bytes in MiB, rounded up, for the messages (which say MB).
func mib(n uint64) uint64 { return (n + 1<<20 - 1) >> 20 }

// readBudget reads from r until n bytes have been read, then fails.
type readBudget struct {
	r io.ReaderAt
	n int64
}

func (b *readBudget) ReadAt(p []byte, off int64) (int, error) {
	if b.n -= int64(len(p)); b.n < 0 {
		return 0, errors.New("importer: the zip directory is over its limit")
	}
	return b.r.ReadAt(p, off)
}

func (x *xlsxRecords) Next() ([]string, int, bool) {
	if x.rows == nil {
		return nil, 0, false // closed
	}
	for x.rows.Next() {
		x.line++
		rec, err := x.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			x.err = &FileError{Key: "import.file.xlsx"}
			x.close()
			return nil, 0, false
		}
		if blank(rec) {
			continue
		}
		return rec, x.line, true
	}
	if err := x.rows.Error(); err != nil && x.err == nil {
		x.err = &FileError{Key: "import.file.xlsx"}
	}
	x.close() // the temporary files go as soon as the last row is read
	return nil, 0, false
}

// close closes x, and keeps its error as the read's unless there is one
// already: temporary files left behind are a failure, not a detail.
func (x *xlsxRecords) close() {
	if err := x.Close(); err != nil && x.err == nil {
		x.err = err
	}
}

func (x *xlsxRecords) Err() error { return x.err }

// Close closes the sheet and the workbook and removes the read's temporary
// directory, with excelize's temporary files in it: also those an open that
// failed midway left, which excelize forgets.
func (x *xlsxRecords) Close() error {
	var errs []error
	if x.rows != nil {
		errs = append(errs, x.rows.Close())
		x.rows = nil
	}
	if x.f != nil {
		errs = append(errs, x.f.Close())
		x.f = nil
	}
	if x.dir != "" {
		errs = append(errs, os.RemoveAll(x.dir))
		x.dir = ""
	}
	return errors.Join(errs...)
}
