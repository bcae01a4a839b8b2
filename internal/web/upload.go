package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"binakerja"
	"binakerja/internal/api"
	"binakerja/internal/app"
	"binakerja/internal/importer"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

// uploads keeps files between the dry run an officer reviews and the
// confirmation that imports them: encrypted on disk under a key held in
// memory only (importer.Spooled), known by a random token, for one hour, and
// only to the user who uploaded it. An upload not confirmed within the hour
// is removed then; one a restart forgot is removed by the sweep at the next
// start.
type uploads struct {
	mu    sync.Mutex
	files map[string]*upload
}

type upload struct {
	file           *importer.Spooled
	name, facility string
	userID         int64
	expiry         stopper
}

// uploadLifetime is how long an upload waits for its confirmation.
const uploadLifetime = time.Hour

type stopper interface{ Stop() bool }

// afterFunc runs f after d, as time.AfterFunc (a variable, for the tests).
var afterFunc = func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }

func (u *uploads) put(up *upload) string {
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.files == nil {
		u.files = map[string]*upload{}
	}
	u.files[token] = up
	up.expiry = afterFunc(uploadLifetime, func() { u.expire(token) })
	return token
}

// expire removes the upload of token, never confirmed.
func (u *uploads) expire(token string) {
	u.mu.Lock()
	up, ok := u.files[token]
	delete(u.files, token)
	u.mu.Unlock()
	if ok {
		up.file.Remove()
	}
}

// take returns and forgets the upload of token, if it is the user's.
func (u *uploads) take(token string, userID int64) (*upload, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	f, ok := u.files[token]
	if !ok || f.userID != userID {
		return nil, false
	}
	if !f.expiry.Stop() {
		return nil, false // expiring now
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

// maxFormParts and maxFormValue bound the fields of the upload form besides
// the file.
const (
	maxFormParts = 20
	maxFormValue = 4 << 10
)

// readUpload reads the upload form as a stream: the fields into values, the
// file straight into an encrypted spool (nil when none was chosen), so that
// nothing of it is written to disk in the clear, as ParseMultipartForm would
// for a large file.
func readUpload(w http.ResponseWriter, r *http.Request) (url.Values, *importer.Spooled, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, api.MaxImport)
	malformed := binakerja.Errorf(binakerja.BadRequest, "form.malformed")
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, "", malformed
	}
	values := url.Values{}
	var file *importer.Spooled
	var name string
	fail := func(err error) (url.Values, *importer.Spooled, string, error) {
		if file != nil {
			file.Remove()
		}
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			err = binakerja.Errorf(binakerja.TooLarge, "json.too_large", api.MaxImport)
		}
		return nil, nil, "", err
	}
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return fail(err)
			}
			return fail(malformed)
		}
		if n >= maxFormParts {
			return fail(malformed)
		}
		field := part.FormName()
		switch {
		case field == "file" && part.FileName() != "" && file == nil:
			if file, err = api.Spool(part, api.MaxImport); err != nil {
				file = nil
				return fail(err)
			}
			name = part.FileName()
		case field == "file":
			// No file chosen (an empty part), or a second file: ignored.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return fail(err)
			}
		default:
			b, err := io.ReadAll(io.LimitReader(part, maxFormValue+1))
			if err != nil {
				return fail(err)
			}
			if len(b) > maxFormValue {
				return fail(malformed)
			}
			values.Add(field, string(b))
		}
		part.Close()
	}
	return values, file, name, nil
}

// inmateImportCheck receives the upload, runs a dry run and shows its report
// with a button to confirm. The file is removed on every path but the one
// that keeps it for the confirmation.
func (h *Handler) inmateImportCheck(w http.ResponseWriter, r *http.Request) error {
	ac := route.ActorFrom(r.Context())
	p := h.newPage(w, r, "import.title", nil)
	values, file, name, err := readUpload(w, r)
	if err != nil {
		return err
	}
	kept := false
	defer func() {
		if file != nil && !kept {
			file.Remove()
		}
	}()
	if err := checkText(values); err != nil {
		return err
	}
	form := newForm(values)
	onError := form.Value("on_error")
	if onError != "skip" {
		onError = "abort"
	}
	if file == nil {
		form.fail(p.Printer, binakerja.FieldInvalid("file", "import.file.choose"), nil)
		return h.importForm(w, r, http.StatusUnprocessableEntity, form)
	}
	facility := form.Value("organization")
	rep, err := h.app.ImportInmates(r.Context(), ac, facility, api.FileSource(file),
		app.ImportOptions{FileName: name, DryRun: true, SkipErrors: onError == "skip"})
	if rep == nil || (err != nil && binakerja.ErrorKind(err) != binakerja.Invalid) {
		if err != nil && form.fail(p.Printer, err, map[string]string{"filename": "file"}) {
			return h.importForm(w, r, http.StatusUnprocessableEntity, form)
		}
		return err
	}
	d := importReportData{Report: api.ReportJSON(rep, p.Printer), Facility: facility, FileName: name, OnError: onError}
	if err == nil && rep.Rows > 0 {
		d.Token = h.uploads.put(&upload{file: file, name: name, facility: facility, userID: ac.User.ID})
		kept = true
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
	defer up.file.Remove()
	onError := r.PostForm.Get("on_error")
	rep, err := h.app.ImportInmates(r.Context(), ac, up.facility, api.FileSource(up.file),
		app.ImportOptions{FileName: up.name, SkipErrors: onError == "skip"})
	if rep == nil || (err != nil && binakerja.ErrorKind(err) != binakerja.Invalid) {
		return err
	}
	p := h.newPage(w, r, "import.done.title", nil)
	p.Data = importReportData{Report: api.ReportJSON(rep, p.Printer), Facility: up.facility, FileName: up.name,
		OnError: onError, Done: true}
	return h.render(w, http.StatusOK, "inmate_import_report", p)
}
