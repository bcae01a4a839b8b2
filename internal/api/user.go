package api

import (
	"net/http"
	"strconv"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type grant struct {
	Role             string `json:"role"`
	Organization     string `json:"organization,omitempty"`
	OrganizationName string `json:"organization_name,omitempty"`
}

type user struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Active    bool      `json:"active"`
	Locked    bool      `json:"locked"`
	Lang      string    `json:"lang,omitempty"`
	Roles     []grant   `json:"roles"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func userJSON(u *binakerja.User) user {
	out := user{ID: u.ID, Email: u.Email, Name: u.Name, Active: u.Active, Locked: u.Locked, Lang: u.Lang,
		Roles: []grant{}, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	for _, g := range u.Grants {
		out.Roles = append(out.Roles, grant{Role: string(g.Role), Organization: g.Org, OrganizationName: g.OrgName})
	}
	return out
}

type grantInput struct {
	Role         string `json:"role"`
	Organization string `json:"organization"`
}

type userInput struct {
	Email    string       `json:"email"`
	Name     string       `json:"name"`
	Password string       `json:"password"`
	Lang     string       `json:"lang"`
	Roles    []grantInput `json:"roles"`
}

func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Password == "" {
		return binakerja.FieldInvalid("password", "field.required")
	}
	nu := app.NewUser{Email: in.Email, Name: in.Name, Password: in.Password, Lang: in.Lang}
	for _, g := range in.Roles {
		nu.Grants = append(nu.Grants, app.GrantInput{Role: binakerja.Role(g.Role), Org: g.Organization})
	}
	u, _, err := h.app.CreateUser(r.Context(), route.ActorFrom(r.Context()), nu)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	return writeJSON(w, http.StatusCreated, userJSON(u))
}

func (h *Handler) userList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	role := binakerja.Role(q.Get("role"))
	if role != "" && !role.Valid() {
		return binakerja.FieldInvalid("role", "user.role.invalid")
	}
	users, next, err := h.app.Users(r.Context(), route.ActorFrom(r.Context()), store.UserFilter{
		Query: q.Get("q"), Role: role, Org: q.Get("organization"), Page: pg})
	if err != nil {
		return err
	}
	out := list[user]{Items: []user{}, NextCursor: next}
	for _, u := range users {
		out.Items = append(out.Items, userJSON(u))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) userShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := h.app.User(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userJSON(u))
}

func (h *Handler) userGrant(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in grantInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := h.app.AddGrant(r.Context(), route.ActorFrom(r.Context()), id,
		app.GrantInput{Role: binakerja.Role(in.Role), Org: in.Organization})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userJSON(u))
}

func (h *Handler) userRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	u, err := h.app.RemoveGrant(r.Context(), route.ActorFrom(r.Context()), id,
		app.GrantInput{Role: binakerja.Role(q.Get("role")), Org: q.Get("organization")})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userJSON(u))
}

func (h *Handler) userSet(w http.ResponseWriter, r *http.Request, change func(app.Actor, int64) (*binakerja.User, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := change(route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userJSON(u))
}

func (h *Handler) userDisable(w http.ResponseWriter, r *http.Request) error {
	return h.userSet(w, r, func(ac app.Actor, id int64) (*binakerja.User, error) {
		return h.app.SetUserActive(r.Context(), ac, id, false)
	})
}

func (h *Handler) userEnable(w http.ResponseWriter, r *http.Request) error {
	return h.userSet(w, r, func(ac app.Actor, id int64) (*binakerja.User, error) {
		return h.app.SetUserActive(r.Context(), ac, id, true)
	})
}

func (h *Handler) userUnlock(w http.ResponseWriter, r *http.Request) error {
	return h.userSet(w, r, func(ac app.Actor, id int64) (*binakerja.User, error) {
		return h.app.UnlockUser(r.Context(), ac, id)
	})
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, userJSON(route.ActorFrom(r.Context()).User))
}

type auditEvent struct {
	Seq       int64     `json:"seq"`
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id,omitempty"`
	Actor     string    `json:"actor"`
	ActorRole string    `json:"actor_role,omitempty"`
	Org       string    `json:"organization,omitempty"`
	Action    string    `json:"action"`
	Entity    string    `json:"entity"`
	EntityID  string    `json:"entity_id,omitempty"`
	Summary   string    `json:"summary"`
	IP        string    `json:"ip,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
	Hash      string    `json:"hash"`
}

func (h *Handler) auditList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.AuditFilter{Action: q.Get("action"), Entity: q.Get("entity"), EntityID: q.Get("entity_id"),
		Org: q.Get("organization"), Page: pg}
	if s := q.Get("actor_id"); s != "" {
		if f.ActorID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return binakerja.FieldInvalid("actor_id", "field.number")
		}
	}
	events, next, err := h.app.AuditEvents(r.Context(), route.ActorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	out := list[auditEvent]{Items: []auditEvent{}, NextCursor: next}
	for _, e := range events {
		out.Items = append(out.Items, auditEvent{Seq: e.Seq, At: e.At, ActorID: e.ActorID, Actor: e.Actor,
			ActorRole: e.ActorRole, Org: e.Org, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID,
			Summary: e.Summary, IP: e.IP, RequestID: e.RequestID, Hash: e.Hash})
	}
	return writeJSON(w, http.StatusOK, out)
}
