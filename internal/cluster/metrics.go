package cluster

import (
	"github.com/prometheus/client_golang/prometheus"
)

var (
	membersDesc = prometheus.NewDesc("vigil_cluster_members", "Replicas alive as this replica's last heartbeat saw them.", nil, nil)
	heldDesc    = prometheus.NewDesc("vigil_cluster_lease_held", "1 while this replica holds the module's lease.", []string{"module"}, nil)
	failDesc    = prometheus.NewDesc("vigil_cluster_failovers_total", "Takeovers of the module's lease from a holder that did not let go, cluster-wide.", []string{"module"}, nil)
)

// Collector exports the node's view of the cluster.
func (n *Node) Collector() prometheus.Collector { return collector{n} }

type collector struct{ n *Node }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- membersDesc
	ch <- heldDesc
	ch <- failDesc
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	v := c.n.View()
	alive := 0
	for _, m := range v.Members {
		if m.Gone.IsZero() {
			alive++
		}
	}
	if c.n.single {
		alive = 1
	}
	ch <- prometheus.MustNewConstMetric(membersDesc, prometheus.GaugeValue, float64(alive))
	for _, l := range c.n.allLeases() {
		_, held := l.Held()
		v1 := 0.0
		if held {
			v1 = 1
		}
		ch <- prometheus.MustNewConstMetric(heldDesc, prometheus.GaugeValue, v1, l.module)
		ch <- prometheus.MustNewConstMetric(failDesc, prometheus.CounterValue, float64(v.Leases[l.module].Failovers), l.module)
	}
}

// ClaimHistogram is vigil_cluster_claim_seconds: how long claiming work
// (outbox messages, inbox messages) takes, by kind.
func ClaimHistogram() *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "vigil_cluster_claim_seconds", Help: "Time to claim shared work in the database, by kind.",
		Buckets: prometheus.ExponentialBuckets(0.0002, 3, 10),
	}, []string{"kind"})
}
