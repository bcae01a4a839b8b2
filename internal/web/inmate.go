package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"binakerja"
	"binakerja/internal/api"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type inmateListData struct {
	Inmates    []binakerja.Inmate
	Next       string
	Query      string
	NIK        string
	Status     string
	Statuses   []string
	From, To   string
	All        bool
	CanImport  bool
	Filtered   bool
	Facilities []*binakerja.Organization
	Facility   string
}

func statusNames() []string {
	var s []string
	for _, v := range binakerja.LegalStatuses {
		s = append(s, string(v))
	}
	return s
}

func (h *Handler) inmateList(w http.ResponseWriter, r *http.Request) error {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	p := h.newPage(w, r, "inmate.list.title", nil)
	form := newForm(q)
	d := inmateListData{Query: q.Get("q"), NIK: q.Get("nik"), Status: q.Get("status"), From: q.Get("release_from"),
		To: q.Get("release_to"), All: q.Get("all") == "1", Statuses: statusNames(), Facility: q.Get("organization"),
		CanImport: ac.User.Can(binakerja.ActionInmateWrite, "")}
	d.Filtered = d.Query != "" || d.NIK != "" || d.Status != "" || d.From != "" || d.To != ""
	iq := app.InmateQuery{Facility: d.Facility, Query: d.Query, NIK: d.NIK, InCustody: !d.All,
		Status: binakerja.LegalStatus(d.Status), Page: store.Page{Cursor: q.Get("cursor")}}
	for name, dst := range map[string]*binakerja.Date{"release_from": &iq.ReleaseFrom, "release_to": &iq.ReleaseTo} {
		if s := q.Get(name); s != "" {
			v, err := binakerja.ParseISODate(s)
			if err != nil {
				form.fail(p.Printer, binakerja.FieldInvalid(name, "date.format"), nil)
				continue
			}
			*dst = v
		}
	}
	var err error
	if len(form.Summary) == 0 {
		d.Inmates, d.Next, err = h.app.Inmates(r.Context(), ac, iq)
		if err != nil && !form.fail(p.Printer, err, nil) {
			return err
		}
	}
	if d.Next != "" {
		v := url.Values{}
		for k := range q {
			v.Set(k, q.Get(k))
		}
		v.Set("cursor", d.Next)
		d.Next = "/inmates?" + v.Encode()
	}
	facs, _, err := h.app.Organizations(r.Context(), ac, store.OrgFilter{Kind: binakerja.OrgFacility, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return err
	}
	if len(facs) > 1 {
		d.Facilities = facs
	}
	p.Data, p.Form = d, form
	status := http.StatusOK
	if len(form.Summary) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.render(w, status, "inmate_list", p)
}

type inmateShowData struct {
	*app.InmateDetail
	FullNIK        string
	CanWrite       bool
	CanNIK         bool
	CanExport      bool
	Reasons        []string
	Facilities     []*binakerja.Organization
	Supervisors    []*binakerja.Organization // the Bapas a conditional release may be supervised by
	NoCertLinks    bool                      // false: the register's keepers open certificates
	OpenEpisode    bool
	ShowNIKForm    bool
	Work           *personWork // consent, custody facts, applications and employer views; nil to those who do not keep the register
	CanPlace       bool        // may record a placement
	PlacementKinds []string
	WageBands      []string
}

// personWork is the person page's part on work: consent to be proposed, the
// offence group and conduct record that matching and internships read, the
// applications made for them, and each time an employer opened them.
type personWork struct {
	Consents     []binakerja.Consent
	Consented    bool
	CanConsent   bool
	Facts        binakerja.CustodyFacts
	Offences     []binakerja.OffenceGroup
	Views        []*binakerja.AuditEvent
	Applications []*binakerja.Application
}

func (h *Handler) personWork(r *http.Request, ac app.Actor, d *app.InmateDetail, canWrite bool) (*personWork, error) {
	if !canWrite {
		return nil, nil
	}
	ctx := r.Context()
	w := &personWork{CanConsent: ac.User.Can(binakerja.ActionConsentManage, d.Episode.FacilityPath), Offences: binakerja.OffenceGroups}
	var err error
	if w.Consents, err = h.app.Consents(ctx, ac, d.ID); err != nil {
		return nil, err
	}
	w.Consented = len(w.Consents) > 0 && w.Consents[0].Given
	if w.Facts, err = h.app.CustodyFacts(ctx, ac, d.ID); err != nil {
		return nil, err
	}
	if w.Views, err = h.app.CandidateViews(ctx, ac, d.ID); err != nil {
		return nil, err
	}
	if w.Applications, err = h.app.PersonApplications(ctx, ac, d.ID); err != nil {
		return nil, err
	}
	return w, nil
}

func reasonNames() []string {
	var s []string
	for _, v := range binakerja.ReleaseReasons {
		s = append(s, string(v))
	}
	return s
}

// inmatePage renders the person page, with a form's errors or a revealed
// NIK when there are.
func (h *Handler) inmatePage(w http.ResponseWriter, r *http.Request, status int, form *Form, fullNIK string) error {
	ac := route.ActorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.app.Inmate(r.Context(), ac, id)
	if err != nil {
		return err
	}
	path := d.Episode.FacilityPath
	data := inmateShowData{InmateDetail: d, FullNIK: fullNIK, CanWrite: ac.User.Can(binakerja.ActionInmateWrite, path),
		CanNIK: ac.User.Can(binakerja.ActionNIKView, path) && d.HasNIK, CanExport: ac.User.Can(binakerja.ActionSubjectExport, path),
		Reasons: reasonNames(), OpenEpisode: d.Episode.Open()}
	if data.CanWrite && data.OpenEpisode {
		// A person may be moved to any facility, and any Bapas may
		// supervise a conditional release: the lists of them are no one's
		// secret.
		data.Facilities, _, err = h.app.DB().Organizations(r.Context(), store.OrgFilter{All: true, Kind: binakerja.OrgFacility,
			Page: store.Page{Limit: store.MaxLimit}})
		if err != nil {
			return err
		}
		// Any Bapas may supervise a conditional release: the list of them
		// is no one's secret.
		data.Supervisors, _, err = h.app.DB().Organizations(r.Context(), store.OrgFilter{All: true, Kind: binakerja.OrgProbationOffice,
			Page: store.Page{Limit: store.MaxLimit}})
		if err != nil {
			return err
		}
	}
	if data.Work, err = h.personWork(r, ac, d, data.CanWrite); err != nil {
		return err
	}
	data.CanPlace = ac.User.Can(binakerja.ActionPlacementManage, path)
	data.PlacementKinds, data.WageBands = stringsOf(binakerja.PlacementKinds), binakerja.WageBands
	p := h.newPage(w, r, "inmate.show.title", data)
	p.Title = d.Name
	p.Form = form
	if p.Form == nil {
		p.Form = newForm(nil)
	}
	return h.render(w, status, "inmate_show", p)
}

func (h *Handler) inmateShow(w http.ResponseWriter, r *http.Request) error {
	return h.inmatePage(w, r, http.StatusOK, nil, "")
}

func (h *Handler) inmateNIK(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	nik, err := h.app.RevealNIK(r.Context(), route.ActorFrom(r.Context()), id, r.PostForm.Get("reason"))
	if err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.inmatePage(w, r, http.StatusUnprocessableEntity, form, "")
	}
	return h.inmatePage(w, r, http.StatusOK, nil, nik)
}

// inmateChange runs a release or transfer and returns to the person page.
func (h *Handler) inmateChange(w http.ResponseWriter, r *http.Request, done, dateField string, rename map[string]string,
	change func(ac app.Actor, id int64, date binakerja.Date) error) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form := newForm(r.PostForm)
	p := h.newPage(w, r, "", nil)
	date, derr := binakerja.ParseISODate(r.PostForm.Get(dateField))
	if derr != nil {
		err = binakerja.FieldInvalid("date", "date.format")
	} else {
		err = change(route.ActorFrom(r.Context()), id, date)
	}
	if err != nil {
		if !form.fail(p.Printer, err, rename) {
			return err
		}
		return h.inmatePage(w, r, http.StatusUnprocessableEntity, form, "")
	}
	h.flash(w, done)
	http.Redirect(w, r, "/inmates/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func (h *Handler) inmateRelease(w http.ResponseWriter, r *http.Request) error {
	return h.inmateChange(w, r, "inmate.released", "release_date", map[string]string{"date": "release_date", "reason": "release_reason"},
		func(ac app.Actor, id int64, date binakerja.Date) error {
			_, err := h.app.ReleaseUnder(r.Context(), ac, id, date, binakerja.ReleaseReason(r.PostForm.Get("release_reason")),
				r.PostForm.Get("supervisor"))
			return err
		})
}

func (h *Handler) inmateTransfer(w http.ResponseWriter, r *http.Request) error {
	return h.inmateChange(w, r, "inmate.transferred", "transfer_date", map[string]string{"date": "transfer_date"},
		func(ac app.Actor, id int64, date binakerja.Date) error {
			_, err := h.app.Transfer(r.Context(), ac, id, r.PostForm.Get("to"), date, r.PostForm.Get("registration_number"))
			return err
		})
}

// inmateExport is the subject-access export: as a printable page, or as JSON
// with ?format=json.
func (h *Handler) inmateExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s, err := h.app.ExportSubject(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "json" {
		b, err := json.MarshalIndent(api.SubjectJSON(s), "", "  ")
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="binakerja-subject-`+strconv.FormatInt(id, 10)+`.json"`)
		_, err = w.Write(b)
		return err
	}
	p := h.newPage(w, r, "inmate.export.title", s)
	return h.render(w, http.StatusOK, "inmate_export", p)
}
