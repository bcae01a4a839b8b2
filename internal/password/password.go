// Package password hashes and checks passwords with Argon2id (OWASP ASVS
// appendix C: at least m=19 MiB, t=2, p=1), in the PHC string format so that
// the parameters travel with each hash and can be raised later.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the Argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Current are the parameters of new hashes.
var Current = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

var b64 = base64.RawStdEncoding

// Hash returns the encoded Argon2id hash of pw with a fresh random salt.
func Hash(pw string) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	return encode(Current, salt, argon2.IDKey([]byte(pw), salt, Current.Time, Current.Memory, Current.Threads, keyLen))
}

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Decode parses an encoded hash into its parameters, salt and key.
func Decode(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("password: not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("password: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Time < 1 || p.Threads < 1 {
		return p, nil, nil, errors.New("password: bad parameters")
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, errors.New("password: bad salt")
	}
	// A key of 16 to 64 bytes: an empty one would match every password.
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errors.New("password: bad key")
	}
	return p, salt, key, nil
}

// Verify reports whether pw matches the encoded hash, and whether the hash was
// made with weaker parameters than Current and should be replaced.
func Verify(pw, encoded string) (ok, rehash bool) {
	p, salt, key, err := Decode(encoded)
	if err != nil {
		Burn(pw)
		return false, false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key))) // #nosec G115 -- Decode keeps the key to 16..64 bytes
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, ok && (p.Memory < Current.Memory || p.Time < Current.Time)
}

// Burn spends as long as a verification, so that a sign-in with an unknown
// email takes as long as one with a wrong password.
func Burn(pw string) {
	argon2.IDKey([]byte(pw), make([]byte, saltLen), Current.Time, Current.Memory, Current.Threads, keyLen)
}

// Generate returns a random password of 20 characters from an alphabet
// without look-alike letters, for one-time passwords printed to an admin.
func Generate() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
	return randomFrom(alphabet, 20)
}

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	buf := make([]byte, 1)
	for i := 0; i < n; {
		rand.Read(buf)
		if int(buf[0]) >= 256-256%len(alphabet) {
			continue // reject to keep the choice uniform
		}
		b[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return string(b)
}
