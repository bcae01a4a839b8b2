package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"binakerja"
	"binakerja/internal/api"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

// formDate reads a date field of a form into dst, adding a problem when it
// is filled but not a date.
func formDate(f url.Values, name string, dst *binakerja.Date, bad *binakerja.Problems) {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		return
	}
	d, err := binakerja.ParseISODate(s)
	if err != nil {
		bad.Add(name, "date.format")
		return
	}
	*dst = d
}

// formInt reads a whole-number field, adding a problem when it is filled but
// not a number.
func formInt(f url.Values, name string, bad *binakerja.Problems) int64 {
	s := strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(f.Get(name)), ".", ""), " ", "")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		bad.Add(name, "form.number")
	}
	return n
}

// lines splits a text area into its trimmed, non-empty lines (or items
// separated by commas).
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == ';' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

type partnerListData struct {
	Partners  []*binakerja.Organization
	Query     string
	Region    string
	Size      string
	Tier      string
	Next      string
	CanManage bool
	Sizes     []string
	Tiers     []binakerja.PartnerTier
	Offences  []binakerja.OffenceGroup
	KBLI      []string
}

func (h *Handler) partnerListPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	d := partnerListData{Query: q.Get("q"), Region: q.Get("region"), Size: q.Get("size"), Tier: q.Get("tier"),
		CanManage: ac.User.Can(binakerja.ActionPartnerManage, ""), Sizes: binakerja.EmployerSizes,
		Tiers: binakerja.PartnerTiers, Offences: binakerja.OffenceGroups, KBLI: binakerja.KBLIVersions}
	ps, next, err := h.app.Partners(r.Context(), ac, app.PartnerFilter{Query: d.Query, Region: d.Region, Size: d.Size,
		Tier: binakerja.PartnerTier(d.Tier), Page: store.Page{Cursor: q.Get("cursor")}})
	if err != nil {
		return err
	}
	d.Partners = ps
	if next != "" {
		d.Next = "/partners?" + url.Values{"q": {d.Query}, "region": {d.Region}, "size": {d.Size}, "tier": {d.Tier}, "cursor": {next}}.Encode()
	}
	p := h.newPage(w, r, "partner.list.title", d)
	p.Form = orEmpty(form)
	return h.render(w, status, "partner_list", p)
}

func (h *Handler) partnerList(w http.ResponseWriter, r *http.Request) error {
	return h.partnerListPage(w, r, http.StatusOK, nil)
}

// partnerFromForm reads the partner profile fields of a form.
func partnerFromForm(f url.Values) binakerja.Partner {
	p := binakerja.Partner{KBLICode: f.Get("kbli_code"), KBLIVersion: f.Get("kbli_version"), Address: f.Get("address"),
		Tier: binakerja.PartnerTier(f.Get("tier")), RefusesConvictions: f.Get("refuses_convictions") == "1"}
	for _, g := range f["excluded_offences"] {
		p.Excluded = append(p.Excluded, binakerja.OffenceGroup(g))
	}
	for i := range 3 {
		n := strconv.Itoa(i)
		c := binakerja.Contact{Name: f.Get("contact_name_" + n), Position: f.Get("contact_position_" + n),
			Phone: f.Get("contact_phone_" + n), Email: f.Get("contact_email_" + n)}
		p.Contacts = append(p.Contacts, c)
	}
	return p
}

func (h *Handler) partnerCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	o, err := h.app.CreatePartner(r.Context(), route.ActorFrom(r.Context()), app.NewPartner{Code: f.Get("code"),
		Name: f.Get("name"), RegionCode: f.Get("region_code"), EmployerSize: f.Get("employer_size"), Partner: partnerFromForm(f)})
	return h.answer(w, r, err, nil, func(form *Form) error { return h.partnerListPage(w, r, http.StatusUnprocessableEntity, form) },
		"partner.created", func() string { return "/partners/" + url.PathEscape(o.Code) })
}

type partnerPageData struct {
	Partner    *binakerja.Organization
	Agreements []*binakerja.Agreement
	Vacancies  []store.VacancyItem
	CanManage  bool
	CanVacancy bool
	Sizes      []string
	Tiers      []binakerja.PartnerTier
	Offences   []binakerja.OffenceGroup
	KBLI       []string
	Today      binakerja.Date
}

func (h *Handler) partnerPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	o, err := h.app.Partner(r.Context(), ac, r.PathValue("code"))
	if err != nil {
		return err
	}
	d := partnerPageData{Partner: o, CanManage: ac.User.Can(binakerja.ActionPartnerManage, o.Path),
		CanVacancy: ac.User.Can(binakerja.ActionVacancyManage, ""), Sizes: binakerja.EmployerSizes,
		Tiers: binakerja.PartnerTiers, Offences: binakerja.OffenceGroups, KBLI: binakerja.KBLIVersions, Today: h.app.Today()}
	if ac.User.Can(binakerja.ActionAgreementView, "") {
		if d.Agreements, _, err = h.app.Agreements(r.Context(), ac, app.AgreementListFilter{Party: o.Code, Page: store.Page{Limit: 50}}); err != nil {
			return err
		}
	}
	if ac.User.Can(binakerja.ActionVacancyView, "") {
		if d.Vacancies, _, err = h.app.Vacancies(r.Context(), ac, store.VacancyFilter{Employer: o.Code, Page: store.Page{Limit: 50}}); err != nil {
			return err
		}
	}
	p := h.newPage(w, r, "partner.title", d)
	p.Title = o.Name
	p.Form = form
	if p.Form == nil {
		v := url.Values{"employer_size": {o.EmployerSize}, "kbli_code": {o.Partner.KBLICode},
			"kbli_version": {o.Partner.KBLIVersion}, "address": {o.Partner.Address}, "tier": {string(o.Partner.Tier)}}
		if o.Partner.RefusesConvictions {
			v.Set("refuses_convictions", "1")
		}
		for _, g := range o.Partner.Excluded {
			v.Add("excluded_offences", string(g))
		}
		for i, c := range o.Partner.Contacts {
			n := strconv.Itoa(i)
			v.Set("contact_name_"+n, c.Name)
			v.Set("contact_position_"+n, c.Position)
			v.Set("contact_phone_"+n, c.Phone)
			v.Set("contact_email_"+n, c.Email)
		}
		p.Form = newForm(v)
	}
	return h.render(w, status, "partner_show", p)
}

func (h *Handler) partnerShow(w http.ResponseWriter, r *http.Request) error {
	return h.partnerPage(w, r, http.StatusOK, nil)
}

func (h *Handler) partnerUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	version, _ := strconv.Atoi(f.Get("version"))
	_, err := h.app.UpdatePartner(r.Context(), route.ActorFrom(r.Context()), r.PathValue("code"), app.PartnerChange{
		EmployerSize: f.Get("employer_size"), Partner: partnerFromForm(f), Version: version})
	return h.answer(w, r, err, nil, func(form *Form) error { return h.partnerPage(w, r, http.StatusUnprocessableEntity, form) },
		"partner.saved", func() string { return "/partners/" + url.PathEscape(r.PathValue("code")) })
}

type agreementListData struct {
	Agreements []*binakerja.Agreement
	Ending     []*binakerja.Agreement
	Query      string
	Next       string
	CanManage  bool
	Types      []string
	Kinds      []binakerja.CommitmentKind
	Today      binakerja.Date
}

func (h *Handler) agreementListPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	d := agreementListData{Query: q.Get("q"), CanManage: ac.User.Can(binakerja.ActionAgreementManage, ""),
		Types: stringsOf(binakerja.AgreementTypes), Kinds: binakerja.CommitmentKinds, Today: h.app.Today()}
	var next string
	var err error
	if d.Agreements, next, err = h.app.Agreements(r.Context(), ac, app.AgreementListFilter{Query: d.Query,
		Page: store.Page{Cursor: q.Get("cursor")}}); err != nil {
		return err
	}
	if next != "" {
		d.Next = "/agreements?" + url.Values{"q": {d.Query}, "cursor": {next}}.Encode()
	}
	if d.Ending, _, err = h.app.Agreements(r.Context(), ac, app.AgreementListFilter{EndingDays: 90}); err != nil {
		return err
	}
	p := h.newPage(w, r, "agreement.list.title", d)
	p.Form = orEmpty(form)
	return h.render(w, status, "agreement_list", p)
}

func (h *Handler) agreementList(w http.ResponseWriter, r *http.Request) error {
	return h.agreementListPage(w, r, http.StatusOK, nil)
}

func (h *Handler) agreementCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	in := app.NewAgreement{Type: binakerja.AgreementType(f.Get("type")), Number: f.Get("number"), Title: f.Get("title"),
		Parties: lines(f.Get("parties")), Draft: f.Get("draft") == "1"}
	var bad binakerja.Problems
	formDate(f, "signed_date", &in.SignedDate, &bad)
	formDate(f, "valid_from", &in.ValidFrom, &bad)
	formDate(f, "valid_until", &in.ValidUntil, &bad)
	for _, k := range binakerja.CommitmentKinds {
		if n := formInt(f, "target_"+string(k), &bad); n != 0 {
			in.Commitments = append(in.Commitments, binakerja.Commitment{Kind: k, Target: int(n)})
		}
	}
	err := bad.Err()
	var ag *binakerja.Agreement
	if err == nil {
		ag, err = h.app.CreateAgreement(r.Context(), route.ActorFrom(r.Context()), in)
	}
	return h.answer(w, r, err, nil, func(form *Form) error { return h.agreementListPage(w, r, http.StatusUnprocessableEntity, form) },
		"agreement.created", func() string { return "/agreements/" + strconv.FormatInt(ag.ID, 10) })
}

type agreementPageData struct {
	Agreement *binakerja.Agreement
	Status    binakerja.AgreementStatus
	Elapsed   int
	CanManage bool
	Today     binakerja.Date
}

func (h *Handler) agreementPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ag, err := h.app.Agreement(r.Context(), ac, id)
	if err != nil {
		return err
	}
	today := h.app.Today()
	d := agreementPageData{Agreement: ag, Status: ag.StatusOn(today), Elapsed: ag.ElapsedPercent(today), Today: today}
	for _, pa := range ag.Parties {
		if ac.User.Can(binakerja.ActionAgreementManage, pa.Path) {
			d.CanManage = true
		}
	}
	p := h.newPage(w, r, "agreement.title", d)
	p.Title = ag.Number
	p.Form = orEmpty(form)
	return h.render(w, status, "agreement_show", p)
}

func (h *Handler) agreementShow(w http.ResponseWriter, r *http.Request) error {
	return h.agreementPage(w, r, http.StatusOK, nil)
}

func (h *Handler) agreementStatus(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	var bad binakerja.Problems
	var date binakerja.Date
	formDate(f, "date", &date, &bad)
	version, _ := strconv.Atoi(f.Get("version"))
	err = bad.Err()
	if err == nil {
		_, err = h.app.ChangeAgreementStatus(r.Context(), route.ActorFrom(r.Context()), id,
			binakerja.AgreementStatus(f.Get("status")), date, f.Get("reason"), version)
	}
	return h.answer(w, r, err, nil, func(form *Form) error { return h.agreementPage(w, r, http.StatusUnprocessableEntity, form) },
		"agreement.status_changed", func() string { return "/agreements/" + strconv.FormatInt(id, 10) })
}

func (h *Handler) agreementDocumentAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, binakerja.MaxDocumentSize+1<<20)
	form := newForm(nil)
	p := h.newPage(w, r, "", nil)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		if _, ok := err.(*http.MaxBytesError); ok || strings.Contains(err.Error(), "too large") {
			form.fail(p.Printer, binakerja.FieldInvalid("file", "document.too_large", binakerja.MaxDocumentSize>>20), nil)
		} else {
			form.fail(p.Printer, binakerja.FieldInvalid("file", "field.required"), nil)
		}
		return h.agreementPage(w, r, http.StatusUnprocessableEntity, form)
	}
	defer file.Close()
	content, err := io.ReadAll(io.LimitReader(file, binakerja.MaxDocumentSize+1))
	if err != nil {
		return err
	}
	_, err = h.app.AddAgreementDocument(r.Context(), route.ActorFrom(r.Context()), id, hdr.Filename,
		hdr.Header.Get("Content-Type"), content)
	if err != nil {
		if binakerja.ErrorKind(err) == binakerja.TooLarge {
			err = binakerja.FieldInvalid("file", "document.too_large", binakerja.MaxDocumentSize>>20)
		}
		if !form.fail(p.Printer, err, nil) {
			return err
		}
		return h.agreementPage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, "agreement.document_added")
	http.Redirect(w, r, "/agreements/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func (h *Handler) agreementDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	doc, err := strconv.ParseInt(r.PathValue("doc"), 10, 64)
	if err != nil {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	d, content, err := h.app.AgreementDocument(r.Context(), route.ActorFrom(r.Context()), id, doc)
	if err != nil {
		return err
	}
	api.ServeDocument(w, d, content)
	return nil
}

// stringsOf returns coded values as strings, for the options of a select.
func stringsOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
