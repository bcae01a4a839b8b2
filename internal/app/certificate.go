package app

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"binakerja"
	"binakerja/internal/credential"
	"binakerja/internal/store"
)

// NewAssessment is the input of CreateAssessment.
type NewAssessment struct {
	CohortID          int64
	CertificationBody string
	AssessorName      string
	AssessorNumber    string
	SiteType          string
	SiteName          string
	Date              binakerja.Date
}

// CreateAssessment records a certification body's assessment of a cohort.
func (a *App) CreateAssessment(ctx context.Context, ac Actor, in NewAssessment) (*binakerja.Assessment, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionAssessmentManage, ""); err != nil {
		return nil, err
	}
	as := &binakerja.Assessment{CohortID: in.CohortID, AssessorName: in.AssessorName, AssessorNumber: in.AssessorNumber,
		SiteType: in.SiteType, SiteName: in.SiteName, Date: in.Date}
	var p binakerja.Problems
	if err := as.Validate(a.today()); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	body, err := a.certificationBody(ctx, in.CertificationBody, &p)
	if err != nil {
		return nil, err
	}
	c, err := a.db.Cohort(ctx, in.CohortID)
	switch {
	case binakerja.ErrorKind(err) == binakerja.NotFound:
		p.Add("cohort_id", "error.not_found")
	case err != nil:
		return nil, err
	case body != nil && c.CertificationBody != body.Code:
		// Only the engaged body assesses a cohort, and so learns who is in
		// it and certifies them. The body is chosen by the cohort's planners
		// (the labour office or the facility, through EngageBody, when they
		// plan it or later); a body never engages itself. A cohort with no
		// body yet is assessed by none: were the first body to assess it
		// engaged, any assessor could take a cohort by guessing its id.
		// Nor does an agreement in force between the facility and a body
		// stand in for the choice: the body's own side may record such an
		// agreement (an admin of the body names itself and any facility),
		// so it says nothing of what the planners of this cohort chose.
		p.Add("cohort_id", "assessment.not_engaged")
	case !as.Date.IsZero() && as.Date.Before(c.StartDate):
		p.Add("date", "assessment.before_cohort")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionAssessmentManage, body.Path)
	if err != nil {
		return nil, err
	}
	as.CertificationBody, as.BodyName, as.BodyPath = body.Code, body.Name, body.Path
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		// The planners may have engaged another body meanwhile.
		if cur, err := tx.Cohort(ctx, c.ID); err != nil {
			return err
		} else if cur.CertificationBody != body.Code {
			return binakerja.FieldInvalid("cohort_id", "assessment.not_engaged")
		}
		if err := tx.CreateAssessment(ctx, as, body.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "assessment.create", "assessment", itoa(as.ID), body.Code, map[string]any{
			"cohort": c.ID, "assessor_number": as.AssessorNumber, "date": as.Date.String(),
			"assessor_number_known_form": as.AssessorNumberKnown()})
	})
	if err != nil {
		return nil, err
	}
	return as, nil
}

// UnitInput is one unit's result as an assessor records it.
type UnitInput struct {
	Code   string
	Result binakerja.UnitResult
}

// ResultOutcome is the overall finding after recording results, with the
// certificate issued when every unit of the scheme is now K.
type ResultOutcome struct {
	Result      binakerja.UnitResult
	Certificate *binakerja.Certificate
}

// RecordResults records a candidate's K/BK results in an assessment. The
// candidate must be enrolled in the cohort (enrolled or completed); every unit
// must belong to the cohort's scheme. Across the cohort's assessments the
// latest result of each unit counts, so a re-assessment of BK units can make
// the candidate competent; when every unit of the scheme is K and the person
// holds no valid certificate for the scheme yet, one is issued.
func (a *App) RecordResults(ctx context.Context, ac Actor, assessmentID, personID int64, units []UnitInput) (*ResultOutcome, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionAssessmentManage, ""); err != nil {
		return nil, err
	}
	as, err := a.db.Assessment(ctx, assessmentID)
	if err != nil {
		return nil, err
	}
	if !a.canSee(ac, binakerja.ActionAssessmentManage, as.BodyPath) {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionAssessmentManage, as.BodyPath)
	if err != nil {
		return nil, err
	}
	c, err := a.db.Cohort(ctx, as.CohortID)
	if err != nil {
		return nil, err
	}
	if c.CertificationBody != as.CertificationBody {
		// The planners engaged another body in this one's place: its
		// assessments of the cohort stay as they are, and it certifies no
		// one more.
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	scheme, err := a.db.Scheme(ctx, c.Scheme)
	if err != nil {
		return nil, err
	}
	e, err := a.db.EnrollmentOf(ctx, c.ID, personID)
	if binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && e.Status != binakerja.EnrollmentEnrolled && e.Status != binakerja.EnrollmentCompleted) {
		return nil, binakerja.FieldInvalid("inmate_id", "assessment.not_enrolled")
	}
	if err != nil {
		return nil, err
	}
	inScheme := map[string]bool{}
	for _, u := range scheme.Units {
		inScheme[u.Code] = true
	}
	var p binakerja.Problems
	if len(units) == 0 {
		p.Add("units", "assessment.units.required")
	}
	seen := map[string]bool{}
	for i := range units {
		units[i].Code = strings.ToUpper(strings.TrimSpace(units[i].Code))
		field := fmt.Sprintf("units[%d]", i)
		switch {
		case !inScheme[units[i].Code]:
			p.Add(field+".code", "assessment.unit_not_in_scheme", units[i].Code, scheme.Code)
		case seen[units[i].Code]:
			p.Add(field+".code", "scheme.unit.twice")
		}
		seen[units[i].Code] = true
		if !units[i].Result.Valid() {
			p.Add(field+".result", "assessment.result")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	out := &ResultOutcome{Result: binakerja.NotCompetent}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		for _, u := range units {
			if err := tx.SetResult(ctx, as.ID, personID, u.Code, u.Result); err != nil {
				return err
			}
		}
		latest, err := tx.LatestResults(ctx, c.ID, personID)
		if err != nil {
			return err
		}
		allK := true
		for _, u := range scheme.Units {
			allK = allK && latest[u.Code] == binakerja.Competent
		}
		if err := a.record(ctx, tx, ac, role, "assessment.results", "person", itoa(personID), as.CertificationBody,
			map[string]any{"assessment": as.ID, "units": units, "all_competent": allK}); err != nil {
			return err
		}
		if !allK {
			return nil
		}
		out.Result = binakerja.Competent
		held, err := tx.CertificatesOf(ctx, personID)
		if err != nil {
			return err
		}
		for _, h := range held {
			if h.Scheme == scheme.Code && h.StatusOn(as.Date) == binakerja.CertificateActive {
				out.Certificate = h // already certified in this scheme
				return nil
			}
		}
		cert, err := a.issue(ctx, tx, as, scheme, personID)
		if err != nil {
			return err
		}
		out.Certificate = cert
		return a.record(ctx, tx, ac, role, "certificate.issue", "person", itoa(personID), as.CertificationBody,
			map[string]any{"certificate": cert.ID, "number": cert.Number, "scheme": scheme.Code})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

var codeAlphabet = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

// issue makes the certificate of an assessment: a random public code, the
// number in the body's pattern, a random place in the status lists.
func (a *App) issue(ctx context.Context, tx *store.Tx, as *binakerja.Assessment, s *binakerja.Scheme, personID int64) (*binakerja.Certificate, error) {
	c := &binakerja.Certificate{PersonID: personID, Scheme: s.Code, SchemeTitle: s.Title, KKNILevel: s.KKNILevel,
		Issuer: as.CertificationBody, IssuerName: as.BodyName, IssuedOn: as.Date,
		ExpiresOn: as.Date.AddDate(s.ValidityYears, 0, 0), AssessmentID: as.ID}
	return c, a.create(ctx, tx, c, s)
}

// create gives a certificate its holder's current name, a new code, number
// and status-list place, makes it active and stores it.
func (a *App) create(ctx context.Context, tx *store.Tx, c *binakerja.Certificate, s *binakerja.Scheme) error {
	r, err := tx.Inmate(ctx, c.PersonID)
	if err != nil {
		return err
	}
	b := make([]byte, 10)
	rand.Read(b)
	bodyID, err := tx.OrgID(ctx, c.Issuer)
	if err != nil {
		return err
	}
	pattern, err := tx.CertificatePattern(ctx, bodyID)
	if err != nil {
		return err
	}
	c.Code, c.HolderName, c.Status = codeAlphabet.EncodeToString(b), r.Name, binakerja.CertificateActive
	for {
		serial, _ := rand.Int(rand.Reader, big.NewInt(10_000_000))
		c.Number = binakerja.CertificateNumber(pattern, c.Issuer, s, c.IssuedOn.Time().Year(), fmt.Sprintf("%07d", serial.Int64()))
		taken, err := tx.CertificateNumberTaken(ctx, c.Number)
		if err != nil {
			return err
		}
		if !taken {
			break
		}
	}
	for {
		n, _ := rand.Int(rand.Reader, big.NewInt(binakerja.StatusListSize))
		free, err := tx.StatusIndexFree(ctx, int(n.Int64()))
		if err != nil {
			return err
		}
		if free {
			c.StatusIndex = int(n.Int64())
			break
		}
	}
	return tx.CreateCertificate(ctx, c, s.ID, bodyID)
}

// certificateFor loads a certificate the actor may act on: held by a person
// of their facility, or issued by their certification body (or any, for a
// system-wide admin). Changing its status (ActionCertificateRevoke) is the
// issuing body's alone: the holder's facility does not reach it.
func (a *App) certificateFor(ctx context.Context, ac Actor, action binakerja.Action, id int64) (*binakerja.Certificate, string, error) {
	if _, err := a.authorize(ctx, ac, action, ""); err != nil {
		return nil, "", err
	}
	c, err := a.db.Certificate(ctx, id)
	if err != nil {
		return nil, "", err
	}
	body, err := a.db.Organization(ctx, c.Issuer)
	if err != nil {
		return nil, "", err
	}
	path := body.Path
	if !a.canSee(ac, action, path) && action == binakerja.ActionCertificateRevoke {
		return nil, "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	if !a.canSee(ac, action, path) {
		r, err := a.db.Inmate(ctx, c.PersonID)
		if err != nil || !a.canSee(ac, action, r.Episode.FacilityPath) {
			return nil, "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
		}
		path = r.Episode.FacilityPath
	}
	role, err := a.authorize(ctx, ac, action, path)
	return c, role, err
}

// Certificates lists the certificates of the certification bodies within
// the actor's reach, newest first, optionally by number prefix: the body's
// register, where its assessors find a certificate to suspend, replace or
// revoke.
func (a *App) Certificates(ctx context.Context, ac Actor, number string, page store.Page) ([]*binakerja.Certificate, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionCertificateRevoke, ""); err != nil {
		return nil, "", err
	}
	f := store.CertificateFilter{Number: number, Page: page}
	f.Within, f.All = a.scope(ac, binakerja.ActionCertificateRevoke)
	return a.db.Certificates(ctx, f)
}

// Certificate returns a certificate.
func (a *App) Certificate(ctx context.Context, ac Actor, id int64) (*binakerja.Certificate, error) {
	c, _, err := a.certificateFor(ctx, ac, binakerja.ActionCertificateView, id)
	return c, err
}

// Credential returns a certificate as a signed Open Badges 3.0 credential.
func (a *App) Credential(ctx context.Context, ac Actor, id int64) (string, error) {
	c, role, err := a.certificateFor(ctx, ac, binakerja.ActionCertificateView, id)
	if err != nil {
		return "", err
	}
	if err := issuable(c); err != nil {
		return "", err
	}
	if a.issuer == nil {
		return "", binakerja.Errorf(binakerja.Internal, "error.internal")
	}
	s, err := a.db.Scheme(ctx, c.Scheme)
	if err != nil {
		return "", err
	}
	jws, err := a.issuer.Credential(c, s.Units)
	if err != nil {
		return "", err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "certificate.credential", "person", itoa(c.PersonID), c.Issuer,
			map[string]any{"certificate": c.ID})
	})
	return jws, err
}

// certificateTransitions are the changes of a certificate's status, each with
// its action and audit name: suspend while a doubt is checked, reinstate,
// revoke for good, replace by a reissued certificate.
var certificateTransitions = map[binakerja.CertificateStatus]struct {
	from   []binakerja.CertificateStatus
	action string
}{
	binakerja.CertificateSuspended: {[]binakerja.CertificateStatus{binakerja.CertificateActive}, "certificate.suspend"},
	binakerja.CertificateActive:    {[]binakerja.CertificateStatus{binakerja.CertificateSuspended}, "certificate.reinstate"},
	binakerja.CertificateRevoked:   {[]binakerja.CertificateStatus{binakerja.CertificateActive, binakerja.CertificateSuspended}, "certificate.revoke"},
	binakerja.CertificateReplaced:  {[]binakerja.CertificateStatus{binakerja.CertificateActive, binakerja.CertificateSuspended}, "certificate.replace"},
}

// RevokeCertificate revokes a certificate for a reason; the status list and
// the verification page show it at once. Revoking twice is a Conflict.
func (a *App) RevokeCertificate(ctx context.Context, ac Actor, id int64, reason string) (*binakerja.Certificate, error) {
	return a.SetCertificateStatus(ctx, ac, id, binakerja.CertificateRevoked, reason)
}

// SetCertificateStatus suspends, reinstates or revokes a certificate, for a
// reason, as certificateTransitions allow; the status lists and the
// verification page show it at once.
func (a *App) SetCertificateStatus(ctx context.Context, ac Actor, id int64, to binakerja.CertificateStatus, reason string) (*binakerja.Certificate, error) {
	if to == binakerja.CertificateReplaced {
		return nil, binakerja.FieldInvalid("status", "certificate.status_invalid")
	}
	c, _, err := a.changeStatus(ctx, ac, id, to, reason, nil)
	return c, err
}

// ReplaceCertificate reissues a certificate (lost, damaged, or the holder's
// name corrected in the register): a new certificate of the same assessment,
// scheme and dates, in the holder's current name, with a new code and
// number. The old one reads DIGANTI and its credential is revoked. It returns
// the new certificate.
func (a *App) ReplaceCertificate(ctx context.Context, ac Actor, id int64, reason string) (*binakerja.Certificate, error) {
	_, n, err := a.changeStatus(ctx, ac, id, binakerja.CertificateReplaced, reason,
		func(tx *store.Tx, old *binakerja.Certificate) (*binakerja.Certificate, error) {
			s, err := tx.Scheme(ctx, old.Scheme)
			if err != nil {
				return nil, err
			}
			n := &binakerja.Certificate{PersonID: old.PersonID, Scheme: old.Scheme, SchemeTitle: old.SchemeTitle,
				KKNILevel: old.KKNILevel, Issuer: old.Issuer, IssuerName: old.IssuerName, IssuedOn: old.IssuedOn,
				ExpiresOn: old.ExpiresOn, AssessmentID: old.AssessmentID, Replaces: old.ID}
			return n, a.create(ctx, tx, n, s)
		})
	return n, err
}

// changeStatus moves a certificate to a status as certificateTransitions
// allow, and, in the same transaction, runs then (which may make a new
// certificate) before recording the change.
func (a *App) changeStatus(ctx context.Context, ac Actor, id int64, to binakerja.CertificateStatus, reason string,
	then func(*store.Tx, *binakerja.Certificate) (*binakerja.Certificate, error)) (*binakerja.Certificate, *binakerja.Certificate, error) {
	c, role, err := a.certificateFor(ctx, ac, binakerja.ActionCertificateRevoke, id)
	if err != nil {
		return nil, nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 {
		return nil, nil, binakerja.FieldInvalid("reason", "field.required")
	}
	t, ok := certificateTransitions[to]
	if !ok || !slices.Contains(t.from, c.Status) {
		if c.Status == binakerja.CertificateRevoked {
			return nil, nil, binakerja.Errorf(binakerja.Conflict, "certificate.revoked_already")
		}
		return nil, nil, binakerja.Errorf(binakerja.Conflict, "certificate.transition", string(c.Status), string(to))
	}
	var made *binakerja.Certificate
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetCertificateStatus(ctx, c, to, reason); err != nil {
			return err
		}
		detail := map[string]any{"certificate": c.ID, "reason": reason}
		if then != nil {
			if made, err = then(tx, c); err != nil {
				return err
			}
			detail["replacement"], detail["number"] = made.ID, made.Number
		}
		return a.record(ctx, tx, ac, role, t.action, "person", itoa(c.PersonID), c.Issuer, detail)
	})
	if err != nil {
		return nil, nil, err
	}
	if made != nil {
		c.ReplacedBy = made.ID
	}
	return c, made, nil
}

// issuable refuses to hand out the paper or the credential of a certificate
// that is not binakerja.Certificate.Issuable.
func issuable(c *binakerja.Certificate) error {
	if !c.Issuable() {
		return binakerja.Errorf(binakerja.Conflict, "certificate.not_issuable")
	}
	return nil
}

// Verify returns the certificate with a public code, for the verification
// page (no sign-in): what anyone holding the paper may check.
func (a *App) Verify(ctx context.Context, code string) (*binakerja.Certificate, binakerja.CertificateStatus, error) {
	if len(code) < 8 || len(code) > 32 {
		return nil, "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	c, err := a.db.CertificateByCode(ctx, strings.ToUpper(code))
	if err != nil {
		return nil, "", err
	}
	return c, c.StatusOn(a.today()), nil
}

// JWKS returns the issuers' public keys.
func (a *App) JWKS() ([]byte, error) {
	if a.issuer == nil {
		return nil, binakerja.Errorf(binakerja.Internal, "error.internal")
	}
	return a.issuer.JWKS()
}

// StatusList returns the signed status list of a purpose (revocation or
// suspension).
func (a *App) StatusList(ctx context.Context, purpose string) (string, error) {
	if a.issuer == nil {
		return "", binakerja.Errorf(binakerja.Internal, "error.internal")
	}
	// A replaced certificate's credential is revoked: the new one stands
	// in its place.
	statuses := []binakerja.CertificateStatus{binakerja.CertificateRevoked, binakerja.CertificateReplaced}
	if purpose == credential.Suspension {
		statuses = []binakerja.CertificateStatus{binakerja.CertificateSuspended}
	}
	set, err := a.db.StatusIndexes(ctx, statuses...)
	if err != nil {
		return "", err
	}
	return a.issuer.StatusList(purpose, set, a.db.Now())
}

// TrustList returns the signed list of the certification bodies whose
// credentials this site signs, with the keys and status lists to check them
// offline.
func (a *App) TrustList(ctx context.Context) (string, error) {
	if a.issuer == nil {
		return "", binakerja.Errorf(binakerja.Internal, "error.internal")
	}
	var issuers []credential.TrustedIssuer
	page := store.Page{Limit: store.MaxLimit}
	for {
		orgs, next, err := a.db.Organizations(ctx, store.OrgFilter{All: true, Kind: binakerja.OrgCertificationBody, Page: page})
		if err != nil {
			return "", err
		}
		for _, o := range orgs {
			issuers = append(issuers, credential.TrustedIssuer{Code: o.Code, Name: o.Name})
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	return a.issuer.TrustList(issuers, a.db.Now())
}

// VerificationURL is the public page of a certificate.
func (a *App) VerificationURL(code string) string {
	if a.issuer == nil {
		return "/v/" + code
	}
	return a.issuer.VerificationURL(code)
}

// CertificatePDF returns the printable certificate with its QR code, and
// records the disclosure.
func (a *App) CertificatePDF(ctx context.Context, ac Actor, id int64, labels credential.Labels) ([]byte, error) {
	c, role, err := a.certificateFor(ctx, ac, binakerja.ActionCertificateView, id)
	if err != nil {
		return nil, err
	}
	if err := issuable(c); err != nil {
		return nil, err
	}
	if a.issuer == nil {
		return nil, binakerja.Errorf(binakerja.Internal, "error.internal")
	}
	b, err := a.issuer.PDF(c, labels)
	if err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "certificate.pdf", "person", itoa(c.PersonID), c.Issuer,
			map[string]any{"certificate": c.ID})
	})
	return b, err
}

// CertificateQR returns the QR code of a certificate's verification page.
func (a *App) CertificateQR(ctx context.Context, ac Actor, id int64) ([]byte, error) {
	c, _, err := a.certificateFor(ctx, ac, binakerja.ActionCertificateView, id)
	if err != nil {
		return nil, err
	}
	if a.issuer == nil {
		return nil, binakerja.Errorf(binakerja.Internal, "error.internal")
	}
	return a.issuer.QR(c, 256)
}

// Participant is someone an assessment may assess, with the latest result of
// each unit so far.
type Participant struct {
	Enrollment *binakerja.Enrollment
	Results    map[string]binakerja.UnitResult
}

// AssessmentDetail is an assessment with its cohort, the scheme's units and
// the participants.
type AssessmentDetail struct {
	*binakerja.Assessment
	Cohort       *binakerja.Cohort
	Units        []binakerja.Unit
	Participants []Participant
}

// Assessment returns an assessment for its certification body's assessors.
func (a *App) Assessment(ctx context.Context, ac Actor, id int64) (*AssessmentDetail, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionAssessmentManage, ""); err != nil {
		return nil, err
	}
	as, err := a.db.Assessment(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.canSee(ac, binakerja.ActionAssessmentManage, as.BodyPath) {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	c, err := a.db.Cohort(ctx, as.CohortID)
	if err != nil {
		return nil, err
	}
	if c.CertificationBody != as.CertificationBody && !a.canSee(ac, binakerja.ActionAssessmentManage, c.FacilityPath) {
		// A body replaced by another no longer sees who is in the cohort.
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	s, err := a.db.Scheme(ctx, c.Scheme)
	if err != nil {
		return nil, err
	}
	d := &AssessmentDetail{Assessment: as, Cohort: c, Units: s.Units}
	es, err := a.db.Enrollments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.Status != binakerja.EnrollmentEnrolled && e.Status != binakerja.EnrollmentCompleted {
			continue
		}
		res, err := a.db.LatestResults(ctx, c.ID, e.PersonID)
		if err != nil {
			return nil, err
		}
		d.Participants = append(d.Participants, Participant{Enrollment: e, Results: res})
	}
	return d, nil
}

// AssessmentsOf returns a cohort and its assessments, to the assessors of the
// body engaged for it (and the admins over it).
func (a *App) AssessmentsOf(ctx context.Context, ac Actor, cohortID int64) (*binakerja.Cohort, []*binakerja.Assessment, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionAssessmentManage, ""); err != nil {
		return nil, nil, err
	}
	c, err := a.db.Cohort(ctx, cohortID)
	if err != nil {
		return nil, nil, err
	}
	const act = binakerja.ActionAssessmentManage
	if !(c.BodyPath != "" && a.canSee(ac, act, c.BodyPath)) && !a.canSee(ac, act, c.FacilityPath) && !a.canSee(ac, act, c.ProviderPath) {
		return nil, nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	as, err := a.db.AssessmentsOf(ctx, cohortID)
	return c, as, err
}

// SetCertificatePattern sets the number pattern of a certification body's
// certificates (see binakerja.CertificatePatternFields); the numbers already
// printed stay as they are.
func (a *App) SetCertificatePattern(ctx context.Context, ac Actor, body, pattern string) error {
	o, err := a.db.Organization(ctx, body)
	if binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && o.Kind != binakerja.OrgCertificationBody) {
		return binakerja.FieldInvalid("organization", "assessment.not_body")
	}
	if err != nil {
		return err
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionAssessmentManage, o.Path)
	if err != nil {
		return err
	}
	if err := binakerja.CheckCertificatePattern(pattern); err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetCertificatePattern(ctx, o.ID, pattern); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "certificate.pattern", "organization", o.Code, o.Code, map[string]string{"pattern": pattern})
	})
}
