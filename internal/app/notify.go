package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/i18n"
	"binakerja/internal/store"
)

// The reach of the sweep's reminders.
const (
	staleHandoverDays     = 7  // a hand-over unacknowledged this long stands out
	agreementEndingDays   = 30 // an agreement in force ending this soon
	certificateExpiryDays = 90 // a certificate expiring this soon
	releaseSoonDays       = 30 // someone due out this soon without a plan
)

// notify writes a notice of a kind to the organisation with the given code,
// about a person (0 for none) and a ref (what it is about, "kind:id"; empty
// for a notice that may repeat), and queues in the same transaction an
// e-mail to each of the organisation's people. The e-mail says only that
// there is something to read and where: no name or number of anyone leaves
// by e-mail.
func (a *App) notify(ctx context.Context, tx *store.Tx, org, kind string, personID int64, ref string) error {
	id, added, err := tx.AddNotice(ctx, org, kind, personID, ref)
	if err != nil || !added {
		return err
	}
	return a.enqueueFor(ctx, tx, id, org, kind)
}

// enqueueFor queues the e-mails of a notice just written.
func (a *App) enqueueFor(ctx context.Context, tx *store.Tx, id int64, org, kind string) error {
	rs, err := tx.NoticeRecipients(ctx, org)
	if err != nil {
		return err
	}
	for _, r := range rs {
		p := i18n.New(r.Lang)
		what := p.T("notice.kind." + kind)
		m := &store.Mail{NoticeID: id, UserID: r.UserID, Address: r.Email,
			Subject: "BinaKerja: " + what,
			Body:    p.T("mail.notice", r.Name, what, strings.TrimSuffix(a.settings.BaseURL, "/")+"/notices")}
		if err := tx.Enqueue(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func ref(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }

// SweepReport counts the notices a sweep wrote.
type SweepReport struct {
	FollowUpsDue, FollowUpsOverdue, StaleHandovers, AgreementsEnding, CertificatesExpiring, ReleasesWithoutPlan int
}

// Sweep writes the reminders that time brings, each once (a notice names
// what it is about, so that running the sweep again, or on several servers,
// adds nothing): follow-ups due and overdue, to the mentor; hand-overs
// unacknowledged after a week, to both sides; agreements in force ending
// within 30 days, to every party; certificates expiring within 90 days, to
// the body that issued them; and people due for release within 30 days
// without a plan (not ready for work on the release board), to their
// facility, once a day.
func (a *App) Sweep(ctx context.Context) (SweepReport, error) {
	var rep SweepReport
	today, now := a.today(), a.db.Now()
	type note struct {
		org, kind, ref string
		person         int64
		count          *int
	}
	var notes []note
	grace := binakerja.FollowUpRuleFor(today).GraceDays
	page := store.Page{Limit: store.MaxLimit}
	for {
		fs, next, err := a.db.FollowUps(ctx, store.FollowUpFilter{All: true, Open: true, DueUntil: today, Page: page})
		if err != nil {
			return rep, err
		}
		for _, f := range fs {
			n := note{org: f.Mentor, kind: store.NoticeFollowUpDue, ref: ref("followup", f.ID), person: f.PersonID, count: &rep.FollowUpsDue}
			if f.StatusOn(today, grace) == binakerja.FollowUpOverdue {
				n.kind, n.count = store.NoticeFollowUpOverdue, &rep.FollowUpsOverdue
			}
			notes = append(notes, n)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	hs, err := a.db.Handovers(ctx, store.HandoverFilter{All: true, Pending: true})
	if err != nil {
		return rep, err
	}
	for _, h := range hs {
		if h.Stale(now, staleHandoverDays) {
			r := ref("handover", h.ID)
			notes = append(notes, note{h.Facility, store.NoticeHandoverStale, r, h.PersonID, &rep.StaleHandovers},
				note{h.Mentor, store.NoticeHandoverStale, r, h.PersonID, nil})
		}
	}
	page = store.Page{Limit: store.MaxLimit}
	for {
		ags, next, err := a.db.Agreements(ctx, store.AgreementFilter{All: true, Status: binakerja.AgreementActive,
			EndingFrom: today, EndingUntil: today.AddDate(0, 0, agreementEndingDays), Page: page})
		if err != nil {
			return rep, err
		}
		for _, ag := range ags {
			for i, p := range ag.Parties {
				n := note{org: p.Code, kind: store.NoticeAgreementEnding, ref: ref("agreement", ag.ID)}
				if i == 0 {
					n.count = &rep.AgreementsEnding
				}
				notes = append(notes, n)
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	page = store.Page{Limit: store.MaxLimit}
	for {
		cs, next, err := a.db.Certificates(ctx, store.CertificateFilter{All: true, Today: today,
			ExpiringUntil: today.AddDate(0, 0, certificateExpiryDays), Page: page})
		if err != nil {
			return rep, err
		}
		for _, c := range cs {
			notes = append(notes, note{c.Issuer, store.NoticeCertificateExpiring, ref("certificate", c.ID), c.PersonID, &rep.CertificatesExpiring})
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	// Whether someone due out has a plan is judged once a day: it reads
	// every such person's readiness, and a day changes little.
	a.mu.Lock()
	plans := a.plansSwept != today
	a.mu.Unlock()
	var facs []string
	if plans {
		var err error
		if facs, err = a.db.FacilitiesReleasing(ctx, today.AddDate(0, 0, releaseSoonDays)); err != nil {
			return rep, err
		}
	}
	sys := CLIActor("sweep")
	for _, code := range facs {
		rows, err := a.ReleaseBoard(ctx, sys, code, releaseSoonDays)
		if err != nil {
			return rep, err
		}
		for _, r := range rows {
			if r.Readiness != ReadyForWork && r.Readiness != NotWilling {
				notes = append(notes, note{code, store.NoticeReleaseNoPlan, ref("episode", r.Inmate.Episode.ID), r.Inmate.Person.ID, &rep.ReleasesWithoutPlan})
			}
		}
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		for _, n := range notes {
			id, added, err := tx.AddNotice(ctx, n.org, n.kind, n.person, n.ref)
			if err != nil {
				return err
			}
			if !added {
				continue
			}
			if err := a.enqueueFor(ctx, tx, id, n.org, n.kind); err != nil {
				return err
			}
			if n.count != nil {
				*n.count++
			}
		}
		return nil
	})
	if err == nil && plans {
		a.mu.Lock()
		a.plansSwept = today
		a.mu.Unlock()
	}
	return rep, err
}

// Notifications lists the notices addressed to the actor (of the
// organisations where they hold a working role), newest first, saying which
// they have read, with the count of those unread. The command line, which
// is no one's, sees every notice.
func (a *App) Notifications(ctx context.Context, ac Actor, unread bool, page store.Page) ([]*store.Notice, string, int, error) {
	if ac.User == nil {
		if ac.CLI == "" {
			return nil, "", 0, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
		}
		ns, next, err := a.db.Notices(ctx, store.NoticeFilter{All: true, Page: page})
		return ns, next, 0, err
	}
	ns, next, err := a.db.Notices(ctx, store.NoticeFilter{User: ac.User.ID, Unread: unread, Page: page})
	if err != nil {
		return nil, "", 0, err
	}
	n, err := a.UnreadCount(ctx, ac)
	return ns, next, n, err
}

// UnreadLimit is the most unread notices counted; beyond it a badge says
// "99+".
const UnreadLimit = 100

// UnreadCount counts the notices addressed to the actor not yet read, up to
// UnreadLimit.
func (a *App) UnreadCount(ctx context.Context, ac Actor) (int, error) {
	if ac.User == nil {
		return 0, nil
	}
	return a.db.UnreadNotices(ctx, ac.User.ID, UnreadLimit)
}

// MarkNotificationsRead marks the actor's notices up to an id (0 for all)
// as read.
func (a *App) MarkNotificationsRead(ctx context.Context, ac Actor, upTo int64) (int, error) {
	if ac.User == nil {
		return 0, binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	}
	var n int
	err := a.db.Transact(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.MarkNoticesRead(ctx, ac.User.ID, upTo)
		return err
	})
	return n, err
}

// The outbox's delivery: a message is leased to one sender for mailLease
// (longer than one SMTP exchange may take), tried up to MailAttempts times
// with back-off doubling from MailRetryBase up to mailRetryMax, and then
// given up for an admin to see and send again.
const (
	mailLease    = 5 * time.Minute
	mailBatch    = 20
	mailRetryMax = 6 * time.Hour
)

// MailAttempts and MailRetryBase are the defaults of Settings.MailAttempts
// and Settings.MailRetryBase.
const (
	MailAttempts  = 8
	MailRetryBase = time.Minute
)

// Message is an e-mail to send.
type Message struct {
	ID      int64 // the outbox's id, which makes the Message-ID
	To      string
	Subject string
	Body    string
}

// Sender sends e-mail.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// DeliverMail sends what the outbox holds due, as owner (a name unique to
// this server process), and reports how many were sent and how many
// attempts failed. A message is marked sent only by the owner of its lease,
// so that of several servers on one database each message is sent by one.
func (a *App) DeliverMail(ctx context.Context, s Sender, owner string) (sent, failed int, err error) {
	ms, err := a.db.ClaimMail(ctx, owner, mailLease, mailBatch)
	if err != nil {
		return 0, 0, err
	}
	attempts, base := a.settings.MailAttempts, a.settings.MailRetryBase
	if attempts <= 0 {
		attempts = MailAttempts
	}
	if base <= 0 {
		base = MailRetryBase
	}
	for _, m := range ms {
		serr := s.Send(ctx, Message{ID: m.ID, To: m.Address, Subject: m.Subject, Body: m.Body})
		err := a.db.Transact(ctx, func(tx *store.Tx) error {
			if serr == nil {
				_, err := tx.MarkMailSent(ctx, m.ID, owner)
				return err
			}
			var next time.Time
			if m.Attempts+1 < attempts {
				next = tx.Now.Add(min(base<<m.Attempts, mailRetryMax))
			}
			reason := serr.Error()
			if len(reason) > 500 {
				reason = reason[:500]
			}
			return tx.MarkMailFailed(ctx, m.ID, owner, reason, next)
		})
		if err != nil {
			return sent, failed, err
		}
		if serr == nil {
			sent++
		} else {
			failed++
			a.log.Warn("e-mail not sent", "outbox", m.ID, "attempt", m.Attempts+1, "err", serr)
		}
	}
	return sent, failed, nil
}

// Outbox lists the outbox's messages of a status (empty for any), newest
// first, with the counts by status: for a system-wide admin only, since it
// holds every user's address.
func (a *App) Outbox(ctx context.Context, ac Actor, status string, page store.Page) ([]*store.Mail, string, map[string]int, error) {
	if err := a.systemAdmin(ctx, ac); err != nil {
		return nil, "", nil, err
	}
	ms, next, err := a.db.Mails(ctx, store.MailFilter{Status: status, Page: page})
	if err != nil {
		return nil, "", nil, err
	}
	counts, err := a.db.MailCounts(ctx)
	return ms, next, counts, err
}

// RetryMail puts a message given up back in the queue.
func (a *App) RetryMail(ctx context.Context, ac Actor, id int64) error {
	if err := a.systemAdmin(ctx, ac); err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RetryMail(ctx, id); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, string(binakerja.RoleAdmin), "mail.retry", "outbox", itoa(id), "", "")
	})
}

// systemAdmin lets through the command line and a system-wide admin.
func (a *App) systemAdmin(ctx context.Context, ac Actor) error {
	if ac.User == nil && ac.CLI != "" {
		return nil
	}
	if ac.User != nil {
		for _, g := range ac.User.Grants {
			if g.Role == binakerja.RoleAdmin && g.SystemWide() && !g.Inactive {
				return nil
			}
		}
	}
	a.deny(ctx, ac, binakerja.ActionUserManage, "")
	return binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
}

// MailEnabled reports whether the outbox is delivered (an SMTP server is
// configured); without one, notices stay in the application.
func (a *App) MailEnabled() bool { return a.settings.MailEnabled }
