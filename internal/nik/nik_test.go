package nik

import (
	"bytes"
	"crypto/sha256"
	"path/filepath"
	"testing"

	"binakerja/internal/keys"
)

func newProtector(t *testing.T) *Protector {
	ring, err := keys.Load(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(ring)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSealOpenAndBinding(t *testing.T) {
	p := newProtector(t)
	const nik = "1608014507900012"
	a, b := p.Seal("person-a", nik), p.Seal("person-a", nik)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one NIK must differ (random nonce)")
	}
	if bytes.Contains(a, []byte(nik)) {
		t.Fatal("the sealed value contains the NIK")
	}
	if got, err := p.Open("person-a", a); err != nil || got != nik {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := p.Open("person-b", a); err != ErrOpen {
		t.Fatalf("a value moved to another person must not open: %v", err)
	}
	flipped := bytes.Clone(a)
	flipped[len(flipped)-1] ^= 1
	if _, err := p.Open("person-a", flipped); err != ErrOpen {
		t.Fatalf("a flipped bit must not open: %v", err)
	}
	if _, err := p.Open("person-a", nil); err != ErrOpen {
		t.Fatal("empty input")
	}
}

func TestBlindIndexIsKeyedAndStable(t *testing.T) {
	p := newProtector(t)
	const nik = "3174011234560001"
	if !bytes.Equal(p.Index(nik), p.Index(nik)) {
		t.Fatal("the index must be deterministic")
	}
	plain := sha256.Sum256([]byte(nik))
	if bytes.Equal(p.Index(nik), plain[:]) {
		t.Fatal("the index must not be a plain hash")
	}
	if bytes.Equal(p.Index(nik), newProtector(t).Index(nik)) {
		t.Fatal("another key must give another index")
	}
}

func TestRotationStillOpensOldValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	ring, _ := keys.Load(path)
	old, _ := New(ring)
	sealed, index := old.Seal("p", "1608014507900012"), old.Index("1608014507900012")
	ring, err := keys.Rotate(path)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := New(ring)
	if got, err := p.Open("p", sealed); err != nil || got != "1608014507900012" {
		t.Fatalf("an old value after rotation: %q %v", got, err)
	}
	if !bytes.Equal(p.Index("1608014507900012"), index) {
		t.Fatal("the blind index must not change with rotation")
	}
	if fresh := p.Seal("p", "1608014507900012"); fresh[0] != 2 {
		t.Fatalf("new values must use the new key, got version %d", fresh[0])
	}
}
