package app

import (
	"context"
	"time"

	"binakerja"
	"binakerja/internal/keys"
	"binakerja/internal/store"
)

// AuditKeys derives the audit trail's keys from the key file's first root
// key, which no rotation changes.
func AuditKeys(ring *keys.Ring) store.AuditKeys {
	first := ring.First()
	return store.AuditKeys{Chain: first.Derive(keys.AuditChain), Checkpoint: first.Derive(keys.AuditCheckpoint)}
}

var zeroTime time.Time

// AuditEvents lists the audit trail, newest first. Reading it is itself
// recorded.
func (a *App) AuditEvents(ctx context.Context, ac Actor, f store.AuditFilter) ([]*binakerja.AuditEvent, string, error) {
	role, err := a.authorize(ctx, ac, binakerja.ActionAuditView, "")
	if err != nil {
		return nil, "", err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "audit.view", "audit", "", "", map[string]any{
			"actor_id": f.ActorID, "action": f.Action, "entity": f.Entity, "entity_id": f.EntityID})
	})
	if err != nil {
		return nil, "", err
	}
	return a.db.AuditEvents(ctx, f)
}

// VerifyAudit recomputes the audit chain; see store.DB.VerifyAudit.
func (a *App) VerifyAudit(ctx context.Context) (int64, error) { return a.db.VerifyAudit(ctx) }
