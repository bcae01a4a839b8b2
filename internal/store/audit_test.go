package store_test

import (
	"bytes"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"binakerja"
	"binakerja/internal/store"
)

// testAuditKeys key the audit chains of the storage tests.
var testAuditKeys = store.AuditKeys{Chain: bytes.Repeat([]byte{1}, 32), Checkpoint: bytes.Repeat([]byte{2}, 32)}

// trail opens a migrated database of engine e with five audit entries.
func trail(t *testing.T, e store.Engine) (*store.DB, string) {
	t.Helper()
	dsn := dsnFor(t, e)
	db, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, db, 5)
	return db, dsn
}

// auditEvents returns every entry of the trail, oldest first.
func auditEvents(t *testing.T, db *store.DB) []*binakerja.AuditEvent {
	t.Helper()
	evs, _, err := db.AuditEvents(t.Context(), store.AuditFilter{Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(evs)
	return evs
}

// attacker is someone who can write the database and knows how the chain
// was computed, but has not the key file: the append-only guard dropped,
// writing through a plain connection.
type attacker struct {
	t  *testing.T
	db *store.DB
	w  *sql.DB
}

func newAttacker(t *testing.T, e store.Engine, dsn string, db *store.DB) *attacker {
	tamper(t, e, dsn, nil)
	return &attacker{t: t, db: db, w: db.WritePoolForTest()}
}

func (a *attacker) exec(q string, args ...any) {
	a.t.Helper()
	if _, err := a.w.ExecContext(a.t.Context(), q, args...); err != nil {
		a.t.Fatalf("%s: %v", q, err)
	}
}

// rechain recomputes the plain hashes of evs from entry from on, writes each
// entry back (with whatever the attacker changed in it) and sets the head to
// the last.
func (a *attacker) rechain(evs []*binakerja.AuditEvent, from int64) {
	a.t.Helper()
	prev := ""
	for _, e := range evs {
		if e.Seq >= from {
			e.PrevHash = prev
			e.Hash = e.ComputeHash()
			a.exec(`UPDATE audit_events SET entity_id = $1, summary = $2, prev_hash = $3, hash = $4 WHERE seq = $5`,
				e.EntityID, e.Summary, e.PrevHash, e.Hash, e.Seq)
		}
		prev = e.Hash
	}
	var seq int64
	if len(evs) > 0 {
		seq = evs[len(evs)-1].Seq
	}
	a.exec(`UPDATE audit_head SET seq = $1, hash = $2`, seq, prev)
}

func chainBreak(t *testing.T, err error, seq int64, about string) {
	t.Helper()
	var ce *store.ChainError
	if !errors.As(err, &ce) || ce.Seq != seq || !strings.Contains(ce.Reason, about) {
		t.Fatalf("got %v, want a break at entry %d saying %q", err, seq, about)
	}
}

// TestAuditAttackerAwareEdits makes the five edits of someone who can write
// the database and knows the chain's algorithm, but lacks the key file. Each
// of them passed a plain SHA-256 chain with its head in the same database.
// The key catches the edits of entries; the checkpoint taken before catches
// those that leave a shorter or downgraded chain behind.
func TestAuditAttackerAwareEdits(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e)+"/change a row and recompute the hashes", func(t *testing.T) {
			db, dsn := trail(t, e)
			a := newAttacker(t, e, dsn, db)
			evs := auditEvents(t, db)
			evs[2].EntityID = "ORG-X"
			a.rechain(evs, 3)
			_, err := db.VerifyAudit(t.Context())
			chainBreak(t, err, 3, "keyed hash")
		})
		t.Run(string(e)+"/delete the last rows and fix the head", func(t *testing.T) {
			db, dsn := trail(t, e)
			cp, err := db.AuditCheckpoint(t.Context(), nil)
			if err != nil || cp.Seq != 5 {
				t.Fatalf("checkpoint: %+v %v", cp, err)
			}
			a := newAttacker(t, e, dsn, db)
			a.exec(`DELETE FROM audit_events WHERE seq > 3`)
			a.rechain(auditEvents(t, db), 99)
			if n, err := db.VerifyAudit(t.Context()); err != nil || n != 3 {
				t.Fatalf("the chain cut short is whole in itself: %d %v", n, err)
			}
			_, err = db.AuditCheckpoint(t.Context(), &cp)
			chainBreak(t, err, 4, "entries were removed")
		})
		t.Run(string(e)+"/empty the table and reset the head", func(t *testing.T) {
			db, dsn := trail(t, e)
			cp, err := db.AuditCheckpoint(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			a := newAttacker(t, e, dsn, db)
			a.exec(`DELETE FROM audit_events`)
			a.exec(`UPDATE audit_head SET seq = 0, hash = '', keyed_from = 1`)
			_, err = db.AuditCheckpoint(t.Context(), &cp)
			chainBreak(t, err, 1, "saw 5 entries")
		})
		t.Run(string(e)+"/insert a forged row", func(t *testing.T) {
			db, dsn := trail(t, e)
			a := newAttacker(t, e, dsn, db)
			evs := auditEvents(t, db)
			forged := *evs[4]
			forged.Seq, forged.EntityID, forged.PrevHash = 6, "forged", evs[4].Hash
			forged.Hash = forged.ComputeHash()
			a.exec(`INSERT INTO audit_events SELECT 6, at, actor_id, actor, actor_role, org, action, entity, 'forged',
				summary, ip, request_id, $1, $2 FROM audit_events WHERE seq = 5`, forged.PrevHash, forged.Hash)
			a.exec(`UPDATE audit_head SET seq = 6, hash = $1`, forged.Hash)
			_, err := db.VerifyAudit(t.Context())
			chainBreak(t, err, 6, "keyed hash")
		})
		t.Run(string(e)+"/rewrite everything", func(t *testing.T) {
			db, dsn := trail(t, e)
			cp, err := db.AuditCheckpoint(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			a := newAttacker(t, e, dsn, db)
			evs := auditEvents(t, db)
			evs[1].Summary = `{"after":{"name":"rewritten"}}`
			a.rechain(evs, 1)
			_, err = db.VerifyAudit(t.Context())
			chainBreak(t, err, 1, "keyed hash")
			// Knowing the cut-over, the attacker makes every entry one of
			// before it. Only the checkpoint can tell.
			a.exec(`UPDATE audit_head SET keyed_from = 6`)
			if n, err := db.VerifyAudit(t.Context()); err != nil || n != 5 {
				t.Fatalf("a chain all plain is whole in itself: %d %v", n, err)
			}
			_, err = db.AuditCheckpoint(t.Context(), &cp)
			chainBreak(t, err, 1, "rewritten without the key")
		})
	}
}

// TestAuditCheckpointComparesWithTheTrail writes a checkpoint, reads it back,
// lets the trail grow past it, and refuses a checkpoint changed or signed
// with another key file.
func TestAuditCheckpointComparesWithTheTrail(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		appendEvents(t, db, 3)
		cp, err := db.AuditCheckpoint(t.Context(), nil)
		if err != nil || cp.Seq != 3 || cp.KeyedFrom != 1 || cp.Head == "" {
			t.Fatalf("checkpoint: %+v %v", cp, err)
		}
		path := filepath.Join(t.TempDir(), "trail.checkpoint")
		if err := store.WriteCheckpoint(path, cp); err != nil {
			t.Fatal(err)
		}
		back, err := db.ReadCheckpoint(path)
		if err != nil || back != cp {
			t.Fatalf("read back %+v %v, want %+v", back, err, cp)
		}
		appendEvents(t, db, 2)
		next, err := db.AuditCheckpoint(t.Context(), &back)
		if err != nil || next.Seq != 5 {
			t.Fatalf("a longer trail: %+v %v", next, err)
		}
		b, _ := os.ReadFile(path)
		os.WriteFile(path, bytes.Replace(b, []byte(`"seq": 3`), []byte(`"seq": 2`), 1), 0o600)
		var ce *store.CheckpointError
		if _, err := db.ReadCheckpoint(path); !errors.As(err, &ce) {
			t.Fatalf("a changed checkpoint: %v", err)
		}
		store.WriteCheckpoint(path, cp)
		other := testAuditKeys
		other.Checkpoint = bytes.Repeat([]byte{3}, 32)
		db.SetAuditKeys(other)
		if _, err := db.ReadCheckpoint(path); !errors.As(err, &ce) {
			t.Fatalf("a checkpoint of another key file: %v", err)
		}
		if _, err := db.ReadCheckpoint(path + ".none"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("no checkpoint: %v", err)
		}
	})
}

// TestAuditChainNeedsItsKey: without the key nothing is appended, and the
// keyed entries are not taken as verified; with another key they are
// forged.
func TestAuditChainNeedsItsKey(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			_, dsn := trail(t, e)
			other, err := store.Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			err = other.Transact(t.Context(), func(tx *store.Tx) error {
				return tx.AppendAudit(t.Context(), &binakerja.AuditEvent{Actor: "cli:test", Action: "org.create"})
			})
			if err == nil {
				t.Fatal("appended without the key")
			}
			var ce *store.ChainError
			if _, err := other.VerifyAudit(t.Context()); err == nil || errors.As(err, &ce) {
				t.Fatalf("verified keyed entries without the key: %v", err)
			}
			wrong := testAuditKeys
			wrong.Chain = bytes.Repeat([]byte{9}, 32)
			other.SetAuditKeys(wrong)
			_, err = other.VerifyAudit(t.Context())
			chainBreak(t, err, 1, "keyed hash")
		})
	}
}

// TestAuditMigrationKeepsPlainEntriesVerifiable writes plain entries as the
// chain was before it was keyed, migrates, appends keyed ones, and checks
// that the whole verifies, and that a plain entry changed and rehashed
// breaks the chain at the first keyed entry.
func TestAuditMigrationKeepsPlainEntriesVerifiable(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			dsn := dsnFor(t, e)
			db, err := store.Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ms, err := db.MigrationStatus(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(ms, func(m store.Migration) bool { return m.Name == "audit_mac" })
			if i < 1 {
				t.Fatalf("no audit_mac migration in %v", ms)
			}
			if err := db.MigrateToForTest(t.Context(), ms[i-1].Version); err != nil {
				t.Fatal(err)
			}
			prev := ""
			err = db.Transact(t.Context(), func(tx *store.Tx) error {
				for seq := int64(1); seq <= 3; seq++ {
					ev := binakerja.AuditEvent{Seq: seq, At: clock.Truncate(binakerja.AuditTimePrecision), Actor: "cli:old",
						Action: "org.create", Entity: "organization", EntityID: "OLD", Summary: "{}", PrevHash: prev}
					ev.Hash = ev.ComputeHash()
					if _, err := tx.ExecForTest(t.Context(), `INSERT INTO audit_events (`+strings.ReplaceAll(`seq, at, actor_id, actor,
						actor_role, org, action, entity, entity_id, summary, ip, request_id, prev_hash, hash`, "\n", "")+`)
						VALUES ($1, $2, 0, $3, '', '', $4, $5, $6, $7, '', '', $8, $9)`,
						ev.Seq, ev.At, ev.Actor, ev.Action, ev.Entity, ev.EntityID, ev.Summary, ev.PrevHash, ev.Hash); err != nil {
						return err
					}
					prev = ev.Hash
				}
				_, err := tx.ExecForTest(t.Context(), `UPDATE audit_head SET seq = 3, hash = $1`, prev)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			if n, err := db.VerifyAudit(t.Context()); err != nil || n != 3 {
				t.Fatalf("the plain entries, without a key: %d %v", n, err)
			}
			appendEvents(t, db, 2)
			cp, err := db.AuditCheckpoint(t.Context(), nil)
			if err != nil || cp.Seq != 5 || cp.KeyedFrom != 4 {
				t.Fatalf("after the cut-over: %+v %v", cp, err)
			}
			a := newAttacker(t, e, dsn, db)
			evs := auditEvents(t, db)
			evs[1].EntityID = "CHANGED"
			a.rechain(evs[:3], 2)
			a.exec(`UPDATE audit_head SET seq = 5, hash = $1`, evs[4].Hash)
			_, err = db.VerifyAudit(t.Context())
			chainBreak(t, err, 4, "does not follow")
		})
	}
}
