package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/pgtest"
	"binakerja/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// engines runs fn once on a fresh, migrated SQLite database and once on a
// fresh, migrated PostgreSQL database: the one conformance suite for both.
func engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			db := openDB(t, e)
			if _, err := db.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			fn(t, db)
		})
	}
}

var clock = time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)

func dsnFor(t *testing.T, e store.Engine) string {
	if e == store.Postgres {
		return pgtest.DSN(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
}

func openDB(t *testing.T, e store.Engine) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), dsnFor(t, e), store.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrationsMatchAcrossEngines(t *testing.T) {
	names := map[store.Engine][]string{}
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		db := openDB(t, e)
		ms, err := db.MigrationStatus(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			names[e] = append(names[e], fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
	}
	if len(names[store.SQLite]) == 0 || !slices.Equal(names[store.SQLite], names[store.Postgres]) {
		t.Fatalf("migrations differ: sqlite %v, postgres %v", names[store.SQLite], names[store.Postgres])
	}
}

func TestCheckSchemaRefusesUnmigratedThenAcceptsMigrated(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			db := openDB(t, e)
			err := db.CheckSchema(t.Context())
			if err == nil || !strings.Contains(err.Error(), "binakerja migrate up") {
				t.Fatalf("CheckSchema on an empty database = %v, want an error naming the command", err)
			}
			applied, err := db.Migrate(t.Context())
			if err != nil || len(applied) == 0 {
				t.Fatalf("Migrate = %d applied, %v", len(applied), err)
			}
			if err := db.CheckSchema(t.Context()); err != nil {
				t.Fatalf("CheckSchema after migrating: %v", err)
			}
			again, err := db.Migrate(t.Context())
			if err != nil || len(again) != 0 {
				t.Fatalf("second Migrate = %d applied, %v; want none", len(again), err)
			}
		})
	}
}

func TestSQLiteDurabilitySettingsOnReadersAndWriter(t *testing.T) {
	db := openDB(t, store.SQLite)
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000"}
	for name, pool := range map[string]*sql.DB{"reader": db.ReadPoolForTest(), "writer": db.WritePoolForTest()} {
		for pragma, v := range want {
			var got string
			if err := pool.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || !strings.EqualFold(got, v) {
				t.Errorf("%s: PRAGMA %s = %q (%v), want %q", name, pragma, got, err, v)
			}
		}
	}
	var qo string
	if err := db.ReadPoolForTest().QueryRow("PRAGMA query_only").Scan(&qo); err != nil || qo != "1" {
		t.Errorf("readers must be query-only, got %q %v", qo, err)
	}
}

func TestOutOfOrderPlaceholdersBindByNumber(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		var a, b string
		var c int
		err := db.Transact(t.Context(), func(tx *store.Tx) error {
			return tx.QueryRowForTest(t.Context(), `SELECT $2, $1, CAST($3 AS INTEGER) + CAST($3 AS INTEGER)`, "first", "second", 21).Scan(&a, &b, &c)
		})
		if err != nil || a != "second" || b != "first" || c != 42 {
			t.Fatalf("got %q %q %d %v; want second first 42", a, b, c, err)
		}
	})
}

func newOrg(code, name string, kind binakerja.OrgKind, parent *binakerja.Organization) *binakerja.Organization {
	o := &binakerja.Organization{Code: code, Name: name, Kind: kind, RegionCode: "16.08"}
	if kind == binakerja.OrgFacility {
		o.FacilityType = "LAPAS"
	}
	if parent != nil {
		o.Parent = parent.Code
	}
	o.CheckParent(parent)
	return o
}

func create(t *testing.T, db *store.DB, orgs ...*binakerja.Organization) {
	t.Helper()
	err := db.Transact(t.Context(), func(tx *store.Tx) error {
		for _, o := range orgs {
			if err := tx.CreateOrganization(t.Context(), o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOrganizationsRoundTripSearchScopeAndPages(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		nat := newOrg("DITJENPAS", "Direktorat Jenderal Pemasyarakatan", binakerja.OrgNationalOffice, nil)
		create(t, db, nat)
		sumsel := newOrg("KANWIL-16", "Kanwil Ditjenpas Sumatera Selatan", binakerja.OrgRegionalOffice, nat)
		jambi := newOrg("KANWIL-15", "Kanwil Ditjenpas Jambi", binakerja.OrgRegionalOffice, nat)
		create(t, db, sumsel, jambi)
		lp := newOrg("LP-MARTAPURA", "Lapas Kelas IIB Martapura", binakerja.OrgFacility, sumsel)
		lp.FacilityClass = "IIB"
		lpJ := newOrg("LP-JAMBI", "Lapas Kelas IIA Jambi", binakerja.OrgFacility, jambi)
		ume := newOrg("UMKM-ELOK", "Mebel Élok Jaya", binakerja.OrgEmployer, nil)
		create(t, db, lp, lpJ, ume)

		got, err := db.Organization(ctx, "lp-martapura")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != lp.Name || got.Parent != "KANWIL-16" || got.Path != "/DITJENPAS/KANWIL-16/LP-MARTAPURA/" ||
			got.FacilityClass != "IIB" || !got.CreatedAt.Equal(clock.Truncate(time.Microsecond)) || got.Version != 1 {
			t.Fatalf("round trip: %+v", got)
		}
		if _, err := db.Organization(ctx, "NOPE"); binakerja.ErrorKind(err) != binakerja.NotFound {
			t.Fatalf("unknown code: %v, want NotFound", err)
		}

		codes := func(f store.OrgFilter) []string {
			t.Helper()
			orgs, _, err := db.Organizations(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var cs []string
			for _, o := range orgs {
				cs = append(cs, o.Code)
			}
			return cs
		}
		if c := codes(store.OrgFilter{All: true, Query: "elok"}); !slices.Equal(c, []string{"UMKM-ELOK"}) {
			t.Errorf("accent-insensitive search: %v", c)
		}
		if c := codes(store.OrgFilter{All: true, Query: "MARTA"}); !slices.Equal(c, []string{"LP-MARTAPURA"}) {
			t.Errorf("word-prefix search: %v", c)
		}
		if c := codes(store.OrgFilter{Within: []string{sumsel.Path}}); !slices.Equal(c, []string{"KANWIL-16", "LP-MARTAPURA"}) {
			t.Errorf("subtree scope: %v", c)
		}
		if c := codes(store.OrgFilter{}); len(c) != 0 {
			t.Errorf("no scope must list nothing, got %v", c)
		}
		if c := codes(store.OrgFilter{All: true, Kind: binakerja.OrgFacility}); !slices.Equal(c, []string{"LP-JAMBI", "LP-MARTAPURA"}) {
			t.Errorf("kind filter: %v", c)
		}
		if c := codes(store.OrgFilter{All: true, Parent: "DITJENPAS"}); !slices.Equal(c, []string{"KANWIL-15", "KANWIL-16"}) {
			t.Errorf("parent filter: %v", c)
		}

		// Pages of two walk every organisation once, in name order.
		var walked []string
		page := store.Page{Limit: 2}
		for range 10 {
			orgs, next, err := db.Organizations(ctx, store.OrgFilter{All: true, Page: page})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range orgs {
				walked = append(walked, o.Code)
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		all := codes(store.OrgFilter{All: true})
		if len(walked) != 6 || !slices.Equal(walked, all) {
			t.Errorf("paged walk %v, want %v", walked, all)
		}
	})
}

func TestDuplicateCodeIsConflictNamingTheField(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		create(t, db, newOrg("DISNAKER-OKUT", "Disnaker OKU Timur", binakerja.OrgLabourOffice, nil))
		err := db.Transact(t.Context(), func(tx *store.Tx) error {
			return tx.CreateOrganization(t.Context(), newOrg("DISNAKER-OKUT", "Other", binakerja.OrgLabourOffice, nil))
		})
		var e *binakerja.Error
		if !errors.As(err, &e) || e.Kind != binakerja.Conflict || len(e.Fields) != 1 || e.Fields[0].Field != "code" {
			t.Fatalf("duplicate code: %v, want Conflict on field code", err)
		}
	})
}

func TestStaleVersionIsConflict(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		o := newOrg("LSP-SUMSEL", "LSP Sumsel", binakerja.OrgCertificationBody, nil)
		create(t, db, o)
		first, _ := db.Organization(t.Context(), o.Code)
		second, _ := db.Organization(t.Context(), o.Code)
		first.Name = "LSP Sumatera Selatan"
		if err := db.Transact(t.Context(), func(tx *store.Tx) error { return tx.UpdateOrganization(t.Context(), first) }); err != nil {
			t.Fatal(err)
		}
		second.Name = "Something else"
		err := db.Transact(t.Context(), func(tx *store.Tx) error { return tx.UpdateOrganization(t.Context(), second) })
		if binakerja.ErrorKind(err) != binakerja.Conflict {
			t.Fatalf("update from a stale version: %v, want Conflict", err)
		}
		got, _ := db.Organization(t.Context(), o.Code)
		if got.Name != "LSP Sumatera Selatan" || got.Version != 2 {
			t.Fatalf("after update: %q v%d", got.Name, got.Version)
		}
	})
}

func TestUsersGrantsAndScope(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		nat := newOrg("DITJENPAS", "Ditjenpas", binakerja.OrgNationalOffice, nil)
		create(t, db, nat)
		k16 := newOrg("KANWIL-16", "Kanwil Sumsel", binakerja.OrgRegionalOffice, nat)
		create(t, db, k16)
		lp := newOrg("LP-MARTAPURA", "Lapas Martapura", binakerja.OrgFacility, k16)
		create(t, db, lp)
		admin := &binakerja.User{Email: "admin@example.id", Name: "Admin Pusat"}
		officer := &binakerja.User{Email: "petugas@example.id", Name: "Siti Nur'aini"}
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateUser(ctx, admin, "hash-a"); err != nil {
				return err
			}
			if err := tx.CreateUser(ctx, officer, "hash-b"); err != nil {
				return err
			}
			if err := tx.AddGrant(ctx, admin.ID, binakerja.RoleAdmin, ""); err != nil {
				return err
			}
			return tx.AddGrant(ctx, officer.ID, binakerja.RoleFacilityOfficer, "LP-MARTAPURA")
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			return tx.AddGrant(ctx, admin.ID, binakerja.RoleAdmin, "")
		})
		if binakerja.ErrorKind(err) != binakerja.Conflict {
			t.Fatalf("granting a held role again: %v, want Conflict", err)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			return tx.CreateUser(ctx, &binakerja.User{Email: "admin@example.id", Name: "X"}, "h")
		})
		if e, ok := errors.AsType[*binakerja.Error](err); !ok || e.Kind != binakerja.Conflict || e.Fields[0].Field != "email" {
			t.Fatalf("duplicate email: %v", err)
		}

		u, err := db.UserByEmail(ctx, "PETUGAS@example.id ")
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Grants) != 1 || u.Grants[0].OrgPath != lp.Path || !u.Active {
			t.Fatalf("officer: %+v", u)
		}
		if !u.Can(binakerja.ActionOrgView, lp.Path) || u.Can(binakerja.ActionOrgView, k16.Path) {
			t.Fatal("an officer must see their facility and not the office above it")
		}
		if n, err := db.CountSystemAdmins(ctx); err != nil || n != 1 {
			t.Fatalf("system admins = %d, %v", n, err)
		}

		list := func(f store.UserFilter) []string {
			us, _, err := db.Users(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var es []string
			for _, u := range us {
				es = append(es, u.Email)
			}
			return es
		}
		if got := list(store.UserFilter{All: true, Query: "nur"}); !slices.Equal(got, []string{"petugas@example.id"}) {
			t.Errorf("search by name: %v", got)
		}
		if got := list(store.UserFilter{Within: []string{k16.Path}}); !slices.Equal(got, []string{"petugas@example.id"}) {
			t.Errorf("scope to the region: %v", got)
		}
		// A role within the subtree does not bring in a user who also holds
		// one outside it (here system-wide).
		if err := db.Transact(ctx, func(tx *store.Tx) error {
			return tx.AddGrant(ctx, admin.ID, binakerja.RoleFacilityOfficer, "LP-MARTAPURA")
		}); err != nil {
			t.Fatal(err)
		}
		if got := list(store.UserFilter{Within: []string{k16.Path}}); !slices.Equal(got, []string{"petugas@example.id"}) {
			t.Errorf("scope to the region, with a user holding roles within and beyond it: %v", got)
		}
		if got := list(store.UserFilter{All: true, Role: binakerja.RoleAdmin}); !slices.Equal(got, []string{"admin@example.id"}) {
			t.Errorf("role filter: %v", got)
		}
		if err := db.Transact(ctx, func(tx *store.Tx) error {
			return tx.RemoveGrant(ctx, officer.ID, binakerja.RoleFacilityOfficer, "LP-MARTAPURA")
		}); err != nil {
			t.Fatal(err)
		}
		if u, _ := db.User(ctx, officer.ID); len(u.Grants) != 0 {
			t.Fatalf("grants after removal: %v", u.Grants)
		}
	})
}

func TestLoginStateSessionsAndTokens(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		u := &binakerja.User{Email: "a@example.id", Name: "A"}
		tok := &store.APIToken{Name: "script"}
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateUser(ctx, u, "hash"); err != nil {
				return err
			}
			tok.UserID = u.ID
			if err := tx.CreateAPIToken(ctx, tok, "tokhash"); err != nil {
				return err
			}
			if err := tx.SetLoginFailures(ctx, u.ID, 5, tx.Now.Add(-time.Minute), tx.Now.Add(time.Minute)); err != nil {
				return err
			}
			return tx.CreateSession(ctx, &store.Session{TokenHash: "sess", UserID: u.ID, CreatedAt: tx.Now,
				LastSeenAt: tx.Now, ExpiresAt: tx.Now.Add(12 * time.Hour)})
		})
		if err != nil {
			t.Fatal(err)
		}
		st, err := db.LoginState(ctx, "a@example.id")
		if err != nil || st.FailedLogins != 5 || !st.LastFailedAt.Equal(clock.Truncate(time.Microsecond).Add(-time.Minute)) ||
			!st.ThrottledUntil.Equal(clock.Truncate(time.Microsecond).Add(time.Minute)) || st.PasswordHash != "hash" {
			t.Fatalf("login state: %+v %v", st, err)
		}
		if u2, _ := db.User(ctx, u.ID); !u2.Locked {
			t.Fatal("user should read as throttled")
		}
		s, err := db.Session(ctx, "sess")
		if err != nil || s.UserID != u.ID || !s.ExpiresAt.Equal(clock.Truncate(time.Microsecond).Add(12*time.Hour)) {
			t.Fatalf("session: %+v %v", s, err)
		}
		got, err := db.APITokenByHash(ctx, "tokhash")
		if err != nil || got.ID != tok.ID || !got.RevokedAt.IsZero() {
			t.Fatalf("token: %+v %v", got, err)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.RevokeAPIToken(ctx, u.ID, tok.ID); err != nil {
				return err
			}
			if n, err := tx.DeleteUserSessions(ctx, u.ID); err != nil || n != 1 {
				return fmt.Errorf("deleted %d sessions: %v", n, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, "sess"); binakerja.ErrorKind(err) != binakerja.NotFound {
			t.Fatalf("session after delete: %v", err)
		}
		if got, _ := db.APITokenByHash(ctx, "tokhash"); got.RevokedAt.IsZero() {
			t.Fatal("token should be revoked")
		}
	})
}

func appendEvents(t *testing.T, db *store.DB, n int) {
	t.Helper()
	db.SetAuditKeys(testAuditKeys)
	for i := range n {
		err := db.Transact(t.Context(), func(tx *store.Tx) error {
			return tx.AppendAudit(t.Context(), &binakerja.AuditEvent{Actor: "cli:test", Action: "org.create",
				Entity: "organization", EntityID: fmt.Sprint("ORG-", i), Summary: `{"after":{"name":"x"}}`})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChainVerifiesAndIsAppendOnly(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		appendEvents(t, db, 5)
		n, err := db.VerifyAudit(t.Context())
		if err != nil || n != 5 {
			t.Fatalf("verify: %d, %v", n, err)
		}
		events, _, err := db.AuditEvents(t.Context(), store.AuditFilter{Page: store.Page{Limit: 2}})
		if err != nil || len(events) != 2 || events[0].Seq != 5 || events[1].PrevHash == "" {
			t.Fatalf("newest first: %+v %v", events, err)
		}
		err = db.Transact(t.Context(), func(tx *store.Tx) error {
			_, err := tx.ExecForTest(t.Context(), `UPDATE audit_events SET actor = 'x' WHERE seq = 1`)
			return err
		})
		if err == nil {
			t.Fatal("an UPDATE of audit_events must fail")
		}
		err = db.Transact(t.Context(), func(tx *store.Tx) error {
			_, err := tx.ExecForTest(t.Context(), `DELETE FROM audit_events WHERE seq = 5`)
			return err
		})
		if err == nil {
			t.Fatal("a DELETE from audit_events must fail")
		}
	})
}

// TestAuditVerifyFindsTampering changes the database behind the
// application's back, with the append-only triggers removed as an attacker
// with the file would, and checks that verification names the first bad
// entry.
func TestAuditVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name    string
		sql     []string
		wantSeq int64
	}{
		{"changed field", []string{`UPDATE audit_events SET entity_id = 'ORG-X' WHERE seq = 3`}, 3},
		{"deleted row", []string{`DELETE FROM audit_events WHERE seq = 2`}, 2},
		{"inserted row", []string{
			`UPDATE audit_events SET seq = seq + 100`,
			`UPDATE audit_events SET seq = seq - 99 WHERE seq > 102`,
			`UPDATE audit_events SET seq = seq - 100 WHERE seq > 100`,
			`INSERT INTO audit_events SELECT 3, at, actor_id, actor, actor_role, org, action, entity, 'forged',
				summary, ip, request_id, prev_hash, hash FROM audit_events WHERE seq = 2`}, 3},
		{"cut-off tail", []string{`DELETE FROM audit_events WHERE seq = 5`}, 5},
		{"rehashed row", []string{`UPDATE audit_events SET hash = 'f00d' WHERE seq = 4`}, 4},
	}
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		for _, c := range cases {
			t.Run(string(e)+"/"+c.name, func(t *testing.T) {
				dsn := dsnFor(t, e)
				db, err := store.Open(t.Context(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Migrate(t.Context()); err != nil {
					t.Fatal(err)
				}
				appendEvents(t, db, 5)
				tamper(t, e, dsn, c.sql)
				_, err = db.VerifyAudit(t.Context())
				var ce *store.ChainError
				if !errors.As(err, &ce) || ce.Seq != c.wantSeq {
					t.Fatalf("verify after %s: %v, want a break at entry %d", c.name, err, c.wantSeq)
				}
			})
		}
	}
}

// tamper opens the database with a plain connection, as someone holding the
// file or the server would, and runs stmts with the append-only guard off.
func tamper(t *testing.T, e store.Engine, dsn string, stmts []string) {
	t.Helper()
	driver, src := "sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")
	pre := []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`}
	if e == store.Postgres {
		driver, src = "pgx", dsn
		pre = []string{`ALTER TABLE audit_events DISABLE TRIGGER USER`}
	}
	raw, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range append(pre, stmts...) {
		if _, err := raw.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("tamper %q: %v", s, err)
		}
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		create(t, db, newOrg("LSP-A", "LSP A", binakerja.OrgCertificationBody, nil))
		appendEvents(t, db, 3)
		dest := filepath.Join(t.TempDir(), "backup.db")
		if err := db.Backup(t.Context(), dest); err != nil {
			t.Fatal(err)
		}
		if err := db.Backup(t.Context(), dest); err == nil {
			t.Fatal("a backup over an existing file must be refused")
		}
		if db.Engine() == store.Postgres {
			if fi, err := os.Stat(dest); err != nil || fi.Size() == 0 {
				t.Fatalf("pg_dump output: %v", err)
			}
			return
		}
		copyDB, err := store.Open(t.Context(), "sqlite:"+dest)
		if err != nil {
			t.Fatal(err)
		}
		defer copyDB.Close()
		if _, err := copyDB.Organization(t.Context(), "LSP-A"); err != nil {
			t.Fatalf("the copy lacks the organisation: %v", err)
		}
		copyDB.SetAuditKeys(testAuditKeys)
		if n, err := copyDB.VerifyAudit(t.Context()); err != nil || n != 3 {
			t.Fatalf("the copy's audit chain: %d, %v", n, err)
		}
	})
}
