package api

import (
	"net/http"
	"time"

	"binakerja"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type notification struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	Organization string    `json:"organization"`
	Ref          string    `json:"ref,omitempty"`
	InmateID     int64     `json:"inmate_id,omitempty"`
	InmateName   string    `json:"inmate_name,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	Read         bool      `json:"read"`
}

type notificationList struct {
	Items      []notification `json:"items"`
	Unread     int            `json:"unread"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

func (h *Handler) notificationList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	ns, next, unread, err := h.app.Notifications(r.Context(), route.ActorFrom(r.Context()), r.URL.Query().Get("unread") == "true", pg)
	if err != nil {
		return err
	}
	out := notificationList{Items: []notification{}, Unread: unread, NextCursor: next}
	for _, n := range ns {
		out.Items = append(out.Items, notification{ID: n.ID, Kind: n.Kind, Organization: n.Org, Ref: n.Ref,
			InmateID: n.PersonID, InmateName: n.PersonName, CreatedAt: n.CreatedAt, Read: n.Read})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) notificationsRead(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UpTo int64 `json:"up_to"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.UpTo < 0 {
		return binakerja.FieldInvalid("up_to", "field.number")
	}
	n, err := h.app.MarkNotificationsRead(r.Context(), route.ActorFrom(r.Context()), in.UpTo)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"marked": n})
}

type outboxMail struct {
	ID            int64      `json:"id"`
	To            string     `json:"to"`
	Subject       string     `json:"subject"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

type outboxList struct {
	Items      []outboxMail   `json:"items"`
	Counts     map[string]int `json:"counts"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

func (h *Handler) outboxList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "", store.MailPending, store.MailSent, store.MailFailed:
	default:
		return binakerja.FieldInvalid("status", "outbox.status_invalid")
	}
	ms, next, counts, err := h.app.Outbox(r.Context(), route.ActorFrom(r.Context()), status, pg)
	if err != nil {
		return err
	}
	out := outboxList{Items: []outboxMail{}, Counts: map[string]int{store.MailPending: 0, store.MailSent: 0, store.MailFailed: 0}, NextCursor: next}
	for k, v := range counts {
		out.Counts[k] = v
	}
	for _, m := range ms {
		o := outboxMail{ID: m.ID, To: m.Address, Subject: m.Subject, Status: m.Status, Attempts: m.Attempts,
			LastError: m.LastError, CreatedAt: m.CreatedAt}
		if m.Status == store.MailPending {
			o.NextAttemptAt = &m.NextAttemptAt
		}
		if !m.SentAt.IsZero() {
			o.SentAt = &m.SentAt
		}
		out.Items = append(out.Items, o)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) outboxRetry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.app.RetryMail(r.Context(), route.ActorFrom(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
