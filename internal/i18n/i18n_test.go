package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	id, en := Keys("id"), Keys("en")
	slices.Sort(id)
	slices.Sort(en)
	for _, k := range id {
		if !Has("en", k) {
			t.Errorf("key %q is missing in English", k)
		}
	}
	for _, k := range en {
		if !Has("id", k) {
			t.Errorf("key %q is missing in Indonesian", k)
		}
	}
	if len(id) < 100 {
		t.Fatalf("only %d keys: catalogue not loaded?", len(id))
	}
}

// keyUses finds message keys written in the code and the templates: the
// arguments of Errorf, FieldInvalid, Problems.Add, T, flash, newPage and the
// label keys of form fields.
var keyUses = []*regexp.Regexp{
	regexp.MustCompile(`Errorf\([^,]+,\s*"([a-z_.]+)"`),
	regexp.MustCompile(`FieldInvalid\("[^"]*",\s*"([a-z_.]+)"`),
	regexp.MustCompile(`\.Add\("[^"]*",\s*"([a-z_.]+)"`),
	regexp.MustCompile(`\bT "([a-z_.]+)"`),
	regexp.MustCompile(`\.T\("([a-z_.]+)"`),
	regexp.MustCompile(`flash\(w, "([a-z_.]+)"\)`),
	regexp.MustCompile(`newPage\(w, r, "([a-z_.]+)"`),
	regexp.MustCompile(`\.Field "[a-z_]+" "([a-z_.]+)"`),
	regexp.MustCompile(`"form\.(choose|none)"`),
	regexp.MustCompile(`Key: "([a-z_.]+)"`),
}

func TestEveryKeyUsedIsInBothCatalogues(t *testing.T) {
	root := filepath.Join("..", "..")
	found := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, ".html") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, re := range keyUses {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				key := m[1]
				if key == "choose" || key == "none" {
					key = "form." + key
				}
				if strings.HasSuffix(key, ".") || !strings.Contains(key, ".") {
					continue // a prefix completed at run time; see the web tests
				}
				found++
				for _, lang := range Languages {
					if !Has(lang, key) {
						t.Errorf("%s uses key %q, missing in %s", p, key, lang)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 150 {
		t.Fatalf("found only %d key uses: the scan is broken", found)
	}
}

func TestFormats(t *testing.T) {
	d := time.Date(2026, 1, 2, 20, 30, 0, 0, time.UTC)
	id, en := New("id"), New("en")
	if id.Date(d) != "2 Januari 2026" || en.Date(d) != "2 January 2026" {
		t.Fatalf("dates: %q %q", id.Date(d), en.Date(d))
	}
	if id.DateTime(d) != "3 Januari 2026 03.30 WIB" {
		t.Fatalf("date-time in WIB: %q", id.DateTime(d))
	}
	if id.Number(1234567) != "1.234.567" || en.Number(-1234) != "-1,234" || en.Number(12) != "12" {
		t.Fatalf("numbers: %q %q", id.Number(1234567), en.Number(-1234))
	}
	for in, want := range map[string]string{"": "id", "en-US,en;q=0.9": "en", "id-ID": "id", "fr": "id", "fr, en;q=0.5": "en", "garbage;;": "id"} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
	if New("xx").Lang != "id" || New("en").T("no.such.key") != "no.such.key" {
		t.Fatal("fallbacks")
	}
}
