package binakerja

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidRegionCode(t *testing.T) {
	for code, want := range map[string]bool{
		"16": true, "16.08": true, "16.08.01": true, "16.08.01.1007": true, "16.71": true,
		"16.8": false, "1608": false, "16.00": false, "16.70": false, "16.08.01.107": false, "": false, "16.08.": false, "a6.08": false,
	} {
		if got := ValidRegionCode(code); got != want {
			t.Errorf("ValidRegionCode(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestOrganizationValidateNamesEveryField(t *testing.T) {
	o := &Organization{Code: " lp x ", Name: "", Kind: "prison", RegionCode: "1608", FacilityClass: "IV", EmployerSize: "KECIL"}
	o.Normalize()
	err := o.Validate()
	var e *Error
	if !errors.As(err, &e) || e.Kind != Invalid {
		t.Fatalf("got %v", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	if got := strings.Join(fields, ","); got != "code,name,kind,region_code,facility_class,employer_size" {
		t.Fatalf("fields %s", got)
	}
	ok := &Organization{Code: "lp-martapura", Name: " Lapas  Kelas IIB Martapura ", Kind: OrgFacility, RegionCode: "16.08", FacilityType: "lapas", FacilityClass: "iib"}
	ok.Normalize()
	if err := ok.Validate(); err != nil || ok.Code != "LP-MARTAPURA" || ok.Name != "Lapas Kelas IIB Martapura" || ok.FacilityType != "LAPAS" {
		t.Fatalf("valid facility: %v %+v", err, ok)
	}
	nat := &Organization{Code: "PUSAT", Name: "Pusat", Kind: OrgNationalOffice}
	if err := nat.Validate(); err != nil {
		t.Fatalf("a national office needs no region: %v", err)
	}
}

func TestParentsAndPaths(t *testing.T) {
	nat := &Organization{Code: "PUSAT", Kind: OrgNationalOffice}
	nat.CheckParent(nil)
	reg := &Organization{Code: "K16", Kind: OrgRegionalOffice}
	if err := reg.CheckParent(nat); err != nil || reg.Path != "/PUSAT/K16/" {
		t.Fatalf("regional under national: %v %q", err, reg.Path)
	}
	lp := &Organization{Code: "LP", Kind: OrgFacility}
	if err := lp.CheckParent(reg); err != nil || lp.Path != "/PUSAT/K16/LP/" {
		t.Fatalf("facility under regional: %v", err)
	}
	if err := (&Organization{Code: "X", Kind: OrgFacility}).CheckParent(lp); err == nil {
		t.Fatal("a facility cannot sit under a facility")
	}
	if !reg.Contains(lp) || lp.Contains(reg) || !lp.Contains(lp) {
		t.Fatal("Contains")
	}
}

func TestPolicyScope(t *testing.T) {
	admin := &User{Active: true, Grants: []Grant{{Role: RoleAdmin}}}
	regional := &User{Active: true, Grants: []Grant{{Role: RoleAdmin, Org: "K16", OrgPath: "/PUSAT/K16/"}}}
	officer := &User{Active: true, Grants: []Grant{{Role: RoleFacilityOfficer, Org: "LP", OrgPath: "/PUSAT/K16/LP/"}}}
	cases := []struct {
		u    *User
		a    Action
		path string
		want bool
	}{
		{admin, ActionAuditView, "", true},
		{regional, ActionAuditView, "", false}, // the audit trail needs a system-wide grant
		{regional, ActionOrgCreate, "/PUSAT/K16/LP/", true},
		{regional, ActionOrgCreate, "/PUSAT/K15/", false},
		{regional, ActionUserManage, "/", false},
		{admin, ActionUserManage, "/", true},
		{officer, ActionOrgView, "/PUSAT/K16/LP/", true},
		{officer, ActionOrgView, "/PUSAT/K16/", false},
		{officer, ActionUserView, "", false},
		{officer, Action("no.such.action"), "", false},
		{&User{Active: false, Grants: admin.Grants}, ActionSelf, "", false},
		{nil, ActionSelf, "", false},
	}
	for i, c := range cases {
		if got := c.u.Can(c.a, c.path); got != c.want {
			t.Errorf("case %d: Can(%s, %q) = %v, want %v", i, c.a, c.path, got, c.want)
		}
	}
	if paths, all := regional.Scope(ActionOrgView); all || len(paths) != 1 || paths[0] != "/PUSAT/K16/" {
		t.Errorf("regional scope: %v %v", paths, all)
	}
	if _, all := admin.Scope(ActionOrgView); !all {
		t.Error("a system-wide admin reaches everything")
	}
	for a, rule := range Policy {
		for _, r := range rule.Roles {
			if !r.Valid() {
				t.Errorf("policy for %s names unknown role %q", a, r)
			}
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"password1234":                  false,
		"short":                         false,
		"lapaskelas123":                 false,
		"aaaaaaaaaaaaaa":                false,
		"siti.rahma-2026-kopi":          false, // contains the email's local part
		"kopi tubruk di pagi hari":      true,
		strings.Repeat("ü", 64):         true,
		strings.Repeat("x1y2", 33):      false, // 132 characters
		"Kalimat Panjang Yang Ku Ingat": true,
		"password123456":                false, // in breached lists, however long
		"iloveyou2026":                  false,
		"binakerja-demo":                false, // the demo's, public
	} {
		err := CheckPassword(pw, "siti.rahma@example.id")
		if (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", pw, err, ok)
		}
	}
}

func TestUserValidate(t *testing.T) {
	u := &User{Email: " Siti@Example.ID ", Name: "  Siti   Rahma "}
	if err := u.Validate(); err != nil || u.Email != "siti@example.id" || u.Name != "Siti Rahma" {
		t.Fatalf("%v %+v", err, u)
	}
	for _, bad := range []string{"siti", "siti@localhost", "Siti <siti@example.id>", "a@b@c.id"} {
		if err := (&User{Email: bad, Name: "S"}).Validate(); err == nil {
			t.Errorf("email %q accepted", bad)
		}
	}
	if !RoleFitsOrg(RoleAssessor, OrgCertificationBody) || RoleFitsOrg(RoleAssessor, OrgFacility) || !RoleFitsOrg(RoleAdmin, OrgEmployer) {
		t.Error("RoleFitsOrg")
	}
}

func TestSearchKey(t *testing.T) {
	for in, want := range map[string]string{
		"Siti  Nur'Aini":     "siti nur aini",
		"ÉLOK Jaya":          "elok jaya",
		"  Lapas—Kelas IIB ": "lapas kelas iib",
		"":                   "",
	} {
		if got := SearchKey(in); got != want {
			t.Errorf("SearchKey(%q) = %q, want %q", in, got, want)
		}
	}
	if EscapeLike(`50%_a\b`) != `50\%\_a\\b` {
		t.Error("EscapeLike")
	}
}

func TestAuditHashCoversEveryField(t *testing.T) {
	e := AuditEvent{Seq: 1, At: time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC), Actor: "a", Action: "org.create",
		Entity: "organization", EntityID: "X", Summary: "{}", PrevHash: "p"}
	h := e.ComputeHash()
	if len(h) != 64 || h != e.ComputeHash() {
		t.Fatal("the hash must be 64 hex digits and stable")
	}
	variants := []func(*AuditEvent){
		func(e *AuditEvent) { e.Seq = 2 }, func(e *AuditEvent) { e.At = e.At.Add(time.Microsecond) },
		func(e *AuditEvent) { e.ActorID = 9 }, func(e *AuditEvent) { e.Actor = "b" },
		func(e *AuditEvent) { e.ActorRole = "admin" }, func(e *AuditEvent) { e.Org = "O" },
		func(e *AuditEvent) { e.Action = "x" }, func(e *AuditEvent) { e.Entity = "y" },
		func(e *AuditEvent) { e.EntityID = "Z" }, func(e *AuditEvent) { e.Summary = "{ }" },
		func(e *AuditEvent) { e.IP = "1.2.3.4" }, func(e *AuditEvent) { e.RequestID = "r" },
		func(e *AuditEvent) { e.PrevHash = "q" },
	}
	for i, change := range variants {
		c := e
		change(&c)
		if c.ComputeHash() == h {
			t.Errorf("variant %d does not change the hash", i)
		}
	}
	c := e
	c.At = c.At.In(time.FixedZone("WIB", 7*3600)).Add(100 * time.Nanosecond)
	if c.ComputeHash() != h {
		t.Error("the zone and sub-microsecond digits must not change the hash (both engines keep microseconds)")
	}
}

func TestAddMonthsKeepsToTheMonth(t *testing.T) {
	for _, c := range []struct {
		from Date
		n    int
		want Date
	}{
		{NewDate(2026, 11, 30), 3, NewDate(2027, 2, 28)},
		{NewDate(2027, 11, 30), 3, NewDate(2028, 2, 29)},
		{NewDate(2026, 8, 30), 6, NewDate(2027, 2, 28)},
		{NewDate(2026, 1, 31), 1, NewDate(2026, 2, 28)},
		{NewDate(2026, 5, 15), 12, NewDate(2027, 5, 15)},
		{NewDate(2026, 12, 31), 1, NewDate(2027, 1, 31)},
	} {
		if got := c.from.AddMonths(c.n); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}
