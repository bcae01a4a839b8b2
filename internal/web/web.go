// Package web serves BinaKerja's pages: server-rendered HTML in Bahasa
// Indonesia (English on request), plain forms and links that work without
// JavaScript, every string from the i18n catalogues, every asset embedded.
// Handlers parse forms and render; the rules live in internal/app.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/i18n"
	"binakerja/internal/route"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Handler is the web interface.
type Handler struct {
	app       *app.App
	log       *slog.Logger
	secure    bool // cookies need TLS (the base URL is https)
	Table     *route.Table
	pages     map[string]*template.Template
	staticURL map[string]string // file name → URL with its content hash
	static    http.Handler
	uploads   uploads
}

// New returns the web interface with its routes registered. secure says the
// site is served over TLS, which makes cookies Secure and __Host- prefixed.
func New(a *app.App, log *slog.Logger, secure bool) (*Handler, error) {
	h := &Handler{app: a, log: log, secure: secure}
	if err := h.loadStatic(); err != nil {
		return nil, err
	}
	if err := h.parseTemplates(); err != nil {
		return nil, err
	}
	h.Table = route.NewTable(h.renderError)
	h.Table.OnDenied = func(r *http.Request, pattern string, action binakerja.Action, err error) {
		h.app.RecordRefusal(r.Context(), route.ActorFrom(r.Context()), r.Method, pattern, r.URL.Path, action, binakerja.ErrorKind(err))
	}
	h.routes()
	return h, nil
}

func (h *Handler) routes() {
	t := h.Table
	t.Handle("GET /static/{hash}/{file}", route.Public, h.serveStatic)
	t.Handle("GET /login", route.Public, h.loginForm)
	t.Handle("POST /login", route.Public, h.login)
	t.Handle("GET /login/code", route.Public, h.loginCodeForm)
	t.Handle("POST /login/code", route.Public, h.loginCode)
	t.Handle("GET /login/enrol", route.Public, h.loginEnrolForm)
	t.Handle("POST /login/enrol", route.Public, h.loginEnrol)
	t.Handle("GET /reauth", binakerja.ActionSelf, h.reauthForm)
	t.Handle("POST /reauth", binakerja.ActionSelf, h.reauth)
	t.Handle("POST /logout", route.Public, h.logout)
	t.Handle("POST /language", route.Public, h.setLanguage)
	t.Handle("GET /v/{code}", route.Public, h.verify)
	t.Handle("GET /{$}", binakerja.ActionSelf, h.home)
	t.Handle("GET /account", binakerja.ActionSelf, h.account)
	t.Handle("POST /account/password", binakerja.ActionSelf, h.accountPassword)
	t.Handle("POST /account/tokens", binakerja.ActionSelf, h.tokenCreate)
	t.Handle("POST /account/tokens/{id}/revoke", binakerja.ActionSelf, h.tokenRevoke)
	t.Handle("POST /account/2fa", binakerja.ActionSelf, h.accountTOTPEnrol)
	t.Handle("POST /account/2fa/recovery-codes", binakerja.ActionSelf, h.accountRecoveryCodes)
	t.Handle("POST /account/2fa/disable", binakerja.ActionSelf, h.accountTOTPDisable)
	t.Handle("GET /organizations", binakerja.ActionOrgView, h.orgList)
	t.Handle("GET /organizations/new", binakerja.ActionOrgCreate, h.orgNew)
	t.Handle("POST /organizations", binakerja.ActionOrgCreate, h.orgCreate)
	t.Handle("GET /organizations/{code}", binakerja.ActionOrgView, h.orgShow)
	t.Handle("GET /organizations/{code}/edit", binakerja.ActionOrgUpdate, h.orgEdit)
	t.Handle("POST /organizations/{code}", binakerja.ActionOrgUpdate, h.orgUpdate)
	t.Handle("GET /users", binakerja.ActionUserView, h.userList)
	t.Handle("GET /users/new", binakerja.ActionUserManage, h.userNew)
	t.Handle("POST /users", binakerja.ActionUserManage, h.userCreate)
	t.Handle("GET /users/{id}", binakerja.ActionUserView, h.userShow)
	t.Handle("POST /users/{id}/roles", binakerja.ActionUserManage, h.userGrant)
	t.Handle("POST /users/{id}/roles/remove", binakerja.ActionUserManage, h.userRevoke)
	t.Handle("POST /users/{id}/active", binakerja.ActionUserManage, h.userActive)
	t.Handle("POST /users/{id}/unlock", binakerja.ActionUserManage, h.userUnlock)
	t.Handle("GET /audit", binakerja.ActionAuditView, h.auditList)
	t.Handle("GET /inmates", binakerja.ActionInmateView, h.inmateList)
	t.Handle("GET /inmates/import", binakerja.ActionInmateWrite, h.inmateImportNew)
	t.Handle("POST /inmates/import", binakerja.ActionInmateWrite, h.inmateImportCheck)
	t.Handle("POST /inmates/import/confirm", binakerja.ActionInmateWrite, h.inmateImportConfirm)
	t.Handle("GET /inmates/reviews", binakerja.ActionInmateWrite, h.reviewList)
	t.Handle("POST /inmates/reviews/{id}/confirm", binakerja.ActionInmateWrite, h.reviewConfirm)
	t.Handle("POST /inmates/reviews/{id}/reject", binakerja.ActionInmateWrite, h.reviewReject)
	t.Handle("GET /notices", binakerja.ActionSelf, h.noticeList)
	t.Handle("GET /outcomes", binakerja.ActionMetricsView, h.outcomes)
	t.Handle("GET /outcomes/survival.svg", binakerja.ActionMetricsView, h.survivalChart)
	t.Handle("GET /outcomes/funnel-plot.svg", binakerja.ActionMetricsView, h.funnelPlot)
	t.Handle("GET /outcomes/export.csv", binakerja.ActionMetricsView, h.outcomesExport("csv"))
	t.Handle("GET /outcomes/export.xlsx", binakerja.ActionMetricsView, h.outcomesExport("xlsx"))
	t.Handle("GET /outcomes/export.pdf", binakerja.ActionMetricsView, h.outcomesExport("pdf"))
	t.Handle("GET /outcomes/definitions", binakerja.ActionMetricsView, h.definitions)
	t.Handle("GET /outcomes/trend.svg", binakerja.ActionMetricsView, h.trendChart)
	t.Handle("POST /notices/read", binakerja.ActionSelf, h.noticesRead)
	t.Handle("GET /admin/outbox", binakerja.ActionUserManage, h.outbox)
	t.Handle("POST /admin/outbox/{id}/retry", binakerja.ActionUserManage, h.outboxRetry)
	t.Handle("GET /inmates/{id}", binakerja.ActionInmateView, h.inmateShow)
	t.Handle("POST /inmates/{id}/nik", binakerja.ActionNIKView, h.inmateNIK)
	t.Handle("POST /inmates/{id}/release", binakerja.ActionInmateWrite, h.inmateRelease)
	t.Handle("POST /inmates/{id}/transfer", binakerja.ActionInmateWrite, h.inmateTransfer)
	t.Handle("GET /inmates/{id}/export", binakerja.ActionSubjectExport, h.inmateExport)
	t.Handle("GET /training", binakerja.ActionTrainingView, h.trainingList)
	t.Handle("POST /training/cohorts", binakerja.ActionCohortManage, h.cohortCreate)
	t.Handle("GET /training/cohorts/{id}", binakerja.ActionEnrollmentManage, h.cohortShow)
	t.Handle("POST /training/cohorts/{id}/enrollments", binakerja.ActionEnrollmentManage, h.cohortEnroll)
	t.Handle("POST /training/cohorts/{id}/body", binakerja.ActionCohortManage, h.cohortEngageBody)
	t.Handle("POST /training/enrollments/{id}", binakerja.ActionEnrollmentManage, h.enrollmentChange)
	t.Handle("GET /training/catalogue", binakerja.ActionTrainingView, h.catalogue)
	t.Handle("POST /training/cohorts/{id}/sessions", binakerja.ActionEnrollmentManage, h.sessionCreate)
	t.Handle("GET /training/sessions/{id}", binakerja.ActionEnrollmentManage, h.sessionShow)
	t.Handle("POST /training/sessions/{id}", binakerja.ActionEnrollmentManage, h.sessionSave)
	t.Handle("GET /training/cohorts/{id}/assessments", binakerja.ActionAssessmentManage, h.cohortAssessments)
	t.Handle("POST /training/cohorts/{id}/assessments", binakerja.ActionAssessmentManage, h.assessmentCreate)
	t.Handle("GET /assessments/{id}", binakerja.ActionAssessmentManage, h.assessmentShow)
	t.Handle("POST /assessments/{id}/results", binakerja.ActionAssessmentManage, h.assessmentResults)
	t.Handle("GET /certificates", binakerja.ActionCertificateRevoke, h.certificateList)
	t.Handle("GET /certificates/{id}", binakerja.ActionCertificateView, h.certificateShow)
	t.Handle("GET /certificates/{id}/qr.png", binakerja.ActionCertificateView, h.certificateQR)
	t.Handle("GET /certificates/{id}/pdf", binakerja.ActionCertificateView, h.certificatePDF)
	t.Handle("GET /certificates/{id}/credential", binakerja.ActionCertificateView, h.certificateCredential)
	t.Handle("POST /certificates/{id}/status", binakerja.ActionCertificateRevoke, h.certificateRevoke)
	t.Handle("POST /training/schemes", binakerja.ActionSchemeManage, h.schemeCreate)
	t.Handle("POST /training/schemes/import", binakerja.ActionSchemeManage, h.schemeImport)
	t.Handle("POST /training/programs", binakerja.ActionProgramManage, h.programCreate)
	t.Handle("GET /partners", binakerja.ActionPartnerView, h.partnerList)
	t.Handle("POST /partners", binakerja.ActionPartnerManage, h.partnerCreate)
	t.Handle("GET /partners/{code}", binakerja.ActionPartnerView, h.partnerShow)
	t.Handle("POST /partners/{code}", binakerja.ActionPartnerManage, h.partnerUpdate)
	t.Handle("GET /agreements", binakerja.ActionAgreementView, h.agreementList)
	t.Handle("POST /agreements", binakerja.ActionAgreementManage, h.agreementCreate)
	t.Handle("GET /agreements/{id}", binakerja.ActionAgreementView, h.agreementShow)
	t.Handle("POST /agreements/{id}/status", binakerja.ActionAgreementManage, h.agreementStatus)
	t.Handle("POST /agreements/{id}/documents", binakerja.ActionAgreementManage, h.agreementDocumentAdd)
	t.Handle("GET /agreements/{id}/documents/{doc}", binakerja.ActionAgreementView, h.agreementDocument)
	t.Handle("GET /vacancies", binakerja.ActionVacancyView, h.vacancyList)
	t.Handle("POST /vacancies", binakerja.ActionVacancyManage, h.vacancyCreate)
	t.Handle("GET /vacancies/{id}", binakerja.ActionVacancyView, h.vacancyShow)
	t.Handle("POST /vacancies/{id}", binakerja.ActionVacancyManage, h.vacancyUpdate)
	t.Handle("POST /vacancies/{id}/applications", binakerja.ActionApplicationManage, h.vacancyPropose)
	t.Handle("GET /applications/{id}", binakerja.ActionApplicationManage, h.applicationShow)
	t.Handle("POST /applications/{id}/status", binakerja.ActionApplicationManage, h.applicationStatus)
	t.Handle("POST /inmates/{id}/consents", binakerja.ActionConsentManage, h.consentRecord)
	t.Handle("POST /inmates/{id}/custody-facts", binakerja.ActionInmateWrite, h.custodyFacts)
	t.Handle("GET /internships", binakerja.ActionInternshipManage, h.internshipBoard)
	t.Handle("POST /internships", binakerja.ActionInternshipManage, h.internshipCreate)
	t.Handle("GET /internships/{id}", binakerja.ActionInternshipView, h.internshipShow)
	t.Handle("POST /internships/{id}/status", binakerja.ActionInternshipManage, h.internshipStatus)
	t.Handle("POST /internships/{id}/logs", binakerja.ActionInternshipManage, h.internshipLeave)
	t.Handle("POST /internships/{id}/logs/{log}/return", binakerja.ActionInternshipManage, h.internshipReturn)
	t.Handle("POST /internships/{id}/evaluation", binakerja.ActionInternshipEval, h.internshipEvaluation)
	t.Handle("GET /release-board", binakerja.ActionInmateWrite, h.releaseBoard)
	t.Handle("GET /release-board/print", binakerja.ActionInmateWrite, h.releaseBoardPrint)
	t.Handle("GET /release-board/{id}", binakerja.ActionInmateWrite, h.releaseSheet)
	t.Handle("POST /release-board/{id}/documents", binakerja.ActionInmateWrite, h.releaseDocuments)
	t.Handle("GET /followups", binakerja.ActionFollowUpView, h.caseload)
	t.Handle("POST /followups/{id}", binakerja.ActionFollowUpManage, h.followUpRecord)
	t.Handle("POST /handovers/{id}/acknowledge", binakerja.ActionFollowUpManage, h.handoverAcknowledge)
	t.Handle("POST /inmates/{id}/placements", binakerja.ActionPlacementManage, h.placementCreate)
	t.Handle("GET /clients", binakerja.ActionClientView, h.clientList)
	t.Handle("GET /released/{id}", binakerja.ActionFollowUpView, h.released)
	t.Handle("POST /released/{id}/placements", binakerja.ActionPlacementManage, h.placementCreate)
	t.Handle("POST /released/{id}/placements/{placement}/end", binakerja.ActionPlacementManage, h.placementEnd)
	t.Handle("/", route.Public, h.notFound)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.Table.Mux.ServeHTTP(w, r) }

// loadStatic names every static file by its content hash, so that it can be
// cached for a year and still change with each release.
func (h *Handler) loadStatic() error {
	h.staticURL = map[string]string{}
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return err
	}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h.staticURL[p] = "/static/" + hex.EncodeToString(sum[:6]) + "/" + p
		return nil
	})
	h.static = http.FileServerFS(sub)
	return err
}

func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	if h.staticURL[file] != r.URL.Path {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + file
	h.static.ServeHTTP(w, r2)
	return nil
}

// StaticURL returns the hashed URL of a static file.
func (h *Handler) StaticURL(name string) string { return h.staticURL[name] }

func (h *Handler) parseTemplates() error {
	h.pages = map[string]*template.Template{}
	entries, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return err
	}
	funcs := template.FuncMap{
		"roleName": func(p *i18n.Printer, r binakerja.Role) string { return p.T("role." + string(r)) },
		"kindName": func(p *i18n.Printer, k binakerja.OrgKind) string { return p.T("org.kind." + string(k)) },
		"langs":    func() []string { return i18n.Languages },
		"int64":    func(n int) int64 { return int64(n) },
		"deref": func(p *int) int {
			if p == nil {
				return 0
			}
			return *p
		},
		"derefF": func(p *float64) float64 {
			if p == nil {
				return 0
			}
			return *p
		},
		"pct":       func(p *i18n.Printer, r *float64) string { return outcomesData{P: p}.Percent(r) },
		"contracts": func() []string { return stringsOf(binakerja.ContractTypes) },
		"vstatuses": func() []string { return stringsOf(binakerja.VacancyStatuses) },
		"readiness": func() []string {
			return []string{string(app.ReadyForWork), string(app.NeedsSupport), string(app.NotReady), string(app.NotWilling)}
		},
		"day": func(t time.Time) binakerja.Date { return binakerja.DateOf(t.In(wib)) },
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
		"enrollmentActions": func(u *binakerja.User, s binakerja.EnrollmentStatus) []binakerja.EnrollmentTransition {
			var out []binakerja.EnrollmentTransition
			for _, t := range binakerja.EnrollmentTransitions {
				if t.From == s && u.MayChange(t) && t.To != binakerja.EnrollmentReleased && t.To != binakerja.EnrollmentTransferred {
					out = append(out, t)
				}
			}
			return out
		},
		"statusName": func(p *i18n.Printer, s binakerja.LegalStatus) string { return p.T("status." + string(s)) },
		"reasonName": func(p *i18n.Printer, r binakerja.ReleaseReason) string { return p.T("release.reason." + string(r)) },
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e[len("templates/pages/"):], ".html")
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials/*.html", e)
		if err != nil {
			return fmt.Errorf("web: template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	return nil
}

var wib = time.FixedZone("WIB", 7*60*60)

// Page is what every page's template gets: the printer for its language (so
// that templates call .T "key"), the signed-in user, the navigation and the
// flash message.
type Page struct {
	*i18n.Printer
	User      *binakerja.User
	Title     string
	Path      string
	Nav       []NavItem
	Flash     string
	CSS       string
	RequestID string
	Form      *Form
	Data      any
	Unread    int // the user's notices not yet read, up to app.UnreadLimit
}

// Can reports whether the user may perform an action somewhere: a link to a
// page the user may not open is not shown as a link.
func (p *Page) Can(action string) bool { return p.User.Can(binakerja.Action(action), "") }

// UnreadLabel is the unread count as a badge shows it.
func (p *Page) UnreadLabel() string {
	if p.Unread >= app.UnreadLimit {
		return strconv.Itoa(app.UnreadLimit-1) + "+"
	}
	return strconv.Itoa(p.Unread)
}

// NavItem is one entry of the navigation.
type NavItem struct {
	Label   string
	URL     string
	Current bool
}

// navigation lists what the user may reach, in the order of the work.
var navigation = []struct {
	key    string
	url    string
	action binakerja.Action
}{
	{"nav.home", "/", binakerja.ActionSelf},
	{"nav.inmates", "/inmates", binakerja.ActionInmateView},
	{"nav.training", "/training", binakerja.ActionTrainingView},
	{"nav.certificates", "/certificates", binakerja.ActionCertificateRevoke},
	{"nav.partners", "/partners", binakerja.ActionPartnerManage},
	{"nav.agreements", "/agreements", binakerja.ActionAgreementView},
	{"nav.vacancies", "/vacancies", binakerja.ActionVacancyView},
	{"nav.internships", "/internships", binakerja.ActionInternshipManage},
	{"nav.board", "/release-board", binakerja.ActionInmateWrite},
	{"nav.followups", "/followups", binakerja.ActionFollowUpManage},
	{"nav.clients", "/clients", binakerja.ActionClientView},
	{"nav.outcomes", "/outcomes", binakerja.ActionMetricsView},
	{"nav.organizations", "/organizations", binakerja.ActionOrgView},
	{"nav.users", "/users", binakerja.ActionUserView},
	{"nav.audit", "/audit", binakerja.ActionAuditView},
}

func (h *Handler) newPage(w http.ResponseWriter, r *http.Request, titleKey string, data any) *Page {
	ac := route.ActorFrom(r.Context())
	p := &Page{Printer: i18n.New(Language(r, ac.User)), User: ac.User, Path: r.URL.Path, CSS: h.staticURL["app.css"],
		RequestID: ac.RequestID, Data: data}
	p.Title = p.T(titleKey)
	if ac.User != nil {
		if n, err := h.app.UnreadCount(r.Context(), ac); err == nil {
			p.Unread = n
		}
		for _, n := range navigation {
			if ac.User.Can(n.action, "") {
				cur := r.URL.Path == n.url || (n.url != "/" && strings.HasPrefix(r.URL.Path, n.url+"/"))
				p.Nav = append(p.Nav, NavItem{Label: p.T(n.key), URL: n.url, Current: cur})
			}
		}
	}
	if c, err := r.Cookie(flashCookie); err == nil && i18n.Has(p.Lang, c.Value) {
		p.Flash = p.T(c.Value)
		http.SetCookie(w, Cookie(h.secure, flashCookie, "", -1))
	}
	return p
}

// render writes the page template name with p, buffered so that a template
// error becomes a clean error page.
func (h *Handler) render(w http.ResponseWriter, status int, name string, p *Page) error {
	t, ok := h.pages[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

const (
	flashCookie = "binakerja_flash"
	langCookie  = "binakerja_lang"
)

// flash leaves a message (a catalogue key) for the next page.
func (h *Handler) flash(w http.ResponseWriter, key string) {
	http.SetCookie(w, Cookie(h.secure, flashCookie, key, 60))
}

// Language is the language of a page: the user's saved choice, else the
// choice made on this browser with the language switch, else Indonesian. The
// browser's Accept-Language is not followed: many office computers run an
// English browser for Indonesian-speaking staff.
func Language(r *http.Request, u *binakerja.User) string {
	if u != nil && u.Lang != "" {
		return u.Lang
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "id" || c.Value == "en") {
		return c.Value
	}
	return i18n.Default
}

// SessionCookieName returns the name of the session cookie: __Host- prefixed
// under TLS, so that it is bound to this host and path.
func SessionCookieName(secure bool) string {
	if secure {
		return "__Host-binakerja_session"
	}
	return "binakerja_session"
}

// Cookie returns a cookie of this site for its whole path: HttpOnly,
// SameSite=Lax, and Secure when the site is served over TLS (an https://
// BINAKERJA_BASE_URL). Over plain HTTP, as on a closed network or on the
// loopback, a browser would not send a Secure cookie back. maxAge is as in
// http.Cookie: 0 for a cookie of the browser's session, -1 to remove one.
func Cookie(secure bool, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, // #nosec G124 -- Secure under TLS, see above
		Secure: secure, SameSite: http.SameSiteLaxMode}
}

func (h *Handler) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, Cookie(h.secure, SessionCookieName(h.secure), token, 0))
}

func (h *Handler) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, Cookie(h.secure, SessionCookieName(h.secure), "", -1))
}

// renderError answers an error from a handler with a page: sign-in for
// Unauthenticated, else an error page with the right status.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, err error) {
	kind := binakerja.ErrorKind(err)
	if e, ok := errors.AsType[*binakerja.Error](err); ok && e.Kind == binakerja.Forbidden && e.Key == "auth.reauth_required" {
		// A sensitive action asks for the password (and code) again: to
		// the re-authentication page, and back.
		http.Redirect(w, r, "/reauth?next="+url.QueryEscape(backTo(r)), http.StatusSeeOther)
		return
	}
	if kind == binakerja.Unauthenticated {
		next := r.URL.EscapedPath() // as sent: safeNext takes no raw space or control
		if r.Method != http.MethodGet {
			next = "/"
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	key := "error.internal"
	var args []any
	if e, ok := errors.AsType[*binakerja.Error](err); ok && kind != binakerja.Internal {
		key, args = e.Key, e.Args
	} else {
		h.log.Error("page failed", "err", err, "request_id", route.ActorFrom(r.Context()).RequestID, "path", r.URL.Path)
	}
	p := h.newPage(w, r, "error.title", nil)
	p.Data = p.T(key, args...)
	if err := h.render(w, route.Status(kind), "error", p); err != nil {
		h.log.Error("render error page", "err", err)
		http.Error(w, p.T("error.internal"), http.StatusInternalServerError)
	}
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) error {
	return binakerja.Errorf(binakerja.NotFound, "error.not_found")
}

// Form holds what was typed into a form and what is wrong with it, so that a
// refused form comes back filled in, with an error summary at the top linking
// to each field and each message beside its field.
type Form struct {
	Values  url.Values
	Errors  map[string]string
	Summary []FieldMessage
}

// FieldMessage is one entry of the error summary.
type FieldMessage struct {
	Field   string
	Message string
}

func newForm(v url.Values) *Form { return &Form{Values: v, Errors: map[string]string{}} }

// Value returns what was typed in the field.
func (f *Form) Value(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Has reports whether value is among what was chosen in the field (a set of
// check boxes).
func (f *Form) Has(name, value string) bool {
	if f == nil {
		return false
	}
	return slices.Contains(f.Values[name], value)
}

// Error returns the message for the field, if any.
func (f *Form) Error(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// fail records err's messages on the form. It reports false when err is not
// about the input (and should be answered as an error instead).
func (f *Form) fail(p *i18n.Printer, err error, rename map[string]string) bool {
	e, ok := errors.AsType[*binakerja.Error](err)
	if !ok || (e.Kind != binakerja.Invalid && e.Kind != binakerja.Conflict) {
		return false
	}
	if len(e.Fields) == 0 {
		f.Summary = append(f.Summary, FieldMessage{Message: p.T(e.Key, e.Args...)})
	}
	for _, fe := range e.Fields {
		name := fe.Field
		if r, ok := rename[name]; ok {
			name = r
		}
		msg := p.T(fe.Key, fe.Args...)
		if _, dup := f.Errors[name]; !dup {
			f.Errors[name] = msg
		}
		f.Summary = append(f.Summary, FieldMessage{Field: name, Message: msg})
	}
	return true
}

// label puts the label of its field before each message of the summary
// ("Tanggal kontak: …"), for forms whose fields are not drawn by the input
// template.
func (f *Form) label(p *i18n.Printer, labels map[string]string) {
	for i, m := range f.Summary {
		if key, ok := labels[m.Field]; ok {
			f.Summary[i].Message = p.T(key) + ": " + m.Message
		}
	}
}

// parseForm reads a urlencoded form of at most 1 MiB, refusing a value with a
// control character (see checkText).
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return binakerja.Errorf(binakerja.TooLarge, "json.too_large", 1<<20)
		}
		return binakerja.Errorf(binakerja.BadRequest, "form.malformed")
	}
	return checkText(r.PostForm)
}

// checkText refuses a form whose value holds a control character other than
// a tab or a line break (a text area's), or is not UTF-8: no field takes
// one, and PostgreSQL refuses a NUL. The error names the first such field.
func checkText(values url.Values) error {
	names := slices.Sorted(maps.Keys(values))
	for _, name := range names {
		for _, v := range values[name] {
			if binakerja.HasStrayControl(v) {
				return &binakerja.Error{Kind: binakerja.Invalid, Key: "form.control", Args: []any{name},
					Fields: []binakerja.FieldError{{Field: name, Key: "text.control"}}}
			}
		}
	}
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return id, nil
}

// safeNext returns next if it is a plain path on this site, else "/".
//
// Browsers are lenient where a redirect's Location is concerned: they drop
// tabs and newlines anywhere in it, strip control characters and spaces at
// its ends, read a backslash as a slash, and take "//" or "/\" for the
// start of another host (a tab between "/" and "/evil.example" makes
// "//evil.example"). So next must be printable without spaces, hold no
// backslash, parse as a path alone (no scheme, host or user), and its path,
// decoded, must neither start with "//", hold a backslash or a control
// character, nor climb with dot segments. Anything else goes home.
// redirectNext answers 303 See Other to next if it is a path of this site,
// else to the home page (safeNext).
func redirectNext(w http.ResponseWriter, r *http.Request, next string) {
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther) // #nosec G710 -- safeNext keeps only a path of this site
}

func safeNext(next string) string {
	if next == "" || next[0] != '/' || len(next) > 2000 || !printable(next, false) || strings.ContainsRune(next, '\\') {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Opaque != "" || u.User != nil || u.Host != "" {
		return "/"
	}
	p := u.Path
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') || !printable(p, true) {
		return "/"
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return "/"
		}
	}
	return next
}

// printable reports whether s is valid UTF-8 of printable characters only:
// no control, format or whitespace character, except plain spaces when
// spaceOK (a decoded path may hold them; a URL as sent does not).
func printable(s string, spaceOK bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !(unicode.IsPrint(r) && r != ' ' || spaceOK && r == ' ') {
			return false
		}
	}
	return true
}

// Field is what the "input" and "select" templates draw: a labelled form
// control with its hint, its error and what was typed.
type Field struct {
	Name, Label, Type, Value, Error, Hint, List, Autocomplete string
	Options                                                   []Option
}

// Option is one choice of a select.
type Option struct{ Value, Label string }

// Field returns the field name of the page's form, labelled with the message
// under labelKey, of the given input type. Options are given as value, label
// pairs for a select.
func (p *Page) Field(name, labelKey, typ string) Field {
	f := Field{Name: name, Label: p.T(labelKey), Type: typ, Value: p.Form.Value(name), Error: p.Form.Error(name)}
	if hint := labelKey + ".hint"; i18n.Has(p.Lang, hint) {
		f.Hint = p.T(hint)
	}
	return f
}

// WithList returns f offering the suggestions of the datalist id.
func (f Field) WithList(id string) Field { f.List = id; return f }

// WithOptions returns f as a select of values, each labelled by the message
// under prefix+value; an empty first choice is added when blank is not "".
func (p *Page) WithOptions(f Field, prefix, blank string, values []string) Field {
	if blank != "" {
		f.Options = append(f.Options, Option{Value: "", Label: p.T(blank)})
	}
	for _, v := range values {
		f.Options = append(f.Options, Option{Value: v, Label: p.T(prefix + v)})
	}
	return f
}

func kindNames() []string {
	var s []string
	for _, k := range binakerja.OrgKinds {
		s = append(s, string(k))
	}
	return s
}

func roleNames() []string {
	var s []string
	for _, r := range binakerja.Roles {
		s = append(s, string(r))
	}
	return s
}
