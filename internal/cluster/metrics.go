package cluster

import (
	"github.com/prometheus/client_golang/prometheus"
)

var (
	membersDesc = prometheus.NewDesc("vigil_cluster_members", "Replicas alive as this replica's last heartbeat saw them.", nil, nil)
	heldDesc    = prometheus.NewDesc("vigil_cluster_lease_held", "1 while this replica holds the module's lease.", []string{"module"}, nil)
	failDesc    = prometheus.NewDesc("vigil_cluster_failovers_total", "Takeovers of the module's lease from a holder that did not let go, cluster-wide.", []string{"module"}, nil)
	shardsDesc  = prometheus.NewDesc("vigil_cluster_check_shards_held", "Check shards this replica holds (the checks are split into a fixed number of shards).", nil, nil)
)

// Collector exports the node's view of the cluster.
func (n *Node) Collector() prometheus.Collector { return collector{n} }

type collector struct{ n *Node }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- membersDesc
	ch <- heldDesc
	ch <- failDesc
	ch <- shardsDesc
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
	shards, shardFails := 0, int64(0)
	for _, l := range c.n.allLeases() {
		_, held := l.Held()
		if l.group != "" {
			// Shards are summed, so their count does not set the series'.
			if held {
				shards++
			}
			shardFails += v.Leases[l.module].Failovers
			continue
		}
		v1 := 0.0
		if held {
			v1 = 1
		}
		ch <- prometheus.MustNewConstMetric(heldDesc, prometheus.GaugeValue, v1, l.module)
		ch <- prometheus.MustNewConstMetric(failDesc, prometheus.CounterValue, float64(v.Leases[l.module].Failovers), l.module)
	}
	c.n.mu.Lock()
	set := c.n.shards
	c.n.mu.Unlock()
	if set != nil {
		ch <- prometheus.MustNewConstMetric(shardsDesc, prometheus.GaugeValue, float64(shards))
		ch <- prometheus.MustNewConstMetric(failDesc, prometheus.CounterValue, float64(shardFails), set.group)
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
