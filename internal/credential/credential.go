// Package credential issues verifiable certificates: each competency
// certificate as an Open Badges 3.0 credential (W3C Verifiable Credentials
// 2.0), signed as a compact JWS (VC-JWT) with Ed25519, in the name of the
// certification body that assessed the holder; the issuers' public keys as a
// JWK Set; and the revocation status list as a W3C Bitstring Status List.
// Nothing in a credential names a prison, a register number or a custody
// period: the link to the custody record stays in the database.
package credential

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"binakerja"
	"binakerja/internal/keys"
)

// MediaType is the media type of a credential secured as a JWS.
const MediaType = "application/vc+jwt"

type signingKey struct {
	kid     string
	private ed25519.PrivateKey
	retired bool
}

// Issuer signs credentials with the ring's keys: the newest signs, older
// ones stay published so that what they signed keeps verifying.
type Issuer struct {
	keys    []signingKey
	baseURL string
}

// New returns an issuer over the key ring, for a site at baseURL.
func New(ring *keys.Ring, baseURL string) *Issuer {
	is := &Issuer{baseURL: baseURL}
	for i, r := range ring.Roots {
		is.keys = append(is.keys, signingKey{kid: fmt.Sprintf("key-%d", r.ID),
			private: ed25519.NewKeyFromSeed(r.Derive(keys.Signing)), retired: i < len(ring.Roots)-1})
	}
	return is
}

// VerificationURL is the public page of a certificate.
func (is *Issuer) VerificationURL(code string) string { return is.baseURL + "/v/" + code }

// Status list purposes, each with its own list.
const (
	Revocation = "revocation"
	Suspension = "suspension"
)

// StatusListURL is the address of the status list of a purpose: /status/1
// for revocation, /status/2 for suspension.
func (is *Issuer) StatusListURL(purpose string) string {
	if purpose == Suspension {
		return is.baseURL + "/status/2"
	}
	return is.baseURL + "/status/1"
}

// JWKS returns the issuers' public keys, current and retired, as a JWK Set.
func (is *Issuer) JWKS() ([]byte, error) {
	return json.Marshal(jose.JSONWebKeySet{Keys: is.publicKeys()})
}

// publicKeys returns the public halves of the ring's keys, oldest first.
func (is *Issuer) publicKeys() []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, k := range is.keys {
		out = append(out, jose.JSONWebKey{Key: k.private.Public(), KeyID: k.kid, Algorithm: string(jose.EdDSA), Use: "sig"})
	}
	return out
}

func (is *Issuer) sign(payload any) (string, error) { return is.signAs(payload, "vc+jwt") }

// signAs signs payload with the newest key, as a JWS of media type typ.
func (is *Issuer) signAs(payload any, typ jose.ContentType) (string, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	k := is.keys[len(is.keys)-1]
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: k.private},
		(&jose.SignerOptions{}).WithType(typ).WithHeader("kid", k.kid))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(b)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func instant(d binakerja.Date) string { return d.Time().UTC().Format(time.RFC3339) }

// Credential returns the certificate as a signed Open Badges 3.0 credential.
// units are the scheme's units, each aligned to its SKKNI code.
func (is *Issuer) Credential(c *binakerja.Certificate, units []binakerja.Unit) (string, error) {
	var alignment []map[string]any
	for _, u := range units {
		alignment = append(alignment, map[string]any{"type": []string{"Alignment"}, "targetType": "ceasn:Competency",
			"targetFramework": "SKKNI", "targetCode": u.Code, "targetName": u.Title,
			"targetUrl": is.baseURL + "/units/" + u.Code})
	}
	vc := map[string]any{
		"@context": []string{"https://www.w3.org/ns/credentials/v2",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":   "urn:binakerja:certificate:" + c.Code,
		"type": []string{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer": map[string]any{"id": is.baseURL + "/issuers/" + c.Issuer, "type": []string{"Profile"},
			"name": c.IssuerName},
		"validFrom":  instant(c.IssuedOn),
		"validUntil": instant(c.ExpiresOn),
		"name":       "Sertifikat Kompetensi – " + c.SchemeTitle,
		"credentialSubject": map[string]any{
			"type": []string{"AchievementSubject"},
			"identifier": []map[string]any{{"type": "IdentityObject", "identityType": "name", "hashed": false,
				"identityHash": c.HolderName}},
			"achievement": map[string]any{
				"id": is.baseURL + "/achievements/" + c.Scheme, "type": []string{"Achievement"},
				"achievementType": "Certification", "name": c.SchemeTitle, "humanCode": c.Scheme,
				"description": fmt.Sprintf("Sertifikat kompetensi skema %s, jenjang KKNI %d.", c.Scheme, c.KKNILevel),
				"criteria":    map[string]any{"narrative": "Assessed competent (K) against every unit of scheme " + c.Scheme + "."},
				"alignment":   alignment,
			},
		},
		"credentialStatus": []map[string]any{is.statusEntry(Revocation, c.StatusIndex), is.statusEntry(Suspension, c.StatusIndex)},
		"credentialSchema": []map[string]any{{"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
			"type": "1EdTechJsonSchemaValidator2019"}},
	}
	return is.sign(vc)
}

func (is *Issuer) statusEntry(purpose string, index int) map[string]any {
	return map[string]any{"id": fmt.Sprintf("%s#%d", is.StatusListURL(purpose), index), "type": "BitstringStatusListEntry",
		"statusPurpose": purpose, "statusListIndex": fmt.Sprint(index), "statusListCredential": is.StatusListURL(purpose)}
}

// EncodeStatusList returns the bitstring with the given indexes set, gzipped
// and base64url-encoded with the multibase prefix "u", as the W3C Bitstring
// Status List encodes it (bit 0 is the first bit of the first byte).
func EncodeStatusList(set []int) (string, error) {
	bits := make([]byte, binakerja.StatusListSize/8)
	for _, i := range set {
		if i >= 0 && i < binakerja.StatusListSize {
			bits[i/8] |= 0x80 >> (i % 8)
		}
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// StatusList returns the signed status list credential of a purpose, with
// the given indexes set, valid for a day from now.
func (is *Issuer) StatusList(purpose string, set []int, now time.Time) (string, error) {
	encoded, err := EncodeStatusList(set)
	if err != nil {
		return "", err
	}
	now = now.UTC().Truncate(time.Second)
	return is.sign(map[string]any{
		"@context":   []string{"https://www.w3.org/ns/credentials/v2"},
		"id":         is.StatusListURL(purpose),
		"type":       []string{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":     is.baseURL,
		"validFrom":  now.Format(time.RFC3339),
		"validUntil": now.Add(24 * time.Hour).Format(time.RFC3339),
		"credentialSubject": map[string]any{"id": is.StatusListURL(purpose) + "#list", "type": "BitstringStatusList",
			"statusPurpose": purpose, "encodedList": encoded},
	})
}

// TrustedIssuer is a certification body as the trust list names it.
type TrustedIssuer struct {
	Code, Name string
}

// TrustListMediaType is the media type of the signed trust list.
const TrustListMediaType = "application/jwt"

// TrustList returns the signed trust list an offline verifier caches: the
// issuers whose credentials this site signs, the public keys (current and
// retired) that sign them, and the status lists to check, valid for a week
// from now.
func (is *Issuer) TrustList(issuers []TrustedIssuer, now time.Time) (string, error) {
	list := []map[string]string{}
	for _, i := range issuers {
		list = append(list, map[string]string{"id": is.baseURL + "/issuers/" + i.Code, "name": i.Name})
	}
	now = now.UTC().Truncate(time.Second)
	return is.signAs(map[string]any{
		"iss":          is.baseURL,
		"iat":          now.Unix(),
		"exp":          now.Add(7 * 24 * time.Hour).Unix(),
		"issuers":      list,
		"keys":         is.publicKeys(),
		"status_lists": []string{is.StatusListURL(Revocation), is.StatusListURL(Suspension)},
	}, "trust-list+jwt")
}
