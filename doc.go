// Package binakerja holds the vocabulary of BinaKerja, the information system for
// work-based rehabilitation of prisoners ("rehabilitasi berbasis kerja"): the
// organisations that take part, the people who use the system and the roles they
// hold, the authorization policy, the audit trail, and the pure rules that go
// with them. It imports only the standard library; every other package of the
// module depends on it, never the reverse.
//
// # Glossary
//
// Identifiers are English; the domain's own codes stay Indonesian. The
// Indonesian terms and the names used here:
//
//	Lapas, Rutan, LPKA, LPAS      Facility (OrgFacility; FacilityType LAPAS, RUTAN, …)
//	Kelas I, IIA, IIB, III        FacilityClass (organisational size, not a risk level)
//	Kanwil Ditjenpas              regional office (OrgRegionalOffice)
//	Ditjenpas                     national office (OrgNationalOffice)
//	Disnaker                      labour office (OrgLabourOffice)
//	BLK, LPK                      training provider (OrgTrainingProvider)
//	LSP (BNSP-licensed)           certification body (OrgCertificationBody)
//	Bapas                         probation office (OrgProbationOffice)
//	UMKM, mitra                   employer (OrgEmployer; EmployerSize MIKRO, KECIL, …)
//	warga binaan, narapidana      inmate
//	petugas Lapas                 facility officer (RoleFacilityOfficer)
//	pengantar kerja, Disnaker     labour officer (RoleLabourOfficer)
//	asesor                        assessor (RoleAssessor)
//	pembimbing kemasyarakatan     probation officer (RoleProbationOfficer)
//	kode wilayah (Kemendagri)     region code (RegionCode)
//	jejak audit                   audit trail (AuditEvent)
package binakerja
