package totp

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"binakerja/internal/keys"
)

// TestRFC6238Vectors checks the SHA-1 vectors of RFC 6238 Appendix B, cut
// to six digits (the last six of the eight the RFC prints).
func TestRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		if got := Code(secret, Step(time.Unix(v.unix, 0))); got != v.want[2:] {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.want[2:])
		}
	}
}

func TestVerifyTakesOneStepEitherSideAndNeverTheSameStepTwice(t *testing.T) {
	secret := NewSecret()
	now := time.Date(2026, 5, 1, 8, 0, 10, 0, time.UTC)
	cur := Step(now)
	for _, d := range []int64{-1, 0, 1} {
		if s, ok := Verify(secret, Code(secret, cur+d), now, 0); !ok || s != cur+d {
			t.Errorf("step %+d: %d %v", d, s, ok)
		}
	}
	for _, d := range []int64{-2, 2} {
		if _, ok := Verify(secret, Code(secret, cur+d), now, 0); ok {
			t.Errorf("step %+d must be refused", d)
		}
	}
	if _, ok := Verify(secret, Code(secret, cur), now, cur); ok {
		t.Error("a code of the last accepted step must be refused")
	}
	if _, ok := Verify(secret, Code(secret, cur-1), now, cur); ok {
		t.Error("a code of an earlier step must be refused")
	}
	if _, ok := Verify(secret, Code(secret, cur+1), now, cur); !ok {
		t.Error("the next step's code must be taken")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := Verify(secret, bad, now, 0); ok {
			t.Errorf("%q taken", bad)
		}
	}
}

func TestEncodingAndURI(t *testing.T) {
	demo, err := Decode(DemoSecret)
	if err != nil || len(demo) != SecretSize {
		t.Fatalf("the demo secret: %v %d", err, len(demo))
	}
	if g := Groups(demo); strings.ReplaceAll(g, " ", "") != DemoSecret || len(strings.Fields(g)) != 8 {
		t.Fatalf("groups: %q", g)
	}
	if again, err := Decode(strings.ToLower(Groups(demo))); err != nil || !bytes.Equal(again, demo) {
		t.Fatalf("decoding the groups typed in lower case: %v", err)
	}
	u := URI("BinaKerja", "petugas lapas@binakerja.test", demo)
	if !strings.HasPrefix(u, "otpauth://totp/BinaKerja:petugas%20lapas@binakerja.test?") ||
		!strings.Contains(u, "secret="+DemoSecret) || !strings.Contains(u, "issuer=BinaKerja") ||
		!strings.Contains(u, "digits=6") || !strings.Contains(u, "period=30") {
		t.Fatalf("URI: %s", u)
	}
}

func TestSealIsBoundAndOpensAfterRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	ring, err := keys.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSealer(ring)
	if err != nil {
		t.Fatal(err)
	}
	secret := NewSecret()
	sealed := s.Seal("user:1", secret)
	if bytes.Contains(sealed, secret) {
		t.Fatal("the sealed value holds the secret")
	}
	if _, err := s.Open("user:2", sealed); err != ErrOpen {
		t.Fatalf("opened for another user: %v", err)
	}
	if ring, err = keys.Rotate(path); err != nil {
		t.Fatal(err)
	}
	if s, err = NewSealer(ring); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Open("user:1", sealed); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("after rotation: %v", err)
	}
	if s.Seal("user:1", secret)[0] != 2 {
		t.Fatal("the newest key must seal")
	}
}
