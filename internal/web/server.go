package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/cluster"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/deploy"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/monitor"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/override"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/release"
	"github.com/vigil-sre/vigil/internal/report/scheduled"
	"github.com/vigil-sre/vigil/internal/runbook"
	"github.com/vigil-sre/vigil/internal/slo"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/timebound"
	"github.com/vigil-sre/vigil/internal/toil"
)

// Deps is what the HTTP layer needs from the rest of Vigil.
type Deps struct {
	Config func() *config.Config // the running config; it changes on reload
	Tokens func() *auth.Tokens
	// People says who may sign in to the web app and with what scope.
	People  func() *auth.People
	Monitor *monitor.Monitor
	Pager   *pager.Pager
	Links   *pager.Links
	// Runbooks runs SOPs.
	Runbooks *runbook.Engine
	// Incidents keeps incidents and their timelines.
	Incidents *incident.Service
	// SLOs judges service level objectives and their error budgets.
	SLOs *slo.Service
	// Releases keeps release records and writes their as-built documents.
	Releases *release.Service
	// Deploys records deploys, verifies them and guards them.
	Deploys *deploy.Service
	// Toil measures toil; Reports sends scheduled reports.
	Toil    *toil.Ledger
	Reports *scheduled.Scheduler
	// Directory answers who is on call under the running config, with the
	// run-time overrides on top.
	Directory func() *oncall.Directory
	// Overrides keeps the on-call overrides made at run time.
	Overrides *override.Service
	Store     *store.Store
	// Cluster is this replica's view of the replicas sharing the database.
	Cluster *cluster.Node
	// Leader, when set, says where the leading replica serves and whether
	// it is this one; routes wrapped in onLeader are passed on to it.
	Leader  func() (url string, self, ok bool)
	Clock   clock.Clock
	Log     *slog.Logger
	Metrics *prometheus.Registry
	// Reload applies the config from disk; it returns config.Problems when the
	// new config is invalid, in which case the running one stays.
	Reload  func(ctx context.Context) error
	Ready   func(ctx context.Context) error
	Version string
}

// Server serves Vigil's HTTP routes.
type Server struct {
	d       Deps
	pages   *template.Template
	handler http.Handler
	signIn  *signIn
	// streams closes when the server shuts down, ending live pages' event
	// streams, which would otherwise hold the shutdown until its timeout.
	streams   chan struct{}
	closeOnce sync.Once
	// bodies keeps the buffers of ingestion bodies between requests.
	bodies sync.Pool
	slots  streamSlots // live event streams open
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{d: d, pages: pages, signIn: newSignIn(), streams: make(chan struct{})}
	mux := http.NewServeMux()
	s.routes(mux)
	s.handler = s.instrument(recoverPanics(d.Log, withRequestWriter(d.Log, s.crossOrigin(plainBodies(mux)))))
	return s, nil
}

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// CloseStreams ends the event streams of live pages; call it when the HTTP
// server shuts down (http.Server.RegisterOnShutdown). Browsers reconnect to
// whichever server answers next.
func (s *Server) CloseStreams() { s.closeOnce.Do(func() { close(s.streams) }) }

// maxBody caps every request body, whatever the route: the largest a route
// accepts (an Alertmanager batch, an imported chat). Routes set lower
// limits of their own.
const maxBody = 16 << 20

// writeJSON answers with v as JSON. It encodes to a buffer first: a value
// that cannot be encoded (a time outside years 0–9999, say) becomes a
// logged 500, never a 200 with an empty or cut-off body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		if rw := requestWriterOf(w); rw != nil {
			rw.log.Error("encoding the answer failed", "method", rw.r.Method, "path", rw.r.URL.Path, "err", err)
		}
		writeBody(w, http.StatusInternalServerError, internalErrorBody())
		return
	}
	writeBody(w, status, buf.Bytes())
}

// requestWriter is the ResponseWriter every handler gets: it keeps the
// request and the log, so writeJSON can report a failure with its cause.
type requestWriter struct {
	http.ResponseWriter
	r   *http.Request
	log *slog.Logger
}

func (w *requestWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestWriterOf finds the requestWriter under w and any wrappers of it.
func requestWriterOf(w http.ResponseWriter) *requestWriter {
	for w != nil {
		if rw, ok := w.(*requestWriter); ok {
			return rw
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}

// withRequestWriter hands every handler a requestWriter and a body capped
// at maxBody.
func withRequestWriter(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &requestWriter{ResponseWriter: w, r: r, log: log}
		r.Body = http.MaxBytesReader(rw, r.Body, maxBody)
		next.ServeHTTP(rw, r)
	})
}

// writeBody answers with a JSON body already encoded.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	// Answers echo what callers sent (an error quotes the bad value): keep
	// a browser from ever reading one as HTML.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func internalErrorBody() []byte {
	return []byte(`{"error":"internal error","code":"` + string(errs.Internal) + `"}` + "\n")
}

// statusOf maps error codes to HTTP statuses, in this one place.
func statusOf(code errs.Code) int {
	switch code {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error    string         `json:"error"`
	Code     string         `json:"code"`
	Problems []errs.Problem `json:"problems,omitempty"`
}

// writeError answers with the error's status and safe message; internal
// causes are logged, never sent.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		// The client is gone; there is nobody to answer and nothing went wrong here.
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	code := errs.CodeOf(err)
	if code == errs.Internal {
		s.d.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == errs.Unauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
	}
	if (code == errs.Unauthorized || code == errs.Forbidden) && r.ContentLength != 0 {
		// Refused before its body was read: the connection closes after
		// the answer, which net/http then sends at once rather than read
		// the rest of the body first, however slowly it comes.
		w.Header().Set("Connection", "close")
	}
	body := errorBody{Error: errs.Message(err), Code: string(code)}
	if code != errs.Internal {
		body.Problems = errs.ProblemsOf(err)
	}
	writeJSON(w, statusOf(code), body)
}

// plainBodies refuses a body sent compressed (Content-Encoding: gzip, say)
// with 415: read as it is, it would be refused as malformed JSON at byte 1,
// or, with an encoding named but not applied, taken as something else.
func plainBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if enc := r.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
			w.Header().Set("Accept-Encoding", "identity")
			w.Header().Set("Connection", "close") // the body is left unread
			writeJSON(w, http.StatusUnsupportedMediaType, errorBody{Code: string(errs.Invalid),
				Error: fmt.Sprintf("Content-Encoding %q is not supported: send the body uncompressed", shortValue(enc))})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeBody(w, http.StatusInternalServerError, internalErrorBody())
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// instrument counts requests by route pattern and status.
func (s *Server) instrument(next http.Handler) http.Handler {
	if s.d.Metrics == nil {
		return next
	}
	requests := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "vigil_http_request_duration_seconds", Help: "HTTP requests by route and status code.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "code"})
	s.d.Metrics.MustRegister(requests)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := clock.Start()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		requests.WithLabelValues(route, http.StatusText(rec.status)).Observe(sw.Elapsed().Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// now is the injected clock's time, for ages shown in pages and the API.
func (s *Server) now() time.Time { return s.d.Clock.Now() }

// past bounds a client's time of something that already happened.
func (s *Server) past() timebound.Window { return timebound.Past(s.now()) }

// ahead bounds a client's time that may lie ahead, and query windows.
func (s *Server) ahead() timebound.Window { return timebound.Ahead(s.now()) }
