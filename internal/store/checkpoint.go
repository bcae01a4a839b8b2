package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Checkpoint anchors the audit chain outside the database: how many entries
// it had, the hash of the last, and where its keyed entries began, at a
// time, signed with a key of the key file (keys.AuditCheckpoint). A later
// verification against it finds a chain cut short (fewer entries) or
// rewritten (another hash at its entry), which no key inside the database
// can show. `binakerja backup` writes one beside each backup, and
// `binakerja audit verify --checkpoint FILE` compares with one and moves it on.
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Head      string    `json:"head"`
	KeyedFrom int64     `json:"keyed_from"`
	At        time.Time `json:"at"`
	MAC       string    `json:"mac"`
}

const checkpointTime = "2006-01-02 15:04:05Z07:00"

// CheckpointError is a checkpoint file that cannot be trusted: damaged, or
// not signed with this key file.
type CheckpointError struct {
	Path   string
	Reason string
}

func (e *CheckpointError) Error() string { return fmt.Sprintf("checkpoint %s: %s", e.Path, e.Reason) }

// mac signs the checkpoint's fields.
func (c Checkpoint) mac(key []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "binakerja audit checkpoint\n%d\n%s\n%d\n%s", c.Seq, c.Head, c.KeyedFrom, c.At.UTC().Format(time.RFC3339Nano))
	return hex.EncodeToString(m.Sum(nil))
}

func hmacEqual(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// AuditCheckpoint verifies the audit chain as VerifyAudit does and returns a
// signed checkpoint of its end. Given an earlier checkpoint prev, it also
// checks that the chain still holds what prev saw: at least its number of
// entries (else entries were removed, down to an emptied table), the same
// hash at its last entry (else the trail up to it was rewritten), and keyed
// entries from the same place; a *ChainError says which.
func (db *DB) AuditCheckpoint(ctx context.Context, prev *Checkpoint) (Checkpoint, error) {
	k, ok := db.auditKeys()
	if !ok || len(k.Checkpoint) == 0 {
		return Checkpoint{}, errNoAuditKey
	}
	h, err := db.verifyAudit(ctx, prev)
	if err != nil {
		return Checkpoint{}, err
	}
	c := Checkpoint{Seq: h.Seq, Head: h.Hash, KeyedFrom: h.KeyedFrom, At: db.Now().UTC().Truncate(time.Second)}
	c.MAC = c.mac(k.Checkpoint)
	return c, nil
}

// WriteCheckpoint writes c to path, replacing the file whole (through a
// temporary file beside it) and readable by its owner alone.
func WriteCheckpoint(path string, c Checkpoint) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// ReadCheckpoint reads the checkpoint at path and checks its signature with
// the DB's audit keys. A missing file is an fs.ErrNotExist error; a damaged
// or foreign one a *CheckpointError.
func (db *DB) ReadCheckpoint(path string) (Checkpoint, error) {
	k, ok := db.auditKeys()
	if !ok || len(k.Checkpoint) == 0 {
		return Checkpoint{}, errNoAuditKey
	}
	b, err := os.ReadFile(path) // #nosec G304 -- a checkpoint file the operator named
	if err != nil {
		return Checkpoint{}, err
	}
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil || c.Seq < 0 || c.KeyedFrom < 1 {
		return Checkpoint{}, &CheckpointError{Path: path, Reason: "it is damaged"}
	}
	if !hmacEqual(c.mac(k.Checkpoint), c.MAC) {
		return Checkpoint{}, &CheckpointError{Path: path, Reason: "its signature does not match this key file: it was changed, or made with another"}
	}
	return c, nil
}

// String says the checkpoint in one line.
func (c Checkpoint) String() string {
	return "entry " + strconv.FormatInt(c.Seq, 10) + " of " + c.At.Format(checkpointTime)
}
