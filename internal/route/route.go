// Package route is the HTTP plumbing that the web pages and the JSON API
// share: a route table in which every route names the action of the
// authorization policy it performs (or says it is public), and the signed-in
// actor carried in the request's context.
package route

import (
	"context"
	"net/http"
	"slices"

	"binakerja"
	"binakerja/internal/app"
)

// Public marks a route that needs nobody signed in.
const Public binakerja.Action = "public"

// HandlerFunc is an HTTP handler whose error is answered in one place, by the
// table's OnError.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one entry of a table.
type Route struct {
	Pattern string
	Action  binakerja.Action
}

// Table registers routes on a ServeMux and remembers them, so that tests can
// walk every route.
type Table struct {
	Mux    *http.ServeMux
	Routes []Route
	// OnError answers a handler's error; Unauthenticated and Forbidden
	// errors from the coarse role check below arrive here too.
	OnError func(w http.ResponseWriter, r *http.Request, err error)
	// OnDenied, when set, hears of every request of a signed-in user refused
	// as forbidden or not found, for the audit trail: a probe of another
	// organisation's records looks like either.
	OnDenied func(r *http.Request, pattern string, action binakerja.Action, err error)
}

// NewTable returns an empty table on a new ServeMux.
func NewTable(onError func(w http.ResponseWriter, r *http.Request, err error)) *Table {
	return &Table{Mux: http.NewServeMux(), OnError: onError}
}

// Handle registers h for pattern. Unless action is Public, the request must
// come from a signed-in user holding a role that the policy allows action to
// somewhere; where exactly (the scope) is checked by the application.
func (t *Table) Handle(pattern string, action binakerja.Action, h HandlerFunc) {
	t.Routes = append(t.Routes, Route{Pattern: pattern, Action: action})
	t.Mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if action != Public {
			u := ActorFrom(r.Context()).User
			if u == nil {
				t.OnError(w, r, binakerja.Errorf(binakerja.Unauthenticated, "auth.required"))
				return
			}
			if !slices.ContainsFunc(u.Grants, func(g binakerja.Grant) bool { return binakerja.Allows(g.Role, action) }) {
				err := binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
				t.denied(r, pattern, action, err)
				t.OnError(w, r, err)
				return
			}
		}
		if err := h(w, r); err != nil {
			if binakerja.ErrorKind(err) == binakerja.NotFound && action != Public {
				t.denied(r, pattern, action, err)
			}
			t.OnError(w, r, err)
		}
	}))
}

func (t *Table) denied(r *http.Request, pattern string, action binakerja.Action, err error) {
	if t.OnDenied != nil && ActorFrom(r.Context()).User != nil {
		t.OnDenied(r, pattern, action, err)
	}
}

type actorKey struct{}

// WithActor returns ctx carrying the actor of the request.
func WithActor(ctx context.Context, ac app.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, ac)
}

// ActorFrom returns the actor of the request: User is nil when nobody is
// signed in.
func ActorFrom(ctx context.Context) app.Actor {
	ac, _ := ctx.Value(actorKey{}).(app.Actor)
	return ac
}

// Status returns the HTTP status code for an error of the given kind.
func Status(k binakerja.Kind) int {
	switch k {
	case binakerja.BadRequest:
		return http.StatusBadRequest
	case binakerja.Invalid:
		return http.StatusUnprocessableEntity
	case binakerja.NotFound:
		return http.StatusNotFound
	case binakerja.Conflict:
		return http.StatusConflict
	case binakerja.Forbidden:
		return http.StatusForbidden
	case binakerja.Unauthenticated:
		return http.StatusUnauthorized
	case binakerja.TooLarge:
		return http.StatusRequestEntityTooLarge
	case binakerja.Unsupported:
		return http.StatusUnsupportedMediaType
	case binakerja.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}
