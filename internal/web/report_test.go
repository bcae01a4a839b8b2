package web

import (
	"bytes"
	"strings"
	"testing"
)

// A cell that a spreadsheet would read as a formula is written as text.
func TestTheCSVReportIsSafeAgainstFormulas(t *testing.T) {
	var buf bytes.Buffer
	err := writeReportCSV(&buf, []reportSection{{Title: "=1+1", Head: []string{"@SUM(A1)"},
		Rows: [][]any{{"=HYPERLINK(\"http://x\")", 12, 0.5}, {"-2+3", "+1", "\tx"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		for _, cell := range strings.Split(line, ",") {
			cell = strings.Trim(cell, `"`)
			if cell != "" && strings.ContainsRune("=+-@\t", rune(cell[0])) {
				t.Fatalf("a cell read as a formula: %q in %q", cell, line)
			}
		}
	}
	if !strings.Contains(buf.String(), "'=HYPERLINK") || !strings.Contains(buf.String(), ",12,0.5000") {
		t.Fatalf("the report: %s", buf.String())
	}
}
