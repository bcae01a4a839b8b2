package server

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"binakerja"
)

// plainURL refuses a request whose path or query, decoded, holds a control
// character or is not UTF-8 (400): no code, id, filter or search of the site
// takes one, and a NUL handed on to PostgreSQL would fail the request with a
// server error instead. The sign-in page's next is left to safeNext, which
// sends anything but a plain path of the site home. Forms and JSON bodies
// are checked where they are read, naming the field.
func (s *Server) plainURL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bad := !plainText(r.URL.Path)
		for k, vs := range r.URL.Query() {
			bad = bad || !plainText(k)
			for _, v := range vs {
				bad = bad || (k != "next" && !plainText(v))
			}
		}
		if !bad {
			next.ServeHTTP(w, r)
			return
		}
		err := binakerja.Errorf(binakerja.BadRequest, "request.control")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			s.API.Table.OnError(w, r, err)
			return
		}
		s.Web.Table.OnError(w, r, err)
	})
}

func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
