package web

import (
	"net/http"
	"net/url"
	"strconv"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type orgListData struct {
	Orgs   []*binakerja.Organization
	Next   string
	Query  string
	Kind   string
	Kinds  []binakerja.OrgKind
	CanAdd bool
}

func (h *Handler) orgList(w http.ResponseWriter, r *http.Request) error {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	kind := binakerja.OrgKind(q.Get("kind"))
	if !kind.Valid() {
		kind = ""
	}
	orgs, next, err := h.app.Organizations(r.Context(), ac, store.OrgFilter{Query: q.Get("q"), Kind: kind,
		Page: store.Page{Cursor: q.Get("cursor")}})
	if err != nil {
		return err
	}
	if next != "" {
		v := url.Values{"q": {q.Get("q")}, "kind": {string(kind)}, "cursor": {next}}
		next = "/organizations?" + v.Encode()
	}
	return h.render(w, http.StatusOK, "org_list", h.newPage(w, r, "org.list.title", orgListData{
		Orgs: orgs, Next: next, Query: q.Get("q"), Kind: string(kind), Kinds: binakerja.OrgKinds,
		CanAdd: ac.User.Can(binakerja.ActionOrgCreate, "")}))
}

// orgFormData is the form to add or change an organisation.
type orgFormData struct {
	Org             *binakerja.Organization // nil when adding
	Kinds           []string
	FacilityTypes   []string
	FacilityClasses []string
	EmployerSizes   []string
}

func (h *Handler) orgForm(w http.ResponseWriter, r *http.Request, status int, form *Form, o *binakerja.Organization) error {
	title := "org.new.title"
	if o != nil {
		title = "org.edit.title"
	}
	p := h.newPage(w, r, title, orgFormData{Org: o, Kinds: kindNames(), FacilityTypes: binakerja.FacilityTypes,
		FacilityClasses: binakerja.FacilityClasses, EmployerSizes: binakerja.EmployerSizes})
	p.Form = form
	return h.render(w, status, "org_form", p)
}

func (h *Handler) orgNew(w http.ResponseWriter, r *http.Request) error {
	return h.orgForm(w, r, http.StatusOK, newForm(url.Values{"parent": {r.URL.Query().Get("parent")}}), nil)
}

func (h *Handler) orgCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	o, err := h.app.CreateOrganization(r.Context(), route.ActorFrom(r.Context()), &binakerja.Organization{
		Code: f.Get("code"), Name: f.Get("name"), Kind: binakerja.OrgKind(f.Get("kind")), RegionCode: f.Get("region_code"),
		Parent: f.Get("parent"), FacilityType: f.Get("facility_type"), FacilityClass: f.Get("facility_class"),
		EmployerSize: f.Get("employer_size")})
	if err != nil {
		form := newForm(f)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.orgForm(w, r, http.StatusUnprocessableEntity, form, nil)
	}
	h.flash(w, "org.created")
	http.Redirect(w, r, "/organizations/"+url.PathEscape(o.Code), http.StatusSeeOther)
	return nil
}

type orgShowData struct {
	Org       *binakerja.Organization
	Children  []*binakerja.Organization
	Users     []*binakerja.User
	CanEdit   bool
	CanAdd    bool
	CanUsers  bool
	MoreUsers bool
}

func (h *Handler) orgShow(w http.ResponseWriter, r *http.Request) error {
	ac := route.ActorFrom(r.Context())
	o, err := h.app.Organization(r.Context(), ac, r.PathValue("code"))
	if err != nil {
		return err
	}
	children, _, err := h.app.Organizations(r.Context(), ac, store.OrgFilter{Parent: o.Code, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return err
	}
	d := orgShowData{Org: o, Children: children, CanEdit: ac.User.Can(binakerja.ActionOrgUpdate, o.Path),
		CanAdd: ac.User.Can(binakerja.ActionOrgCreate, o.Path), CanUsers: ac.User.Can(binakerja.ActionUserView, o.Path)}
	if d.CanUsers {
		users, next, err := h.app.Users(r.Context(), ac, store.UserFilter{Org: o.Code, Page: store.Page{Limit: 50}})
		if err != nil {
			return err
		}
		d.Users, d.MoreUsers = users, next != ""
	}
	return h.render(w, http.StatusOK, "org_show", h.newPage(w, r, "org.show.title", d))
}

func orgValues(o *binakerja.Organization) url.Values {
	v := url.Values{"name": {o.Name}, "region_code": {o.RegionCode}, "facility_type": {o.FacilityType},
		"facility_class": {o.FacilityClass}, "employer_size": {o.EmployerSize}}
	if o.Active {
		v.Set("active", "on")
	}
	return v
}

func (h *Handler) orgEdit(w http.ResponseWriter, r *http.Request) error {
	o, err := h.app.Organization(r.Context(), route.ActorFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	return h.orgForm(w, r, http.StatusOK, newForm(orgValues(o)), o)
}

func (h *Handler) orgUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	current, err := h.app.Organization(r.Context(), ac, r.PathValue("code"))
	if err != nil {
		return err
	}
	f := r.PostForm
	version, _ := strconv.Atoi(f.Get("version"))
	o, err := h.app.UpdateOrganization(r.Context(), ac, current.Code, app.OrgChange{Name: f.Get("name"),
		RegionCode: f.Get("region_code"), FacilityType: f.Get("facility_type"), FacilityClass: f.Get("facility_class"),
		EmployerSize: f.Get("employer_size"), Active: f.Get("active") == "on", Version: version})
	if err != nil {
		form := newForm(f)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.orgForm(w, r, http.StatusUnprocessableEntity, form, current)
	}
	h.flash(w, "org.updated")
	http.Redirect(w, r, "/organizations/"+url.PathEscape(o.Code), http.StatusSeeOther)
	return nil
}
