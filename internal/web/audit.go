package web

import (
	"net/http"
	"net/url"

	"binakerja"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type auditData struct {
	Events []*binakerja.AuditEvent
	Next   string
	Action string
	Entity string
}

func (h *Handler) auditList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	events, next, err := h.app.AuditEvents(r.Context(), route.ActorFrom(r.Context()), store.AuditFilter{
		Action: q.Get("action"), Entity: q.Get("entity"), EntityID: q.Get("entity_id"),
		Page: store.Page{Cursor: q.Get("cursor")}})
	if err != nil {
		return err
	}
	if next != "" {
		next = "/audit?" + url.Values{"action": {q.Get("action")}, "entity": {q.Get("entity")},
			"entity_id": {q.Get("entity_id")}, "cursor": {next}}.Encode()
	}
	return h.render(w, http.StatusOK, "audit", h.newPage(w, r, "audit.title", auditData{
		Events: events, Next: next, Action: q.Get("action"), Entity: q.Get("entity")}))
}
