package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigil-sre/vigil/internal/check/checktest"
	"github.com/vigil-sre/vigil/internal/check/promcheck/promtest"
)

func ptrText(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// requestExporter serves an http_requests_total counter that grows by 99
// good and 1 failed request at every scrape: a steady 1% error rate.
func requestExporter(t *testing.T) string {
	reg := prometheus.NewRegistry()
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total", Help: "Requests."}, []string{"code"})
	reg.MustRegister(reqs)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.WithLabelValues("200").Add(99)
		reqs.WithLabelValues("503").Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestPrometheusSLO reads a ratio SLI from a real Prometheus scraping an
// exporter, and one from a Prometheus that is down: that one has no data,
// says why, raises the no-data ticket it asks for, and is never read as zero.
func TestPrometheusSLO(t *testing.T) {
	addr := requestExporter(t)
	prom := promtest.Start(t, promtest.Target{Job: "shop", Address: addr})
	prom.WaitScrapes(t, "shop", 3)
	down := "http://" + checktest.ClosedPort(t)
	h := start(t, fmt.Sprintf(`
services:
  - id: api
    slos:
      - id: requests
        objective: 99.5
        prometheus:
          url: %[1]s
          bad: sum(increase(http_requests_total{code=~"5.."}[{{.window}}]))
          total: sum(increase(http_requests_total[{{.window}}]))
      - id: dark
        objective: 99
        alerting: {no_data: true}
        prometheus:
          url: %[2]s
          good: sum(increase(http_requests_total{code!~"5.."}[{{.window}}]))
          total: sum(increase(http_requests_total[{{.window}}]))
`, prom.URL, down), "")
	s := h.waitSLO("api/requests", "read from Prometheus", func(s sloJSON) bool { return s.SLI != nil })
	// increase() extrapolates each series from its own first sample, so the
	// ratio is close to, not exactly, 1%.
	if *s.SLI < 98.9 || *s.SLI > 99.1 || s.BurnRate == nil || *s.BurnRate < 1.8 || *s.BurnRate > 2.2 {
		t.Fatalf("1%% errors against a 0.5%% budget: SLI %v, burn %v", *s.SLI, ptrText(s.BurnRate))
	}
	d := h.slos()["api/dark"]
	if d.SLI != nil || !strings.Contains(d.NoData, "prometheus "+down) || !strings.Contains(d.NoData, "connection refused") {
		t.Fatalf("down Prometheus: %+v", d)
	}
	h.advanceUntil("no-data ticket", 30*time.Second, 5*time.Minute, func() bool {
		for _, a := range h.alerts("status=open") {
			if a.Labels["slo"] == "dark" && a.Labels["window"] == "no-data" && a.Labels["slo_severity"] == "ticket" && a.Labels["severity"] == "warning" && a.Severity == "warning" {
				return strings.Contains(a.Summary, "connection refused")
			}
		}
		return false
	})
}
