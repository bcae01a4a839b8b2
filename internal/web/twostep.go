package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
)

// The second step of signing in (the code, or setting TOTP up), the
// account's TOTP section, and re-authentication before sensitive actions.

// stepURL is the page of the second step a sign-in waits for, going on to
// next.
func stepURL(s *app.SignIn, next string) string {
	path := "/login/code"
	if s.Step == app.StepEnrol {
		path = "/login/enrol"
	}
	if next = safeNext(next); next != "/" {
		path += "?next=" + url.QueryEscape(next)
	}
	return path
}

// totpSetupView is the setting up of TOTP as a page shows it: the QR code
// of the otpauth URI (a data: URL, never fetched), the secret in groups for
// typing, and where the confirming code goes.
type totpSetupView struct {
	QR     template.URL
	Secret string
	Token  string
	Action string
	Next   string // where the sign-in goes on to, on its page
}

func setupView(s *app.TOTPSetup, action, next string) (*totpSetupView, error) {
	png, err := qrcode.Encode(s.URI, qrcode.Medium, 240)
	if err != nil {
		return nil, err
	}
	// #nosec G203 -- a data: URL of a PNG made here, in base64
	return &totpSetupView{QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		Secret: s.Secret, Token: s.Token, Action: action, Next: next}, nil
}

// stepData is a second-step page: the address to go on to, the setup (on
// the enrolment page) and, once set up, the recovery codes shown once.
type stepData struct {
	Next     string
	Setup    *totpSetupView
	Recovery []string
	Email    string
}

func (h *Handler) renderStep(w http.ResponseWriter, r *http.Request, status int, page, title string, form *Form, d stepData) error {
	p := h.newPage(w, r, title, d)
	p.Form = form
	return h.render(w, status, page, p)
}

// formError records err on form, or reports false when it is not about the
// input; a wait (TooMany) is shown on field too, with Retry-After.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, form *Form, field string, err error) (int, bool) {
	p := h.newPage(w, r, "login.title", nil)
	e, ok := errors.AsType[*binakerja.Error](err)
	if ok && e.Kind == binakerja.TooMany {
		msg := p.T(e.Key, e.Args...)
		form.Errors[field] = msg
		form.Summary = append(form.Summary, FieldMessage{Field: field, Message: msg})
		if len(e.Args) == 1 {
			if m, ok := e.Args[0].(int); ok {
				w.Header().Set("Retry-After", strconv.Itoa(m*60))
			}
		}
		return http.StatusTooManyRequests, true
	}
	if form.fail(p.Printer, err, nil) {
		return http.StatusUnprocessableEntity, true
	}
	return 0, false
}

// toStep sends a request that is not at the step it asks for on: signed in,
// to next; half way, to its step's page; else to sign-in.
func (h *Handler) toStep(w http.ResponseWriter, r *http.Request, ac app.Actor, next string) error {
	switch {
	case ac.User != nil:
		http.Redirect(w, r, safeNext(next), http.StatusSeeOther) // #nosec G710 -- safeNext keeps only a path of this site
	case ac.Pending != nil:
		http.Redirect(w, r, stepURL(ac.Pending, next), http.StatusSeeOther) // #nosec G710 -- a path of this site, next through safeNext
	default:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
	return nil
}

func (h *Handler) loginCodeForm(w http.ResponseWriter, r *http.Request) error {
	ac := route.ActorFrom(r.Context())
	next := r.URL.Query().Get("next")
	if ac.Pending == nil || ac.Pending.Step != app.StepCode {
		return h.toStep(w, r, ac, next)
	}
	return h.renderStep(w, r, http.StatusOK, "login_code", "login.code.title", newForm(nil), stepData{Next: safeNext(next)})
}

func (h *Handler) loginCode(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	next := r.PostForm.Get("next")
	if ac.Pending == nil || ac.Pending.Step != app.StepCode {
		return h.toStep(w, r, ac, next)
	}
	token, _, err := h.app.VerifySignIn(r.Context(), ac, r.PostForm.Get("code"))
	if e, ok := errors.AsType[*binakerja.Error](err); ok && e.Kind == binakerja.Unauthenticated {
		// Too many wrong codes: the sign-in ended; the password is asked again.
		h.clearSession(w)
		h.flash(w, "auth.code.restart")
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		form := newForm(nil)
		status, ok := h.formError(w, r, form, "code", err)
		if !ok {
			return err
		}
		return h.renderStep(w, r, status, "login_code", "login.code.title", form, stepData{Next: safeNext(next)})
	}
	h.setSession(w, token)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther) // #nosec G710 -- safeNext keeps only a path of this site
	return nil
}

func (h *Handler) loginEnrolForm(w http.ResponseWriter, r *http.Request) error {
	ac := route.ActorFrom(r.Context())
	next := r.URL.Query().Get("next")
	if ac.Pending == nil || ac.Pending.Step != app.StepEnrol {
		return h.toStep(w, r, ac, next)
	}
	return h.enrolPage(w, r, http.StatusOK, ac, newForm(nil), "", next)
}

func (h *Handler) enrolPage(w http.ResponseWriter, r *http.Request, status int, ac app.Actor, form *Form, token, next string) error {
	s, err := h.app.TOTPSetup(r.Context(), ac, token)
	if err != nil {
		return err
	}
	v, err := setupView(s, "/login/enrol", safeNext(next))
	if err != nil {
		return err
	}
	return h.renderStep(w, r, status, "login_enrol", "login.enrol.title", form,
		stepData{Next: safeNext(next), Setup: v, Email: ac.Pending.User.Email})
}

func (h *Handler) loginEnrol(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	next := r.PostForm.Get("next")
	if ac.Pending == nil || ac.Pending.Step != app.StepEnrol {
		return h.toStep(w, r, ac, next)
	}
	setup := r.PostForm.Get("setup")
	codes, token, err := h.app.EnrolTOTP(r.Context(), ac, setup, r.PostForm.Get("code"))
	if err != nil {
		form := newForm(nil)
		if _, ok := h.formError(w, r, form, "code", err); !ok {
			return err
		}
		return h.enrolPage(w, r, http.StatusUnprocessableEntity, ac, form, setup, next)
	}
	h.setSession(w, token)
	// The new session is signed in from the next request on; this page
	// shows the codes once, with the way on.
	return h.renderStep(w, r, http.StatusOK, "recovery_codes", "totp.recovery.title", nil,
		stepData{Next: safeNext(next), Recovery: codes})
}

// reauthData is the re-authentication page: whether a code is asked, and
// where to go back to.
type reauthData struct {
	Next string
	TOTP bool
}

func (h *Handler) reauthPage(w http.ResponseWriter, r *http.Request, status int, form *Form, next string) error {
	st, err := h.app.TOTPStatus(r.Context(), route.ActorFrom(r.Context()))
	if err != nil {
		return err
	}
	p := h.newPage(w, r, "reauth.title", reauthData{Next: safeNext(next), TOTP: st.Enrolled})
	p.Form = form
	return h.render(w, status, "reauth", p)
}

func (h *Handler) reauthForm(w http.ResponseWriter, r *http.Request) error {
	return h.reauthPage(w, r, http.StatusOK, newForm(nil), r.URL.Query().Get("next"))
}

func (h *Handler) reauth(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	next := r.PostForm.Get("next")
	err := h.app.Reauthenticate(r.Context(), route.ActorFrom(r.Context()), r.PostForm.Get("password"), r.PostForm.Get("code"))
	if err != nil {
		form := newForm(nil)
		status, ok := h.formError(w, r, form, "password", err)
		if !ok {
			return err
		}
		return h.reauthPage(w, r, status, form, next)
	}
	h.flash(w, "reauth.done")
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther) // #nosec G710 -- safeNext keeps only a path of this site
	return nil
}

// backTo is where a request refused for want of a re-authentication goes
// back to afterwards: the page itself for a GET; for a form, the page it
// was sent from (when that is this site), whose form is then sent again.
func backTo(r *http.Request) string {
	if r.Method == http.MethodGet {
		back := r.URL.EscapedPath()
		if r.URL.RawQuery != "" {
			back += "?" + r.URL.RawQuery
		}
		return safeNext(back)
	}
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || ref.User != nil {
		return "/"
	}
	return safeNext(ref.RequestURI())
}

func (h *Handler) accountTOTPEnrol(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	setup := r.PostForm.Get("setup")
	codes, _, err := h.app.EnrolTOTP(r.Context(), ac, setup, r.PostForm.Get("code"))
	if err != nil {
		form := newForm(nil)
		if _, ok := h.formError(w, r, form, "code", err); !ok {
			return err
		}
		return h.accountPageWith(w, r, http.StatusUnprocessableEntity, form, accountExtra{Setup: setup})
	}
	return h.renderStep(w, r, http.StatusOK, "recovery_codes", "totp.recovery.title", nil,
		stepData{Next: "/account", Recovery: codes})
}

func (h *Handler) accountRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	codes, err := h.app.NewRecoveryCodes(r.Context(), route.ActorFrom(r.Context()))
	if err != nil {
		return err
	}
	return h.renderStep(w, r, http.StatusOK, "recovery_codes", "totp.recovery.title", nil,
		stepData{Next: "/account", Recovery: codes})
}

func (h *Handler) accountTOTPDisable(w http.ResponseWriter, r *http.Request) error {
	if err := h.app.DisableTOTP(r.Context(), route.ActorFrom(r.Context())); err != nil {
		return err
	}
	h.flash(w, "totp.disabled")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}
