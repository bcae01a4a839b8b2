// Package api serves BinaKerja's JSON API under /api/v1, described by the
// OpenAPI 3.1 document it serves at /api/v1/openapi.json. Handlers decode and
// encode; the rules, the authorization and the audit trail live in
// internal/app.
package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/i18n"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

// MaxBody is the largest JSON body the API reads.
const MaxBody = 1 << 20

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return openAPI }

// Handler is the JSON API.
type Handler struct {
	app   *app.App
	log   *slog.Logger
	Table *route.Table
}

// New returns the API with its routes registered.
func New(a *app.App, log *slog.Logger) *Handler {
	h := &Handler{app: a, log: log}
	h.Table = route.NewTable(h.writeError)
	h.Table.OnDenied = func(r *http.Request, pattern string, action binakerja.Action, err error) {
		h.app.RecordRefusal(r.Context(), route.ActorFrom(r.Context()), r.Method, pattern, r.URL.Path, action, binakerja.ErrorKind(err))
	}
	t := h.Table
	t.Handle("GET /api/v1/openapi.json", route.Public, h.openAPI)
	t.Handle("GET /api/v1/me", binakerja.ActionSelf, h.me)
	t.Handle("POST /api/v1/organizations", binakerja.ActionOrgCreate, h.orgCreate)
	t.Handle("GET /api/v1/organizations", binakerja.ActionOrgView, h.orgList)
	t.Handle("GET /api/v1/organizations/{code}", binakerja.ActionOrgView, h.orgShow)
	t.Handle("PUT /api/v1/organizations/{code}", binakerja.ActionOrgUpdate, h.orgUpdate)
	t.Handle("POST /api/v1/users", binakerja.ActionUserManage, h.userCreate)
	t.Handle("GET /api/v1/users", binakerja.ActionUserView, h.userList)
	t.Handle("GET /api/v1/users/{id}", binakerja.ActionUserView, h.userShow)
	t.Handle("POST /api/v1/users/{id}/roles", binakerja.ActionUserManage, h.userGrant)
	t.Handle("DELETE /api/v1/users/{id}/roles", binakerja.ActionUserManage, h.userRevoke)
	t.Handle("POST /api/v1/users/{id}/disable", binakerja.ActionUserManage, h.userDisable)
	t.Handle("POST /api/v1/users/{id}/enable", binakerja.ActionUserManage, h.userEnable)
	t.Handle("POST /api/v1/users/{id}/unlock", binakerja.ActionUserManage, h.userUnlock)
	t.Handle("GET /api/v1/audit", binakerja.ActionAuditView, h.auditList)
	t.Handle("POST /api/v1/organizations/{code}/inmates/import", binakerja.ActionInmateWrite, h.inmateImport)
	t.Handle("GET /api/v1/inmates", binakerja.ActionInmateView, h.inmateList)
	t.Handle("GET /api/v1/inmates/{id}", binakerja.ActionInmateView, h.inmateShow)
	t.Handle("POST /api/v1/inmates/{id}/release", binakerja.ActionInmateWrite, h.inmateRelease)
	t.Handle("POST /api/v1/inmates/{id}/transfer", binakerja.ActionInmateWrite, h.inmateTransfer)
	t.Handle("POST /api/v1/inmates/{id}/nik", binakerja.ActionNIKView, h.inmateNIK)
	t.Handle("GET /api/v1/inmates/{id}/export", binakerja.ActionSubjectExport, h.inmateExport)
	t.Handle("POST /api/v1/schemes", binakerja.ActionSchemeManage, h.schemeCreate)
	t.Handle("GET /api/v1/schemes", binakerja.ActionTrainingView, h.schemeList)
	t.Handle("POST /api/v1/schemes/import", binakerja.ActionSchemeManage, h.schemeImport)
	t.Handle("GET /api/v1/schemes/{code}", binakerja.ActionTrainingView, h.schemeShow)
	t.Handle("POST /api/v1/programs", binakerja.ActionProgramManage, h.programCreate)
	t.Handle("GET /api/v1/programs", binakerja.ActionTrainingView, h.programList)
	t.Handle("POST /api/v1/cohorts", binakerja.ActionCohortManage, h.cohortCreate)
	t.Handle("GET /api/v1/cohorts", binakerja.ActionTrainingView, h.cohortList)
	t.Handle("GET /api/v1/cohorts/{id}", binakerja.ActionEnrollmentManage, h.cohortShow)
	t.Handle("GET /api/v1/cohorts/{id}/candidates", binakerja.ActionEnrollmentManage, h.cohortCandidates)
	t.Handle("PUT /api/v1/cohorts/{id}/certification-body", binakerja.ActionCohortManage, h.cohortEngageBody)
	t.Handle("POST /api/v1/cohorts/{id}/enrollments", binakerja.ActionEnrollmentManage, h.enrollmentCreate)
	t.Handle("POST /api/v1/enrollments/{id}/complete", binakerja.ActionEnrollmentManage, h.enrollmentChange(binakerja.EnrollmentCompleted))
	t.Handle("POST /api/v1/enrollments/{id}/withdraw", binakerja.ActionEnrollmentManage, h.enrollmentChange(binakerja.EnrollmentWithdrawn))
	t.Handle("POST /api/v1/enrollments/{id}/fail", binakerja.ActionEnrollmentManage, h.enrollmentChange(binakerja.EnrollmentFailed))
	t.Handle("POST /api/v1/enrollments/{id}/cancel", binakerja.ActionEnrollmentManage, h.enrollmentChange(binakerja.EnrollmentCancelled))
	t.Handle("POST /api/v1/enrollments/{id}/admit", binakerja.ActionEnrollmentManage, h.enrollmentChange(binakerja.EnrollmentEnrolled))
	t.Handle("POST /api/v1/cohorts/{id}/sessions", binakerja.ActionEnrollmentManage, h.sessionCreate)
	t.Handle("GET /api/v1/cohorts/{id}/sessions", binakerja.ActionEnrollmentManage, h.sessionList)
	t.Handle("PUT /api/v1/sessions/{id}/attendance", binakerja.ActionEnrollmentManage, h.attendanceRecord)
	t.Handle("PUT /api/v1/organizations/{code}/certificate-pattern", binakerja.ActionAssessmentManage, h.certificatePattern)
	t.Handle("POST /api/v1/assessments", binakerja.ActionAssessmentManage, h.assessmentCreate)
	t.Handle("POST /api/v1/assessments/{id}/results", binakerja.ActionAssessmentManage, h.assessmentResults)
	t.Handle("GET /api/v1/certificates/{id}", binakerja.ActionCertificateView, h.certificateShow)
	t.Handle("GET /api/v1/certificates/{id}/credential", binakerja.ActionCertificateView, h.certificateCredential)
	t.Handle("POST /api/v1/certificates/{id}/revoke", binakerja.ActionCertificateRevoke, h.certificateStatus(binakerja.CertificateRevoked))
	t.Handle("POST /api/v1/certificates/{id}/suspend", binakerja.ActionCertificateRevoke, h.certificateStatus(binakerja.CertificateSuspended))
	t.Handle("POST /api/v1/certificates/{id}/reinstate", binakerja.ActionCertificateRevoke, h.certificateStatus(binakerja.CertificateActive))
	t.Handle("POST /api/v1/certificates/{id}/replace", binakerja.ActionCertificateRevoke, h.certificateReplace)
	t.Handle("POST /api/v1/partners", binakerja.ActionPartnerManage, h.partnerCreate)
	t.Handle("GET /api/v1/partners", binakerja.ActionPartnerView, h.partnerList)
	t.Handle("GET /api/v1/partners/{code}", binakerja.ActionPartnerView, h.partnerShow)
	t.Handle("PUT /api/v1/partners/{code}", binakerja.ActionPartnerManage, h.partnerUpdate)
	t.Handle("POST /api/v1/agreements", binakerja.ActionAgreementManage, h.agreementCreate)
	t.Handle("GET /api/v1/agreements", binakerja.ActionAgreementView, h.agreementList)
	t.Handle("GET /api/v1/agreements/{id}", binakerja.ActionAgreementView, h.agreementShow)
	t.Handle("POST /api/v1/agreements/{id}/activate", binakerja.ActionAgreementManage, h.agreementStatus(binakerja.AgreementActive))
	t.Handle("POST /api/v1/agreements/{id}/end", binakerja.ActionAgreementManage, h.agreementStatus(binakerja.AgreementEnded))
	t.Handle("POST /api/v1/agreements/{id}/documents", binakerja.ActionAgreementManage, h.agreementDocumentAdd)
	t.Handle("GET /api/v1/agreements/{id}/documents/{doc}", binakerja.ActionAgreementView, h.agreementDocument)
	t.Handle("POST /api/v1/inmates/{id}/consents", binakerja.ActionConsentManage, h.consentCreate)
	t.Handle("GET /api/v1/inmates/{id}/consents", binakerja.ActionInmateView, h.consentList)
	t.Handle("PUT /api/v1/inmates/{id}/custody-facts", binakerja.ActionInmateWrite, h.custodyFacts)
	t.Handle("POST /api/v1/vacancies", binakerja.ActionVacancyManage, h.vacancyCreate)
	t.Handle("GET /api/v1/vacancies", binakerja.ActionVacancyView, h.vacancyList)
	t.Handle("GET /api/v1/vacancies/{id}", binakerja.ActionVacancyView, h.vacancyShow)
	t.Handle("PUT /api/v1/vacancies/{id}", binakerja.ActionVacancyManage, h.vacancyUpdate)
	t.Handle("GET /api/v1/vacancies/{id}/matches", binakerja.ActionMatchView, h.vacancyMatches)
	t.Handle("POST /api/v1/vacancies/{id}/applications", binakerja.ActionApplicationManage, h.applicationCreate)
	t.Handle("GET /api/v1/vacancies/{id}/applications", binakerja.ActionApplicationManage, h.applicationList)
	t.Handle("GET /api/v1/applications/{id}", binakerja.ActionApplicationManage, h.applicationShow)
	t.Handle("POST /api/v1/applications/{id}/status", binakerja.ActionApplicationManage, h.applicationStatus)
	t.Handle("POST /api/v1/internships", binakerja.ActionInternshipManage, h.internshipCreate)
	t.Handle("GET /api/v1/internships", binakerja.ActionInternshipView, h.internshipList)
	t.Handle("GET /api/v1/internships/{id}", binakerja.ActionInternshipView, h.internshipShow)
	t.Handle("POST /api/v1/internships/{id}/status", binakerja.ActionInternshipManage, h.internshipStatus)
	t.Handle("PUT /api/v1/internships/{id}/evaluation", binakerja.ActionInternshipEval, h.internshipEvaluation)
	t.Handle("POST /api/v1/internships/{id}/logs", binakerja.ActionInternshipManage, h.internshipLeave)
	t.Handle("POST /api/v1/internships/{id}/logs/{log}/return", binakerja.ActionInternshipManage, h.internshipReturn)
	t.Handle("POST /api/v1/placements", binakerja.ActionPlacementManage, h.placementCreate)
	t.Handle("POST /api/v1/placements/{id}/end", binakerja.ActionPlacementManage, h.placementEnd)
	t.Handle("GET /api/v1/followups", binakerja.ActionFollowUpView, h.followUpList)
	t.Handle("POST /api/v1/followups/{id}", binakerja.ActionFollowUpManage, h.followUpRecord)
	t.Handle("GET /api/v1/handovers", binakerja.ActionFollowUpView, h.handoverList)
	t.Handle("GET /api/v1/organizations/{code}/release-board", binakerja.ActionInmateWrite, h.releaseBoard)
	t.Handle("PUT /api/v1/inmates/{id}/documents", binakerja.ActionInmateWrite, h.releaseDocuments)
	t.Handle("GET /api/v1/metrics/funnel", binakerja.ActionMetricsView, h.metricsFunnel)
	t.Handle("GET /api/v1/metrics/survival", binakerja.ActionMetricsView, h.metricsSurvival)
	t.Handle("GET /api/v1/metrics/effect", binakerja.ActionMetricsView, h.metricsEffect)
	t.Handle("GET /api/v1/metrics/{id}", binakerja.ActionMetricsView, h.metricShow)
	t.Handle("GET /api/v1/notifications", binakerja.ActionSelf, h.notificationList)
	t.Handle("POST /api/v1/notifications/read", binakerja.ActionSelf, h.notificationsRead)
	t.Handle("GET /api/v1/outbox", binakerja.ActionUserManage, h.outboxList)
	t.Handle("POST /api/v1/outbox/{id}/retry", binakerja.ActionUserManage, h.outboxRetry)
	t.Handle("POST /api/v1/handovers/{id}/acknowledge", binakerja.ActionFollowUpManage, h.handoverAcknowledge)
	t.Handle("GET /.well-known/jwks.json", route.Public, h.jwks)
	t.Handle("GET /status/{n}", route.Public, h.statusList)
	t.Handle("GET /trust-list", route.Public, h.trustList)
	t.Handle("/api/", route.Public, h.notFound)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.Table.Mux.ServeHTTP(w, r) }

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
	return nil
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) error {
	return binakerja.Errorf(binakerja.NotFound, "error.not_found")
}

// errorBody is the error envelope of every failed request.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Fields    []fieldError `json:"fields,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Printer returns the printer for the request's Accept-Language.
func Printer(r *http.Request) *i18n.Printer {
	return i18n.New(i18n.Match(r.Header.Get("Accept-Language")))
}

// writeError answers err in the envelope, in the request's language. An
// internal error is logged with the request id and shown as a generic message.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := Printer(r)
	kind := binakerja.ErrorKind(err)
	body := errorBody{Error: errorDetail{Code: kind.String(), RequestID: route.ActorFrom(r.Context()).RequestID}}
	if e, ok := errors.AsType[*binakerja.Error](err); ok && kind != binakerja.Internal {
		body.Error.Message = p.T(e.Key, e.Args...)
		for _, f := range e.Fields {
			body.Error.Fields = append(body.Error.Fields, fieldError{Field: f.Field, Message: p.T(f.Key, f.Args...)})
		}
	} else {
		h.log.Error("request failed", "err", err, "request_id", body.Error.RequestID, "path", r.URL.Path)
		body.Error.Message = p.T("error.internal")
	}
	if kind == binakerja.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="binakerja"`)
	}
	if e, ok := errors.AsType[*binakerja.Error](err); ok && (e.Key == "auth.reauth_required" || e.Key == "auth.reauth_failed") {
		// A sensitive action wants a fresh code in X-BinaKerja-Reauth: say
		// so in a way a program can read.
		w.Header().Set("X-BinaKerja-Reauth", "required")
	}
	_ = writeJSON(w, route.Status(kind), body) // a client gone away has nothing more to be told
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// decode reads a JSON request body into v, refusing another media type (415),
// a body over MaxBody (413), malformed JSON, unknown fields, wrong types,
// trailing data, a key given twice or differing only in case from a field
// (400), and a string with a control character or invalid UTF-8 (422), each
// naming the field where one is at fault.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return binakerja.Errorf(binakerja.Unsupported, "json.media_type")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return decodeError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return binakerja.Errorf(binakerja.BadRequest, "json.trailing")
	}
	return checkBody(body, reflect.TypeOf(v))
}

func decodeError(err error) error {
	bad := func(field, key string, args ...any) error {
		return &binakerja.Error{Kind: binakerja.BadRequest, Key: "json.invalid", Err: err,
			Fields: []binakerja.FieldError{{Field: field, Key: key, Args: args}}}
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return binakerja.Errorf(binakerja.TooLarge, "json.too_large", MaxBody)
	}
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if e.Type == reflect.TypeFor[binakerja.Date]() {
			return bad(e.Field, "date.format")
		}
		return bad(e.Field, "json.type", jsonType(e.Type.Kind().String()))
	}
	if e, ok := errors.AsType[*json.SyntaxError](err); ok {
		return binakerja.Errorf(binakerja.BadRequest, "json.malformed", e.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return binakerja.Errorf(binakerja.BadRequest, "json.empty")
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return bad(strings.Trim(f, `"`), "json.unknown_field")
	}
	return &binakerja.Error{Kind: binakerja.BadRequest, Key: "json.malformed_plain", Err: err}
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	}
	return "number"
}

// page reads ?limit= and ?cursor=.
func page(r *http.Request) (store.Page, error) {
	p := store.Page{Cursor: r.URL.Query().Get("cursor")}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxLimit {
			return p, binakerja.FieldInvalid("limit", "page.limit.range", store.MaxLimit)
		}
		p.Limit = n
	}
	return p, nil
}

// list is the shape of every list answer.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	return id, nil
}
