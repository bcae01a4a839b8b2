package binakerja

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// Role is what a user does in the programme (contract §2, a closed list). A
// role is always held at one organisation, which bounds what it reaches; only
// admin may also be held system-wide.
type Role string

// The roles.
const (
	RoleAdmin            Role = "admin"
	RoleFacilityOfficer  Role = "facility_officer"
	RoleLabourOfficer    Role = "labour_officer"
	RoleAssessor         Role = "assessor"
	RoleProbationOfficer Role = "probation_officer"
	RoleEmployer         Role = "employer"
	RoleAnalyst          Role = "analyst"
)

// Roles lists every role, in the order the UI offers them.
var Roles = []Role{
	RoleAdmin, RoleFacilityOfficer, RoleLabourOfficer, RoleAssessor,
	RoleProbationOfficer, RoleEmployer, RoleAnalyst,
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// roleOrgKinds says at which kinds of organisation each role may be held. An
// empty list means any kind.
var roleOrgKinds = map[Role][]OrgKind{
	RoleAdmin:            nil,
	RoleFacilityOfficer:  {OrgFacility},
	RoleLabourOfficer:    {OrgLabourOffice},
	RoleAssessor:         {OrgCertificationBody},
	RoleProbationOfficer: {OrgProbationOffice},
	RoleEmployer:         {OrgEmployer},
	RoleAnalyst:          {OrgRegionalOffice, OrgNationalOffice, OrgLabourOffice},
}

// RoleFitsOrg reports whether role r may be held at an organisation of kind k.
func RoleFitsOrg(r Role, k OrgKind) bool {
	kinds := roleOrgKinds[r]
	return len(kinds) == 0 || slices.Contains(kinds, k)
}

// Grant is one role held by a user at one organisation. A Grant with an empty
// Org is system-wide (admin only).
type Grant struct {
	Role    Role
	Org     string // organisation code; empty when system-wide
	OrgName string
	OrgPath string
	// Inactive is set when the organisation, or one above it, has been
	// deactivated: the grant then gives nothing until it is active again.
	Inactive bool
}

// SystemWide reports whether the grant reaches every organisation.
func (g Grant) SystemWide() bool { return g.Org == "" }

// Covers reports whether the grant's scope reaches the organisation with the
// given path.
func (g Grant) Covers(orgPath string) bool {
	return g.SystemWide() || (g.OrgPath != "" && strings.HasPrefix(orgPath, g.OrgPath))
}

// User is a person who signs in to BinaKerja: an officer, an assessor, an
// employer's staff member, an analyst or an administrator.
type User struct {
	ID        int64
	Email     string
	Name      string
	Active    bool
	Locked    bool   // sign-in is throttled after failed attempts (an admin may clear them)
	Lang      string // preferred language: "id" or "en"; empty for the default
	Grants    []Grant
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Has reports whether the user holds role r anywhere.
func (u *User) Has(r Role) bool {
	return slices.ContainsFunc(u.Grants, func(g Grant) bool { return g.Role == r })
}

// NormalizeEmail returns the address trimmed and in lower case, the form in
// which emails are stored and compared.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks the user's own fields.
func (u *User) Validate() error {
	var p Problems
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.Join(strings.Fields(u.Name), " ")
	switch {
	case u.Email == "":
		p.Add("email", "field.required")
	case len(u.Email) > 254:
		p.Add("email", "field.too_long", 254)
	default:
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || !strings.Contains(u.Email[strings.LastIndex(u.Email, "@"):], ".") {
			p.Add("email", "user.email.format")
		}
	}
	switch n := utf8.RuneCountInString(u.Name); {
	case n == 0:
		p.Add("name", "field.required")
	case n > 200:
		p.Add("name", "field.too_long", 200)
	}
	if u.Lang != "" && u.Lang != "id" && u.Lang != "en" {
		p.Add("lang", "user.lang.invalid")
	}
	return p.Err()
}

// Password rules (OWASP ASVS 6.2): long enough, not absurdly long, not one of
// the passwords everybody tries first, and no composition rules.
const (
	PasswordMinLen = 12
	PasswordMaxLen = 128
)

var commonPasswords = []string{
	"password1234", "123456789012", "qwertyuiop12", "passwordpassword", "administrator",
	"binakerja123", "binakerja2026", "lapaskelas123", "rahasia12345", "indonesia123",
	"bismillah123", "000000000000", "111111111111", "abcdefghijkl", "passw0rd1234",
}

// DemoPassword is the demo world's password, public by design: refused for
// anyone outside the demo.
const DemoPassword = "binakerja-demo" // #nosec G101 -- public by design: printed at start, written in the README

// guessable are the words a password made of counts as easy to guess,
// beside zxcvbn's lists of common and breached passwords, names and words.
var guessable = []string{"binakerja", "lapas", "rutan", "bapas", "disnaker", "kemenkumham", "ditjenpas", "pemasyarakatan"}

// CheckPassword reports whether pw may be used as the password of the user
// with the given email. The password is checked exactly as typed: long
// enough, not on the lists of common Indonesian passwords, not the demo's,
// not built on the e-mail address, and at least "safely unguessable"
// (score 3 of 4) by zxcvbn's estimate, which knows the passwords of public
// breaches.
func CheckPassword(pw, email string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < PasswordMinLen:
		return FieldInvalid("password", "password.too_short", PasswordMinLen)
	case n > PasswordMaxLen:
		return FieldInvalid("password", "field.too_long", PasswordMaxLen)
	case !utf8.ValidString(pw):
		return FieldInvalid("password", "password.common")
	}
	lower := strings.ToLower(pw)
	if slices.Contains(commonPasswords, lower) {
		return FieldInvalid("password", "password.common")
	}
	if local, _, ok := strings.Cut(NormalizeEmail(email), "@"); ok && len(local) >= 4 && strings.Contains(lower, local) {
		return FieldInvalid("password", "password.contains_email")
	}
	if strings.Count(lower, lower[:1]) == len(lower) {
		return FieldInvalid("password", "password.common")
	}
	if pw == DemoPassword {
		return FieldInvalid("password", "password.demo")
	}
	inputs := guessable
	if local, _, ok := strings.Cut(NormalizeEmail(email), "@"); ok {
		inputs = append(slices.Clip(inputs), local)
	}
	if zxcvbn.PasswordStrength(pw, inputs).Score < 3 {
		return FieldInvalid("password", "password.common")
	}
	return nil
}
