package monitor

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-sre/vigil/internal/check"
)

// Metrics are the monitor's Prometheus metrics. A nil *Metrics is valid and
// records nothing, so tests and benchmarks can leave it out.
type Metrics struct {
	probeDuration *prometheus.HistogramVec
	results       *prometheus.CounterVec
	lag           prometheus.Histogram
	skipped       prometheus.Counter
	inFlight      prometheus.Gauge
	batch         prometheus.Histogram
	refused       prometheus.Counter
}

// NewMetrics registers the monitor's metrics, and per-check gauges read from m
// at scrape time (cheaper than updating 10,000 series on every probe).
func NewMetrics(reg prometheus.Registerer, m func() *Monitor) *Metrics {
	x := &Metrics{
		probeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_check_duration_seconds", Help: "How long probes took, by check kind.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"kind"}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_check_results_total", Help: "Probe results by kind and status (pass, warn, fail).",
		}, []string{"kind", "status"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_scheduler_lag_seconds", Help: "Delay from a probe's scheduled time to its start.",
			Buckets: []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}),
		skipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_scheduler_skipped_total", Help: "Probes not started because the previous probe of the check was still running.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_checks_in_flight", Help: "Probes running now.",
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_store_batch_results", Help: "Results written per store transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 7),
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_check_results_refused_total", Help: "Check results not written because the check's shard had moved to another replica (fenced).",
		}),
	}
	reg.MustRegister(x.probeDuration, x.results, x.lag, x.skipped, x.inFlight, x.batch, x.refused, newCheckCollector(m))
	return x
}

func (x *Metrics) schedulerObserver() SchedulerObserver {
	if x == nil {
		return SchedulerObserver{}
	}
	return SchedulerObserver{
		Lag:     func(d time.Duration) { x.lag.Observe(d.Seconds()) },
		Skipped: x.skipped.Inc,
	}
}

func (x *Metrics) batchObserver() func(int) {
	if x == nil {
		return nil
	}
	return func(n int) { x.batch.Observe(float64(n)) }
}

func (x *Metrics) refusedObserver() func(int) {
	if x == nil {
		return nil
	}
	return func(n int) { x.refused.Add(float64(n)) }
}

func (x *Metrics) inflight(d float64) {
	if x != nil {
		x.inFlight.Add(d)
	}
}

func (x *Metrics) observeResult(kind string, r check.Result) {
	if x == nil {
		return
	}
	x.probeDuration.WithLabelValues(kind).Observe(r.Duration.Seconds())
	x.results.WithLabelValues(kind, string(r.Status)).Inc()
}

// checkCollector reports per-check state when scraped.
type checkCollector struct {
	m                 func() *Monitor
	up, checks, queue *prometheus.Desc
}

func newCheckCollector(m func() *Monitor) *checkCollector {
	return &checkCollector{
		m: m,
		up: prometheus.NewDesc("vigil_check_up",
			"1 when the check is ok or degraded, 0 otherwise.", []string{"service", "check"}, nil),
		checks: prometheus.NewDesc("vigil_checks", "Checks by state.", []string{"state"}, nil),
		queue:  prometheus.NewDesc("vigil_store_queue", "Results waiting to be written to the store.", nil, nil),
	}
}

func (c *checkCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.up
	ch <- c.checks
	ch <- c.queue
}

func (c *checkCollector) Collect(ch chan<- prometheus.Metric) {
	m := c.m()
	if m == nil {
		return
	}
	counts := map[State]int{Unknown: 0, OK: 0, Degraded: 0, Pending: 0, Failing: 0, Flapping: 0}
	for _, s := range m.Snapshots() {
		counts[s.State]++
		up := 0.0
		if s.State == OK || s.State == Degraded {
			up = 1
		}
		service, name, _ := strings.Cut(s.Key, "/")
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up, service, name)
	}
	for st, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.checks, prometheus.GaugeValue, float64(n), string(st))
	}
	ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(m.Queued()))
}
