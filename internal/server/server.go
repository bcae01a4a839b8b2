// Package server puts BinaKerja's HTTP surfaces together: the web pages, the
// JSON API and the health check, behind the middleware every request passes
// (recovery, request id and log, security headers, cross-origin protection,
// authentication), and runs them with timeouts and a graceful shutdown.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/api"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/web"
)

// Server is the HTTP side of BinaKerja.
type Server struct {
	app    *app.App
	log    *slog.Logger
	secure bool
	Web    *web.Handler
	API    *api.Handler
}

// New builds the server. secure says that the site is reached over HTTPS (the
// base URL's scheme), which turns on HSTS and Secure cookies.
func New(a *app.App, log *slog.Logger, secure bool) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w, err := web.New(a, log, secure)
	if err != nil {
		return nil, err
	}
	return &Server{app: a, log: log, secure: secure, Web: w, API: api.New(a, log)}, nil
}

// Routes lists every route of the web pages and the API, with its action.
func (s *Server) Routes() []route.Route {
	return append(append([]route.Route{{Pattern: "GET /healthz", Action: route.Public}}, s.Web.Table.Routes...), s.API.Table.Routes...)
}

// Handler returns the whole site with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.health)
	mux.Handle("/api/", s.API)
	mux.Handle("GET /.well-known/jwks.json", s.API)
	mux.Handle("GET /status/{n}", s.API)
	mux.Handle("GET /trust-list", s.API)
	mux.Handle("/", s.Web)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.deny(w, r)
	}))
	var h http.Handler = mux
	h = s.authenticate(h)
	h = s.plainURL(h)
	h = s.strictOrigin(h)
	h = cop.Handler(h)
	h = s.headers(h)
	h = s.logRequests(h)
	h = s.recover(h)
	return h
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err := s.app.DB().Ping(r.Context()); err != nil {
		s.log.Error("health check", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable"}` + "\n"))
		return
	}
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// recover turns a panic into a 500 with the request id, logging the cause.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "value", fmt.Sprint(v), "request_id", route.ActorFrom(r.Context()).RequestID)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests gives each request an id (returned in X-Request-Id) and logs
// it: method, route pattern, status, duration. The query string is left out,
// since searches may hold names.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(route.WithActor(r.Context(), app.Actor{RequestID: id, IP: web.ClientIP(r)}))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.log.Info("request", "request_id", id, "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration_ms", time.Since(start).Milliseconds())
	})
}

// contentSecurityPolicy allows nothing but this site's own files: no inline
// script, no frames, no plugins.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if s.secure || r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// strictOrigin refuses a state-changing request that carries the session
// cookie but neither Sec-Fetch-Site nor Origin: old browsers that send
// neither cannot be checked, so they may only read. API clients use bearer
// tokens and no cookie, and are not affected.
func (s *Server) strictOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if unsafeMethod(r.Method) && r.Header.Get("Authorization") == "" && r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" {
			if _, err := r.Cookie(web.SessionCookieName(s.secure)); err == nil {
				s.deny(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) deny(w http.ResponseWriter, r *http.Request) {
	err := binakerja.Errorf(binakerja.Forbidden, "error.forbidden")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.API.Table.OnError(w, r, err)
		return
	}
	s.Web.Table.OnError(w, r, err)
}

// authenticate finds who is making the request: an API token in the
// Authorization header (API only), else the session cookie. A bad token is
// refused at once; a stale cookie is cleared and the request goes on
// anonymous.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ac := route.ActorFrom(r.Context())
		isAPI := strings.HasPrefix(r.URL.Path, "/api/")
		if auth := r.Header.Get("Authorization"); auth != "" && isAPI {
			token, ok := strings.CutPrefix(auth, "Bearer ")
			var err error
			if ok {
				ac.User, err = s.app.AuthenticateToken(r.Context(), strings.TrimSpace(token))
				ac.Token, ac.Reauth = true, r.Header.Get("X-BinaKerja-Reauth")
			} else {
				err = binakerja.Errorf(binakerja.Unauthenticated, "auth.token_invalid")
			}
			if err != nil {
				s.API.Table.OnError(w, r, err)
				return
			}
		} else if c, err := r.Cookie(web.SessionCookieName(s.secure)); err == nil && c.Value != "" {
			// A sign-in still waiting for its second step comes in as Pending,
			// with no user: only the second step's pages take it.
			si, err := s.app.Session(r.Context(), c.Value)
			switch {
			case err == nil:
				ac = si.Into(ac)
			case binakerja.ErrorKind(err) == binakerja.Unauthenticated:
				http.SetCookie(w, web.Cookie(s.secure, c.Name, "", -1))
			default:
				s.log.Error("session lookup", "err", err, "request_id", ac.RequestID)
				http.Error(w, "service unavailable", http.StatusServiceUnavailable)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(route.WithActor(r.Context(), ac)))
	})
}

// Run serves on addr until ctx ends, then shuts down gracefully, letting
// requests under way finish for up to 10 seconds. ready, if not nil, gets the
// listening address once the server accepts connections.
func (s *Server) Run(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // imports upload large files
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
