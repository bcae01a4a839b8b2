package web

import (
	"net/http"
	"net/url"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type clientListData struct {
	Clients []*store.Client
	Today   binakerja.Date
	Next    string
}

// clientList lists a Bapas's clients on conditional release.
func (h *Handler) clientList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := clientListData{Today: h.app.Today()}
	var next string
	var err error
	if d.Clients, next, err = h.app.Clients(r.Context(), route.ActorFrom(r.Context()), store.Page{Cursor: q.Get("cursor")}); err != nil {
		return err
	}
	if next != "" {
		d.Next = "/clients?" + url.Values{"cursor": {next}}.Encode()
	}
	return h.render(w, http.StatusOK, "client_list", h.newPage(w, r, "client.title", d))
}

type releasedData struct {
	*app.Released
	Today          binakerja.Date
	PlacementKinds []string
	WageBands      []string
	Contracts      []string
	EndReasons     []string
	NoCertLinks    bool // a mentor reads a certificate here, not on its page
}

// Overdue reports whether a follow-up is past its grace.
func (d releasedData) Overdue(f *binakerja.FollowUp) bool {
	return f.StatusOn(d.Today, d.Grace) == binakerja.FollowUpOverdue
}

func (h *Handler) releasedPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := h.app.ReleasedPerson(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	d := releasedData{Released: x, Today: h.app.Today(), PlacementKinds: stringsOf(binakerja.PlacementKinds),
		WageBands: binakerja.WageBands, Contracts: stringsOf(binakerja.ContractTypes), NoCertLinks: true}
	for _, e := range binakerja.EmploymentEndReasons {
		if e != string(binakerja.OutcomeReadmitted) {
			d.EndReasons = append(d.EndReasons, e)
		}
	}
	p := h.newPage(w, r, "released.title", d)
	p.Title = x.Name
	p.Form = orEmpty(form)
	return h.render(w, status, "released", p)
}

func (h *Handler) released(w http.ResponseWriter, r *http.Request) error {
	return h.releasedPage(w, r, http.StatusOK, nil)
}
