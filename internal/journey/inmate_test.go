package journey

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"binakerja"
	"binakerja/internal/demo"
	"binakerja/internal/servertest"
)

// TestOfficerImportsChecksConfirmsFindsAndReleases is the facility officer's
// register journey: upload an SDP export, read the check, fix the file,
// confirm, find a person by name, read their page, record a release.
func TestOfficerImportsChecksConfirmsFindsAndReleases(t *testing.T) {
	b := newBrowser(t)
	dir := t.TempDir()
	good := "No. Registrasi;Nama;NIK;Tanggal Lahir;Jenis Kelamin;Tanggal Masuk;Lama Pidana;Status;Keterangan\n" +
		"B.I-201/2025;Hendra Gunawan;1671012208870004;22-08-1987;L;03-03-2025;2 tahun;NARAPIDANA;-\n" +
		"B.I-202/2025;Wulandari Kusuma;1671016104920005;21-04-1992;P;15 April 2025;1 tahun 6 bulan;NARAPIDANA;-\n"
	bad := good + "B.I-203/2025;Toni;16080122;;L;2025-05-01;;;-\n"
	file := filepath.Join(dir, "sdp-martapura.csv")
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}

	b.signIn(servertest.Email(binakerja.RoleFacilityOfficer), demo.Password)
	b.run("open the register", click(`nav a[href="/inmates"]`), waitFor("tbody"))
	b.run("go to the import", click(`a.button[href="/inmates/import"]`), waitFor("#f-file"))
	b.run("upload a file with a bad row", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file}),
		click(`main form button[type="submit"]`), waitFor(`[data-testid="import-errors"]`))
	if errs := b.text(`[data-testid="import-errors"]`); !strings.Contains(errs, "4") || !strings.Contains(errs, "NIK harus tepat 16 angka") {
		t.Fatalf("the check should name line 4 and the NIK: %q", errs)
	}
	if b.text(".error-summary h2") == "" {
		t.Fatal("a refused check must say so at the top")
	}
	if unknown := b.text("main"); !strings.Contains(unknown, "Keterangan") {
		t.Error("the report should list the unknown column")
	}
	b.screenshot("import-refused")

	if err := os.WriteFile(file, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	b.run("upload the corrected file", click(`a[href="/inmates/import"]`), waitFor("#f-file"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file}),
		click(`main form button[type="submit"]`), waitFor(`[data-testid="confirm-import"]`))
	if n := b.text(`[data-testid="created"]`); n != "2" {
		t.Fatalf("the check should find 2 new people, got %q", n)
	}
	if b.text(".panel") == "" {
		t.Fatal("the check should say nothing is saved yet")
	}
	b.run("confirm", click(`[data-testid="confirm-import"]`), waitFor(".flash"))
	if f := b.text(".flash"); f != "Impor sudah disimpan." {
		t.Fatalf("after confirming: %q", f)
	}

	b.run("search by name", chromedp.Navigate(b.env.URL+"/inmates"), waitFor("#f-q"), typeInto("#f-q", "wulandari"),
		click(`form.filters button[type="submit"]`), chromedp.WaitReady(chromedp.CSS(`#f-q[value="wulandari"]`)), waitFor("tbody"))
	rows := b.text("tbody")
	if !strings.Contains(rows, "Wulandari Kusuma") || strings.Contains(rows, "Hendra") || !strings.Contains(rows, "1671**********05") {
		t.Fatalf("search 'wulandari': %q", rows)
	}
	if strings.Contains(rows, "1671016104920005") {
		t.Fatal("the list shows a full NIK")
	}
	b.run("open the person", click(`tbody a`), waitFor("#timeline-title"))
	if h := b.text("h1"); h != "Wulandari Kusuma" {
		t.Fatalf("person page: %q", h)
	}
	b.screenshot("person")
	b.run("record the release", chromedp.SetValue(chromedp.CSS("#f-release_date"), "2026-10-01"),
		chromedp.SetValue(chromedp.CSS("#f-release_reason"), "PB"),
		click(`form[action$="/release"] button`), waitFor(".flash"))
	if f := b.text(".flash"); f != "Pembebasan sudah dicatat." {
		t.Fatalf("after the release: %q", f)
	}
	if s := b.text("dl.summary dd strong"); s != "Klien Bapas" {
		t.Fatalf("status after parole: %q", s)
	}
	if tl := b.text(".timeline"); !strings.Contains(tl, "Pembebasan bersyarat (PB)") {
		t.Fatalf("the timeline should show the release: %q", tl)
	}
}
