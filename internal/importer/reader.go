// Package importer reads inmate files as the national prison database (SDP)
// exports them or officers keep them in spreadsheets (contract §4): CSV with
// any of the usual delimiters and encodings, or XLSX, with Indonesian or
// English headers and the date and sentence formats found in practice. It
// turns each row into a validated Row or into errors naming the line and the
// column. It touches no database; internal/app matches and writes the rows.
package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// Records yields the records of a file, one at a time.
type Records interface {
	// Next returns the next record and the file line it starts on; ok is
	// false at the end or on an error (see Err).
	Next() (rec []string, line int, ok bool)
	Err() error
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
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, &FileError{Key: "import.file.binary"}
	}
	var src io.Reader = br
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
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
	f    *excelize.File
	rows *excelize.Rows
	line int
	err  error
}

func openXLSX(r io.Reader, sheet string) (Records, error) {
	f, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, &FileError{Key: "import.file.xlsx"}
	}
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	if idx, err := f.GetSheetIndex(sheet); err != nil || idx < 0 {
		f.Close()
		return nil, &FileError{Key: "import.file.sheet", Args: []any{sheet}}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, &FileError{Key: "import.file.xlsx"}
	}
	return &xlsxRecords{f: f, rows: rows}, nil
}

func (x *xlsxRecords) Next() ([]string, int, bool) {
	for x.rows.Next() {
		x.line++
		rec, err := x.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			x.err = &FileError{Key: "import.file.xlsx"}
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
	x.rows.Close()
	x.f.Close()
	return nil, 0, false
}

func (x *xlsxRecords) Err() error { return x.err }
