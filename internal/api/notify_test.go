package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/mail"
	"binakerja/internal/mail/mailtest"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
	"binakerja/internal/store"
)

// deliverAll runs the outbox's delivery until it has nothing due, and
// returns the counts sent and failed.
func deliverAll(t *testing.T, a *app.App, s app.Sender, owner string) (sent, failed int) {
	t.Helper()
	for {
		n, f, err := a.DeliverMail(t.Context(), s, owner)
		if err != nil {
			t.Fatal(err)
		}
		if n+f == 0 {
			return sent, failed
		}
		sent, failed = sent+n, failed+f
	}
}

func sender(t *testing.T, srv *mailtest.Server) *mail.Sender {
	t.Helper()
	s, err := mail.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The demo's releases hand people over; each hand-over is a notice to the
// mentor's people, queued in the outbox with it and sent by e-mail to a
// real SMTP server once, carrying no one's name. The mentor reads it in the
// application and marks it read.
func TestNoticesAreSentByEmailOnceAndReadInTheApplication(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		smtp := mailtest.Start(t)
		pending := env.Int(t, `SELECT count(*) FROM outbox WHERE status = 'pending'`)
		handovers := env.Int(t, `SELECT count(*) FROM handovers h JOIN organizations o ON o.id = h.mentor_id WHERE o.code = 'DISNAKER-OKUT'`)
		if pending == 0 || handovers == 0 {
			t.Fatalf("the demo queued %d e-mails for %d hand-overs", pending, handovers)
		}
		if env.Int(t, `SELECT count(*) FROM outbox o JOIN notices n ON n.id = o.notice_id WHERE n.kind = 'handover'`) <
			env.Int(t, `SELECT count(*) FROM handovers`) {
			t.Fatal("a hand-over without its e-mail")
		}
		sent, failed := deliverAll(t, env.App, sender(t, smtp), "server-1")
		got := smtp.Messages()
		if sent != pending || failed != 0 || len(got) != pending {
			t.Fatalf("sent %d, failed %d, received %d of %d", sent, failed, len(got), pending)
		}
		if again, _ := deliverAll(t, env.App, sender(t, smtp), "server-1"); again != 0 || len(smtp.Messages()) != pending {
			t.Fatalf("sent again: %d", again)
		}
		names := map[string]bool{}
		people, _, err := env.App.Inmates(t.Context(), app.CLIActor("t"), app.InmateQuery{Page: store.Page{Limit: 500}})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range people {
			names[p.Name] = true
		}
		ids := map[string]bool{}
		toMentor := 0
		for _, m := range got {
			if ids[m.Header.Get("Message-ID")] {
				t.Fatalf("two messages with one Message-ID: %s", m.Header.Get("Message-ID"))
			}
			ids[m.Header.Get("Message-ID")] = true
			if !strings.Contains(m.Body, "http://binakerja.test/notices") || m.From != "binakerja@example.go.id" {
				t.Fatalf("message: %+v", m)
			}
			for n := range names {
				if strings.Contains(m.Body, n) || strings.Contains(m.Header.Get("Subject"), n) {
					t.Fatalf("an e-mail names %s: %s", n, m.Body)
				}
			}
			if m.To == "disnaker@binakerja.test" {
				toMentor++
			}
		}
		if toMentor < handovers {
			t.Fatalf("the mentor got %d e-mails for %d hand-overs", toMentor, handovers)
		}
		// In the application: the labour officer's unread notices.
		var l struct {
			Items []struct {
				ID   int64
				Kind string
				Read bool
			}
			Unread int
		}
		mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, "/api/v1/notifications"), &l)
		if l.Unread == 0 || len(l.Items) == 0 || l.Items[0].Read {
			t.Fatalf("notifications: %+v", l)
		}
		kinds := map[string]bool{}
		for _, n := range l.Items {
			kinds[n.Kind] = true
		}
		if !kinds[store.NoticeHandover] {
			t.Fatalf("no hand-over among %v", kinds)
		}
		// The employer's are its own: no hand-over of anyone.
		var el struct{ Items []struct{ Kind string } }
		mustJSON(t, get(t, env, binakerja.RoleEmployer, "/api/v1/notifications"), &el)
		for _, n := range el.Items {
			if n.Kind != store.NoticeAgreementEnding {
				t.Fatalf("the employer told of %s", n.Kind)
			}
		}
		r := post(t, env, binakerja.RoleLabourOfficer, "/api/v1/notifications/read", fmt.Sprintf(`{"up_to":%d}`, l.Items[0].ID))
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), fmt.Sprintf(`"marked":%d`, l.Unread)) {
			t.Fatalf("mark read: %d %s (unread %d)", r.StatusCode, r.Body, l.Unread)
		}
		mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, "/api/v1/notifications?unread=true"), &l)
		if l.Unread != 0 || len(l.Items) != 0 {
			t.Fatalf("after marking read: %+v", l)
		}
		// The facility officer's read state is its own.
		var fl struct{ Unread int }
		mustJSON(t, get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/notifications"), &fl)
		if env.Int(t, `SELECT count(*) FROM notices n JOIN organizations o ON o.id = n.organization_id WHERE o.code = 'LP-MARTAPURA'`) > 0 && fl.Unread == 0 {
			t.Fatal("the facility's notices read by another")
		}
	})
}

// An SMTP server that refuses: each message is tried again later with
// back-off, given up after the limit, shown to the admin with the server's
// answer, and sent once queued again.
func TestMailRetriesWithBackOffAndIsGivenUpAfterTheLimit(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn, servertest.Options{MailAttempts: 3})
		smtp := mailtest.Start(t)
		smtp.Refuse(1 << 20)
		s := sender(t, smtp)
		pending := env.Int(t, `SELECT count(*) FROM outbox WHERE status = 'pending'`)
		if _, failed := deliverAll(t, env.App, s, "a"); failed != pending {
			t.Fatalf("failed %d of %d", failed, pending)
		}
		// Not again before its time: one minute, then two.
		if _, failed := deliverAll(t, env.App, s, "a"); failed != 0 {
			t.Fatalf("tried again at once: %d", failed)
		}
		env.Clock.Advance(61 * time.Second)
		if _, failed := deliverAll(t, env.App, s, "a"); failed != pending {
			t.Fatalf("second attempt: %d", failed)
		}
		env.Clock.Advance(61 * time.Second)
		if _, failed := deliverAll(t, env.App, s, "a"); failed != 0 {
			t.Fatalf("the third attempt came before two minutes: %d", failed)
		}
		env.Clock.Advance(60 * time.Second)
		if _, failed := deliverAll(t, env.App, s, "a"); failed != pending {
			t.Fatalf("third attempt: %d", failed)
		}
		env.Clock.Advance(24 * time.Hour)
		if _, failed := deliverAll(t, env.App, s, "a"); failed != 0 {
			t.Fatalf("tried after giving up: %d", failed)
		}
		var l struct {
			Items []struct {
				ID        int64
				Status    string
				Attempts  int
				LastError string `json:"last_error"`
			}
			Counts map[string]int
		}
		mustJSON(t, get(t, env, binakerja.RoleAdmin, "/api/v1/outbox?status=failed&limit=500"), &l)
		if l.Counts["failed"] != pending || len(l.Items) != pending || l.Items[0].Attempts != 3 ||
			!strings.Contains(l.Items[0].LastError, "451") {
			t.Fatalf("outbox: %+v", l)
		}
		if r := get(t, env, binakerja.RoleFacilityOfficer, "/api/v1/outbox"); r.StatusCode != 403 {
			t.Fatalf("a facility officer reads the outbox: %d", r.StatusCode)
		}
		if r := get(t, env, binakerja.RoleAdmin, "/api/v1/outbox?status=lost"); r.StatusCode != 422 {
			t.Fatalf("a bad status: %d %s", r.StatusCode, r.Body)
		}
		smtp.Refuse(0)
		if r := post(t, env, binakerja.RoleAdmin, fmt.Sprintf("/api/v1/outbox/%d/retry", l.Items[0].ID), `{}`); r.StatusCode != 204 {
			t.Fatalf("retry: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleAdmin, fmt.Sprintf("/api/v1/outbox/%d/retry", l.Items[0].ID), `{}`); r.StatusCode != 404 {
			t.Fatalf("retrying one queued: %d", r.StatusCode)
		}
		if sent, _ := deliverAll(t, env.App, s, "a"); sent != 1 || len(smtp.Messages()) != 1 {
			t.Fatalf("after the retry: sent %d, received %d", sent, len(smtp.Messages()))
		}
	})
}

// Several servers on one database deliver the outbox together: each message
// is sent exactly once.
func TestSeveralServersSendEachMessageOnce(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		smtp := mailtest.Start(t)
		// More mail: every user is told of something once more.
		env.SQL(t, `INSERT INTO outbox (address, subject, body, status, next_attempt_at, created_at)
			SELECT u.email, 'BinaKerja: uji', 'uji', 'pending', n.t, n.t FROM users u,
			(SELECT min(created_at) AS t FROM outbox) n, (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) x`)
		pending := env.Int(t, `SELECT count(*) FROM outbox WHERE status = 'pending'`)
		servers := []*app.App{env.App}
		for range 3 {
			db, err := store.Open(t.Context(), dsn, store.WithClock(env.Clock.Now))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			a, err := app.New(db, nil, nil, app.DefaultSettings)
			if err != nil {
				t.Fatal(err)
			}
			servers = append(servers, a)
		}
		var wg sync.WaitGroup
		counts := make([]int, len(servers))
		for i, a := range servers {
			wg.Go(func() {
				for {
					n, _, err := a.DeliverMail(t.Context(), sender(t, smtp), fmt.Sprint("server-", i))
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
					counts[i] += n
				}
			})
		}
		wg.Wait()
		total := 0
		for _, n := range counts {
			total += n
		}
		got := smtp.Messages()
		seen := map[string]int{}
		for _, m := range got {
			seen[m.Header.Get("Message-ID")]++
		}
		if total != pending || len(got) != pending || len(seen) != pending {
			t.Fatalf("%d queued; sent %v (%d), received %d, distinct %d", pending, counts, total, len(got), len(seen))
		}
		if left := env.Int(t, `SELECT count(*) FROM outbox WHERE status <> 'sent'`); left != 0 {
			t.Fatalf("%d not marked sent", left)
		}
	})
}

// The sweep writes each reminder once however often it runs: overdue
// follow-ups to the mentor, hand-overs left unacknowledged a week to both
// sides.
func TestTheSweepWritesEachReminderOnce(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		env.Clock.Advance(8 * 24 * time.Hour) // the demo's waiting hand-over is over a week old
		rep, err := env.App.Sweep(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if rep.FollowUpsOverdue == 0 || rep.StaleHandovers == 0 {
			t.Fatalf("first sweep: %+v", rep)
		}
		notices := env.Int(t, `SELECT count(*) FROM notices`)
		mails := env.Int(t, `SELECT count(*) FROM outbox`)
		again, err := env.App.Sweep(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if again != (app.SweepReport{}) || env.Int(t, `SELECT count(*) FROM notices`) != notices || env.Int(t, `SELECT count(*) FROM outbox`) != mails {
			t.Fatalf("second sweep: %+v", again)
		}
		if n := env.Int(t, `SELECT count(*) FROM notices n JOIN organizations o ON o.id = n.organization_id
			WHERE n.kind = 'handover_stale' AND o.code IN ('LP-MARTAPURA', 'DISNAKER-OKUT')`); n < 2 {
			t.Fatalf("a stale hand-over told to %d sides", n)
		}
		var l struct{ Items []struct{ Kind string } }
		mustJSON(t, get(t, env, binakerja.RoleLabourOfficer, "/api/v1/notifications?limit=500"), &l)
		kinds := map[string]bool{}
		for _, n := range l.Items {
			kinds[n.Kind] = true
		}
		if !kinds[store.NoticeFollowUpOverdue] || !kinds[store.NoticeHandoverStale] {
			t.Fatalf("the labour officer's notices: %v", kinds)
		}
	})
}
