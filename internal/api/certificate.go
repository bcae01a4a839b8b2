package api

import (
	"net/http"
	"strconv"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/credential"
	"binakerja/internal/route"
)

type assessment struct {
	ID                int64          `json:"id"`
	CohortID          int64          `json:"cohort_id"`
	CertificationBody string         `json:"certification_body"`
	AssessorName      string         `json:"assessor_name"`
	AssessorNumber    string         `json:"assessor_number"`
	SiteType          string         `json:"site_type,omitempty"`
	SiteName          string         `json:"site_name,omitempty"`
	Date              binakerja.Date `json:"date"`
}

func (h *Handler) assessmentCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CohortID          int64          `json:"cohort_id"`
		CertificationBody string         `json:"certification_body"`
		AssessorName      string         `json:"assessor_name"`
		AssessorNumber    string         `json:"assessor_number"`
		SiteType          string         `json:"site_type"`
		SiteName          string         `json:"site_name"`
		Date              binakerja.Date `json:"date"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	as, err := h.app.CreateAssessment(r.Context(), route.ActorFrom(r.Context()), app.NewAssessment{CohortID: in.CohortID,
		CertificationBody: in.CertificationBody, AssessorName: in.AssessorName, AssessorNumber: in.AssessorNumber,
		SiteType: in.SiteType, SiteName: in.SiteName, Date: in.Date})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, assessment{ID: as.ID, CohortID: as.CohortID, CertificationBody: as.CertificationBody,
		AssessorName: as.AssessorName, AssessorNumber: as.AssessorNumber, SiteType: as.SiteType, SiteName: as.SiteName, Date: as.Date})
}

type certificateRef struct {
	ID              int64  `json:"id"`
	Number          string `json:"number"`
	VerificationURL string `json:"verification_url"`
}

func (h *Handler) assessmentResults(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		InmateID int64 `json:"inmate_id"`
		Units    []struct {
			Code   string `json:"code"`
			Result string `json:"result"`
		} `json:"units"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var units []app.UnitInput
	for _, u := range in.Units {
		units = append(units, app.UnitInput{Code: u.Code, Result: binakerja.UnitResult(u.Result)})
	}
	out, err := h.app.RecordResults(r.Context(), route.ActorFrom(r.Context()), id, in.InmateID, units)
	if err != nil {
		return err
	}
	resp := struct {
		Result      string          `json:"result"`
		Certificate *certificateRef `json:"certificate"`
	}{Result: string(out.Result)}
	if c := out.Certificate; c != nil {
		resp.Certificate = &certificateRef{ID: c.ID, Number: c.Number, VerificationURL: h.app.VerificationURL(c.Code)}
	}
	return writeJSON(w, http.StatusOK, resp)
}

type certificate struct {
	ID              int64          `json:"id"`
	Number          string         `json:"number"`
	InmateID        int64          `json:"inmate_id"`
	HolderName      string         `json:"holder_name"`
	Scheme          string         `json:"scheme"`
	SchemeTitle     string         `json:"scheme_title"`
	KKNILevel       int            `json:"kkni_level"`
	Issuer          string         `json:"issuer"`
	IssuerName      string         `json:"issuer_name"`
	IssuedOn        binakerja.Date `json:"issued_on"`
	ExpiresOn       binakerja.Date `json:"expires_on"`
	Status          string         `json:"status"`
	RevokeReason    string         `json:"revoke_reason,omitempty"`
	Replaces        int64          `json:"replaces,omitempty"`
	ReplacedBy      int64          `json:"replaced_by,omitempty"`
	VerificationURL string         `json:"verification_url"`
}

func (h *Handler) certificateJSON(c *binakerja.Certificate) certificate {
	return certificate{ID: c.ID, Number: c.Number, InmateID: c.PersonID, HolderName: c.HolderName, Scheme: c.Scheme,
		SchemeTitle: c.SchemeTitle, KKNILevel: c.KKNILevel, Issuer: c.Issuer, IssuerName: c.IssuerName, IssuedOn: c.IssuedOn,
		ExpiresOn: c.ExpiresOn, Status: string(c.Status), RevokeReason: c.RevokeReason, Replaces: c.Replaces, ReplacedBy: c.ReplacedBy,
		VerificationURL: h.app.VerificationURL(c.Code)}
}

func (h *Handler) certificateShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := h.app.Certificate(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.certificateJSON(c))
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
	w.Header().Set("Content-Disposition", `attachment; filename="certificate-`+strconv.FormatInt(id, 10)+`.jwt"`)
	_, err = w.Write([]byte(jws)) // #nosec G705 -- a signed JWT (base64url and dots), an attachment
	return err
}

// certificateStatus returns the handler that moves a certificate to a status.
func (h *Handler) certificateStatus(to binakerja.CertificateStatus) route.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in struct {
			Reason string `json:"reason"`
		}
		if err := decode(w, r, &in); err != nil {
			return err
		}
		c, err := h.app.SetCertificateStatus(r.Context(), route.ActorFrom(r.Context()), id, to, in.Reason)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, h.certificateJSON(c))
	}
}

// certificateReplace reissues a certificate and returns the new one.
func (h *Handler) certificateReplace(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.app.ReplaceCertificate(r.Context(), route.ActorFrom(r.Context()), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, h.certificateJSON(c))
}

// trustList serves the signed trust list for offline verifiers.
func (h *Handler) trustList(w http.ResponseWriter, r *http.Request) error {
	jws, err := h.app.TrustList(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", credential.TrustListMediaType)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write([]byte(jws))
	return err
}

func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) error {
	b, err := h.app.JWKS()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}

func (h *Handler) statusList(w http.ResponseWriter, r *http.Request) error {
	purpose := credential.Revocation
	if r.PathValue("n") == "2" {
		purpose = credential.Suspension
	} else if r.PathValue("n") != "1" {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	jws, err := h.app.StatusList(r.Context(), purpose)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", credential.MediaType)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write([]byte(jws))
	return err
}
