package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

// ClientIP returns the address of the client, without the port.
func ClientIP(r *http.Request) string {
	host := r.RemoteAddr
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			return host[:i]
		}
	}
	return host
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) error {
	if ac := route.ActorFrom(r.Context()); ac.User != nil || ac.Pending != nil {
		return h.toStep(w, r, ac, r.URL.Query().Get("next"))
	}
	p := h.newPage(w, r, "login.title", nil)
	p.Form = newForm(r.URL.Query())
	return h.render(w, http.StatusOK, "login", p)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	email, pw := r.PostForm.Get("email"), r.PostForm.Get("password")
	token, _, err := h.app.Login(r.Context(), email, pw, ClientIP(r), r.UserAgent())
	if err != nil {
		e, ok := errors.AsType[*binakerja.Error](err)
		if !ok || (e.Kind != binakerja.Unauthenticated && e.Kind != binakerja.TooMany) {
			return err
		}
		p := h.newPage(w, r, "login.title", nil)
		p.Form = newForm(r.PostForm)
		p.Form.Values.Del("password")
		p.Form.Errors["email"] = p.T(e.Key, e.Args...)
		p.Form.Summary = []FieldMessage{{Field: "email", Message: p.T(e.Key, e.Args...)}}
		if e.Kind == binakerja.TooMany && len(e.Args) == 1 {
			if m, ok := e.Args[0].(int); ok { // the address waits this many minutes
				w.Header().Set("Retry-After", strconv.Itoa(m*60))
			}
		}
		return h.render(w, route.Status(e.Kind), "login", p)
	}
	h.setSession(w, token)
	// The second step, when the account has one or must set one up.
	if s, err := h.app.Session(r.Context(), token); err == nil && s.Step != app.StepDone {
		http.Redirect(w, r, stepURL(s, r.PostForm.Get("next")), http.StatusSeeOther) // #nosec G710 -- a path of this site, next through safeNext
		return nil
	}
	redirectNext(w, r, r.PostForm.Get("next"))
	return nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookieName(h.secure)); err == nil {
		if err := h.app.Logout(r.Context(), route.ActorFrom(r.Context()), c.Value); err != nil {
			return err
		}
	}
	h.clearSession(w)
	h.flash(w, "logout.done")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// setLanguage switches the language for this browser and, when someone is
// signed in, saves it as their preference.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	lang := r.PostForm.Get("lang")
	if lang != "id" && lang != "en" {
		return binakerja.FieldInvalid("lang", "user.lang.invalid")
	}
	ac := route.ActorFrom(r.Context())
	if ac.User != nil {
		if err := h.app.SetLanguage(r.Context(), ac, lang); err != nil {
			return err
		}
	}
	http.SetCookie(w, Cookie(h.secure, langCookie, lang, 365*24*3600))
	redirectNext(w, r, r.PostForm.Get("next"))
	return nil
}

// homeData is the start page: the user's roles, and a card for each part of
// the system they may use.
type homeData struct {
	Cards    []homeCard
	Employer *employerHomeData // the employer's portal, for its people
	Figures  []homeFigures     // the headline figures of each organisation the user may see them for
}

// homeFigures are an organisation's two headline figures for the last
// full year, under the rules the user's role sees them by.
type homeFigures struct {
	Org, Name string
	Funnel    *app.Funnel
}

// URL is the organisation's outcomes page.
func (f homeFigures) URL() string {
	if f.Org == "" {
		return "/outcomes"
	}
	return "/outcomes?organization=" + url.QueryEscape(f.Org)
}

type homeCard struct {
	Title, Text, URL string
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	u := route.ActorFrom(r.Context()).User
	p := h.newPage(w, r, "home.title", nil)
	var d homeData
	for _, c := range []struct {
		key, url string
		action   binakerja.Action
	}{
		{"inmates", "/inmates", binakerja.ActionInmateView},
		{"import", "/inmates/import", binakerja.ActionInmateWrite},
		{"reviews", "/inmates/reviews", binakerja.ActionInmateWrite},
		{"notices", "/notices", binakerja.ActionSelf},
		{"training", "/training", binakerja.ActionTrainingView},
		{"partners", "/partners", binakerja.ActionPartnerManage},
		{"agreements", "/agreements", binakerja.ActionAgreementView},
		{"vacancies", "/vacancies", binakerja.ActionVacancyView},
		{"internships", "/internships", binakerja.ActionInternshipManage},
		{"followups", "/followups", binakerja.ActionFollowUpManage},
		{"clients", "/clients", binakerja.ActionClientView},
		{"outcomes", "/outcomes", binakerja.ActionMetricsView},
		{"organizations", "/organizations", binakerja.ActionOrgView},
		{"users", "/users", binakerja.ActionUserView},
		{"audit", "/audit", binakerja.ActionAuditView},
		{"account", "/account", binakerja.ActionSelf},
	} {
		if u.Can(c.action, "") {
			d.Cards = append(d.Cards, homeCard{Title: p.T("home.card." + c.key), Text: p.T("home.card." + c.key + ".text"), URL: c.url})
		}
	}
	var err error
	if d.Employer, err = h.employerHome(r); err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	seen := map[string]bool{}
	for _, g := range u.Grants {
		if !binakerja.Allows(g.Role, binakerja.ActionMetricsView) || seen[g.Org] || len(d.Figures) == 3 {
			continue
		}
		seen[g.Org] = true
		f, err := h.app.MetricsFunnel(r.Context(), ac, app.FunnelQuery{Organization: g.Org})
		if err != nil {
			return err
		}
		name := g.OrgName
		if g.Org == "" {
			name = p.T("outcomes.nation")
		}
		d.Figures = append(d.Figures, homeFigures{Org: g.Org, Name: name, Funnel: f})
	}
	p.Data = d
	return h.render(w, http.StatusOK, "home", p)
}

// accountData is the account page: the user's API tokens and, right after
// one was made, its secret, shown this once.
type accountData struct {
	Tokens   []*store.APIToken
	NewToken string
	TOTP     *app.TOTPStatus
	Setup    *totpSetupView // the secret to set up, when there is none yet
}

// accountExtra is what one answer of the account page adds: a token just
// made, or the TOTP setup being confirmed.
type accountExtra struct {
	NewToken string
	Setup    string
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request, status int, form *Form, newToken string) error {
	return h.accountPageWith(w, r, status, form, accountExtra{NewToken: newToken})
}

func (h *Handler) accountPageWith(w http.ResponseWriter, r *http.Request, status int, form *Form, x accountExtra) error {
	ac := route.ActorFrom(r.Context())
	tokens, err := h.app.APITokens(r.Context(), ac)
	if err != nil {
		return err
	}
	d := accountData{Tokens: tokens, NewToken: x.NewToken}
	if d.TOTP, err = h.app.TOTPStatus(r.Context(), ac); err != nil {
		return err
	}
	if !d.TOTP.Enrolled {
		s, err := h.app.TOTPSetup(r.Context(), ac, x.Setup)
		if err != nil {
			return err
		}
		if d.Setup, err = setupView(s, "/account/2fa", ""); err != nil {
			return err
		}
	}
	p := h.newPage(w, r, "account.title", d)
	p.Form = form
	return h.render(w, status, "account", p)
}

func (h *Handler) account(w http.ResponseWriter, r *http.Request) error {
	return h.accountPage(w, r, http.StatusOK, newForm(nil), "")
}

func (h *Handler) accountPassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	f := r.PostForm
	if f.Get("new_password") != f.Get("confirm_password") {
		form := newForm(nil)
		p := h.newPage(w, r, "account.title", nil)
		form.fail(p.Printer, binakerja.FieldInvalid("confirm_password", "password.mismatch"), nil)
		return h.accountPage(w, r, http.StatusUnprocessableEntity, form, "")
	}
	if err := h.app.ChangePassword(r.Context(), ac, f.Get("current_password"), f.Get("new_password")); err != nil {
		form := newForm(nil)
		p := h.newPage(w, r, "account.title", nil)
		if !form.fail(p.Printer, err, map[string]string{"password": "new_password"}) {
			return err
		}
		return h.accountPage(w, r, http.StatusUnprocessableEntity, form, "")
	}
	h.clearSession(w)
	h.flash(w, "account.password.changed")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	secret, _, err := h.app.CreateAPIToken(r.Context(), ac, ac.User.Email, r.PostForm.Get("name"))
	if err != nil {
		form := newForm(r.PostForm)
		p := h.newPage(w, r, "account.title", nil)
		if !form.fail(p.Printer, err, nil) {
			return err
		}
		return h.accountPage(w, r, http.StatusUnprocessableEntity, form, "")
	}
	return h.accountPage(w, r, http.StatusOK, newForm(nil), secret)
}

func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.app.RevokeAPIToken(r.Context(), route.ActorFrom(r.Context()), id); err != nil {
		return err
	}
	h.flash(w, "account.token.revoked")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}
