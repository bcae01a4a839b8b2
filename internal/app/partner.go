package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"binakerja"
	"binakerja/internal/store"
)

// partnerRecord is what the audit trail keeps of a partner profile.
func partnerRecord(o *binakerja.Organization) map[string]any {
	var contacts []string
	for _, c := range o.Partner.Contacts {
		contacts = append(contacts, c.Name)
	}
	return map[string]any{
		"kbli_code": o.Partner.KBLICode, "kbli_version": o.Partner.KBLIVersion, "address": o.Partner.Address,
		"tier": o.Partner.Tier, "refuses_convictions": o.Partner.RefusesConvictions,
		"excluded_offences": o.Partner.Excluded, "employer_size": o.EmployerSize, "contacts": contacts,
	}
}

// NewPartner is the input of CreatePartner: an employer and its profile.
type NewPartner struct {
	Code         string
	Name         string
	RegionCode   string
	EmployerSize string
	Parent       string // the labour office it works with; the actor's own when empty
	Partner      binakerja.Partner
}

// CreatePartner registers an employer as a partner, under a labour office
// the actor works for (or anywhere, for an administrator).
func (a *App) CreatePartner(ctx context.Context, ac Actor, in NewPartner) (*binakerja.Organization, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionPartnerManage, ""); err != nil {
		return nil, err
	}
	o := &binakerja.Organization{Code: in.Code, Name: in.Name, Kind: binakerja.OrgEmployer, RegionCode: in.RegionCode,
		EmployerSize: in.EmployerSize, Parent: in.Parent, Partner: in.Partner}
	if o.Parent == "" && ac.User != nil {
		for _, g := range ac.User.Grants {
			if g.Role == binakerja.RoleLabourOfficer {
				o.Parent = g.Org
				break
			}
		}
	}
	o.Normalize()
	o.Partner.Normalize()
	var p binakerja.Problems
	if err := o.Validate(); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	if err := o.Partner.Validate(); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	var parent *binakerja.Organization
	if o.Parent != "" {
		par, err := a.db.Organization(ctx, o.Parent)
		switch {
		case binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && !a.canSee(ac, binakerja.ActionPartnerManage, par.Path)):
			p.Add("parent", "org.parent.unknown", o.Parent)
		case err != nil:
			return nil, err
		default:
			parent = par
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	scope := "/"
	if parent != nil {
		scope = parent.Path
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionPartnerManage, scope)
	if err != nil {
		return nil, err
	}
	if err := o.CheckParent(parent); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrganization(ctx, o); err != nil {
			return err
		}
		rec := orgRecord(o)
		for k, v := range partnerRecord(o) {
			rec[k] = v
		}
		return a.record(ctx, tx, ac, role, "partner.create", "organization", o.Code, o.Code, rec)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// Partner returns an employer with its profile and contacts.
func (a *App) Partner(ctx context.Context, ac Actor, code string) (*binakerja.Organization, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionPartnerView, ""); err != nil {
		return nil, err
	}
	o, err := a.db.Organization(ctx, code)
	if err != nil {
		return nil, err
	}
	if o.Kind != binakerja.OrgEmployer || !a.seesPartner(ctx, ac, o) {
		return nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	if o.Partner.Contacts, err = a.db.Contacts(ctx, o.ID); err != nil {
		return nil, err
	}
	return o, nil
}

// seesPartner reports whether the actor may see an employer: within the
// reach of its grants, or a fellow party of an agreement in force with an
// organisation the actor works for.
func (a *App) seesPartner(ctx context.Context, ac Actor, o *binakerja.Organization) bool {
	if a.canSee(ac, binakerja.ActionPartnerView, o.Path) {
		return true
	}
	if ac.User == nil || ac.User.Has(binakerja.RoleEmployer) && !ac.User.Has(binakerja.RoleLabourOfficer) && !ac.User.Has(binakerja.RoleFacilityOfficer) {
		return false
	}
	for _, g := range ac.User.Grants {
		if !binakerja.Allows(g.Role, binakerja.ActionPartnerView) || g.Role == binakerja.RoleEmployer || g.SystemWide() {
			continue
		}
		mine, err := a.db.Organization(ctx, g.Org)
		if err != nil {
			continue
		}
		if ok, err := a.db.ActiveAgreementBetween(ctx, mine.ID, o.ID, a.today()); err == nil && ok {
			return true
		}
	}
	return false
}

// PartnerFilter selects partners for a list.
type PartnerFilter struct {
	Query  string
	Region string
	Size   string
	Tier   binakerja.PartnerTier
	Page   store.Page
}

// Partners lists the employers within the actor's reach, with the filters.
func (a *App) Partners(ctx context.Context, ac Actor, f PartnerFilter) ([]*binakerja.Organization, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionPartnerView, ""); err != nil {
		return nil, "", err
	}
	within, all := a.scope(ac, binakerja.ActionPartnerView)
	var out []*binakerja.Organization
	page := f.Page
	want := page.Limit
	if want <= 0 {
		want = store.DefaultLimit
	}
	// Size and tier are few and filtered here, so as not to widen the
	// store's organisation filter for them.
	for {
		orgs, next, err := a.db.Organizations(ctx, store.OrgFilter{Query: f.Query, Kind: binakerja.OrgEmployer,
			Region: f.Region, Within: within, All: all, Page: page})
		if err != nil {
			return nil, "", err
		}
		for _, o := range orgs {
			if (f.Size == "" || o.EmployerSize == f.Size) && (f.Tier == "" || o.Partner.Tier == f.Tier) {
				out = append(out, o)
			}
		}
		if next == "" || len(out) >= want {
			return out, next, nil
		}
		page.Cursor = next
	}
}

// PartnerChange is an edit of a partner's profile.
type PartnerChange struct {
	EmployerSize string
	Partner      binakerja.Partner
	Version      int
}

// UpdatePartner changes an employer's partner profile and contacts.
func (a *App) UpdatePartner(ctx context.Context, ac Actor, code string, c PartnerChange) (*binakerja.Organization, error) {
	o, err := a.Partner(ctx, ac, code)
	if err != nil {
		return nil, err
	}
	role, err := a.authorize(ctx, ac, binakerja.ActionPartnerManage, o.Path)
	if err != nil {
		return nil, err
	}
	before := partnerRecord(o)
	o.EmployerSize, o.Partner, o.Version = c.EmployerSize, c.Partner, c.Version
	o.Normalize()
	o.Partner.Normalize()
	var p binakerja.Problems
	if err := o.Validate(); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	if err := o.Partner.Validate(); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.UpdatePartner(ctx, o); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "partner.update", "organization", o.Code, o.Code,
			binakerja.AuditSummary(before, partnerRecord(o)))
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// worksWith reports whether an organisation (a labour office) works with a
// facility: the facility lies in the office's region, or the two share an
// agreement in force today.
func (a *App) worksWith(ctx context.Context, office, facility *binakerja.Organization) (bool, error) {
	if binakerja.RegionWithin(facility.RegionCode, office.RegionCode) {
		return true, nil
	}
	return a.db.ActiveAgreementBetween(ctx, office.ID, facility.ID, a.today())
}

// reachesFacility reports whether the actor may act for the people of a
// facility through an organisation it reaches at partnerPath (a cohort's
// provider, a vacancy's labour office) rather than through the facility
// itself: only when one of its grants covering that organisation sits at an
// organisation that works with the facility.
func (a *App) reachesFacility(ctx context.Context, ac Actor, action binakerja.Action, partnerPath, facilityPath string) (bool, error) {
	if ac.User == nil {
		return ac.CLI != "", nil
	}
	fac, err := a.db.Organization(ctx, codeOfPath(facilityPath))
	if err != nil {
		return false, err
	}
	rule := binakerja.Policy[action]
	for _, g := range ac.User.Grants {
		if g.SystemWide() {
			return slices.Contains(rule.Roles, g.Role), nil
		}
		if !slices.Contains(rule.Roles, g.Role) || !g.Covers(partnerPath) {
			continue
		}
		org, err := a.db.Organization(ctx, g.Org)
		if err != nil {
			return false, err
		}
		ok, err := a.worksWith(ctx, org, fac)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// codeOfPath returns the code of the organisation at the end of a path.
func codeOfPath(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return parts[len(parts)-1]
}

// officeFacilities returns the facilities a labour office works with: those
// of its region and those sharing an agreement in force with it.
func (a *App) officeFacilities(ctx context.Context, office *binakerja.Organization) ([]*binakerja.Organization, error) {
	var out []*binakerja.Organization
	seen := map[int64]bool{}
	page := store.Page{Limit: store.MaxLimit}
	for {
		orgs, next, err := a.db.Organizations(ctx, store.OrgFilter{All: true, Kind: binakerja.OrgFacility,
			Region: office.RegionCode, Page: page})
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			if binakerja.RegionWithin(o.RegionCode, office.RegionCode) && !seen[o.ID] {
				seen[o.ID] = true
				out = append(out, o)
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	ids, err := a.db.AgreedFacilities(ctx, office.ID, a.today())
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		o, err := a.db.OrganizationByID(ctx, id)
		if err != nil {
			return nil, err
		}
		seen[id] = true
		out = append(out, o)
	}
	return out, nil
}

// NewAgreement is the input of CreateAgreement.
type NewAgreement struct {
	Type        binakerja.AgreementType
	Number      string
	Title       string
	Parties     []string // organisation codes
	SignedDate  binakerja.Date
	ValidFrom   binakerja.Date
	ValidUntil  binakerja.Date
	Draft       bool
	Commitments []binakerja.Commitment
}

// CreateAgreement records an agreement between two or more organisations,
// one of which at least the actor works for.
func (a *App) CreateAgreement(ctx context.Context, ac Actor, in NewAgreement) (*binakerja.Agreement, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionAgreementManage, ""); err != nil {
		return nil, err
	}
	ag := &binakerja.Agreement{Type: in.Type, Number: in.Number, Title: in.Title, SignedDate: in.SignedDate,
		ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil, Status: binakerja.AgreementActive,
		Commitments: slices.Clone(in.Commitments)}
	if in.Draft {
		ag.Status = binakerja.AgreementDraft
	}
	for _, c := range in.Parties {
		ag.Parties = append(ag.Parties, binakerja.AgreementParty{Code: c})
	}
	ag.Normalize()
	var p binakerja.Problems
	if err := ag.Validate(); err != nil {
		p = append(p, err.(*binakerja.Error).Fields...)
	}
	var ids []int64
	for i := range ag.Parties {
		party := &ag.Parties[i]
		o, err := a.db.Organization(ctx, party.Code)
		switch {
		case binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && !a.seesParty(ctx, ac, o)):
			p.Add("parties", "org.unknown", party.Code)
			continue
		case err != nil:
			return nil, err
		}
		party.Name, party.Kind, party.Path = o.Name, o.Kind, o.Path
		ids = append(ids, o.ID)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	// The actor must work for one of the parties.
	role, err := a.partyRole(ctx, ac, binakerja.ActionAgreementManage, ag)
	if binakerja.ErrorKind(err) == binakerja.NotFound {
		return nil, binakerja.FieldInvalid("parties", "agreement.not_a_party")
	}
	if err != nil {
		return nil, err
	}
	ag.SetPeriods()
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAgreement(ctx, ag, ids); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "agreement.create", "agreement", itoa(ag.ID), ag.Parties[0].Code, agreementRecord(ag))
	})
	if err != nil {
		return nil, err
	}
	return a.db.Agreement(ctx, ag.ID)
}

// seesParty reports whether the actor may name an organisation as a party:
// any organisation it can see, and any facility or employer (whose names
// and codes are not personal data).
func (a *App) seesParty(ctx context.Context, ac Actor, o *binakerja.Organization) bool {
	return a.canSee(ac, binakerja.ActionOrgView, o.Path) || o.Kind == binakerja.OrgFacility ||
		o.Kind == binakerja.OrgEmployer || o.Kind == binakerja.OrgTrainingProvider || o.Kind == binakerja.OrgLabourOffice
}

func agreementRecord(ag *binakerja.Agreement) map[string]any {
	var parties []string
	for _, p := range ag.Parties {
		parties = append(parties, p.Code)
	}
	commitments := map[string]int{}
	for _, c := range ag.Commitments {
		commitments[string(c.Kind)] = c.Target
	}
	return map[string]any{"type": ag.Type, "number": ag.Number, "parties": parties, "signed_date": ag.SignedDate.String(),
		"valid_from": ag.ValidFrom.String(), "valid_until": ag.ValidUntil.String(), "status": ag.Status,
		"commitments": commitments}
}

// partyRole returns the role under which the actor acts on an agreement:
// through a grant reaching one of its parties.
func (a *App) partyRole(ctx context.Context, ac Actor, action binakerja.Action, ag *binakerja.Agreement) (string, error) {
	for _, p := range ag.Parties {
		if a.canSee(ac, action, p.Path) {
			return a.authorize(ctx, ac, action, p.Path)
		}
	}
	return "", binakerja.Errorf(binakerja.NotFound, "error.not_found")
}

// Agreement returns an agreement to the parties' people (and admins), with
// each commitment's actual computed from the records.
func (a *App) Agreement(ctx context.Context, ac Actor, id int64) (*binakerja.Agreement, error) {
	ag, _, err := a.loadAgreement(ctx, ac, binakerja.ActionAgreementView, id)
	return ag, err
}

func (a *App) loadAgreement(ctx context.Context, ac Actor, action binakerja.Action, id int64) (*binakerja.Agreement, string, error) {
	if _, err := a.authorize(ctx, ac, action, ""); err != nil {
		return nil, "", err
	}
	ag, err := a.db.Agreement(ctx, id)
	if err != nil {
		return nil, "", err
	}
	role, err := a.partyRole(ctx, ac, action, ag)
	if err != nil {
		return nil, "", err
	}
	return ag, role, nil
}

// AgreementListFilter selects agreements for a list.
type AgreementListFilter struct {
	Query      string
	Party      string
	EndingDays int // only agreements in force ending within this many days
	Page       store.Page
}

// Agreements lists the agreements with a party within the actor's reach.
func (a *App) Agreements(ctx context.Context, ac Actor, f AgreementListFilter) ([]*binakerja.Agreement, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionAgreementView, ""); err != nil {
		return nil, "", err
	}
	sf := store.AgreementFilter{Query: f.Query, Party: f.Party, Page: f.Page}
	sf.Within, sf.All = a.scope(ac, binakerja.ActionAgreementView)
	if f.EndingDays > 0 {
		today := a.today()
		sf.EndingFrom, sf.EndingUntil, sf.Status = today, today.AddDate(0, 0, f.EndingDays), binakerja.AgreementActive
	}
	return a.db.Agreements(ctx, sf)
}

// ChangeAgreementStatus activates a draft, or ends an agreement early with a
// reason.
func (a *App) ChangeAgreementStatus(ctx context.Context, ac Actor, id int64, to binakerja.AgreementStatus, date binakerja.Date, reason string, version int) (*binakerja.Agreement, error) {
	ag, role, err := a.loadAgreement(ctx, ac, binakerja.ActionAgreementManage, id)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	from := ag.Status
	switch {
	case to == binakerja.AgreementActive && from == binakerja.AgreementDraft:
	case to == binakerja.AgreementEnded && from == binakerja.AgreementActive:
		var p binakerja.Problems
		if reason == "" {
			p.Add("reason", "field.required")
		} else if utf8.RuneCountInString(reason) > 500 {
			p.Add("reason", "field.too_long", 500)
		}
		if date.IsZero() {
			date = a.today()
		}
		if date.Before(ag.ValidFrom) || date.After(ag.ValidUntil) {
			p.Add("date", "agreement.end_date")
		}
		if err := p.Err(); err != nil {
			return nil, err
		}
		ag.EndedDate, ag.EndedReason = date, reason
	default:
		return nil, binakerja.Errorf(binakerja.Conflict, "agreement.transition", string(from), string(to))
	}
	if version != 0 {
		ag.Version = version
	}
	ag.Status = to
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetAgreementStatus(ctx, ag); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "agreement.status", "agreement", itoa(ag.ID), ag.Parties[0].Code,
			map[string]any{"from": from, "to": to, "date": ag.EndedDate.String(), "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return ag, nil
}

// AddAgreementDocument keeps a document with an agreement: a PDF, JPEG or
// PNG (told by its content), of at most 10 MB, with its SHA-256.
func (a *App) AddAgreementDocument(ctx context.Context, ac Actor, id int64, name, declared string, content []byte) (*binakerja.AgreementDocument, error) {
	ag, role, err := a.loadAgreement(ctx, ac, binakerja.ActionAgreementManage, id)
	if err != nil {
		return nil, err
	}
	d, err := checkDocument(name, declared, content)
	if err != nil {
		return nil, err
	}
	d.UploadedBy = ac.label()
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.AddAgreementDocument(ctx, ag.ID, d, content); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "agreement.document", "agreement", itoa(ag.ID), ag.Parties[0].Code,
			map[string]any{"file": d.FileName, "media_type": d.MediaType, "size": d.Size, "sha256": d.SHA256})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// checkDocument checks an uploaded document: not empty, at most 10 MB, and
// of an allowed type as told by its content, which must agree with the type
// declared (when one was).
func checkDocument(name, declared string, content []byte) (*binakerja.AgreementDocument, error) {
	name = filepath.Base(strings.TrimSpace(name))
	if name == "." || name == "/" || name == "" {
		name = "dokumen"
	}
	if utf8.RuneCountInString(name) > 200 || binakerja.HasControl(name) {
		return nil, binakerja.FieldInvalid("file", "document.name")
	}
	switch {
	case len(content) == 0:
		return nil, binakerja.FieldInvalid("file", "field.required")
	case len(content) > binakerja.MaxDocumentSize:
		return nil, &binakerja.Error{Kind: binakerja.TooLarge, Key: "document.too_large", Args: []any{binakerja.MaxDocumentSize >> 20},
			Fields: []binakerja.FieldError{{Field: "file", Key: "document.too_large", Args: []any{binakerja.MaxDocumentSize >> 20}}}}
	}
	sniffed := http.DetectContentType(content)
	if !slices.Contains(binakerja.DocumentTypes, sniffed) {
		return nil, binakerja.FieldInvalid("file", "document.type")
	}
	if declared = strings.ToLower(strings.TrimSpace(strings.Split(declared, ";")[0])); declared != "" &&
		declared != "application/octet-stream" && declared != sniffed {
		return nil, binakerja.FieldInvalid("file", "document.type_mismatch", declared)
	}
	sum := sha256.Sum256(content)
	return &binakerja.AgreementDocument{FileName: name, MediaType: sniffed, Size: int64(len(content)),
		SHA256: hex.EncodeToString(sum[:])}, nil
}

// AgreementDocument returns a document of an agreement, to the parties'
// people and admins; the view is audited.
func (a *App) AgreementDocument(ctx context.Context, ac Actor, id, docID int64) (*binakerja.AgreementDocument, []byte, error) {
	ag, role, err := a.loadAgreement(ctx, ac, binakerja.ActionAgreementView, id)
	if err != nil {
		return nil, nil, err
	}
	d, content, err := a.db.AgreementDocument(ctx, ag.ID, docID)
	if err != nil {
		return nil, nil, err
	}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "agreement.document_view", "agreement", itoa(ag.ID), ag.Parties[0].Code,
			map[string]any{"document": d.ID, "sha256": d.SHA256})
	})
	if err != nil {
		return nil, nil, err
	}
	return d, content, nil
}

// SupportCohort records that a cohort is run under an agreement, whose
// training places its enrolments then count towards. The cohort's facility
// or provider must be a party.
func (a *App) SupportCohort(ctx context.Context, ac Actor, cohortID, agreementID int64) error {
	c, role, err := a.loadCohort(ctx, ac, binakerja.ActionCohortManage, cohortID)
	if err != nil {
		return err
	}
	if agreementID != 0 {
		ag, err := a.db.Agreement(ctx, agreementID)
		if binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && !ag.HasParty(c.Facility) && !ag.HasParty(c.Provider)) {
			return binakerja.FieldInvalid("agreement_id", "cohort.agreement")
		}
		if err != nil {
			return err
		}
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetCohortAgreement(ctx, c.ID, agreementID); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "cohort.agreement", "cohort", itoa(c.ID), c.Facility,
			map[string]any{"agreement": agreementID})
	})
}
