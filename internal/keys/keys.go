// Package keys holds BinaKerja's secret keys: a ring of root keys kept in a
// file apart from the database (BINAKERJA_KEY_FILE), from which the keys for
// each purpose are derived with HKDF, so that a copy of the database or of its
// backups alone reveals no protected value. The newest root key is current;
// older ones stay to read what they protected and to verify what they signed.
package keys

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Purposes of derived keys; each label gives an independent key.
const (
	NIKEncryption = "binakerja nik encryption v1"
	NIKIndex      = "binakerja nik blind index v1"
	Signing       = "binakerja credential signing ed25519 v1"
	// The audit trail's chain (HMAC-SHA-256 over each entry) and the
	// checkpoints that anchor its head outside the database. Both come from
	// the first root key, as the blind index does, so that a rotation leaves
	// the chain verifiable from its start.
	AuditChain      = "binakerja audit chain hmac v1"
	AuditCheckpoint = "binakerja audit checkpoint hmac v1"
	// The second step of signing in: the TOTP secrets are sealed
	// (AES-256-GCM) under a key of each root key, as the NIKs are; the
	// recovery codes are stored as HMAC-SHA-256 under a key of the first
	// root key, so that a rotation leaves them valid.
	TOTPSecret   = "binakerja totp secret aes-gcm v1" // #nosec G101 -- the HKDF label of a purpose, not a secret
	RecoveryCode = "binakerja recovery code hmac v1"
)

// Root is one root key of the ring.
type Root struct {
	ID      int       `json:"id"`
	Created time.Time `json:"created"`
	Secret  []byte    `json:"secret"` // 32 bytes, base64 in the file
}

// Ring is the set of root keys, oldest first.
type Ring struct {
	Roots []Root `json:"keys"`
}

// Load reads the key file at path. When the file does not exist, it creates
// one with a new random root key, readable by its owner only. A key file that
// others may read is refused.
func Load(path string) (*Ring, error) {
	b, err := os.ReadFile(path) // #nosec G304 -- the key file the operator configured (BINAKERJA_KEY_FILE)
	if errors.Is(err, fs.ErrNotExist) {
		return create(path)
	}
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s is readable by others (mode %v); run: chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	var r Ring
	if err := json.Unmarshal(b, &r); err != nil || len(r.Roots) == 0 {
		return nil, fmt.Errorf("key file %s is damaged", path)
	}
	for _, k := range r.Roots {
		if len(k.Secret) != 32 {
			return nil, fmt.Errorf("key file %s: key %d is not 32 bytes", path, k.ID)
		}
	}
	return &r, nil
}

// LoadExisting reads the key file at path like Load, but refuses a missing
// one instead of creating it: for the commands that check what the keys
// protected (a new key would find everything forged).
func LoadExisting(path string) (*Ring, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	return Load(path)
}

func create(path string) (*Ring, error) {
	r := &Ring{Roots: []Root{{ID: 1, Created: time.Now().UTC().Truncate(time.Second), Secret: rand32()}}}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the configured key file
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return r, f.Close()
}

func rand32() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

// Current returns the newest root key.
func (r *Ring) Current() Root { return r.Roots[len(r.Roots)-1] }

// First returns the oldest root key, from which the keys that must not
// change with a rotation are derived (the blind index, the audit chain).
func (r *Ring) First() Root { return r.Roots[0] }

// Derive returns the 32-byte key for purpose derived from root key k.
func (k Root) Derive(purpose string) []byte {
	b, err := hkdf.Key(sha256.New, k.Secret, nil, purpose, 32)
	if err != nil {
		panic(err) // unreachable: 32 bytes of SHA-256 HKDF is always allowed
	}
	return b
}

// Rotate adds a new root key to the key file at path and makes it current.
// The older keys stay: they still open what they sealed and verify what they
// signed, and the blind index keeps using the oldest. The file is replaced
// atomically.
func Rotate(path string) (*Ring, error) {
	r, err := Load(path)
	if err != nil {
		return nil, err
	}
	next := r.Current().ID + 1
	if next > 255 {
		return nil, fmt.Errorf("key file %s holds the most keys it can", path)
	}
	r.Roots = append(r.Roots, Root{ID: next, Created: time.Now().UTC().Truncate(time.Second), Secret: rand32()})
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) // #nosec G304 -- beside the configured key file
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return r, os.Rename(tmp, path)
}
