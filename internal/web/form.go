package web

import "net/http"

// answer finishes a form post: an error about the input shows the page again
// (again) with what was typed and the form's messages, renamed where the
// form's fields differ from the error's; any other error is answered as an
// error; success leaves a flash (a catalogue key) and goes on to the page
// next names (asked only then: it may read what the post made).
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, err error, rename map[string]string,
	again func(*Form) error, flashKey string, next func() string) error {
	if err != nil {
		form := newForm(r.Form)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, rename) {
			return err
		}
		return again(form)
	}
	h.flash(w, flashKey)
	http.Redirect(w, r, next(), http.StatusSeeOther)
	return nil
}

// orEmpty returns the form, or an empty one for a page shown afresh.
func orEmpty(f *Form) *Form {
	if f == nil {
		return newForm(nil)
	}
	return f
}
