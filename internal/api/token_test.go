package api_test

import (
	"testing"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/servertest"
)

// TestAPITokensEndWithThePasswordAndAfter90Days: a token made under a
// password stopped working neither when the password changed nor ever.
func TestAPITokensEndWithThePasswordAndAfter90Days(t *testing.T) {
	env := servertest.New(t, "sqlite:"+t.TempDir()+"/t.db")
	me := func(role binakerja.Role) int {
		return env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/me", Token: env.Tokens[role]}).StatusCode
	}
	if me(binakerja.RoleFacilityOfficer) != 200 || me(binakerja.RoleAnalyst) != 200 {
		t.Fatal("the tokens do not work to begin with")
	}
	officer := env.Users[binakerja.RoleFacilityOfficer]
	if err := env.App.ChangePassword(t.Context(), app.Actor{User: officer}, "binakerja-demo", "kopi susu di sore hari"); err != nil {
		t.Fatal(err)
	}
	if got := me(binakerja.RoleFacilityOfficer); got != 401 {
		t.Fatalf("a token after its user's password changed: %d", got)
	}
	env.Clock.Advance(89 * 24 * time.Hour)
	if got := me(binakerja.RoleAnalyst); got != 200 {
		t.Fatalf("a token of 89 days: %d", got)
	}
	env.Clock.Advance(2 * 24 * time.Hour)
	if got := me(binakerja.RoleAnalyst); got != 401 {
		t.Fatalf("a token of 91 days: %d", got)
	}
}
