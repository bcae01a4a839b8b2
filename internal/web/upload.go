package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"sync"
	"time"

	"binakerja"
	"binakerja/internal/api"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

// uploads keeps files between the dry run an officer reviews and the
// confirmation that imports them: on disk in a temporary file, known by a
// random token, for one hour, and only to the user who uploaded it.
type uploads struct {
	mu    sync.Mutex
	files map[string]upload
}

type upload struct {
	path, name, facility, sheet string
	userID                      int64
	at                          time.Time
}

const uploadLifetime = time.Hour

func (u *uploads) put(up upload) string {
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.files == nil {
		u.files = map[string]upload{}
	}
	for t, f := range u.files { // forget what has expired
		if time.Since(f.at) > uploadLifetime {
			os.Remove(f.path)
			delete(u.files, t)
		}
	}
	u.files[token] = up
	return token
}

// take returns and forgets the upload of token, if it is the user's.
func (u *uploads) take(token string, userID int64) (upload, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	f, ok := u.files[token]
	if !ok || f.userID != userID || time.Since(f.at) > uploadLifetime {
		return upload{}, false
	}
	delete(u.files, token)
	return f, true
}

type importFormData struct {
	Facilities []*binakerja.Organization
}

func (h *Handler) importForm(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	facs, _, err := h.app.Organizations(r.Context(), ac, store.OrgFilter{Kind: binakerja.OrgFacility, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return err
	}
	p := h.newPage(w, r, "import.title", importFormData{Facilities: facs})
	if form.Value("organization") == "" && len(facs) > 0 {
		form.Values.Set("organization", facs[0].Code)
	}
	p.Form = form
	return h.render(w, status, "inmate_import", p)
}

func (h *Handler) inmateImportNew(w http.ResponseWriter, r *http.Request) error {
	return h.importForm(w, r, http.StatusOK, newForm(map[string][]string{"on_error": {"abort"}}))
}

// importReportData is the report page: after the dry run (with the token to
// confirm), or after the import.
type importReportData struct {
	Report   api.ImportReportJSON
	Token    string
	Facility string
	FileName string
	OnError  string
	Done     bool
}

// inmateImportCheck receives the upload, runs a dry run and shows its report
// with a button to confirm.
func (h *Handler) inmateImportCheck(w http.ResponseWriter, r *http.Request) error {
	ac := route.ActorFrom(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, api.MaxImport)
	p := h.newPage(w, r, "import.title", nil)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return binakerja.Errorf(binakerja.TooLarge, "json.too_large", api.MaxImport)
		}
		return binakerja.Errorf(binakerja.BadRequest, "form.malformed")
	}
	defer r.MultipartForm.RemoveAll()
	form := newForm(r.MultipartForm.Value)
	onError := form.Value("on_error")
	if onError != "skip" {
		onError = "abort"
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		form.fail(p.Printer, binakerja.FieldInvalid("file", "import.file.choose"), nil)
		return h.importForm(w, r, http.StatusUnprocessableEntity, form)
	}
	path, err := api.Spool(file, api.MaxImport)
	file.Close()
	if err != nil {
		return err
	}
	facility := form.Value("organization")
	rep, err := h.app.ImportInmates(r.Context(), ac, facility, api.FileSource(path),
		app.ImportOptions{FileName: hdr.Filename, DryRun: true, SkipErrors: onError == "skip"})
	if rep == nil || (err != nil && binakerja.ErrorKind(err) != binakerja.Invalid) {
		os.Remove(path)
		if err != nil && form.fail(p.Printer, err, nil) {
			return h.importForm(w, r, http.StatusUnprocessableEntity, form)
		}
		return err
	}
	d := importReportData{Report: api.ReportJSON(rep, p.Printer), Facility: facility, FileName: hdr.Filename, OnError: onError}
	if err == nil && rep.Rows > 0 {
		d.Token = h.uploads.put(upload{path: path, name: hdr.Filename, facility: facility, userID: ac.User.ID, at: time.Now()})
	} else {
		os.Remove(path)
	}
	p.Data = d
	return h.render(w, http.StatusOK, "inmate_import_report", p)
}

// inmateImportConfirm imports a file whose dry run the officer has seen.
func (h *Handler) inmateImportConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	up, ok := h.uploads.take(r.PostForm.Get("token"), ac.User.ID)
	if !ok {
		h.flash(w, "import.expired")
		http.Redirect(w, r, "/inmates/import", http.StatusSeeOther)
		return nil
	}
	defer os.Remove(up.path)
	onError := r.PostForm.Get("on_error")
	rep, err := h.app.ImportInmates(r.Context(), ac, up.facility, api.FileSource(up.path),
		app.ImportOptions{FileName: up.name, SkipErrors: onError == "skip"})
	if rep == nil || (err != nil && binakerja.ErrorKind(err) != binakerja.Invalid) {
		return err
	}
	p := h.newPage(w, r, "import.done.title", nil)
	p.Data = importReportData{Report: api.ReportJSON(rep, p.Printer), Facility: up.facility, FileName: up.name,
		OnError: onError, Done: true}
	return h.render(w, http.StatusOK, "inmate_import_report", p)
}
