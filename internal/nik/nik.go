// Package nik protects national identity numbers (NIK). Each is sealed with
// AES-256-GCM, bound as additional data to the person it belongs to and to
// the key version, so that a ciphertext moved to another row does not open;
// and indexed with a keyed HMAC-SHA-256 (a blind index), so that a NIK can be
// found and matched without storing it. Both keys come from the key file,
// never from the database: a copy of the database or of its backups alone
// reveals no NIK.
package nik

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"

	"binakerja/internal/keys"
)

// Protector seals, opens and indexes NIKs.
type Protector struct {
	aeads   map[byte]cipher.AEAD // by key version
	current byte
	index   []byte
}

// New returns a Protector over the key ring. The blind index uses the oldest
// root key, so that it stays stable when newer keys are added; changing it
// means recomputing every index.
func New(ring *keys.Ring) (*Protector, error) {
	p := &Protector{aeads: map[byte]cipher.AEAD{}}
	for _, r := range ring.Roots {
		if r.ID < 1 || r.ID > 255 {
			return nil, errors.New("nik: key ids must be 1 to 255")
		}
		block, err := aes.NewCipher(r.Derive(keys.NIKEncryption))
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		p.aeads[byte(r.ID)] = aead
		p.current = byte(r.ID) // the last root is the current one (Ring.Current)
	}
	p.index = ring.Roots[0].Derive(keys.NIKIndex)
	return p, nil
}

func aad(uid string, version byte) []byte {
	return append([]byte("persons.nik|"+uid+"|"), version)
}

// Seal encrypts nik for the person with the given uid: version ‖ nonce ‖
// ciphertext.
func (p *Protector) Seal(uid, nik string) []byte {
	aead := p.aeads[p.current]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	out := make([]byte, 0, 1+len(nonce)+len(nik)+aead.Overhead())
	out = append(append(out, p.current), nonce...)
	return aead.Seal(out, nonce, []byte(nik), aad(uid, p.current))
}

// ErrOpen is returned for a ciphertext that does not open: damaged, sealed
// for another person, or under a key not in the ring.
var ErrOpen = errors.New("nik: cannot open the sealed value")

// Open decrypts a value sealed for the person with the given uid.
func (p *Protector) Open(uid string, sealed []byte) (string, error) {
	if len(sealed) < 1 {
		return "", ErrOpen
	}
	aead, ok := p.aeads[sealed[0]]
	if !ok || len(sealed) < 1+aead.NonceSize() {
		return "", ErrOpen
	}
	n := 1 + aead.NonceSize()
	plain, err := aead.Open(nil, sealed[1:n], sealed[n:], aad(uid, sealed[0]))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// Index returns the blind index of a normalised NIK.
func (p *Protector) Index(nik string) []byte {
	m := hmac.New(sha256.New, p.index)
	m.Write([]byte(nik))
	return m.Sum(nil)
}
