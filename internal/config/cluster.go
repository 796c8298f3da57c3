package config

import (
	"net/url"
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
)

// Cluster says how this replica takes part when several vigil serve
// processes share one Postgres database. SQLite runs one process and
// ignores it.
type Cluster struct {
	// Name is this replica's name in /api/v1/cluster and the logs.
	Name string `yaml:"name,omitempty" jsonschema:"description=this replica's name in the cluster view and logs (default: the host name); also VIGIL_REPLICA_NAME"`
	// URL is where the other replicas reach this one, for the requests
	// they pass on to the leading replica (heartbeats, runbook runs, check
	// and SLO reads).
	URL string `yaml:"url,omitempty" jsonschema:"description=where the other replicas reach this one (default: http:// and the listen address; with an unspecified host, the host name); also VIGIL_REPLICA_URL"`
	// Heartbeat is how often the replica beats and renews its leases.
	Heartbeat duration.Duration `yaml:"heartbeat,omitempty" jsonschema:"description=how often a replica records that it is alive and renews its leases,default=1s"`
	// LeaseTTL is how long a lease lasts unless renewed: the longest a
	// dead replica's pager goes unserved before another takes over.
	LeaseTTL duration.Duration `yaml:"lease_ttl,omitempty" jsonschema:"description=how long a lease (the pager's) lasts unless renewed; a dead holder is replaced within it,default=5s"`
	// InboxWait is how long a replica that does not run the pager waits
	// for the outcome of a request it committed to the inbox.
	InboxWait duration.Duration `yaml:"inbox_wait,omitempty" jsonschema:"description=how long a request taken by a replica that does not run the pager waits for its outcome before it is answered as queued,default=3s"`
}

// Defaults of Cluster.
const (
	DefaultHeartbeat = time.Second
	DefaultLeaseTTL  = 5 * time.Second
	DefaultInboxWait = 3 * time.Second
)

func (c *Cluster) defaults() {
	if c.Heartbeat == 0 {
		c.Heartbeat = duration.Duration(DefaultHeartbeat)
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = duration.Duration(DefaultLeaseTTL)
	}
	if c.InboxWait == 0 {
		c.InboxWait = duration.Duration(DefaultInboxWait)
	}
}

func (k *checker) cluster() {
	c := k.cfg.Global.Cluster
	if c.URL != "" {
		if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			k.add(k.cfg.globalAt.problem("cluster.url", false, "must be an http:// or https:// URL with a host, e.g. http://vigil-2.internal:8080"))
		}
	}
	if c.Heartbeat > 0 && c.Heartbeat.D() < 50*time.Millisecond {
		k.add(k.cfg.globalAt.problem("cluster.heartbeat", false, "must be at least 50ms"))
	}
	if c.Heartbeat > 0 && c.LeaseTTL > 0 && c.LeaseTTL.D() < 3*c.Heartbeat.D() {
		k.add(k.cfg.globalAt.problem("cluster.lease_ttl", false, "must be at least 3 heartbeats (%s): one late beat must not lose the lease", 3*c.Heartbeat.D()))
	}
}
