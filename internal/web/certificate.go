package web

import (
	"net/http"
	"net/url"
	"strconv"

	"binakerja"
	"binakerja/internal/credential"
	"binakerja/internal/i18n"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type certificatePageData struct {
	Cert            *binakerja.Certificate
	VerificationURL string
	QR              string
	CanRevoke       bool
	Suspended       bool
	Issuable        bool // the paper and the credential may be handed out
}

func (h *Handler) certificatePage(w http.ResponseWriter, r *http.Request, status int, form *Form) error {
	ac := route.ActorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := h.app.Certificate(r.Context(), ac, id)
	if err != nil {
		return err
	}
	d := certificatePageData{Cert: c, VerificationURL: h.app.VerificationURL(c.Code),
		QR: "/certificates/" + strconv.FormatInt(id, 10) + "/qr.png", CanRevoke: ac.User.Can(binakerja.ActionCertificateRevoke, "") && c.Status != binakerja.CertificateRevoked &&
			c.Status != binakerja.CertificateReplaced,
		Suspended: c.Status == binakerja.CertificateSuspended,
		Issuable:  c.Issuable()}
	p := h.newPage(w, r, "certificate.title", d)
	p.Form = form
	return h.render(w, status, "certificate", p)
}

type certificateListData struct {
	Certificates []*binakerja.Certificate
	Number       string
	Next         string
}

// certificateList is the certification body's register of certificates.
func (h *Handler) certificateList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cs, next, err := h.app.Certificates(r.Context(), route.ActorFrom(r.Context()), q.Get("number"),
		store.Page{Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	d := certificateListData{Certificates: cs, Number: q.Get("number")}
	if next != "" {
		d.Next = "/certificates?" + url.Values{"number": {d.Number}, "cursor": {next}}.Encode()
	}
	return h.render(w, http.StatusOK, "certificate_list", h.newPage(w, r, "certificate.list.title", d))
}

func (h *Handler) certificateShow(w http.ResponseWriter, r *http.Request) error {
	return h.certificatePage(w, r, http.StatusOK, newForm(nil))
}

func (h *Handler) certificateQR(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	png, err := h.app.CertificateQR(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	_, err = w.Write(png) // #nosec G705 -- a PNG made here, served as image/png
	return err
}

func labels(p *i18n.Printer) credential.Labels {
	return credential.Labels{Title: p.T("paper.title"), Holder: p.T("paper.holder"), Scheme: p.T("verify.scheme"),
		Level: p.T("verify.level"), Issuer: p.T("paper.issuer"), Number: p.T("verify.number"), Issued: p.T("verify.issued"),
		Expires: p.T("verify.expires"), Verify: p.T("paper.verify"), Date: p.Day}
}

func (h *Handler) certificatePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := h.newPage(w, r, "", nil)
	b, err := h.app.CertificatePDF(r.Context(), route.ActorFrom(r.Context()), id, labels(p.Printer))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="sertifikat-`+strconv.FormatInt(id, 10)+`.pdf"`)
	_, err = w.Write(b) // #nosec G705 -- a PDF made here, an attachment
	return err
}

func (h *Handler) certificateCredential(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	jws, err := h.app.Credential(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", credential.MediaType)
	w.Header().Set("Content-Disposition", `attachment; filename="sertifikat-`+strconv.FormatInt(id, 10)+`.jwt"`)
	_, err = w.Write([]byte(jws)) // #nosec G705 -- a signed JWT (base64url and dots), an attachment
	return err
}

func (h *Handler) certificateRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	to := binakerja.CertificateStatus(r.PostForm.Get("status"))
	ac, reason := route.ActorFrom(r.Context()), r.PostForm.Get("reason")
	var c *binakerja.Certificate
	if to == binakerja.CertificateReplaced {
		c, err = h.app.ReplaceCertificate(r.Context(), ac, id, reason)
	} else {
		c, err = h.app.SetCertificateStatus(r.Context(), ac, id, to, reason)
	}
	if err != nil {
		form := newForm(r.PostForm)
		if !form.fail(h.newPage(w, r, "", nil).Printer, err, nil) {
			return err
		}
		return h.certificatePage(w, r, http.StatusUnprocessableEntity, form)
	}
	if to == binakerja.CertificateReplaced {
		h.flash(w, "certificate.replaced")
	} else {
		h.flash(w, "certificate.status_changed")
	}
	http.Redirect(w, r, "/certificates/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
	return nil
}
