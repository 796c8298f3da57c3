package notify

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type outboxMetrics struct {
	sends   *prometheus.HistogramVec
	latency prometheus.Histogram
}

func newOutboxMetrics(reg prometheus.Registerer) *outboxMetrics {
	m := &outboxMetrics{
		sends: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_notification_send_seconds", Help: "Notification sends by destination type and outcome (sent, retry, failed).",
			Buckets: prometheus.ExponentialBuckets(0.001, 3, 10),
		}, []string{"type", "outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_notification_delay_seconds", Help: "From a notification being written to the outbox to its destination accepting it.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300},
		}),
	}
	if reg != nil {
		reg.MustRegister(m.sends, m.latency)
	}
	return m
}

func (m *outboxMetrics) observe(t DestinationType, err error, took time.Duration) {
	outcome := "sent"
	if err != nil {
		if retry, _ := Retry(err); retry {
			outcome = "retry"
		} else {
			outcome = "failed"
		}
	}
	m.sends.WithLabelValues(string(t), outcome).Observe(took.Seconds())
}
