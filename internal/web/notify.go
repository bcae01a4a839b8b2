package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"binakerja"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type noticeListData struct {
	Notices []*store.Notice
	Unread  int
	Only    bool // only those unread
	Next    string
	Newest  int64 // the newest listed, up to which "mark as read" marks
}

// Link returns where a notice leads its reader: the caseload for hand-overs
// and follow-ups, the agreement, the certificate, the release board; none
// for a re-admission (the person is in another facility's custody).
func (noticeListData) Link(n *store.Notice) string {
	_, id, _ := strings.Cut(n.Ref, ":")
	switch n.Kind {
	case store.NoticeHandover, store.NoticeHandoverStale, store.NoticeFollowUpDue, store.NoticeFollowUpOverdue:
		return "/followups"
	case store.NoticeAgreementEnding:
		return "/agreements/" + id
	case store.NoticeCertificateExpiring:
		return "/certificates/" + id
	case store.NoticeReleaseNoPlan:
		return "/release-board?" + url.Values{"facility": {n.Org}, "days": {"30"}}.Encode()
	}
	return ""
}

// noticeList lists the notices addressed to the user, newest first, the
// unread ones marked.
func (h *Handler) noticeList(w http.ResponseWriter, r *http.Request) error {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	d := noticeListData{Only: q.Get("unread") == "1"}
	var next string
	var err error
	d.Notices, next, d.Unread, err = h.app.Notifications(r.Context(), ac, d.Only, store.Page{Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	if next != "" {
		v := url.Values{"cursor": {next}}
		if d.Only {
			v.Set("unread", "1")
		}
		d.Next = "/notices?" + v.Encode()
	}
	if len(d.Notices) > 0 && q.Get("cursor") == "" {
		d.Newest = d.Notices[0].ID
	}
	return h.render(w, http.StatusOK, "notices", h.newPage(w, r, "notice.title", d))
}

// noticesRead marks the user's notices as read, up to the newest the page
// showed (so that one arrived since stays unread).
func (h *Handler) noticesRead(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	upTo, _ := strconv.ParseInt(r.PostForm.Get("up_to"), 10, 64)
	if upTo <= 0 {
		return binakerja.Errorf(binakerja.Invalid, "error.invalid")
	}
	if _, err := h.app.MarkNotificationsRead(r.Context(), route.ActorFrom(r.Context()), upTo); err != nil {
		return err
	}
	h.flash(w, "notice.marked")
	http.Redirect(w, r, "/notices", http.StatusSeeOther)
	return nil
}

type outboxData struct {
	Mails   []*store.Mail
	Counts  map[string]int
	Status  string
	Next    string
	Enabled bool // an SMTP server is configured
}

// outbox shows a system-wide admin the e-mail waiting, sent and given up,
// with a button to send again one given up.
func (h *Handler) outbox(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := outboxData{Status: q.Get("status"), Enabled: h.app.MailEnabled()}
	if d.Status == "all" {
		d.Status = ""
	}
	ac := route.ActorFrom(r.Context())
	var next string
	var err error
	if q.Get("status") == "" {
		// Those given up first, when there are; else those waiting.
		if _, _, d.Counts, err = h.app.Outbox(r.Context(), ac, store.MailFailed, store.Page{Limit: 1}); err != nil {
			return err
		}
		d.Status = store.MailFailed
		if d.Counts[store.MailFailed] == 0 {
			d.Status = store.MailPending
		}
	}
	d.Mails, next, d.Counts, err = h.app.Outbox(r.Context(), ac, d.Status, store.Page{Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	if next != "" {
		d.Next = "/admin/outbox?" + url.Values{"status": {q.Get("status")}, "cursor": {next}}.Encode()
	}
	return h.render(w, http.StatusOK, "outbox", h.newPage(w, r, "outbox.title", d))
}

func (h *Handler) outboxRetry(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.app.RetryMail(r.Context(), route.ActorFrom(r.Context()), id); err != nil {
		return err
	}
	h.flash(w, "outbox.retried")
	http.Redirect(w, r, "/admin/outbox", http.StatusSeeOther)
	return nil
}
