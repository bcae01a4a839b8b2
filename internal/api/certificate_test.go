package api_test

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"binakerja"
	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
)

// forbidden are words and codes that would tell where a certificate was
// earned; none may appear on a certificate, its credential or its page.
var forbidden = []string{"Lapas", "LAPAS", "Pemasyarakatan", "narapidana", "Narapidana", "warga binaan", "Warga binaan",
	"Martapura", "LP-MARTAPURA", "Rutan", "Ditjenpas", "B.I-"}

// certify runs the certification of one demo person through the API and
// returns the person, the assessment and the results answer.
func certify(t *testing.T, env *servertest.Env) (int64, int64, *servertest.Response) {
	t.Helper()
	cohorts := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/cohorts?program=PRG-TKK", Token: env.Tokens[binakerja.RoleFacilityOfficer]})
	var cs struct{ Items []struct{ ID int64 } }
	json.Unmarshal(cohorts.Body, &cs)
	// The demo's running carpentry cohort is the newest; enrol someone there.
	officer := env.Tokens[binakerja.RoleFacilityOfficer]
	var cid int64
	for _, c := range cs.Items {
		r := env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/api/v1/cohorts/%d", c.ID), Token: officer})
		if strings.Contains(string(r.Body), `"status":"TERDAFTAR"`) {
			cid = c.ID
			break
		}
	}
	if cid == 0 {
		t.Fatalf("no running cohort in the demo world: %s", cohorts.Body)
	}
	r := env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/api/v1/cohorts/%d", cid), Token: officer})
	var detail struct {
		StartDate   string `json:"start_date"`
		Enrollments []struct {
			InmateID int64 `json:"inmate_id"`
			Status   string
		}
	}
	json.Unmarshal(r.Body, &detail)
	var person int64
	for _, e := range detail.Enrollments {
		if e.Status == "TERDAFTAR" {
			person = e.InmateID
		}
	}
	today := binakerja.DateOf(time.Now())
	r = env.Do(t, servertest.Request{Method: "PUT", Path: "/api/v1/organizations/LSP-KARYA-SUMSEL/certificate-pattern",
		Token: env.Tokens[binakerja.RoleAssessor], Body: `{"pattern":"{KBJI} {LEVEL} {SERIAL} {YEAR}"}`})
	if r.StatusCode != 200 {
		t.Fatalf("pattern: %d %s", r.StatusCode, r.Body)
	}
	if r := env.Do(t, servertest.Request{Method: "PUT", Path: "/api/v1/organizations/LSP-KARYA-SUMSEL/certificate-pattern",
		Token: env.Tokens[binakerja.RoleAssessor], Body: `{"pattern":"{KBJI}-{COUNT}"}`}); r.StatusCode != 422 {
		t.Fatalf("a pattern without a serial: %d", r.StatusCode)
	}
	r = post(t, env, binakerja.RoleAssessor, "/api/v1/assessments", fmt.Sprintf(`{"cohort_id":%d,"certification_body":"LSP-KARYA-SUMSEL",
		"assessor_name":"Dewi Kartika","assessor_number":"MET.000.001234.2019","date":"%s"}`, cid, today))
	var as struct{ ID int64 }
	json.Unmarshal(r.Body, &as)
	if r.StatusCode != 201 {
		t.Fatalf("assessment: %d %s", r.StatusCode, r.Body)
	}
	path := fmt.Sprintf("/api/v1/assessments/%d/results", as.ID)
	r = post(t, env, binakerja.RoleAssessor, path, fmt.Sprintf(`{"inmate_id":%d,"units":[{"code":"F.45KYU01.001.1","result":"K"},
		{"code":"F.45KYU01.005.1","result":"BK"},{"code":"F.45KYU01.010.1","result":"K"}]}`, person))
	if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"result":"BK","certificate":null`) {
		t.Fatalf("a BK unit: %d %s", r.StatusCode, r.Body)
	}
	r = post(t, env, binakerja.RoleAssessor, path, fmt.Sprintf(`{"inmate_id":%d,"units":[{"code":"F.45KYU01.005.1","result":"K"}]}`, person))
	if r.StatusCode != 200 || !strings.Contains(string(r.Body), `"result":"K"`) || !strings.Contains(string(r.Body), `"verification_url":"http://binakerja.test/v/`) {
		t.Fatalf("the re-assessed unit completes the scheme: %d %s", r.StatusCode, r.Body)
	}
	return person, as.ID, r
}

func TestCertificationIssuesAVerifiableCredentialAndRevocationShows(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		person, assessment, r := certify(t, env)
		var out struct {
			Certificate struct {
				ID              int64
				Number          string
				VerificationURL string `json:"verification_url"`
			}
		}
		json.Unmarshal(r.Body, &out)
		cert := fmt.Sprintf("/api/v1/certificates/%d", out.Certificate.ID)
		if !regexp.MustCompile(`^7115 2 \d{7} \d{4}$`).MatchString(out.Certificate.Number) {
			t.Fatalf("the number does not follow the body's pattern: %q", out.Certificate.Number)
		}

		// Bad input: a unit of another scheme, someone not enrolled.
		bad := post(t, env, binakerja.RoleAssessor, fmt.Sprintf("/api/v1/assessments/%d/results", assessment),
			fmt.Sprintf(`{"inmate_id":%d,"units":[{"code":"A.011100.001.01","result":"K"}]}`, person))
		if bad.StatusCode != 422 || fieldsOf(decodeError(t, bad)) != "units[0].code" {
			t.Fatalf("a unit of another scheme: %d %s", bad.StatusCode, bad.Body)
		}

		stranger := post(t, env, binakerja.RoleAssessor, fmt.Sprintf("/api/v1/assessments/%d/results", assessment),
			`{"inmate_id":999999,"units":[{"code":"F.45KYU01.001.1","result":"K"}]}`)
		if stranger.StatusCode != 422 || fieldsOf(decodeError(t, stranger)) != "inmate_id" {
			t.Fatalf("a result for someone not enrolled: %d %s", stranger.StatusCode, stranger.Body)
		}

		// The credential verifies with another JOSE library, against the
		// published key set.
		r = env.Do(t, servertest.Request{Method: "GET", Path: cert + "/credential", Token: env.Tokens[binakerja.RoleFacilityOfficer]})
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/vc+jwt" {
			t.Fatalf("credential: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		jwsText := string(r.Body)
		keys := jwksKeys(t, env)
		claims := verifyWithGolangJWT(t, jwsText, keys)
		subject := claims["credentialSubject"].(map[string]any)
		achievement := subject["achievement"].(map[string]any)
		if achievement["humanCode"] != "SKM-TKK-2" || claims["issuer"].(map[string]any)["name"] != "LSP Karya Mandiri Sumatera Selatan" {
			t.Fatalf("credential content: %v", claims)
		}
		entries := claims["credentialStatus"].([]any)
		status := entries[0].(map[string]any)
		if len(entries) != 2 || status["statusPurpose"] != "revocation" || entries[1].(map[string]any)["statusPurpose"] != "suspension" {
			t.Fatalf("credential status entries: %v", entries)
		}
		var index int
		fmt.Sscan(status["statusListIndex"].(string), &index)
		payload, _ := json.Marshal(claims)
		for _, w := range forbidden {
			if strings.Contains(string(payload), w) {
				t.Errorf("the credential contains %q", w)
			}
		}
		tampered := []byte(jwsText)
		dot := bytes.IndexByte(tampered, '.')
		tampered[dot+5] ^= 1
		if _, err := jwt.Parse(string(tampered), keyFunc(keys), jwt.WithValidMethods([]string{"EdDSA"})); err == nil {
			t.Fatal("a tampered credential must not verify")
		}

		// The public page: valid, and nothing on it tells of a prison.
		code := out.Certificate.VerificationURL[strings.LastIndex(out.Certificate.VerificationURL, "/")+1:]
		page := env.Do(t, servertest.Request{Method: "GET", Path: "/v/" + code})
		if page.StatusCode != 200 || !strings.Contains(string(page.Body), "Sertifikat ini sah dan berlaku.") {
			t.Fatalf("verification page: %d", page.StatusCode)
		}
		for _, w := range forbidden {
			if strings.Contains(string(page.Body), w) || strings.Contains(out.Certificate.VerificationURL, w) || strings.Contains(out.Certificate.Number, w) {
				t.Errorf("the verification page, its URL or the number contains %q", w)
			}
		}
		if statusBit(t, env, keys, "/status/1", index) || statusBit(t, env, keys, "/status/2", index) {
			t.Fatal("an active certificate's bit is set")
		}
		// Suspension shows in its own list and on the page, and lifts.
		if r := post(t, env, binakerja.RoleAssessor, cert+"/suspend", `{"reason":"nama diperiksa ulang"}`); r.StatusCode != 200 {
			t.Fatalf("suspend: %d %s", r.StatusCode, r.Body)
		}
		if !statusBit(t, env, keys, "/status/2", index) || statusBit(t, env, keys, "/status/1", index) {
			t.Fatal("a suspended certificate must show in the suspension list only")
		}
		if page := env.Do(t, servertest.Request{Method: "GET", Path: "/v/" + code}); !strings.Contains(string(page.Body), "dibekukan") {
			t.Fatal("the page does not show the suspension")
		}
		if r := post(t, env, binakerja.RoleAssessor, cert+"/reinstate", `{"reason":"nama sudah benar"}`); r.StatusCode != 200 {
			t.Fatalf("reinstate: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleAssessor, cert+"/reinstate", `{"reason":"lagi"}`); r.StatusCode != 409 {
			t.Fatalf("reinstating an active certificate: %d", r.StatusCode)
		}
		if statusBit(t, env, keys, "/status/2", index) {
			t.Fatal("a reinstated certificate must leave the suspension list")
		}

		// Revocation shows at once, in the list and on the page.
		if r := post(t, env, binakerja.RoleFacilityOfficer, cert+"/revoke", `{"reason":"x"}`); r.StatusCode != 403 {
			t.Fatalf("a facility officer revoking: %d", r.StatusCode)
		}
		if r := post(t, env, binakerja.RoleAssessor, cert+"/revoke", `{"reason":"data asesmen keliru"}`); r.StatusCode != 200 {
			t.Fatalf("revoke: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleAssessor, cert+"/revoke", `{"reason":"lagi"}`); r.StatusCode != 409 {
			t.Fatalf("a second revocation: %d", r.StatusCode)
		}
		if !statusBit(t, env, keys, "/status/1", index) {
			t.Fatal("the revoked certificate's bit is not set")
		}
		page = env.Do(t, servertest.Request{Method: "GET", Path: "/v/" + code})
		if !strings.Contains(string(page.Body), "sudah dicabut") {
			t.Fatal("the page does not show the revocation")
		}
		if r := env.Do(t, servertest.Request{Method: "GET", Path: "/v/NOSUCHCODE1"}); r.StatusCode != 404 {
			t.Fatalf("an unknown code: %d", r.StatusCode)
		}
	})
}

func jwksKeys(t *testing.T, env *servertest.Env) map[string]ed25519.PublicKey {
	t.Helper()
	r := env.Do(t, servertest.Request{Method: "GET", Path: "/.well-known/jwks.json"})
	var set struct {
		Keys []struct{ Kty, Crv, X, Kid, Alg string }
	}
	if err := json.Unmarshal(r.Body, &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("jwks: %v %s", err, r.Body)
	}
	out := map[string]ed25519.PublicKey{}
	for _, k := range set.Keys {
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || k.Kty != "OKP" || k.Crv != "Ed25519" || len(x) != ed25519.PublicKeySize {
			t.Fatalf("jwk %+v", k)
		}
		out[k.Kid] = ed25519.PublicKey(x)
	}
	return out
}

func keyFunc(keys map[string]ed25519.PublicKey) jwt.Keyfunc {
	return func(tok *jwt.Token) (any, error) {
		k, ok := keys[fmt.Sprint(tok.Header["kid"])]
		if !ok {
			return nil, fmt.Errorf("unknown kid %v", tok.Header["kid"])
		}
		return k, nil
	}
}

// verifyWithGolangJWT checks the signature of a credential with golang-jwt,
// a JOSE library independent of the one that signed, and returns the
// payload.
func verifyWithGolangJWT(t *testing.T, s string, keys map[string]ed25519.PublicKey) jwt.MapClaims {
	t.Helper()
	return verifyTyped(t, s, keys, "vc+jwt")
}

// verifyTyped checks the signature and the media type of a JWS with
// golang-jwt and returns the payload.
func verifyTyped(t *testing.T, s string, keys map[string]ed25519.PublicKey, typ string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(s, claims, keyFunc(keys), jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithoutClaimsValidation())
	if err != nil || !tok.Valid || tok.Header["typ"] != typ {
		t.Fatalf("the credential does not verify: %v %v", err, tok.Header)
	}
	return claims
}

// statusBit fetches and verifies the status list and reads one bit.
func statusBit(t *testing.T, env *servertest.Env, keys map[string]ed25519.PublicKey, list string, index int) bool {
	t.Helper()
	r := env.Do(t, servertest.Request{Method: "GET", Path: list})
	claims := verifyWithGolangJWT(t, string(r.Body), keys)
	enc := claims["credentialSubject"].(map[string]any)["encodedList"].(string)
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(enc, "u"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	bits, _ := io.ReadAll(zr)
	if len(bits) != binakerja.StatusListSize/8 {
		t.Fatalf("status list of %d bytes", len(bits))
	}
	return bits[index/8]&(0x80>>(index%8)) != 0
}

func TestReplacementReissuesTheCertificateAndRevokesTheOld(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		_, _, r := certify(t, env)
		var out struct {
			Certificate certificateBody
		}
		json.Unmarshal(r.Body, &out)
		keys := jwksKeys(t, env)
		path := fmt.Sprintf("/api/v1/certificates/%d", out.Certificate.ID)
		var old certificateBody
		json.Unmarshal(env.Do(t, servertest.Request{Method: "GET", Path: path, Token: env.Tokens[binakerja.RoleAssessor]}).Body, &old)

		if r := post(t, env, binakerja.RoleAssessor, path+"/replace", `{"reason":"  "}`); r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "reason" {
			t.Fatalf("a replacement without a reason: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleFacilityOfficer, path+"/replace", `{"reason":"hilang"}`); r.StatusCode != 403 {
			t.Fatalf("a facility officer replacing: %d", r.StatusCode)
		}
		oldIndex := credentialIndex(t, env, keys, old.ID)
		r = post(t, env, binakerja.RoleAssessor, path+"/replace", `{"reason":"kertas hilang"}`)
		if r.StatusCode != 201 {
			t.Fatalf("replace: %d %s", r.StatusCode, r.Body)
		}
		var repl certificateBody
		json.Unmarshal(r.Body, &repl)
		if repl.ID == old.ID || repl.Number == old.Number || repl.VerificationURL == old.VerificationURL || repl.Replaces != old.ID ||
			repl.Status != "AKTIF" || repl.IssuedOn != old.IssuedOn || repl.ExpiresOn != old.ExpiresOn ||
			repl.Scheme != old.Scheme || repl.HolderName != old.HolderName || repl.InmateID != old.InmateID {
			t.Fatalf("the replacement %+v of %+v", repl, old)
		}

		var now certificateBody
		r = env.Do(t, servertest.Request{Method: "GET", Path: path, Token: env.Tokens[binakerja.RoleAssessor]})
		json.Unmarshal(r.Body, &now)
		if now.Status != "DIGANTI" || now.ReplacedBy != repl.ID || now.RevokeReason != "kertas hilang" {
			t.Fatalf("the old certificate after replacement: %s", r.Body)
		}
		// The old credential is revoked; the new one stands.
		if !statusBit(t, env, keys, "/status/1", oldIndex) {
			t.Fatal("the replaced certificate's credential is not revoked")
		}
		if statusBit(t, env, keys, "/status/1", credentialIndex(t, env, keys, repl.ID)) {
			t.Fatal("the replacement's credential reads revoked")
		}
		oldPage := env.Do(t, servertest.Request{Method: "GET", Path: "/v/" + lastPart(old.VerificationURL)})
		if !strings.Contains(string(oldPage.Body), "sudah diganti") || strings.Contains(string(oldPage.Body), lastPart(repl.VerificationURL)) {
			t.Fatal("the old page must say it was replaced, without leading to the new code")
		}
		if page := env.Do(t, servertest.Request{Method: "GET", Path: "/v/" + lastPart(repl.VerificationURL)}); !strings.Contains(string(page.Body), "sah dan berlaku") {
			t.Fatal("the replacement's page does not read valid")
		}

		// The replaced certificate's credential is no longer handed out.
		if r := env.Do(t, servertest.Request{Method: "GET", Path: path + "/credential", Token: env.Tokens[binakerja.RoleAssessor]}); r.StatusCode != 409 {
			t.Fatalf("the credential of a replaced certificate: %d", r.StatusCode)
		}
		// A replaced certificate cannot be replaced, suspended or revoked again.
		for _, action := range []string{"/replace", "/suspend", "/revoke"} {
			if r := post(t, env, binakerja.RoleAssessor, path+action, `{"reason":"lagi"}`); r.StatusCode != 409 {
				t.Fatalf("%s on a replaced certificate: %d", action, r.StatusCode)
			}
		}
		audit := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/audit?action=certificate.replace", Token: env.Tokens[binakerja.RoleAdmin]})
		if audit.StatusCode != 200 || !strings.Contains(string(audit.Body), `"action":"certificate.replace"`) {
			t.Fatalf("the replacement is not in the audit trail: %d %s", audit.StatusCode, audit.Body)
		}
	})
}

// certificateBody is a certificate as the API returns it.
type certificateBody struct {
	ID              int64
	Number          string
	InmateID        int64  `json:"inmate_id"`
	HolderName      string `json:"holder_name"`
	Scheme          string
	IssuedOn        string `json:"issued_on"`
	ExpiresOn       string `json:"expires_on"`
	Status          string
	RevokeReason    string `json:"revoke_reason"`
	Replaces        int64
	ReplacedBy      int64  `json:"replaced_by"`
	VerificationURL string `json:"verification_url"`
}

func lastPart(url string) string { return url[strings.LastIndex(url, "/")+1:] }

// credentialIndex returns the revocation status-list index in a certificate's
// signed credential.
func credentialIndex(t *testing.T, env *servertest.Env, keys map[string]ed25519.PublicKey, id int64) int {
	t.Helper()
	r := env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/api/v1/certificates/%d/credential", id),
		Token: env.Tokens[binakerja.RoleAssessor]})
	if r.StatusCode != 200 {
		t.Fatalf("credential %d: %d", id, r.StatusCode)
	}
	claims := verifyWithGolangJWT(t, string(r.Body), keys)
	entry := claims["credentialStatus"].([]any)[0].(map[string]any)
	var index int
	fmt.Sscan(entry["statusListIndex"].(string), &index)
	return index
}

func TestOnlyTheEngagedBodyAssessesACohort(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		start := binakerja.DateOf(time.Now()).AddDate(0, 0, -7)
		r := post(t, env, binakerja.RoleLabourOfficer, "/api/v1/cohorts", fmt.Sprintf(`{"program":"PRG-TKK","facility":"LP-MARTAPURA",
			"start_date":"%s","end_date":"%s","capacity":5,"certification_body":"BLK-OKUT"}`, start, start.AddDate(0, 2, 0)))
		if r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "certification_body" {
			t.Fatalf("a training provider as certification body: %d %s", r.StatusCode, r.Body)
		}
		r = post(t, env, binakerja.RoleLabourOfficer, "/api/v1/cohorts", fmt.Sprintf(`{"program":"PRG-TKK","facility":"LP-MARTAPURA",
			"start_date":"%s","end_date":"%s","capacity":5}`, start, start.AddDate(0, 2, 0)))
		var c struct {
			ID                int64
			CertificationBody string `json:"certification_body"`
		}
		json.Unmarshal(r.Body, &c)
		if r.StatusCode != 201 || c.CertificationBody != "" {
			t.Fatalf("a cohort without a body yet: %d %s", r.StatusCode, r.Body)
		}
		assessor := env.Tokens[binakerja.RoleAssessor]
		listed := func() bool {
			r := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/cohorts?program=PRG-TKK", Token: assessor})
			return strings.Contains(string(r.Body), fmt.Sprintf(`"id":%d,`, c.ID))
		}
		assess := func() *servertest.Response {
			return post(t, env, binakerja.RoleAssessor, "/api/v1/assessments", fmt.Sprintf(`{"cohort_id":%d,
				"certification_body":"LSP-KARYA-SUMSEL","assessor_name":"Dewi Kartika","assessor_number":"MET.000.001234.2019",
				"date":"%s"}`, c.ID, binakerja.DateOf(time.Now())))
		}
		engage := func(role binakerja.Role, body string) *servertest.Response {
			return env.Do(t, servertest.Request{Method: "PUT", Path: fmt.Sprintf("/api/v1/cohorts/%d/certification-body", c.ID),
				Token: env.Tokens[role], Body: `{"certification_body":"` + body + `"}`})
		}
		if listed() {
			t.Fatal("a cohort with no body yet shows to an assessor")
		}
		if r := engage(binakerja.RoleLabourOfficer, "LSP-TEKNIKA-SUMSEL"); r.StatusCode != 200 || !strings.Contains(string(r.Body), "LSP-TEKNIKA-SUMSEL") {
			t.Fatalf("engage: %d %s", r.StatusCode, r.Body)
		}
		if listed() {
			t.Fatal("the cohort shows to another body's assessor")
		}
		if r := assess(); r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "cohort_id" {
			t.Fatalf("another body assesses: %d %s", r.StatusCode, r.Body)
		}
		if r := engage(binakerja.RoleAssessor, "LSP-KARYA-SUMSEL"); r.StatusCode != 403 {
			t.Fatalf("an assessor engaging their own body: %d", r.StatusCode)
		}
		if r := engage(binakerja.RoleLabourOfficer, "NOPE"); r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "certification_body" {
			t.Fatalf("an unknown body: %d %s", r.StatusCode, r.Body)
		}
		if r := engage(binakerja.RoleLabourOfficer, "LSP-KARYA-SUMSEL"); r.StatusCode != 200 {
			t.Fatalf("engage: %d %s", r.StatusCode, r.Body)
		}
		if !listed() {
			t.Fatal("the engaged body's assessor does not see the cohort")
		}
		r = assess()
		if r.StatusCode != 201 {
			t.Fatalf("the engaged body assesses: %d %s", r.StatusCode, r.Body)
		}
		first := c.ID
		var firstAssessment struct{ ID int64 }
		json.Unmarshal(r.Body, &firstAssessment)
		// A cohort planned without a body (the contract's fields only) is
		// assessed by no body until its planners engage one: an assessor
		// who guesses its id neither engages their own body nor learns who
		// is in it. Engaged, the contract's assessment naming the body goes
		// through.
		r = post(t, env, binakerja.RoleLabourOfficer, "/api/v1/cohorts", fmt.Sprintf(`{"program":"PRG-TKK","facility":"LP-MARTAPURA",
			"start_date":"%s","end_date":"%s","capacity":5}`, start, start.AddDate(0, 2, 0)))
		json.Unmarshal(r.Body, &c)
		if r := assess(); r.StatusCode != 422 || fieldsOf(decodeError(t, r)) != "cohort_id" {
			t.Fatalf("a body assessing a cohort no one engaged it for: %d %s", r.StatusCode, r.Body)
		}
		if r := env.Do(t, servertest.Request{Method: "GET", Path: fmt.Sprintf("/api/v1/cohorts/%d", c.ID), Token: env.Tokens[binakerja.RoleLabourOfficer]}); r.StatusCode != 200 || strings.Contains(string(r.Body), "LSP-KARYA-SUMSEL") {
			t.Fatalf("the refused assessment engaged the body: %d %s", r.StatusCode, r.Body)
		}
		if listed() {
			t.Fatal("a cohort with no body yet shows to an assessor after a refused assessment")
		}
		if r := engage(binakerja.RoleFacilityOfficer, "LSP-KARYA-SUMSEL"); r.StatusCode != 200 {
			t.Fatalf("the facility engages: %d %s", r.StatusCode, r.Body)
		}
		if r := assess(); r.StatusCode != 201 {
			t.Fatalf("the body the planners engaged assesses: %d %s", r.StatusCode, r.Body)
		}
		if !listed() {
			t.Fatal("the engaged body's assessor does not see the cohort")
		}
		// A body the planners replace certifies no one more in its earlier
		// assessment of the cohort.
		c.ID = first
		if r := engage(binakerja.RoleLabourOfficer, "LSP-TEKNIKA-SUMSEL"); r.StatusCode != 200 {
			t.Fatalf("engage another body: %d %s", r.StatusCode, r.Body)
		}
		if r := post(t, env, binakerja.RoleAssessor, fmt.Sprintf("/api/v1/assessments/%d/results", firstAssessment.ID),
			`{"inmate_id":1,"units":[{"code":"F.45KYU01.001.1","result":"K"}]}`); r.StatusCode != 404 {
			t.Fatalf("results in the assessment of a body no longer engaged: %d %s", r.StatusCode, r.Body)
		}
		audit := env.Do(t, servertest.Request{Method: "GET", Path: "/api/v1/audit?action=cohort.engage_body", Token: env.Tokens[binakerja.RoleAdmin]})
		if strings.Count(string(audit.Body), `"action":"cohort.engage_body"`) != 4 {
			t.Fatalf("the engagements in the audit trail: %s", audit.Body)
		}
	})
}

func TestTheTrustListIsSignedAndNamesTheBodiesAndKeys(t *testing.T) {
	pgtest.Engines(t, func(t *testing.T, dsn string) {
		env := servertest.New(t, dsn)
		r := env.Do(t, servertest.Request{Method: "GET", Path: "/trust-list"})
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/jwt" {
			t.Fatalf("trust list: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		keys := jwksKeys(t, env)
		claims := verifyTyped(t, string(r.Body), keys, "trust-list+jwt")
		var list struct {
			Issuers []struct{ ID, Name string }
			Keys    []struct{ Kid, X string }
			Status  []string `json:"status_lists"`
		}
		b, _ := json.Marshal(claims)
		json.Unmarshal(b, &list)
		var bodies []string
		for _, i := range list.Issuers {
			bodies = append(bodies, lastPart(i.ID)+"="+i.Name)
		}
		if !strings.Contains(strings.Join(bodies, ";"), "LSP-KARYA-SUMSEL=LSP Karya Mandiri Sumatera Selatan") ||
			len(list.Issuers) != 2 || len(list.Status) != 2 {
			t.Fatalf("trust list content: %s", b)
		}
		if len(list.Keys) != len(keys) {
			t.Fatalf("the trust list holds %d keys, the key set %d", len(list.Keys), len(keys))
		}
		for _, k := range list.Keys {
			if base64.RawURLEncoding.EncodeToString(keys[k.Kid]) != k.X {
				t.Fatalf("key %s differs from the published key set", k.Kid)
			}
		}
		exp, _ := claims.GetExpirationTime()
		if exp == nil || exp.Before(time.Now().Add(6*24*time.Hour)) {
			t.Fatalf("the trust list's expiry: %v", exp)
		}
		for _, w := range forbidden {
			if strings.Contains(string(b), w) {
				t.Errorf("the trust list contains %q", w)
			}
		}
	})
}
