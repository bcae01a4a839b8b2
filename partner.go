package binakerja

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// PartnerTier says how closely an employer works with the programme: a
// strategic partner under a standing agreement, a main partner that hires
// regularly, or a regular one.
type PartnerTier string

// The partner tiers.
const (
	TierStrategic PartnerTier = "STRATEGIS"
	TierMain      PartnerTier = "UTAMA"
	TierRegular   PartnerTier = "REGULER"
)

// PartnerTiers lists the tiers, closest first.
var PartnerTiers = []PartnerTier{TierStrategic, TierMain, TierRegular}

// OffenceGroup is a broad group of offences, as employers name them when
// they exclude some kinds of conviction (work with children after an offence
// against a child, cash handling after fraud). A person's group is part of
// their custody record; it is never shown to an employer, never a reason
// given to anyone outside the staff, and never an input to a score.
type OffenceGroup string

// The offence groups.
const (
	OffenceNarcotics  OffenceGroup = "NARKOTIKA"
	OffenceTheft      OffenceGroup = "PENCURIAN"
	OffenceViolence   OffenceGroup = "KEKERASAN"
	OffenceSexual     OffenceGroup = "KESUSILAAN"
	OffenceChild      OffenceGroup = "TERHADAP_ANAK"
	OffenceFraud      OffenceGroup = "PENIPUAN"
	OffenceCorruption OffenceGroup = "KORUPSI"
	OffenceTerrorism  OffenceGroup = "TERORISME"
	OffenceTraffic    OffenceGroup = "LALU_LINTAS"
	OffenceOther      OffenceGroup = "LAINNYA"
)

// OffenceGroups lists every group.
var OffenceGroups = []OffenceGroup{OffenceNarcotics, OffenceTheft, OffenceViolence, OffenceSexual, OffenceChild,
	OffenceFraud, OffenceCorruption, OffenceTerrorism, OffenceTraffic, OffenceOther}

// Valid reports whether g is one of OffenceGroups.
func (g OffenceGroup) Valid() bool { return slices.Contains(OffenceGroups, g) }

// KBLIVersions are the editions of the standard industrial classification
// (Klasifikasi Baku Lapangan Usaha Indonesia) a sector code may come from.
var KBLIVersions = []string{"2020", "2025"}

// kbliRE: a KBLI code of 2 (division) to 5 (group) digits.
var kbliRE = regexp.MustCompile(`^\d{2,5}$`)

// Contact is a person to speak to at a partner.
type Contact struct {
	Name     string
	Position string
	Phone    string
	Email    string
}

// Partner is what BinaKerja keeps of an employer beyond its organisation
// record: its sector, address, tier, contacts and whom it will take on.
// Excluded lists offence groups the employer will not take; applied inside
// matching, never shown to a candidate or given as a reason.
type Partner struct {
	KBLICode           string
	KBLIVersion        string
	Address            string
	Tier               PartnerTier
	RefusesConvictions bool // takes nobody with a conviction (the zero value takes them)
	Excluded           []OffenceGroup
	Contacts           []Contact
	Version            int
}

var phoneRE = regexp.MustCompile(`^\+?[0-9 ()-]{6,20}$`)

// Normalize trims the partner's text fields.
func (p *Partner) Normalize() {
	p.KBLICode = strings.TrimSpace(p.KBLICode)
	p.KBLIVersion = strings.TrimSpace(p.KBLIVersion)
	p.Address = strings.Join(strings.Fields(p.Address), " ")
	p.Tier = PartnerTier(strings.ToUpper(strings.TrimSpace(string(p.Tier))))
	for i := range p.Excluded {
		p.Excluded[i] = OffenceGroup(strings.ToUpper(strings.TrimSpace(string(p.Excluded[i]))))
	}
	slices.Sort(p.Excluded)
	p.Excluded = slices.Compact(p.Excluded)
	var cs []Contact
	for _, c := range p.Contacts {
		c.Name = strings.Join(strings.Fields(c.Name), " ")
		c.Position = strings.Join(strings.Fields(c.Position), " ")
		c.Phone, c.Email = strings.TrimSpace(c.Phone), NormalizeEmail(c.Email)
		if c != (Contact{}) {
			cs = append(cs, c)
		}
	}
	p.Contacts = cs
}

// Validate checks the partner's fields, naming each at fault.
func (p *Partner) Validate() error {
	var pr Problems
	switch {
	case p.KBLICode != "" && !kbliRE.MatchString(p.KBLICode):
		pr.Add("kbli_code", "partner.kbli_code")
	case p.KBLICode != "" && !slices.Contains(KBLIVersions, p.KBLIVersion):
		pr.Add("kbli_version", "partner.kbli_version")
	case p.KBLICode == "" && p.KBLIVersion != "":
		pr.Add("kbli_code", "field.required")
	}
	if utf8.RuneCountInString(p.Address) > 300 {
		pr.Add("address", "field.too_long", 300)
	}
	if p.Tier != "" && !slices.Contains(PartnerTiers, p.Tier) {
		pr.Add("tier", "partner.tier")
	}
	for _, g := range p.Excluded {
		if !g.Valid() {
			pr.Add("excluded_offences", "partner.offence_group", string(g))
			break
		}
	}
	if len(p.Contacts) > 10 {
		pr.Add("contacts", "partner.contacts")
	}
	for _, c := range p.Contacts {
		switch {
		case c.Name == "" || utf8.RuneCountInString(c.Name) > 200:
			pr.Add("contacts", "partner.contact_name")
		case c.Phone != "" && !phoneRE.MatchString(c.Phone):
			pr.Add("contacts", "partner.contact_phone", c.Name)
		case c.Email != "" && !strings.Contains(c.Email, "@"):
			pr.Add("contacts", "user.email.format")
		default:
			continue
		}
		break
	}
	return pr.Err()
}

// Takes reports whether the partner will take on a person with the given
// offence group; convicted says whether the person has been sentenced (a
// detainee awaiting trial has no conviction).
func (p *Partner) Takes(group OffenceGroup, convicted bool) bool {
	if convicted && p.RefusesConvictions {
		return false
	}
	return group == "" || !slices.Contains(p.Excluded, group)
}
