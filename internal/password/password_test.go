package password

import (
	"strings"
	"testing"
)

func TestHashMeetsTheMinimumParametersAndVerifiesExactly(t *testing.T) {
	pw := "Kata sandi panjang — ünïcode 🔑 ok"
	h := Hash(pw)
	p, salt, key, err := Decode(h)
	if err != nil {
		t.Fatal(err)
	}
	if p.Memory < 19*1024 || p.Time < 2 || p.Threads != 1 || len(salt) < 16 || len(key) < 32 {
		t.Fatalf("weak parameters: %+v salt %d key %d", p, len(salt), len(key))
	}
	if ok, rehash := Verify(pw, h); !ok || rehash {
		t.Fatalf("Verify(exact) = %v, %v", ok, rehash)
	}
	for _, wrong := range []string{strings.ToUpper(pw), pw[:len(pw)-1], pw + " ", ""} {
		if ok, _ := Verify(wrong, h); ok {
			t.Errorf("Verify(%q) accepted a variant", wrong)
		}
	}
	if Hash(pw) == h {
		t.Error("two hashes of one password must differ (random salt)")
	}
}

func TestWeakerHashAsksForRehash(t *testing.T) {
	old := Current
	Current = Params{Memory: 8 * 1024, Time: 1, Threads: 1}
	h := Hash("a legacy password")
	Current = old
	if ok, rehash := Verify("a legacy password", h); !ok || !rehash {
		t.Fatalf("Verify(legacy) = %v, %v; want true, true", ok, rehash)
	}
}

// TestAMalformedHashMatchesNothing: a stored hash with an empty key would
// match every password (an empty key equals an empty key), and one without
// threads would stop the process; Decode refuses both.
func TestAMalformedHashMatchesNothing(t *testing.T) {
	for _, h := range []string{
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$",
		"$argon2id$v=19$m=19456,t=2,p=0$c2FsdHNhbHRzYWx0$" + b64.EncodeToString(make([]byte, 32)),
		"$argon2id$v=19$m=19456,t=0,p=1$c2FsdHNhbHRzYWx0$" + b64.EncodeToString(make([]byte, 32)),
		"$argon2id$v=19$m=19456,t=2,p=1$$" + b64.EncodeToString(make([]byte, 32)),
	} {
		if ok, _ := Verify("any password", h); ok {
			t.Errorf("Verify accepted %q", h)
		}
		if ok, _ := Verify("", h); ok {
			t.Errorf("Verify accepted the empty password for %q", h)
		}
	}
}

func TestGenerate(t *testing.T) {
	a, b := Generate(), Generate()
	if len(a) != 20 || a == b || strings.ContainsAny(a, "0O1lI") {
		t.Fatalf("Generate() = %q, %q", a, b)
	}
}
