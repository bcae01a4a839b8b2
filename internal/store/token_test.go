package store_test

import (
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/store"
)

// TestAPITokensExpireAndEndWithTheUsersCredentials: a token works for 90
// days unless made with another end (at most a year); after it, it is no
// token at all. Ending a user's credentials (a password change, disabling)
// revokes every token of theirs, not only their sessions.
func TestAPITokensExpireAndEndWithTheUsersCredentials(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
			db, err := store.Open(t.Context(), dsnFor(t, e), store.WithClock(func() time.Time { return now }))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			u, other := &binakerja.User{Email: "a@example.id", Name: "A"}, &binakerja.User{Email: "b@example.id", Name: "B"}
			plain, short, theirs := &store.APIToken{Name: "plain"}, &store.APIToken{Name: "short"}, &store.APIToken{Name: "theirs"}
			err = db.Transact(ctx, func(tx *store.Tx) error {
				for _, x := range []*binakerja.User{u, other} {
					if err := tx.CreateUser(ctx, x, "hash"); err != nil {
						return err
					}
				}
				plain.UserID, short.UserID, theirs.UserID = u.ID, u.ID, other.ID
				short.ExpiresAt = now.Add(24 * time.Hour)
				for h, tok := range map[string]*store.APIToken{"h-plain": plain, "h-short": short, "h-theirs": theirs} {
					if err := tx.CreateAPIToken(ctx, tok, h); err != nil {
						return err
					}
				}
				for _, bad := range []time.Time{now.Add(-time.Hour), now.Add(400 * 24 * time.Hour)} {
					if err := tx.CreateAPIToken(ctx, &store.APIToken{UserID: u.ID, Name: "bad", ExpiresAt: bad}, "h-bad"); binakerja.ErrorKind(err) != binakerja.Invalid {
						t.Errorf("an end at %v: %v", bad, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !plain.ExpiresAt.Equal(now.Add(90 * 24 * time.Hour)) {
				t.Fatalf("default end %v", plain.ExpiresAt)
			}
			if got, err := db.APITokenByHash(ctx, "h-short"); err != nil || !got.ExpiresAt.Equal(short.ExpiresAt) || got.Expired {
				t.Fatalf("short token today: %+v %v", got, err)
			}
			now = now.Add(25 * time.Hour)
			if _, err := db.APITokenByHash(ctx, "h-short"); binakerja.ErrorKind(err) != binakerja.NotFound {
				t.Fatalf("short token the day after: %v", err)
			}
			list, err := db.APITokens(ctx, u.ID)
			if err != nil || len(list) != 2 {
				t.Fatalf("list: %v", err)
			}
			for _, tok := range list {
				if tok.Expired != (tok.Name == "short") {
					t.Fatalf("listed %s, expired %v", tok.Name, tok.Expired)
				}
			}
			err = db.Transact(ctx, func(tx *store.Tx) error {
				_, err := tx.DeleteUserSessions(ctx, u.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := db.APITokenByHash(ctx, "h-plain"); err != nil || got.RevokedAt.IsZero() {
				t.Fatalf("a token after the user's credentials ended: %+v %v", got, err)
			}
			if got, err := db.APITokenByHash(ctx, "h-theirs"); err != nil || !got.RevokedAt.IsZero() {
				t.Fatalf("another user's token: %+v %v", got, err)
			}
			now = now.Add(90 * 24 * time.Hour)
			if _, err := db.APITokenByHash(ctx, "h-theirs"); binakerja.ErrorKind(err) != binakerja.NotFound {
				t.Fatalf("a token past 90 days: %v", err)
			}
		})
	}
}
