package app_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
)

func source(content string) app.ImportSource {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil }
}

const header = "no_registrasi;nama;nik;tanggal_lahir;jenis_kelamin;tanggal_masuk;lama_pidana;status\n"

var threeRows = header +
	"B.I-001/2025;Ahmad Fauzi;1608011203900001;12-03-1990;L;2025-01-10;2 tahun 6 bulan;NARAPIDANA\n" +
	"B.I-002/2025;Siti Nur'aini;1608014507950002;05-07-1995;P;2025-02-01;1 tahun;NARAPIDANA\n" +
	"A.II-003/2025;Joko Susilo;;;L;2025-03-15;;TAHANAN\n"

func (e *env) facility(t *testing.T, code string) {
	t.Helper()
	e.org(t, code, binakerja.OrgFacility, "")
}

func (e *env) importFile(t *testing.T, fac, content string, opts app.ImportOptions) (*app.ImportReport, error) {
	t.Helper()
	if opts.FileName == "" {
		opts.FileName = "test.csv"
	}
	return e.app.ImportInmates(t.Context(), e.cli, fac, source(content), opts)
}

func TestImportCreatesThenLeavesUnchangedThenReadmits(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.facility(t, "LP-A")
		rep, err := e.importFile(t, "LP-A", threeRows, app.ImportOptions{})
		if err != nil || rep.Created != 3 || rep.Rows != 3 || !rep.Written {
			t.Fatalf("first import: %+v %v", rep, err)
		}
		rep, err = e.importFile(t, "LP-A", threeRows, app.ImportOptions{})
		if err != nil || rep.Unchanged != 3 || rep.Created+rep.Updated+rep.Readmitted != 0 {
			t.Fatalf("the same file again: %+v %v", rep, err)
		}
		list, _, err := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{NIK: "1608 0112 0390 0001"})
		if err != nil || len(list) != 1 || list[0].Name != "Ahmad Fauzi" || list[0].NIKMasked != "1608**********01" {
			t.Fatalf("search by NIK: %+v %v", list, err)
		}
		ahmad := list[0]
		if ahmad.Episode.ExpectedRelease.String() != "2027-07-10" || ahmad.Episode.HalfDate.IsZero() || ahmad.Episode.MilestoneSource == "" {
			t.Fatalf("computed dates: %+v", ahmad.Episode)
		}
		// An update: a new status for Joko, found by his registration number.
		changed := strings.Replace(threeRows, ";2025-03-15;;TAHANAN", ";2025-03-15;8 bulan;NARAPIDANA", 1)
		rep, err = e.importFile(t, "LP-A", changed, app.ImportOptions{})
		if err != nil || rep.Updated != 1 || rep.Unchanged != 2 {
			t.Fatalf("update: %+v %v", rep, err)
		}
		joko, _, _ := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{Query: "A.II-003/2025"})
		d, err := e.app.Inmate(t.Context(), e.cli, joko[0].ID)
		if err != nil || d.Episode.Status != binakerja.StatusConvict || len(d.Episodes[0].History) != 2 {
			t.Fatalf("Joko after the update: %+v %v", d, err)
		}

		if _, err := e.app.Release(t.Context(), e.cli, ahmad.ID, binakerja.NewDate(2026, 2, 1), binakerja.ReleaseParole); err != nil {
			t.Fatal(err)
		}
		readmission := header + "B.I-077/2026;Ahmad Fauzi;1608011203900001;12-03-1990;L;2026-04-01;3 tahun;NARAPIDANA\n"
		rep, err = e.importFile(t, "LP-A", readmission, app.ImportOptions{})
		if err != nil || rep.Readmitted != 1 {
			t.Fatalf("re-admission: %+v %v", rep, err)
		}
		d, err = e.app.Inmate(t.Context(), e.cli, ahmad.ID)
		if err != nil || len(d.Episodes) != 2 || !d.Episodes[0].Open() || d.Episodes[1].ReleaseReason != binakerja.ReleaseParole {
			t.Fatalf("two episodes of one person: %+v %v", d.Episodes, err)
		}
		// The number of his first stay still finds him, shown in his latest.
		for _, regno := range []string{"B.I-001/2025", "B.I-077/2026"} {
			found, _, err := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{Query: regno})
			if err != nil || len(found) != 1 || found[0].ID != ahmad.ID || found[0].Episode.RegistrationNumber != "B.I-077/2026" {
				t.Fatalf("search %s: %+v %v", regno, found, err)
			}
		}
		if n, err := e.db.VerifyAudit(t.Context()); err != nil || n == 0 {
			t.Fatalf("audit: %d %v", n, err)
		}
	})
}

func fileHash(t *testing.T, e *env, path string) [32]byte {
	t.Helper()
	if err := e.db.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestImportWithAnErrorWritesNothingAndNamesLineAndField(t *testing.T) {
	path := t.TempDir() + "/t.db"
	e := newEnv(t, "sqlite:"+path)
	e.facility(t, "LP-A")
	before := fileHash(t, e, path)
	bad := threeRows + "B.I-004/2025;Rudi;160801120390000;;L;2025-01-10;;\n" + // 15-digit NIK, line 5
		"B.I-005/2025;Wawan;;;L;2099-01-01;;\n" // admission in the future, line 6
	rep, err := e.importFile(t, "LP-A", bad, app.ImportOptions{})
	if binakerja.ErrorKind(err) != binakerja.Invalid || rep.Rejected != 2 || rep.Written {
		t.Fatalf("report %+v, err %v", rep, err)
	}
	if len(rep.Problems) != 2 || rep.Problems[0].Line != 5 || rep.Problems[0].Field != "nik" ||
		rep.Problems[1].Line != 6 || rep.Problems[1].Field != "tanggal_masuk" {
		t.Fatalf("problems: %+v", rep.Problems)
	}
	// Nothing is written but the audit event that records the refused
	// import: the file differs from before by that event alone.
	if list, _, _ := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{}); len(list) != 0 || rep.ImportID != 0 {
		t.Fatalf("a refused import wrote %d people", len(list))
	}
	if as := auditActions(t, e); as[len(as)-1] != "inmate.import" || count(as, "inmate.import") != 1 {
		t.Fatalf("the refused import must be audited once: %v", as)
	}
	if after := fileHash(t, e, path); after == before {
		t.Fatal("the refused import left no audit event in the file")
	}
	rep, err = e.importFile(t, "LP-A", bad, app.ImportOptions{SkipErrors: true})
	if err != nil || rep.Created != 3 || rep.Rejected != 2 || !rep.Written {
		t.Fatalf("skip: %+v %v", rep, err)
	}
}

func TestImportRejectsDuplicatesAndConflicts(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.facility(t, "LP-A")
		e.facility(t, "LP-B")
		dups := header +
			"R1;A;1608011203900001;;L;2025-01-10;;\n" +
			"R2;B;1608011203900001;;L;2025-01-10;;\n" + // same NIK as line 2
			"R3;C;;;L;2025-01-10;;\n" +
			"R3;D;;;L;2025-01-10;;\n" + // same number as line 4
			"R5;E;;;L;2025-01-10;;\n"
		rep, err := e.importFile(t, "LP-A", dups, app.ImportOptions{SkipErrors: true})
		if err != nil || rep.Rejected != 4 || rep.Created != 1 {
			t.Fatalf("duplicates: %+v %v", rep, err)
		}
		var lines []int
		for _, p := range rep.Problems {
			lines = append(lines, p.Line)
		}
		if len(lines) != 4 || lines[0] != 2 || lines[1] != 3 || lines[2] != 4 || lines[3] != 5 {
			t.Fatalf("both rows of each pair must be rejected: %v", rep.Problems)
		}
		one := header + "Q1;Ahmad;1608011203900009;;L;2025-01-10;;\n"
		if _, err := e.importFile(t, "LP-A", one, app.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		rep, err = e.importFile(t, "LP-B", one, app.ImportOptions{})
		if binakerja.ErrorKind(err) != binakerja.Invalid || rep.Problems[0].Key != "import.nik.elsewhere" {
			t.Fatalf("in custody elsewhere: %+v %v", rep, err)
		}
		taken := header + "R5;Somebody Else;;;P;2025-02-10;;\n"
		if rep, _ := e.importFile(t, "LP-A", taken, app.ImportOptions{DryRun: true}); rep.Updated != 1 {
			t.Fatalf("a row without NIK matching a number updates that person: %+v", rep)
		}
	})
}

// A duplicate far below its first row, after that row went to the writer:
// both rows are left out all the same, and the report and the counts are
// those of a file read with both known from the start.
func TestADuplicateFoundAfterItsFirstRowWasWrittenLeavesBothOut(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.facility(t, "LP-A")
		var file strings.Builder
		file.WriteString(header)
		const rows = 2500 // more than two batches
		for i := range rows {
			nik := fmt.Sprintf("16080112039%05d", i)
			if i == 0 {
				nik = "1608011203909999" // a NIK's serial starts at 0001
			}
			if i == rows-1 {
				nik = "1608011203900003" // line 5's NIK
			}
			fmt.Fprintf(&file, "R%d;Warga %d;%s;;L;2025-01-10;;\n", i, i, nik)
		}
		var progress []float64
		rep, err := e.importFile(t, "LP-A", file.String(), app.ImportOptions{SkipErrors: true,
			Size: int64(file.Len()), Progress: func(_ int, read float64) { progress = append(progress, read) }})
		if err != nil || !rep.Written || rep.Created != rows-2 || rep.Rejected != 2 {
			t.Fatalf("%+v %v", rep, err)
		}
		if len(rep.Problems) != 2 || rep.Problems[0].Line != 5 || rep.Problems[1].Line != rows+1 ||
			rep.Problems[0].Key != "import.duplicate.nik" {
			t.Fatalf("problems %+v", rep.Problems)
		}
		for _, nik := range []string{"1608011203900003", fmt.Sprintf("16080112039%05d", rows-2)} {
			list, _, err := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{NIK: nik})
			want := 1
			if nik == "1608011203900003" {
				want = 0
			}
			if err != nil || len(list) != want {
				t.Errorf("NIK %s: %d people (%v), want %d", nik, len(list), err, want)
			}
		}
		if len(progress) < 3 || progress[len(progress)-1] != 1 || progress[0] <= 0 || progress[0] >= 1 {
			t.Errorf("progress by the share of the file read: %v", progress)
		}

		// The same duplicate in a file that must be whole writes nothing.
		e.facility(t, "LP-B")
		rep, err = e.importFile(t, "LP-B", strings.ReplaceAll(file.String(), ";L;", ";P;"), app.ImportOptions{})
		if binakerja.ErrorKind(err) != binakerja.Invalid || rep.Written || rep.Rejected < 2 {
			t.Fatalf("abort: %+v %v", rep, err)
		}
	})
}

func TestDryRunReportsAndWritesNothing(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	e.facility(t, "LP-A")
	rep, err := e.importFile(t, "LP-A", threeRows+"\n\n", app.ImportOptions{DryRun: true})
	if err != nil || rep.Created != 3 || rep.Written || !rep.DryRun {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	if list, _, _ := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{}); len(list) != 0 {
		t.Fatalf("a dry run wrote %d people", len(list))
	}
}

func TestBadFilesAreReportedNotCrashed(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	e.facility(t, "LP-A")
	for name, content := range map[string]string{
		"binary":          "\x7fELF\x00\x00\x01",
		"empty":           "",
		"missing columns": "nama;nik\nBudi;1\n",
		"header only":     header,
		"broken quotes":   header + "\"R1;A\n",
	} {
		rep, err := e.importFile(t, "LP-A", content, app.ImportOptions{})
		if name == "header only" {
			if err != nil || rep.Rows != 0 {
				t.Errorf("%s: %+v %v", name, rep, err)
			}
			continue
		}
		if binakerja.ErrorKind(err) != binakerja.Invalid || len(rep.Problems) == 0 {
			t.Errorf("%s: %+v %v", name, rep, err)
		}
	}
	if _, err := e.importFile(t, "NOPE", threeRows, app.ImportOptions{}); binakerja.ErrorKind(err) != binakerja.Invalid {
		t.Errorf("unknown facility: %v", err)
	}
}

func TestNoNIKInTheDatabaseFileOrItsBackup(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, "sqlite:"+dir+"/t.db")
	e.facility(t, "LP-A")
	if _, err := e.importFile(t, "LP-A", threeRows, app.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Backup(t.Context(), dir+"/backup.db"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{dir + "/t.db", dir + "/backup.db"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte("Ahmad Fauzi")) {
			t.Fatalf("%s: the test would prove nothing: the names are not in the file", f)
		}
		for _, nik := range []string{"1608011203900001", "1608014507950002"} {
			if bytes.Contains(b, []byte(nik)) {
				t.Fatalf("%s holds the NIK %s in clear", f, nik)
			}
		}
	}
}

func TestReleaseTransferRevealAndExport(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.facility(t, "LP-A")
		e.facility(t, "LP-B")
		if _, err := e.importFile(t, "LP-A", threeRows, app.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		list, _, _ := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{Query: "siti"})
		if len(list) != 1 {
			t.Fatalf("search by name: %v", list)
		}
		siti := list[0]
		if _, err := e.app.Transfer(t.Context(), e.cli, siti.ID, "LP-B", binakerja.NewDate(2025, 6, 1), "B.I-900/2025"); err != nil {
			t.Fatal(err)
		}
		d, _ := e.app.Inmate(t.Context(), e.cli, siti.ID)
		if d.Episode.Facility != "LP-B" || !d.Episode.Open() || len(d.Episodes) != 1 || len(d.Episodes[0].Transfers) != 1 {
			t.Fatalf("after the transfer: %+v", d)
		}
		if _, err := e.app.Release(t.Context(), e.cli, siti.ID, binakerja.NewDate(2025, 5, 1), binakerja.ReleaseEndOfSentence); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Release(t.Context(), e.cli, siti.ID, binakerja.NewDate(2025, 5, 2), binakerja.ReleaseEndOfSentence); binakerja.ErrorKind(err) != binakerja.Conflict {
			t.Fatalf("a second release: %v", err)
		}
		if _, err := e.app.Release(t.Context(), e.cli, list[0].ID, binakerja.Date{}, "MUTASI"); err == nil {
			t.Fatal("a transfer code is not a release reason")
		}
		full, err := e.app.RevealNIK(t.Context(), e.cli, siti.ID, "verifikasi data BNSP")
		if err != nil || full != "1608014507950002" {
			t.Fatalf("reveal: %q %v", full, err)
		}
		s, err := e.app.ExportSubject(t.Context(), e.cli, siti.ID)
		if err != nil || s.NIK != "1608014507950002" || len(s.Trail) < 3 {
			t.Fatalf("export: %+v %v", s, err)
		}
		evs, _, _ := e.db.AuditEvents(t.Context(), store.AuditFilter{Action: "nik.view"})
		if len(evs) != 1 || !strings.Contains(evs[0].Summary, "verifikasi data BNSP") {
			t.Fatalf("the reveal must be audited with its reason: %+v", evs)
		}
	})
}

// TestALargeBadFileGetsABoundedReport feeds an import 20,000 rows that are
// all wrong: the report counts every one, lists the first 1,000 by line, and
// nothing is written.
func TestALargeBadFileGetsABoundedReport(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	e.facility(t, "LP-A")
	var b strings.Builder
	b.WriteString(header)
	for i := range 20000 {
		fmt.Fprintf(&b, "R%d;Nama %d;12345;31-02-1990;X;kemarin;selamanya;BEBAS\n", i, i)
	}
	rep, err := e.importFile(t, "LP-A", b.String(), app.ImportOptions{})
	if binakerja.ErrorKind(err) != binakerja.Invalid || rep.Rejected != 20000 || rep.Rows != 20000 {
		t.Fatalf("report: rows %d rejected %d, %v", rep.Rows, rep.Rejected, err)
	}
	if len(rep.Problems) != app.MaxReportedProblems || rep.MoreProblems != 20000*6-app.MaxReportedProblems {
		t.Fatalf("listed %d, more %d", len(rep.Problems), rep.MoreProblems)
	}
	if list, _, _ := e.app.Inmates(t.Context(), e.cli, app.InmateQuery{}); len(list) != 0 {
		t.Fatal("a refused import wrote rows")
	}
}
