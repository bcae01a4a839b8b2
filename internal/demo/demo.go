// Package demo seeds the demo world of BinaKerja: the organisations of the
// seed story around Lapas Kelas IIB Martapura (OKU Timur, South Sumatra,
// region 16.08) and one login for every role. Later capabilities add their
// records here, so that the demo shows the whole chain working.
package demo

import (
	"context"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/store"
)

// Password is the password of every demo login. It is printed at start; a
// demo database is for showing and trying, never for real records.
const Password = binakerja.DemoPassword

// Login is one demo account.
type Login struct {
	Role  binakerja.Role
	Email string
	Name  string
	Org   string // code; empty for system-wide
}

// Organizations are the demo world's organisations, parents first.
var Organizations = []binakerja.Organization{
	{Code: "DITJENPAS", Name: "Direktorat Jenderal Pemasyarakatan", Kind: binakerja.OrgNationalOffice},
	{Code: "KANWIL-SUMSEL", Name: "Kantor Wilayah Ditjenpas Sumatera Selatan", Kind: binakerja.OrgRegionalOffice, RegionCode: "16", Parent: "DITJENPAS"},
	{Code: "LP-MARTAPURA", Name: "Lapas Kelas IIB Martapura", Kind: binakerja.OrgFacility, RegionCode: "16.08", Parent: "KANWIL-SUMSEL", FacilityType: "LAPAS", FacilityClass: "IIB"},
	{Code: "RUTAN-BATURAJA", Name: "Rutan Kelas IIB Baturaja", Kind: binakerja.OrgFacility, RegionCode: "16.01", Parent: "KANWIL-SUMSEL", FacilityType: "RUTAN", FacilityClass: "IIB"},
	{Code: "BAPAS-BATURAJA", Name: "Bapas Kelas II Baturaja", Kind: binakerja.OrgProbationOffice, RegionCode: "16.01", Parent: "KANWIL-SUMSEL"},
	{Code: "DISNAKER-OKUT", Name: "Dinas Tenaga Kerja dan Transmigrasi Kabupaten OKU Timur", Kind: binakerja.OrgLabourOffice, RegionCode: "16.08", Parent: "KANWIL-SUMSEL"},
	{Code: "BLK-OKUT", Name: "UPTD Balai Latihan Kerja OKU Timur", Kind: binakerja.OrgTrainingProvider, RegionCode: "16.08", Parent: "DISNAKER-OKUT"},
	{Code: "LSP-KARYA-SUMSEL", Name: "LSP Karya Mandiri Sumatera Selatan", Kind: binakerja.OrgCertificationBody, RegionCode: "16.71"},
	{Code: "LSP-TEKNIKA-SUMSEL", Name: "LSP Teknika Nusantara Sumatera Selatan", Kind: binakerja.OrgCertificationBody, RegionCode: "16.71"},
	{Code: "CV-MEBEL-JATI", Name: "CV Mebel Jati Martapura", Kind: binakerja.OrgEmployer, RegionCode: "16.08", Parent: "DISNAKER-OKUT", EmployerSize: "KECIL"},
	{Code: "UD-TANI-MAKMUR", Name: "UD Tani Makmur", Kind: binakerja.OrgEmployer, RegionCode: "16.08", Parent: "DISNAKER-OKUT", EmployerSize: "MIKRO"},
	{Code: "BENGKEL-SINAR", Name: "Bengkel Las dan Listrik Sinar Timur", Kind: binakerja.OrgEmployer, RegionCode: "16.08", Parent: "DISNAKER-OKUT", EmployerSize: "MIKRO"},
	{Code: "PT-AGRO-OKU", Name: "PT Agro Lestari OKU", Kind: binakerja.OrgEmployer, RegionCode: "16.08", Parent: "DISNAKER-OKUT", EmployerSize: "BESAR"},
}

// Logins are the demo accounts, one per role.
var Logins = []Login{
	{binakerja.RoleAdmin, "admin@binakerja.test", "Admin BinaKerja", ""},
	{binakerja.RoleFacilityOfficer, "petugas.lapas@binakerja.test", "Rina Marlina", "LP-MARTAPURA"},
	{binakerja.RoleLabourOfficer, "disnaker@binakerja.test", "Hendra Saputra", "DISNAKER-OKUT"},
	{binakerja.RoleAssessor, "asesor@binakerja.test", "Dewi Kartika", "LSP-KARYA-SUMSEL"},
	{binakerja.RoleProbationOfficer, "bapas@binakerja.test", "Agus Salim", "BAPAS-BATURAJA"},
	{binakerja.RoleEmployer, "mitra@binakerja.test", "Budi Santoso", "CV-MEBEL-JATI"},
	{binakerja.RoleAnalyst, "analis@binakerja.test", "Siti Rahmawati", "KANWIL-SUMSEL"},
}

// Seed fills an empty database with the demo world. It reports whether it
// seeded; a database that already has organisations is left as it is.
func Seed(ctx context.Context, a *app.App) (bool, error) {
	existing, _, err := a.DB().Organizations(ctx, store.OrgFilter{All: true, Page: store.Page{Limit: 1}})
	if err != nil {
		return false, err
	}
	if len(existing) > 0 {
		return false, nil
	}
	ac := app.CLIActor("demo")
	for _, o := range Organizations {
		o := o
		if _, err := a.CreateOrganization(ctx, ac, &o); err != nil {
			return false, err
		}
	}
	// The people first, so that what the world's history tells them
	// (hand-overs, re-admissions) reaches them as notices.
	for _, l := range Logins {
		_, _, err := a.CreateUser(ctx, ac, app.NewUser{Email: l.Email, Name: l.Name, Password: Password,
			Grants: []app.GrantInput{{Role: l.Role, Org: l.Org}}})
		if err != nil {
			return false, err
		}
	}
	today := binakerja.DateOf(time.Now().In(wib))
	story, err := seedInmates(ctx, a, ac, today)
	if err != nil {
		return false, err
	}
	if err := seedJobs(ctx, a, ac, today, story); err != nil {
		return false, err
	}
	// The world's records, made now, dated as its story tells them.
	if err := a.DB().BackdateHistory(ctx); err != nil {
		return false, err
	}
	return true, nil
}

var wib = time.FixedZone("WIB", 7*60*60)
