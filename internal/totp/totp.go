// Package totp is the second step of signing in: time-based one-time
// passwords (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits) as every
// authenticator app makes them, the otpauth:// URI that sets one up, and the
// sealing of the shared secret with a key of the key file, so that the
// database holds it only encrypted.
//
// The algorithm is written here rather than taken from a library: it is a
// dozen lines over crypto/hmac (checked against the RFC's test vectors), and
// the sign-in needs the time step a code matched, to refuse it a second time,
// which the common libraries' Validate does not return.
package totp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" // #nosec G505 -- RFC 6238 and every authenticator app use HMAC-SHA-1, which no collision weakens
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"binakerja/internal/keys"
)

// Period is the length of a time step; Digits the length of a code; Skew
// how many steps before and after the current one are accepted, for clocks
// a little off and codes typed near the end of their step.
const (
	Period = 30 * time.Second
	Digits = 6
	Skew   = 1
)

// SecretSize is the length of a new secret: 160 bits, as RFC 4226 advises
// for HMAC-SHA-1.
const SecretSize = 20

// DemoSecret is the shared secret of the demo world's staff logins, public
// by design like their password: it is printed by binakerja demo and used by
// the tests, so that the demo signs in with a second step like any other
// installation. Add it once to an authenticator app.
const DemoSecret = "BINAKERJADEMOLAPASMARTAPURAX2345" // #nosec G101 -- public by design: printed by the demo, written in the README

// Step returns the time step of t.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

// Code returns the code of secret at step (RFC 4226 §5.3, dynamic
// truncation).
func Code(secret []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step)) // #nosec G115 -- a time step since 1970, never negative
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", Digits, n%1000000)
}

// Verify reports whether code is the code of secret at a step within Skew
// of now's and later than after (the last step accepted for this secret),
// and returns that step. A code is thus never accepted twice.
func Verify(secret []byte, code string, now time.Time, after int64) (int64, bool) {
	if len(code) != Digits {
		return 0, false
	}
	cur := Step(now)
	for s := cur - Skew; s <= cur+Skew; s++ {
		if s > after && subtle.ConstantTimeCompare([]byte(Code(secret, s)), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// NewSecret returns a random secret.
func NewSecret() []byte {
	b := make([]byte, SecretSize)
	rand.Read(b)
	return b
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Encode writes a secret as authenticator apps take it typed: base32,
// without padding.
func Encode(secret []byte) string { return b32.EncodeToString(secret) }

// Decode reads a secret written by Encode, ignoring case, spaces and
// dashes.
func Decode(s string) ([]byte, error) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s))
	b, err := b32.DecodeString(s)
	if err != nil || len(b) < 10 {
		return nil, errors.New("totp: not a base32 secret of 80 bits or more")
	}
	return b, nil
}

// Groups writes the encoded secret in groups of four, for typing.
func Groups(secret []byte) string {
	s := Encode(secret)
	var g []string
	for len(s) > 4 {
		g, s = append(g, s[:4]), s[4:]
	}
	return strings.Join(append(g, s), " ")
}

// URI is the otpauth:// URI of Google Authenticator's key URI format, which
// every authenticator app reads from a QR code.
func URI(issuer, account string, secret []byte) string {
	v := url.Values{"secret": {Encode(secret)}, "issuer": {issuer}, "algorithm": {"SHA1"},
		"digits": {strconv.Itoa(Digits)}, "period": {strconv.Itoa(int(Period / time.Second))}}
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	return "otpauth://totp/" + label + "?" + v.Encode()
}

// Sealer seals secrets with AES-256-GCM under a key derived from the key
// file, bound to what they belong to, as the identity numbers are: the
// newest root key seals, every key of the ring opens.
type Sealer struct {
	aeads   map[byte]cipher.AEAD
	current byte
}

// NewSealer returns a Sealer over the ring.
func NewSealer(ring *keys.Ring) (*Sealer, error) {
	s := &Sealer{aeads: map[byte]cipher.AEAD{}}
	for _, r := range ring.Roots {
		if r.ID < 1 || r.ID > 255 {
			return nil, errors.New("totp: key ids must be 1 to 255")
		}
		block, err := aes.NewCipher(r.Derive(keys.TOTPSecret))
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		s.aeads[byte(r.ID)] = aead
	}
	s.current = byte(ring.Current().ID) // #nosec G115 -- key ids are checked to be 1 to 255 above
	return s, nil
}

// ErrOpen is returned for a sealed value that does not open: damaged,
// sealed for something else, or under a key not in the ring.
var ErrOpen = errors.New("totp: cannot open the sealed value")

// Seal encrypts plain for binding (what it belongs to, e.g. a user's id):
// version ‖ nonce ‖ ciphertext.
func (s *Sealer) Seal(binding string, plain []byte) []byte {
	aead := s.aeads[s.current]
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = s.current
	rand.Read(out[1:])
	// #nosec G407 -- the nonce is the random bytes just read into out[1:]
	return aead.Seal(out, out[1:], plain, append([]byte(binding+"|"), s.current))
}

// Open decrypts a value sealed for binding.
func (s *Sealer) Open(binding string, sealed []byte) ([]byte, error) {
	if len(sealed) < 1 {
		return nil, ErrOpen
	}
	aead, ok := s.aeads[sealed[0]]
	if !ok || len(sealed) < 1+aead.NonceSize() {
		return nil, ErrOpen
	}
	n := 1 + aead.NonceSize()
	plain, err := aead.Open(nil, sealed[1:n], sealed[n:], append([]byte(binding+"|"), sealed[0]))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
