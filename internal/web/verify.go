package web

import (
	"bytes"
	"html/template"
	"net/http"

	"binakerja"
)

// verifyData is the public verification page of a certificate.
type verifyData struct {
	Cert  *binakerja.Certificate
	State string // valid, expired, revoked, replaced, suspended
}

var verifyTemplate = template.Must(template.ParseFS(templateFiles, "templates/standalone/verify.html"))

// verify is the public page anyone may open from the certificate's QR code or
// link, without signing in. It stands alone, without the site's layout, so
// that nothing on it hints where the certificate was earned.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) error {
	p := h.newPage(w, r, "verify.title", nil)
	status := http.StatusOK
	c, st, err := h.app.Verify(r.Context(), r.PathValue("code"))
	switch {
	case binakerja.ErrorKind(err) == binakerja.NotFound:
		status = http.StatusNotFound
	case err != nil:
		return err
	default:
		state := map[binakerja.CertificateStatus]string{binakerja.CertificateActive: "valid",
			binakerja.CertificateExpired: "expired", binakerja.CertificateRevoked: "revoked",
			binakerja.CertificateReplaced: "replaced"}[st]
		if state == "" {
			state = "suspended"
		}
		p.Data = verifyData{Cert: c, State: state}
	}
	var buf bytes.Buffer
	if err := verifyTemplate.Execute(&buf, p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, err = buf.WriteTo(w)
	return err
}
