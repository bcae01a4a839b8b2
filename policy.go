package binakerja

import "slices"

// Action is something a user may be allowed to do. Every web page, API
// endpoint and command names the action it performs; the policy below says
// which roles may perform it and how far their organisation reaches.
type Action string

// The actions.
const (
	ActionSelf       Action = "self"        // one's own account: profile, language, API tokens
	ActionOrgView    Action = "org.view"    // see organisations
	ActionOrgCreate  Action = "org.create"  // add an organisation
	ActionOrgUpdate  Action = "org.update"  // change an organisation
	ActionUserView   Action = "user.view"   // see users and their roles
	ActionUserManage Action = "user.manage" // add users, grant and revoke roles, disable, unlock
	ActionAuditView  Action = "audit.view"  // read the audit trail

	ActionInmateView    Action = "inmate.view"    // find people in custody and read their records
	ActionInmateWrite   Action = "inmate.write"   // import, release, transfer
	ActionNIKView       Action = "nik.view"       // see a full identity number (with a reason, audited)
	ActionSubjectExport Action = "subject.export" // export everything held about one person (UU 27/2022)

	ActionTrainingView     Action = "training.view"     // see schemes, programmes and cohorts
	ActionSchemeManage     Action = "scheme.manage"     // add competency units and certification schemes
	ActionProgramManage    Action = "program.manage"    // add training programmes
	ActionCohortManage     Action = "cohort.manage"     // plan cohorts
	ActionEnrollmentManage Action = "enrollment.manage" // enrol people and record how they leave

	ActionAssessmentManage  Action = "assessment.manage"  // hold assessments and record K/BK results
	ActionCertificateView   Action = "certificate.view"   // read certificates and their credentials
	ActionCertificateRevoke Action = "certificate.revoke" // revoke a certificate

	ActionPartnerView       Action = "partner.view"        // see partners (employers) and their profiles
	ActionPartnerManage     Action = "partner.manage"      // register partners and keep their profiles
	ActionAgreementView     Action = "agreement.view"      // read agreements one is a party to, and their documents
	ActionAgreementManage   Action = "agreement.manage"    // record agreements, their status and documents
	ActionInternshipView    Action = "internship.view"     // see internships before release
	ActionInternshipManage  Action = "internship.manage"   // record internships and their daily log
	ActionInternshipEval    Action = "internship.evaluate" // record the host's evaluation of an internship
	ActionConsentManage     Action = "consent.manage"      // record a person's consent given or withdrawn
	ActionVacancyView       Action = "vacancy.view"        // see vacancies
	ActionVacancyManage     Action = "vacancy.manage"      // post, edit and close vacancies
	ActionMatchView         Action = "match.view"          // see the candidates matched to a vacancy
	ActionApplicationManage Action = "application.manage"  // propose candidates and move applications on
	ActionPlacementManage   Action = "placement.manage"    // record placements and employment periods
	ActionFollowUpView      Action = "followup.view"       // see hand-overs, follow-ups and placements after release
	ActionFollowUpManage    Action = "followup.manage"     // acknowledge hand-overs and record follow-ups
	ActionClientView        Action = "client.view"         // see the clients on conditional release a Bapas supervises
	ActionMetricsView       Action = "metrics.view"        // see the outcome figures of the organisations within reach
)

// Reach says how far a grant reaches for an action.
type Reach int

const (
	// ReachSubtree: the grant's organisation and every organisation under it.
	ReachSubtree Reach = iota
	// ReachSystem: only a system-wide grant will do.
	ReachSystem
)

// Rule is the policy for one action: the roles that may perform it and how far
// their grants reach.
type Rule struct {
	Roles []Role
	Reach Reach
	// SystemOnly names roles of Roles that count only when held
	// system-wide: a grant of one of them at an organisation gives nothing.
	SystemOnly []Role
}

// Admits reports whether the grant g lets its holder perform the rule's
// action somewhere: its role is one of the rule's, it is system-wide where
// the rule or the role asks for that, and its organisation is active.
func (r Rule) Admits(g Grant) bool {
	if g.Inactive || !slices.Contains(r.Roles, g.Role) {
		return false
	}
	if (r.Reach == ReachSystem || slices.Contains(r.SystemOnly, g.Role)) && !g.SystemWide() {
		return false
	}
	return true
}

var everyRole = Roles

// Policy is the authorization policy: role × action × scope. It is the one
// place that says who may do what; internal/app enforces it for the web, the
// API and the command line alike. An action missing here is denied to all.
var Policy = map[Action]Rule{
	ActionSelf:       {Roles: everyRole},
	ActionOrgView:    {Roles: everyRole},
	ActionOrgCreate:  {Roles: []Role{RoleAdmin}},
	ActionOrgUpdate:  {Roles: []Role{RoleAdmin}},
	ActionUserView:   {Roles: []Role{RoleAdmin}},
	ActionUserManage: {Roles: []Role{RoleAdmin}},
	ActionAuditView:  {Roles: []Role{RoleAdmin}, Reach: ReachSystem},

	// The custody register is the facility's: its officers keep it, and
	// admins oversee it within their reach. Other roles get what their own
	// work needs through their own actions.
	ActionInmateView:    {Roles: []Role{RoleAdmin, RoleFacilityOfficer}},
	ActionInmateWrite:   {Roles: []Role{RoleAdmin, RoleFacilityOfficer}},
	ActionNIKView:       {Roles: []Role{RoleFacilityOfficer}},
	ActionSubjectExport: {Roles: []Role{RoleAdmin, RoleFacilityOfficer}},

	// Training is run by the labour office and its providers for the people
	// of a facility: a cohort belongs to both, and either side's officers
	// act on it (internal/app checks both reaches).
	ActionTrainingView:     {Roles: everyRole},
	ActionSchemeManage:     {Roles: []Role{RoleAdmin, RoleAssessor, RoleLabourOfficer}},
	ActionProgramManage:    {Roles: []Role{RoleAdmin, RoleLabourOfficer}},
	ActionCohortManage:     {Roles: []Role{RoleAdmin, RoleLabourOfficer, RoleFacilityOfficer}},
	ActionEnrollmentManage: {Roles: []Role{RoleAdmin, RoleLabourOfficer, RoleFacilityOfficer}},

	// Certification belongs to the certification body: its assessors assess
	// and revoke. The facility and the labour office read the certificates of
	// their people. A certificate's status (suspend, reinstate, revoke,
	// replace) is the issuing body's word: only its assessors change it, and
	// a system-wide admin; an admin of one organisation, even one over the
	// holder's prison or the body itself, does not.
	ActionAssessmentManage:  {Roles: []Role{RoleAdmin, RoleAssessor}},
	ActionCertificateView:   {Roles: []Role{RoleAdmin, RoleAssessor, RoleFacilityOfficer, RoleLabourOfficer}},
	ActionCertificateRevoke: {Roles: []Role{RoleAdmin, RoleAssessor}, SystemOnly: []Role{RoleAdmin}},

	// Partners and jobs are the labour office's work with the employers, for
	// the people of the facilities it works with. An employer reaches only
	// its own organisation: its agreements, vacancies and the candidates
	// proposed to it (internal/app narrows each to the parties).
	ActionPartnerView:       {Roles: []Role{RoleAdmin, RoleLabourOfficer, RoleFacilityOfficer, RoleEmployer}},
	ActionPartnerManage:     {Roles: []Role{RoleAdmin, RoleLabourOfficer}},
	ActionAgreementView:     {Roles: []Role{RoleAdmin, RoleLabourOfficer, RoleFacilityOfficer, RoleEmployer}},
	ActionAgreementManage:   {Roles: []Role{RoleAdmin, RoleLabourOfficer, RoleFacilityOfficer}},
	ActionInternshipView:    {Roles: []Role{RoleAdmin, RoleFacilityOfficer, RoleEmployer}},
	ActionInternshipManage:  {Roles: []Role{RoleAdmin, RoleFacilityOfficer}},
	ActionInternshipEval:    {Roles: []Role{RoleAdmin, RoleFacilityOfficer, RoleEmployer}},
	ActionConsentManage:     {Roles: []Role{RoleAdmin, RoleFacilityOfficer}},
	ActionVacancyView:       {Roles: []Role{RoleAdmin, RoleLabourOfficer, RoleEmployer}},
	ActionVacancyManage:     {Roles: []Role{RoleAdmin, RoleLabourOfficer, RoleEmployer}},
	ActionMatchView:         {Roles: []Role{RoleAdmin, RoleLabourOfficer, RoleEmployer}},
	ActionApplicationManage: {Roles: []Role{RoleAdmin, RoleLabourOfficer, RoleEmployer}},

	// After release the person is the mentor's: the labour office, or the
	// Bapas of a conditional release. The facility sees its hand-overs.
	ActionPlacementManage: {Roles: []Role{RoleAdmin, RoleFacilityOfficer, RoleLabourOfficer, RoleProbationOfficer}},
	ActionFollowUpView:    {Roles: []Role{RoleAdmin, RoleFacilityOfficer, RoleLabourOfficer, RoleProbationOfficer}},
	ActionFollowUpManage:  {Roles: []Role{RoleAdmin, RoleLabourOfficer, RoleProbationOfficer}},
	// A conditional release is the supervising Bapas's client until the
	// sentence ends: its probation officers see their own clients' road.
	ActionClientView: {Roles: []Role{RoleAdmin, RoleProbationOfficer}},
	// The outcome figures: the facility's and the labour office's own, and
	// a region's or the nation's for its analysts, who see aggregates only,
	// under the small-number rules.
	ActionMetricsView: {Roles: []Role{RoleAdmin, RoleFacilityOfficer, RoleLabourOfficer, RoleAnalyst}},
}

// Allows reports whether the policy lets role r perform action a at all,
// somewhere.
func Allows(r Role, a Action) bool {
	rule, ok := Policy[a]
	return ok && slices.Contains(rule.Roles, r)
}

// Can reports whether u may perform a on the organisation at orgPath. An empty
// orgPath asks about an action that concerns no single organisation (a list, a
// new top-level record): then any grant allowing the action will do, except
// where the rule needs a system-wide grant.
func (u *User) Can(a Action, orgPath string) bool {
	if u == nil || !u.Active {
		return false
	}
	rule, ok := Policy[a]
	if !ok {
		return false
	}
	for _, g := range u.Grants {
		if rule.Admits(g) && (orgPath == "" || g.Covers(orgPath)) {
			return true
		}
	}
	return false
}

// Scope returns the organisation paths under which u may perform a, for
// filtering lists. all is true when a system-wide grant allows it.
func (u *User) Scope(a Action) (paths []string, all bool) {
	if u == nil || !u.Active {
		return nil, false
	}
	rule, ok := Policy[a]
	if !ok {
		return nil, false
	}
	for _, g := range u.Grants {
		if !rule.Admits(g) {
			continue
		}
		if g.SystemWide() {
			return nil, true
		}
		if rule.Reach == ReachSubtree {
			paths = append(paths, g.OrgPath)
		}
	}
	return paths, false
}
