// Package app holds BinaKerja's use cases: one method per thing a user does
// (sign in, add an organisation, grant a role …). Each method checks the
// authorization policy, runs its writes in one transaction and records them in
// the audit trail in that same transaction. The web pages, the JSON API and
// the command line all go through here, so they share one set of rules.
package app

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"binakerja"
	"binakerja/internal/credential"
	"binakerja/internal/keys"
	"binakerja/internal/nik"
	"binakerja/internal/store"
	"binakerja/internal/totp"
)

// Settings are the security limits of the application.
type Settings struct {
	SessionIdle     time.Duration // a session ends after this long without a request
	SessionAbsolute time.Duration // and after this long in any case
	AccountThrottle Throttle      // failed sign-ins to one account (kept in the database)
	AddressThrottle Throttle      // failed sign-ins from one address, or IPv6 /64 (kept in memory)
	ReauthWindow    time.Duration // how long a re-authentication lasts for the sensitive actions (5 minutes when zero)
	BaseURL         string        // the public URL, for links in credentials and e-mails
	MailAttempts    int           // e-mail attempts before giving up (MailAttempts when zero)
	MailRetryBase   time.Duration // the first wait before another attempt, doubling (MailRetryBase when zero)
	Demo            bool          // the demo world: its public password may be given to users
	MailEnabled     bool          // an SMTP server is configured: the outbox is delivered
}

// Throttle slows sign-in after failures in a row, instead of locking: the
// first Free failures cost nothing; after them every attempt must wait Base
// from the last failure, twice as long after each further failure, up to
// Max. An attempt made sooner is refused without the password being
// checked, and is not counted. Failures are forgotten Forget after the last
// one; a successful sign-in clears an account's (not an address's: only
// failures count there, so that one busy address behind a NAT is not
// slowed by its own successes).
type Throttle struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// forgotten reports whether a run whose last failure was at last is
// forgotten by now (never, with no Forget).
func (t Throttle) forgotten(last, now time.Time) bool {
	return t.Forget > 0 && now.Sub(last) > t.Forget
}

// delay returns how long the next attempt must wait after the last of n
// failures in a row.
func (t Throttle) delay(n int) time.Duration {
	if n < t.Free || t.Base <= 0 {
		return 0
	}
	d := t.Base
	for i := t.Free; i < n && d < t.Max; i++ {
		d *= 2
	}
	return min(d, t.Max)
}

// DefaultSettings follow OWASP ASVS level 2: 30 minutes idle, 12 hours
// absolute; after 5 failed sign-ins to an account, 1 minute, then 2, 4, …
// up to an hour between attempts; after 20 from one address, the same.
// Nothing locks an account for good, so that no one can lock an
// administrator out by typing wrong passwords for them.
var DefaultSettings = Settings{
	SessionIdle:     30 * time.Minute,
	SessionAbsolute: 12 * time.Hour,
	AccountThrottle: Throttle{Free: 5, Base: time.Minute, Max: time.Hour, Forget: 24 * time.Hour},
	AddressThrottle: Throttle{Free: 20, Base: time.Minute, Max: time.Hour, Forget: time.Hour},
	ReauthWindow:    5 * time.Minute,
}

// App is the application: the database, the keys and the settings.
type App struct {
	db       *store.DB
	nik      *nik.Protector     // nil without a key ring: identity numbers cannot be handled
	issuer   *credential.Issuer // nil without a key ring: credentials cannot be signed
	totp     *totp.Sealer       // nil without a key ring: TOTP cannot be set up or checked
	log      *slog.Logger
	settings Settings

	// recoveryKey keys the hashes of recovery codes (from the first root
	// key, so that a rotation keeps them).
	recoveryKey []byte

	mu         sync.Mutex
	failures   map[string]*failureRun // failed sign-ins per client address
	plansSwept binakerja.Date         // the day the sweep last judged who is due out without a plan
}

// New returns the application over db. ring may be nil for tools that touch
// no protected value; identity numbers then cannot be read or written.
func New(db *store.DB, ring *keys.Ring, log *slog.Logger, s Settings) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{db: db, log: log, settings: s, failures: map[string]*failureRun{}}
	if ring != nil {
		p, err := nik.New(ring)
		if err != nil {
			return nil, err
		}
		a.nik = p
		a.issuer = credential.New(ring, s.BaseURL)
		if a.totp, err = totp.NewSealer(ring); err != nil {
			return nil, err
		}
		a.recoveryKey = ring.First().Derive(keys.RecoveryCode)
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
	// How the user proved who they are, for the actions that ask for a
	// recent proof (see fresh): a browser session (the hash of its token),
	// or an API token with the code it sent in X-BinaKerja-Reauth.
	Session string
	Token   bool
	Reauth  string
	// Pending is a browser half way through signing in: its password was
	// right and the second step is awaited. User is nil meanwhile, so that
	// nothing else is open to it.
	Pending *SignIn
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

// RecordRefusal records in the audit trail a request refused as forbidden
// or not found: what was asked (the route's pattern and the path), by whom.
// A probe of another organisation's records by id is answered as not found,
// and so is recorded too.
func (a *App) RecordRefusal(ctx context.Context, ac Actor, method, pattern, path string, action binakerja.Action, kind binakerja.Kind) {
	what := "authz.not_found"
	if kind == binakerja.Forbidden {
		what = "authz.deny"
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, "", what, "route", pattern, "",
			map[string]string{"method": method, "path": path, "action": string(action)})
	})
	if err != nil {
		a.log.Error("record a refusal", "err", err, "request_id", ac.RequestID)
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

// failureRun is a run of failed sign-ins from one address: how many, the
// last, and until when further attempts are refused.
type failureRun struct {
	n     int
	last  time.Time
	until time.Time
}

// addressKey is what the address throttle counts by: the address, or for
// IPv6 its /64, which one client commonly holds whole.
func addressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// addressWait returns how long sign-ins from addr must still wait, or zero.
func (a *App) addressWait(addr string, now time.Time) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.failures[addressKey(addr)]
	if r == nil || !now.Before(r.until) {
		return 0
	}
	return r.until.Sub(now)
}

// addressFailed counts a failed sign-in from addr.
func (a *App) addressFailed(addr string, now time.Time) {
	t := a.settings.AddressThrottle
	a.mu.Lock()
	defer a.mu.Unlock()
	key := addressKey(addr)
	r := a.failures[key]
	if r == nil || t.forgotten(r.last, now) {
		if len(a.failures) > 10000 { // forget runs that refuse nothing now rather than grow without bound
			for k, v := range a.failures {
				if !now.Before(v.until) {
					delete(a.failures, k)
				}
			}
		}
		r = &failureRun{}
		a.failures[key] = r
	}
	r.n++
	r.last = now
	if d := t.delay(r.n); d > 0 {
		r.until = now.Add(d)
	}
}

// minutes is a wait in whole minutes, rounded up, for messages.
func minutes(d time.Duration) int { return int((d + time.Minute - 1) / time.Minute) }

// wib is western Indonesian time (UTC+7), in which SDP deadlines are quoted.
var wib = time.FixedZone("WIB", 7*60*60)
