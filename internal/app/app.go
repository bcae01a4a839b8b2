// Package app holds BinaKerja's use cases: one method per thing a user does
// (sign in, add an organisation, grant a role …). Each method checks the
// authorization policy, runs its writes in one transaction and records them in
// the audit trail in that same transaction. The web pages, the JSON API and
// the command line all go through here, so they share one set of rules.
package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"binakerja"
	"binakerja/internal/credential"
	"binakerja/internal/keys"
	"binakerja/internal/nik"
	"binakerja/internal/store"
)

// Settings are the security limits of the application.
type Settings struct {
	SessionIdle      time.Duration // a session ends after this long without a request
	SessionAbsolute  time.Duration // and after this long in any case
	LockoutFailures  int           // this many failed sign-ins …
	LockoutWindow    time.Duration // … within this long lock the account
	LoginPerIPMinute int           // sign-in attempts allowed from one address per minute
	BaseURL          string        // the public URL, for links in credentials
}

// DefaultSettings follow OWASP ASVS level 2 and the CJIS policy: 30 minutes
// idle, 12 hours absolute, lock after 5 failures in 15 minutes.
var DefaultSettings = Settings{
	SessionIdle:      30 * time.Minute,
	SessionAbsolute:  12 * time.Hour,
	LockoutFailures:  5,
	LockoutWindow:    15 * time.Minute,
	LoginPerIPMinute: 20,
}

// App is the application: the database, the keys and the settings.
type App struct {
	db       *store.DB
	nik      *nik.Protector     // nil without a key ring: identity numbers cannot be handled
	issuer   *credential.Issuer // nil without a key ring: credentials cannot be signed
	log      *slog.Logger
	settings Settings

	mu       sync.Mutex
	attempts map[string]*window // sign-in attempts per client address
}

// New returns the application over db. ring may be nil for tools that touch
// no protected value; identity numbers then cannot be read or written.
func New(db *store.DB, ring *keys.Ring, log *slog.Logger, s Settings) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{db: db, log: log, settings: s, attempts: map[string]*window{}}
	if ring != nil {
		p, err := nik.New(ring)
		if err != nil {
			return nil, err
		}
		a.nik = p
		a.issuer = credential.New(ring, s.BaseURL)
		db.SetAuditKeys(AuditKeys(ring))
	}
	return a, nil
}

// DB returns the application's database, for the health check and tools.
func (a *App) DB() *store.DB { return a.db }

// Actor is who performs a use case: a signed-in user, or the command line run
// by someone with access to the machine (which the policy lets do anything, as
// it could open the database directly).
type Actor struct {
	User      *binakerja.User
	CLI       string // the operating-system user running the command line
	IP        string
	RequestID string
}

// CLIActor is the command line run by the named operating-system user.
func CLIActor(osUser string) Actor { return Actor{CLI: osUser} }

func (ac Actor) id() int64 {
	if ac.User != nil {
		return ac.User.ID
	}
	return 0
}

func (ac Actor) label() string {
	switch {
	case ac.User != nil:
		return ac.User.Email
	case ac.CLI != "":
		return "cli:" + ac.CLI
	}
	return "anonymous"
}

// authorize returns the role under which the actor may perform action on the
// organisation at orgPath ("" for none in particular), or a Forbidden error,
// which it records in the audit trail.
func (a *App) authorize(ctx context.Context, ac Actor, action binakerja.Action, orgPath string) (string, error) {
	if ac.User == nil && ac.CLI != "" {
		return "cli", nil
	}
	if ac.User != nil && ac.User.Can(action, orgPath) {
		rule := binakerja.Policy[action]
		for _, g := range ac.User.Grants {
			if rule.Admits(g) && (orgPath == "" || g.Covers(orgPath)) {
				return string(g.Role), nil
			}
		}
	}
	a.deny(ctx, ac, action, orgPath)
	return "", binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
}

// deny records a refused request in the audit trail. A failure to record it is
// logged; the request is refused either way.
func (a *App) deny(ctx context.Context, ac Actor, action binakerja.Action, orgPath string) {
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, "", "authz.deny", "action", string(action), "",
			map[string]string{"scope": orgPath})
	})
	if err != nil {
		a.log.Error("record denial", "err", err, "request_id", ac.RequestID)
	}
}

// record appends an audit event for a change made in tx.
func (a *App) record(ctx context.Context, tx *store.Tx, ac Actor, role, action, entity, entityID, org string, summary any) error {
	s, ok := summary.(string)
	if !ok {
		s = binakerja.AuditSummary(nil, summary)
		if summary == nil {
			s = "{}"
		}
	}
	return tx.AppendAudit(ctx, &binakerja.AuditEvent{
		ActorID: ac.id(), Actor: ac.label(), ActorRole: role, Org: org, Action: action,
		Entity: entity, EntityID: entityID, Summary: s, IP: ac.IP, RequestID: ac.RequestID,
	})
}

// window counts events in a fixed one-minute window.
type window struct {
	start time.Time
	n     int
}

// allowAttempt reports whether another sign-in attempt from addr is allowed
// now, counting it.
func (a *App) allowAttempt(addr string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := a.attempts[addr]
	if w == nil || now.Sub(w.start) >= time.Minute {
		if len(a.attempts) > 10000 { // forget old windows rather than grow without bound
			for k, v := range a.attempts {
				if now.Sub(v.start) >= time.Minute {
					delete(a.attempts, k)
				}
			}
		}
		w = &window{start: now}
		a.attempts[addr] = w
	}
	w.n++
	return w.n <= a.settings.LoginPerIPMinute
}

// wib is western Indonesian time (UTC+7), in which SDP deadlines are quoted.
var wib = time.FixedZone("WIB", 7*60*60)
