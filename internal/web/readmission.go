package web

import (
	"net/http"
	"net/url"
	"strconv"

	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type reviewListData struct {
	Items []app.ReviewItem
	Next  string
}

// reviewPage renders the re-admissions held for review at the facilities
// where the user may import, with a form's errors when there are.
func (h *Handler) reviewPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	cursor := r.URL.Query().Get("cursor")
	if r.Method != http.MethodGet {
		cursor = ""
	}
	items, next, err := h.app.ReadmissionReviews(r.Context(), ac, store.Page{Cursor: cursor})
	if err != nil {
		return err
	}
	d := reviewListData{Items: items}
	if next != "" {
		d.Next = "/inmates/reviews?" + url.Values{"cursor": {next}}.Encode()
	}
	p := h.newPage(w, r, "review.title", d)
	p.Form = form
	if p.Form == nil {
		p.Form = newForm(nil)
	}
	return h.render(w, status, "readmission_reviews", p)
}

func (h *Handler) reviewList(w http.ResponseWriter, r *http.Request) error {
	return h.reviewPage(w, r, http.StatusOK, nil)
}

// reviewDecide confirms or rejects a held re-admission: a confirmation leads
// to the person's page, a rejection back to the list.
func (h *Handler) reviewDecide(w http.ResponseWriter, r *http.Request, confirm bool) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	ac := route.ActorFrom(r.Context())
	next := "/inmates/reviews"
	if confirm {
		var person int64
		if person, err = h.app.ConfirmReadmission(r.Context(), ac, id, version); err == nil {
			next = "/inmates/" + strconv.FormatInt(person, 10)
		}
	} else {
		err = h.app.RejectReadmission(r.Context(), ac, id, version)
	}
	if err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.reviewPage(w, r, http.StatusConflict, form)
	}
	if confirm {
		h.flash(w, "review.confirmed")
	} else {
		h.flash(w, "review.rejected")
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handler) reviewConfirm(w http.ResponseWriter, r *http.Request) error {
	return h.reviewDecide(w, r, true)
}

func (h *Handler) reviewReject(w http.ResponseWriter, r *http.Request) error {
	return h.reviewDecide(w, r, false)
}
