package credential

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"binakerja"
	"binakerja/internal/keys"
)

func cert() *binakerja.Certificate {
	return &binakerja.Certificate{Code: "ABCDEFGH23", Number: "N-1", HolderName: "Siti", Scheme: "SKM-1", SchemeTitle: "Juru Las",
		KKNILevel: 2, Issuer: "LSP-X", IssuerName: "LSP X", IssuedOn: binakerja.NewDate(2026, 1, 2),
		ExpiresOn: binakerja.NewDate(2029, 1, 2), StatusIndex: 77}
}

func publicKeys(t *testing.T, is *Issuer) map[string]ed25519.PublicKey {
	b, err := is.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []struct{ Kid, X string } }
	json.Unmarshal(b, &set)
	out := map[string]ed25519.PublicKey{}
	for _, k := range set.Keys {
		x, _ := base64.RawURLEncoding.DecodeString(k.X)
		out[k.Kid] = x
	}
	return out
}

// TestRotationKeepsOldCredentialsVerifiable signs with the first key, adds a
// second, and checks that the key set holds both, the new key signs, and the
// credential signed before still verifies.
func TestRotationKeepsOldCredentialsVerifiable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	ring, _ := keys.Load(path)
	before, err := New(ring, "https://x.test").Credential(cert(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ring, err = keys.Rotate(path)
	if err != nil {
		t.Fatal(err)
	}
	is := New(ring, "https://x.test")
	pub := publicKeys(t, is)
	if len(pub) != 2 {
		t.Fatalf("the key set should hold the current and the retired key: %v", pub)
	}
	after, _ := is.Credential(cert(), nil)
	keyFunc := func(tok *jwt.Token) (any, error) { return pub[tok.Header["kid"].(string)], nil }
	for name, s := range map[string]string{"before": before, "after": after} {
		tok, err := jwt.Parse(s, keyFunc, jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithoutClaimsValidation())
		if err != nil || !tok.Valid {
			t.Fatalf("%s rotation: %v", name, err)
		}
	}
	if tok, _, _ := jwt.NewParser().ParseUnverified(after, jwt.MapClaims{}); tok.Header["kid"] != "key-2" {
		t.Fatalf("the new key must sign: %v", tok.Header)
	}
}

func TestStatusListBits(t *testing.T) {
	enc, err := EncodeStatusList([]int{0, 9, binakerja.StatusListSize - 1, binakerja.StatusListSize})
	if err != nil || !strings.HasPrefix(enc, "u") {
		t.Fatalf("%q %v", enc, err)
	}
	ring, _ := keys.Load(filepath.Join(t.TempDir(), "k"))
	s, err := New(ring, "https://x.test").StatusList(Suspension, []int{5}, time.Now())
	if err != nil || strings.Count(s, ".") != 2 {
		t.Fatalf("status list: %v", err)
	}
}
