package binakerja

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// OrgKind is the kind of an organisation (contract §2, a closed list).
type OrgKind string

// The kinds of organisation.
const (
	OrgFacility          OrgKind = "facility"
	OrgLabourOffice      OrgKind = "labour_office"
	OrgTrainingProvider  OrgKind = "training_provider"
	OrgCertificationBody OrgKind = "certification_body"
	OrgProbationOffice   OrgKind = "probation_office"
	OrgEmployer          OrgKind = "employer"
	OrgRegionalOffice    OrgKind = "regional_office"
	OrgNationalOffice    OrgKind = "national_office"
)

// OrgKinds lists every kind, in the order the UI offers them.
var OrgKinds = []OrgKind{
	OrgFacility, OrgLabourOffice, OrgTrainingProvider, OrgCertificationBody,
	OrgProbationOffice, OrgEmployer, OrgRegionalOffice, OrgNationalOffice,
}

// Valid reports whether k is one of OrgKinds.
func (k OrgKind) Valid() bool { return slices.Contains(OrgKinds, k) }

// FacilityTypes are the kinds of correctional unit (UPT), research §7.1.
var FacilityTypes = []string{"LAPAS", "RUTAN", "CABANG_RUTAN", "LPKA", "LPAS", "BAPAS"}

// FacilityClasses are the organisational classes of a facility. The class says
// how a unit is organised, not how dangerous its inmates are.
var FacilityClasses = []string{"I", "IIA", "IIB", "III"}

// EmployerSizes are the UMKM size classes (PP 7/2021) and large companies.
var EmployerSizes = []string{"MIKRO", "KECIL", "MENENGAH", "BESAR"}

// parentKinds says under which kinds of organisation each kind may sit. The
// custodial chain is national office → regional office → facility; partners
// may hang under the office that works with them, or stand alone.
var parentKinds = map[OrgKind][]OrgKind{
	OrgNationalOffice:    nil,
	OrgRegionalOffice:    {OrgNationalOffice},
	OrgFacility:          {OrgRegionalOffice},
	OrgProbationOffice:   {OrgRegionalOffice},
	OrgLabourOffice:      {OrgRegionalOffice, OrgNationalOffice},
	OrgTrainingProvider:  {OrgRegionalOffice, OrgNationalOffice, OrgLabourOffice},
	OrgCertificationBody: {OrgRegionalOffice, OrgNationalOffice},
	OrgEmployer:          {OrgRegionalOffice, OrgNationalOffice, OrgLabourOffice},
}

// AllowedParent reports whether an organisation of kind child may sit under one
// of kind parent.
func AllowedParent(child, parent OrgKind) bool {
	return slices.Contains(parentKinds[child], parent)
}

// Organization is a body taking part in the programme: a prison, a labour
// office, a certification body, an employer, a regional or the national office.
// Organisations form a tree through Parent; Path holds the codes from the root
// down to this one ("/DITJENPAS/KANWIL-16/LP-MARTAPURA/"), so a subtree is
// every organisation whose Path starts with its root's Path.
type Organization struct {
	ID            int64
	Code          string
	Name          string
	Kind          OrgKind
	RegionCode    string
	Parent        string // the parent's code; empty at a root
	Path          string
	FacilityType  string  // facilities only
	FacilityClass string  // facilities only
	EmployerSize  string  // employers only
	Partner       Partner // employers only: the partner profile (contacts loaded on request)
	Active        bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

var (
	orgCodeRE    = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{1,39}$`)
	regionCodeRE = regexp.MustCompile(`^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$`)
)

// NormalizeOrgCode returns code trimmed and in upper case, the form in which
// organisation codes are stored and compared.
func NormalizeOrgCode(code string) string {
	return strings.ToUpper(strings.TrimSpace(code))
}

// ValidRegionCode reports whether s has the pattern of a Kemendagri region code
// (PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD) with a regency segment of 01–69 or a
// city segment of 71–99.
func ValidRegionCode(s string) bool {
	if !regionCodeRE.MatchString(s) {
		return false
	}
	if len(s) >= 5 {
		kk := s[3:5]
		if kk == "00" || (kk >= "70" && kk < "71") {
			return false
		}
	}
	return true
}

// Normalize trims the organisation's text fields and puts its codes in their
// stored form.
func (o *Organization) Normalize() {
	o.Code = NormalizeOrgCode(o.Code)
	o.Name = strings.Join(strings.Fields(o.Name), " ")
	o.RegionCode = strings.TrimSpace(o.RegionCode)
	o.Parent = NormalizeOrgCode(o.Parent)
	o.FacilityType = strings.ToUpper(strings.TrimSpace(o.FacilityType))
	o.FacilityClass = strings.ToUpper(strings.TrimSpace(o.FacilityClass))
	o.EmployerSize = strings.ToUpper(strings.TrimSpace(o.EmployerSize))
}

// Validate checks the organisation's own fields, reporting every field at
// fault. Whether the parent exists and fits is checked where the parent is
// known (see CheckParent).
func (o *Organization) Validate() error {
	var p Problems
	switch {
	case o.Code == "":
		p.Add("code", "field.required")
	case !orgCodeRE.MatchString(o.Code):
		p.Add("code", "org.code.format")
	}
	switch n := utf8.RuneCountInString(o.Name); {
	case n == 0:
		p.Add("name", "field.required")
	case n > 200:
		p.Add("name", "field.too_long", 200)
	}
	if !o.Kind.Valid() {
		p.Add("kind", "org.kind.invalid")
	}
	switch {
	case o.RegionCode == "" && o.Kind != OrgNationalOffice:
		p.Add("region_code", "field.required")
	case o.RegionCode != "" && !ValidRegionCode(o.RegionCode):
		p.Add("region_code", "org.region_code.format")
	case o.RegionCode != "" && !KnownRegion(o.RegionCode):
		p.Add("region_code", "region.unknown", o.RegionCode)
	}
	if o.Kind == OrgFacility {
		if !slices.Contains(FacilityTypes, o.FacilityType) {
			p.Add("facility_type", "org.facility_type.invalid")
		}
		if o.FacilityClass != "" && !slices.Contains(FacilityClasses, o.FacilityClass) {
			p.Add("facility_class", "org.facility_class.invalid")
		}
	} else {
		if o.FacilityType != "" {
			p.Add("facility_type", "org.facility_only")
		}
		if o.FacilityClass != "" {
			p.Add("facility_class", "org.facility_only")
		}
	}
	switch {
	case o.Kind == OrgEmployer && o.EmployerSize != "" && !slices.Contains(EmployerSizes, o.EmployerSize):
		p.Add("employer_size", "org.employer_size.invalid")
	case o.Kind != OrgEmployer && o.EmployerSize != "":
		p.Add("employer_size", "org.employer_only")
	}
	return p.Err()
}

// CheckParent reports whether parent may hold o as a child, and sets o.Path
// from the parent's path (or from o alone when parent is nil).
func (o *Organization) CheckParent(parent *Organization) error {
	if parent == nil {
		o.Path = "/" + o.Code + "/"
		return nil
	}
	if !AllowedParent(o.Kind, parent.Kind) {
		return FieldInvalid("parent", "org.parent.kind", string(parent.Kind))
	}
	o.Path = parent.Path + o.Code + "/"
	return nil
}

// Contains reports whether other lies in the subtree rooted at o (o itself
// included).
func (o *Organization) Contains(other *Organization) bool {
	return other != nil && strings.HasPrefix(other.Path, o.Path)
}
