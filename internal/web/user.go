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

type userListData struct {
	Users  []*binakerja.User
	Next   string
	Query  string
	Role   string
	Roles  []binakerja.Role
	CanAdd bool
}

func (h *Handler) userList(w http.ResponseWriter, r *http.Request) error {
	ac := route.ActorFrom(r.Context())
	q := r.URL.Query()
	role := binakerja.Role(q.Get("role"))
	if !role.Valid() {
		role = ""
	}
	users, next, err := h.app.Users(r.Context(), ac, store.UserFilter{Query: q.Get("q"), Role: role,
		Org: q.Get("organization"), Page: store.Page{Cursor: q.Get("cursor")}})
	if err != nil {
		return err
	}
	if next != "" {
		next = "/users?" + url.Values{"q": {q.Get("q")}, "role": {string(role)}, "organization": {q.Get("organization")},
			"cursor": {next}}.Encode()
	}
	return h.render(w, http.StatusOK, "user_list", h.newPage(w, r, "user.list.title", userListData{
		Users: users, Next: next, Query: q.Get("q"), Role: string(role), Roles: binakerja.Roles,
		CanAdd: ac.User.Can(binakerja.ActionUserManage, "")}))
}

// userFormData is the form to add a user: the roles, and the organisations
// the admin may grant them at (offered as suggestions; any code may be typed).
type userFormData struct {
	Roles []string
	Orgs  []*binakerja.Organization
}

func (h *Handler) userForm(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	orgs, _, err := h.app.Organizations(r.Context(), route.ActorFrom(r.Context()), store.OrgFilter{Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return err
	}
	p := h.newPage(w, r, "user.new.title", userFormData{Roles: roleNames(), Orgs: orgs})
	p.Form = form
	return h.render(w, status, "user_form", p)
}

func (h *Handler) userNew(w http.ResponseWriter, r *http.Request) error {
	return h.userForm(w, r, http.StatusOK, newForm(url.Values{"organization": {r.URL.Query().Get("organization")}}))
}

// userCreatedData shows a new user's one-time password, this once.
type userCreatedData struct {
	User     *binakerja.User
	Password string
}

func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	u, generated, err := h.app.CreateUser(r.Context(), route.ActorFrom(r.Context()), app.NewUser{
		Email: f.Get("email"), Name: f.Get("name"), Password: f.Get("password"), Lang: f.Get("lang"),
		Grants: []app.GrantInput{{Role: binakerja.Role(f.Get("role")), Org: f.Get("organization")}}})
	if err != nil {
		form := newForm(f)
		form.Values.Del("password")
		rename := map[string]string{"roles[0].role": "role", "roles[0].organization": "organization", "roles": "role"}
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, rename) {
			return err
		}
		return h.userForm(w, r, http.StatusUnprocessableEntity, form)
	}
	if generated == "" {
		h.flash(w, "user.created")
		http.Redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
		return nil
	}
	return h.render(w, http.StatusCreated, "user_created", h.newPage(w, r, "user.created.title",
		userCreatedData{User: u, Password: generated}))
}

type userShowData struct {
	Subject   *binakerja.User
	Roles     []string
	Orgs      []*binakerja.Organization
	CanManage bool
	IsSelf    bool
}

func (h *Handler) userPage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := h.app.User(r.Context(), ac, id)
	if err != nil {
		return err
	}
	d := userShowData{Subject: u, Roles: roleNames(), CanManage: ac.User.Can(binakerja.ActionUserManage, ""),
		IsSelf: u.ID == ac.User.ID}
	if d.CanManage {
		if d.Orgs, _, err = h.app.Organizations(r.Context(), ac, store.OrgFilter{Page: store.Page{Limit: store.MaxLimit}}); err != nil {
			return err
		}
	}
	p := h.newPage(w, r, "user.show.title", d)
	p.Form = form
	return h.render(w, status, "user_show", p)
}

func (h *Handler) userShow(w http.ResponseWriter, r *http.Request) error {
	return h.userPage(w, r, http.StatusOK, newForm(nil))
}

// userChange runs a change to the user named in the path and goes back to the
// user's page, with the outcome as a flash or the form's errors.
func (h *Handler) userChange(w http.ResponseWriter, r *http.Request, done string, change func(app.Actor, int64) error) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := change(route.ActorFrom(r.Context()), id); err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.userPage(w, r, http.StatusUnprocessableEntity, form)
	}
	h.flash(w, done)
	http.Redirect(w, r, "/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func grantFrom(r *http.Request) app.GrantInput {
	return app.GrantInput{Role: binakerja.Role(r.PostForm.Get("role")), Org: r.PostForm.Get("organization")}
}

func (h *Handler) userGrant(w http.ResponseWriter, r *http.Request) error {
	return h.userChange(w, r, "user.role.added", func(ac app.Actor, id int64) error {
		_, err := h.app.AddGrant(r.Context(), ac, id, grantFrom(r))
		return err
	})
}

func (h *Handler) userRevoke(w http.ResponseWriter, r *http.Request) error {
	return h.userChange(w, r, "user.role.removed", func(ac app.Actor, id int64) error {
		_, err := h.app.RemoveGrant(r.Context(), ac, id, grantFrom(r))
		return err
	})
}

func (h *Handler) userActive(w http.ResponseWriter, r *http.Request) error {
	active := r.FormValue("active") == "true"
	done := "user.disabled.done"
	if active {
		done = "user.enabled.done"
	}
	return h.userChange(w, r, done, func(ac app.Actor, id int64) error {
		_, err := h.app.SetUserActive(r.Context(), ac, id, active)
		return err
	})
}

func (h *Handler) userUnlock(w http.ResponseWriter, r *http.Request) error {
	return h.userChange(w, r, "user.unlocked", func(ac app.Actor, id int64) error {
		_, err := h.app.UnlockUser(r.Context(), ac, id)
		return err
	})
}
