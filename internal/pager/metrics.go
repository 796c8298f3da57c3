package pager

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-sre/vigil/internal/alert"
)

// Metrics are the pager's Prometheus metrics; a nil *Metrics records nothing.
type Metrics struct {
	events  *prometheus.CounterVec
	commits prometheus.Histogram
	batch   prometheus.Histogram
	failed  prometheus.Counter
	inbox   prometheus.Counter
	claim   prometheus.Observer // nil until WithClaims
}

// NewMetrics registers the pager's metrics and an open-alert gauge read from
// open at scrape time.
func NewMetrics(reg prometheus.Registerer, open func() int) *Metrics {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_alert_events_total", Help: "Alert events received, by source and action.",
		}, []string{"source", "action"}),
		commits: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_pager_commit_seconds", Help: "Time to commit one batch of alert changes; on SQLite its callers then wait for the log's sync (vigil_store_operation_seconds{op=\"sync_log\"}).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_pager_batch_alerts", Help: "Alerts written per transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8),
		}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_pager_commit_failures_total", Help: "Batches of alert changes the store refused; their callers got an error.",
		}),
		inbox: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_pager_inbox_requests_total", Help: "Requests this replica committed to the inbox for the replica that runs the pager.",
		}),
	}
	gauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigil_alerts_open", Help: "Open alerts (firing or acknowledged)."},
		func() float64 { return float64(open()) })
	reg.MustRegister(m.events, m.commits, m.batch, m.failed, m.inbox, gauge)
	return m
}

func (m *Metrics) observeEvents(evs []alert.Event) {
	if m == nil {
		return
	}
	for _, e := range evs {
		m.events.WithLabelValues(e.Source, string(e.Action)).Inc()
	}
}

func (m *Metrics) observeCommit(alerts int, took time.Duration, err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.failed.Inc()
		return
	}
	m.commits.Observe(took.Seconds())
	m.batch.Observe(float64(alerts))
}

// WithClaims records the time to read the inbox in h (kind "inbox").
func (m *Metrics) WithClaims(h interface {
	WithLabelValues(...string) prometheus.Observer
}) {
	if m != nil {
		m.claim = h.WithLabelValues("inbox")
	}
}

func (m *Metrics) observeInbox() {
	if m != nil {
		m.inbox.Inc()
	}
}

func (m *Metrics) observeClaim(took time.Duration) {
	if m != nil && m.claim != nil {
		m.claim.Observe(took.Seconds())
	}
}
