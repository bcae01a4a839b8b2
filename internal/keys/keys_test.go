package keys

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadCreatesAPrivateFileAndReadsItBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "binakerja.keys")
	r, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	again, err := Load(path)
	if err != nil || !bytes.Equal(again.Current().Secret, r.Current().Secret) {
		t.Fatalf("reload: %v", err)
	}
	a, b := r.Current().Derive(NIKEncryption), r.Current().Derive(NIKIndex)
	if len(a) != 32 || bytes.Equal(a, b) || bytes.Equal(a, r.Current().Secret) {
		t.Fatal("derived keys must be 32 bytes and independent")
	}
}

func TestLoadRefusesAFileOthersCanRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("Load(0644) = %v, want a refusal naming the fix", err)
	}
}

func TestRotateKeepsTheOldKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	first, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Rotate(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Load(path)
	if err != nil || len(again.Roots) != 2 || again.Current().ID != 2 || !bytes.Equal(again.Roots[0].Secret, first.Current().Secret) {
		t.Fatalf("after rotation: %+v %v", again, err)
	}
	if bytes.Equal(r.Current().Secret, first.Current().Secret) {
		t.Fatal("the new key must differ")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
}
