package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigil-sre/vigil/internal/auth"
)

// routes declares every route Vigil serves. Reads of monitoring data are open,
// like a status page; everything that changes state needs a token scope or,
// for ingestion, the integration's own key.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.d.Metrics, promhttp.HandlerOpts{}))
	mux.HandleFunc("POST /-/reload", s.authorize(auth.Admin, s.reload))

	mux.HandleFunc("GET /api/v1/services", s.listServices)
	mux.HandleFunc("GET /api/v1/services/{service}", s.getService)
	mux.HandleFunc("GET /api/v1/checks", s.listChecks)
	mux.HandleFunc("GET /api/v1/checks/{service}/{check}", s.getCheck)
	mux.HandleFunc("GET /api/v1/checks/{service}/{check}/results", s.listResults)
	mux.HandleFunc("GET /api/v1/events", s.listEvents)
	mux.HandleFunc("POST /api/v1/heartbeats/{service}/{check}", s.heartbeat)

	mux.HandleFunc("GET /{$}", s.statusPage)
	mux.HandleFunc("GET /checks/{service}/{check}", s.checkPage)
	mux.Handle("GET /static/", staticFiles())
}
