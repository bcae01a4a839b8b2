package importer

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const spoolNIK = "1608015506900417"

// holding lists the files under dir whose bytes hold needle, and all files.
func holding(t *testing.T, dir, needle string) (all, with []string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		all = append(all, p)
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(needle)) {
			with = append(with, p)
		}
		return nil
	})
	return all, with
}

func readAll(t *testing.T, s *Spooled) []byte {
	t.Helper()
	f, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSpoolKeepsTheFileEncryptedAndGivesItBack(t *testing.T) {
	tmp := privateTemp(t)
	for _, n := range []int{0, 1, spoolChunk - 1, spoolChunk, spoolChunk + 1, 3*spoolChunk + 17} {
		line := []byte("B.I-1;Siti;" + spoolNIK + ";2025-01-10\n")
		content := bytes.Repeat(line, n/len(line)+1)[:n]
		s, err := Spool(bytes.NewReader(content), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if s.Size() != int64(n) {
			t.Fatalf("size %d, want %d", s.Size(), n)
		}
		if _, with := holding(t, tmp, spoolNIK); len(with) > 0 {
			t.Fatalf("%d bytes: the NIK is on disk in the clear: %v", n, with)
		}
		for pass := range 2 { // an import may read it twice
			if got := readAll(t, s); !bytes.Equal(got, content) {
				t.Fatalf("%d bytes, pass %d: read back %d bytes", n, pass, len(got))
			}
		}
		if err := s.Remove(); err != nil {
			t.Fatal(err)
		}
		if all, _ := holding(t, tmp, ""); len(all) > 0 {
			t.Fatalf("left after Remove: %v", all)
		}
		if _, err := s.Open(); err == nil {
			t.Fatal("opened after Remove")
		}
	}
	if _, err := Spool(strings.NewReader(strings.Repeat(spoolNIK, 100)), 1000); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if all, _ := holding(t, tmp, ""); len(all) > 0 {
		t.Fatalf("left after a refusal: %v", all)
	}
}

func TestSpoolRefusesAFileChangedOnDisk(t *testing.T) {
	privateTemp(t)
	content := make([]byte, 2*spoolChunk+100)
	rand.Read(content)
	for name, change := range map[string]func([]byte) []byte{
		"a byte flipped":  func(b []byte) []byte { b[10] ^= 1; return b },
		"the end cut off": func(b []byte) []byte { return b[:2*(spoolChunk+16)] },
		"a chunk dropped": func(b []byte) []byte { return append(b[:spoolChunk+16:spoolChunk+16], b[2*(spoolChunk+16):]...) },
		"the chunks swapped": func(b []byte) []byte {
			c := spoolChunk + 16
			return append(append(append([]byte{}, b[c:2*c]...), b[:c]...), b[2*c:]...)
		},
	} {
		s, err := Spool(bytes.NewReader(content), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(s.path)
		os.WriteFile(s.path, change(b), 0o600)
		f, _ := s.Open()
		if _, err := io.ReadAll(f); err == nil {
			t.Errorf("%s: read without an error", name)
		}
		f.Close()
		s.Remove()
	}
}

// TestSpoolLeftByACrashIsUnreadableAndSwept spools a file in a process
// that then dies without removing it, as a server killed midway through an
// import would: what it leaves holds no NIK in the clear, and the sweep at
// the next start removes it; so it does the cleartext spools of earlier
// versions.
func TestSpoolLeftByACrashIsUnreadableAndSwept(t *testing.T) {
	if os.Getenv("BINAKERJA_TEST_SPOOL_CRASH") == "1" {
		if _, err := Spool(strings.NewReader("no_registrasi;nama;nik\nB.I-1;Siti;"+spoolNIK+"\n"), 1<<20); err != nil {
			os.Exit(2)
		}
		os.Exit(3) // killed: nothing deferred runs
	}
	tmp := privateTemp(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSpoolLeftByACrashIsUnreadableAndSwept$")
	cmd.Env = append(os.Environ(), "BINAKERJA_TEST_SPOOL_CRASH=1", "TMPDIR="+tmp)
	if err := cmd.Run(); err == nil || cmd.ProcessState.ExitCode() != 3 {
		t.Fatalf("the crashing process: %v", err)
	}
	legacy := filepath.Join(tmp, "binakerja-import-123456")
	os.WriteFile(legacy, []byte("nik\n"+spoolNIK+"\n"), 0o600)
	all, with := holding(t, tmp, spoolNIK)
	if len(all) != 2 || len(with) != 1 || with[0] != legacy {
		t.Fatalf("left by the crash: %v, holding the NIK %v; want one file, encrypted (and the earlier version's)", all, with)
	}
	if err := SweepTemp(); err != nil {
		t.Fatal(err)
	}
	if err := SweepLegacyUploads(); err != nil {
		t.Fatal(err)
	}
	if all, _ := holding(t, tmp, ""); len(all) != 0 {
		t.Fatalf("left after the sweep: %v", all)
	}
}
