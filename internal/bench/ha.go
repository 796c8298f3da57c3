package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// HAOptions configure the high-availability scenario.
type HAOptions struct {
	Binary   string
	Env      []string
	Store    string // a Postgres DSN: replicas share it
	Replicas int
	Clients  int
	Batch    int
	// Kills is how many times the replica running the pager is killed
	// (SIGKILL) and started again; AckedPerKill alerts are acknowledged
	// before each kill.
	Kills        int
	AckedPerKill int
	Heartbeat    time.Duration
	LeaseTTL     time.Duration
	Log          io.Writer
}

// HAReport is what the scenario saw.
type HAReport struct {
	Replicas     int      `json:"replicas"`
	Kills        int      `json:"kills"`
	Acknowledged int      `json:"acknowledged"` // alerts in 2xx answers
	AckedPerSec  float64  `json:"acknowledged_per_second"`
	Found        int      `json:"found"` // of those, stored in the end
	Missing      []string `json:"missing,omitempty"`
	Delivered    int      `json:"delivered"` // of those, paged
	Undelivered  []string `json:"undelivered,omitempty"`
	Duplicates   int      `json:"duplicates"` // firing pages beyond the first per alert
	// Redelivered are notifications delivered again, Repaged pages of an
	// alert already paged in a message that was not a redelivery.
	Redelivered int     `json:"redelivered_notifications"`
	Repaged     int     `json:"repaged"`
	DupsPer10k  float64 `json:"duplicates_per_10000"`
	// FailoverSeconds is, per kill, the time from the kill until another
	// replica held the leader lease.
	FailoverSeconds []float64 `json:"failover_seconds"`
	FailoverP50     float64   `json:"failover_p50_seconds"`
	FailoverP99     float64   `json:"failover_p99_seconds"`
}

// haReplicas are the vigil serve processes of the scenario, by slot.
type haReplicas struct {
	mu     sync.Mutex
	serve  func(slot int) (child, func(), error)
	kids   []child
	stops  []func()
	client *http.Client
}

func (r *haReplicas) urls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.kids))
	for i, k := range r.kids {
		out[i] = k.url
	}
	return out
}

func (r *haReplicas) stopAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, stop := range r.stops {
		if stop != nil {
			stop()
		}
	}
}

// clusterView is the part of GET /api/v1/cluster the scenario reads.
type clusterView struct {
	Replicas []struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	} `json:"replicas"`
	Leases []struct {
		Module string `json:"module"`
		Holder string `json:"holder"`
	} `json:"leases"`
}

// leader asks any live replica which one holds the leader lease; it
// returns its slot, or -1.
func (r *haReplicas) leader(skip int) (slot int, id string) {
	urls := r.urls()
	for i, u := range urls {
		if i == skip {
			continue
		}
		var v clusterView
		if err := getJSON(r.client, u+"/api/v1/cluster", &v); err != nil {
			continue
		}
		for _, l := range v.Leases {
			if l.Module != "leader" || l.Holder == "" {
				continue
			}
			for _, m := range v.Replicas {
				if m.ID == l.Holder {
					if j := slices.Index(urls, m.URL); j >= 0 {
						return j, l.Holder
					}
				}
			}
		}
		return -1, ""
	}
	return -1, ""
}

// haConfig is the alerts benchmark's config with the cluster's timings.
func haConfig(target string, heartbeat, ttl time.Duration) []byte {
	return append([]byte(fmt.Sprintf("global: {cluster: {heartbeat: %s, lease_ttl: %s, inbox_wait: 5s}}\n", heartbeat, ttl)), alertsConfig(target)...)
}

// RunHA runs replicas of vigil serve on one Postgres database behind a
// client that spreads Alertmanager webhooks over them, kills the replica
// running the pager (SIGKILL) and starts it again, Kills times, then checks
// that every alert that got a 2xx is stored and paged, and counts
// duplicate pages.
func RunHA(ctx context.Context, opt HAOptions) (HAReport, error) {
	rep := HAReport{Replicas: opt.Replicas, Kills: opt.Kills}
	logf := func(format string, args ...any) { fmt.Fprintf(opt.Log, format+"\n", args...) }
	if opt.Store == "" {
		return rep, errors.New("the HA scenario needs a Postgres store (--store postgres://...)")
	}
	dir, err := os.MkdirTemp("", "vigil-ha-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	target, stopTarget, err := startChild(ctx, opt.Binary, []string{"bench", "target", "--listen", "127.0.0.1:0"}, `http://\S+`, nil, opt.Env...)
	if err != nil {
		return rep, err
	}
	defer stopTarget()
	cfg := filepath.Join(dir, "ha.yaml")
	if err := os.WriteFile(cfg, haConfig(target.url, opt.Heartbeat, opt.LeaseTTL), 0o600); err != nil {
		return rep, err
	}
	client := readerClient(10 * time.Second)
	addrs := make([]string, opt.Replicas)
	for i := range addrs {
		if addrs[i], err = freeAddr(); err != nil {
			return rep, err
		}
	}
	rs := &haReplicas{client: client, kids: make([]child, opt.Replicas), stops: make([]func(), opt.Replicas)}
	rs.serve = func(slot int) (child, func(), error) {
		env := append(slices.Clone(opt.Env), "VIGIL_REPLICA_NAME=replica-"+strconv.Itoa(slot+1))
		return startChild(ctx, opt.Binary, []string{"serve", "--config", cfg, "--listen", addrs[slot], "--store", opt.Store}, `http://\S+`, opt.Log, env...)
	}
	defer rs.stopAll()
	for i := range opt.Replicas {
		k, stop, err := rs.serve(i)
		if err != nil {
			return rep, err
		}
		rs.kids[i], rs.stops[i] = k, stop
	}

	lctx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	done := make(chan loadResult, 1)
	var progress atomic.Int64
	go func() {
		done <- load{urls: rs.urls(), key: "bench-key", clients: opt.Clients, batch: opt.Batch,
			perGroup: 1, kind: "latency", status: "firing", record: true, acked: &progress}.post(lctx)
	}()
	for k := range opt.Kills {
		deadline := wall.Now().Add(60 * time.Second)
		for progress.Load() < int64((k+1)*opt.AckedPerKill) && wall.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		slot, id := rs.leader(-1)
		if slot < 0 {
			return rep, errors.New("no replica holds the leader lease")
		}
		rs.mu.Lock()
		victim := rs.kids[slot]
		rs.mu.Unlock()
		victim.kill()
		killed := wall.Now()
		for {
			if s, h := rs.leader(slot); s >= 0 && h != id {
				break
			}
			if wall.Since(killed) > 30*time.Second {
				return rep, fmt.Errorf("no replica took the leader lease within 30s of kill %d", k+1)
			}
			time.Sleep(20 * time.Millisecond)
		}
		took := wall.Since(killed).Seconds()
		rep.FailoverSeconds = append(rep.FailoverSeconds, took)
		logf("kill %d: killed %s (SIGKILL) at %d acknowledged alerts; another replica led %.2fs later", k+1, id, progress.Load(), took)
		k2, stop, err := rs.serve(slot)
		if err != nil {
			return rep, fmt.Errorf("restarting replica %d: %w", slot+1, err)
		}
		rs.mu.Lock()
		rs.kids[slot], rs.stops[slot] = k2, stop
		rs.mu.Unlock()
	}
	// Some load after the last failover too (all of it, without kills).
	extra := opt.AckedPerKill / 2
	if opt.Kills == 0 {
		extra = opt.AckedPerKill
	}
	for end := progress.Load() + int64(extra); progress.Load() < end && ctx.Err() == nil; {
		time.Sleep(5 * time.Millisecond)
	}
	stopLoad()
	res := <-done
	acked := map[string]bool{}
	for _, first := range res.acked {
		for k := first; k < first+opt.Batch; k++ {
			acked["latency-"+strconv.Itoa(k)] = true
		}
	}
	rep.Acknowledged, rep.AckedPerSec = len(acked), float64(len(acked))/res.elapsed.Seconds()

	// Requests still in the inbox are applied by the leader; wait for them.
	any := rs.urls()[0]
	deadline := wall.Now().Add(60 * time.Second)
	for {
		stored, err := instances(client, any)
		if err != nil {
			return rep, err
		}
		rep.Found, rep.Missing = tally(acked, stored)
		if rep.Found == rep.Acknowledged || wall.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var sink SinkReport
	for {
		if err := getJSON(client, target.url+"/stats?keys=1", &sink); err != nil {
			return rep, err
		}
		rep.Delivered, rep.Undelivered = tally(acked, keySet(sink.Keys))
		if rep.Delivered == rep.Acknowledged || wall.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	rep.Duplicates, rep.Redelivered, rep.Repaged = sink.Duplicates, sink.Redelivered, sink.Repaged
	if sink.Alerts > 0 {
		rep.DupsPer10k = float64(sink.Duplicates) * 10000 / float64(sink.Alerts)
	}
	slices.Sort(rep.Missing)
	slices.Sort(rep.Undelivered)
	fs := slices.Sorted(slices.Values(rep.FailoverSeconds))
	if len(fs) > 0 {
		rep.FailoverP50, rep.FailoverP99 = fs[len(fs)/2], fs[(len(fs)*99)/100]
	}
	logf("%d replicas, %d kills: %d alerts acknowledged (%.0f/s), %d stored, %d paged, %d duplicate pages (%.1f per 10,000); failover p50 %.2fs p99 %.2fs",
		opt.Replicas, opt.Kills, rep.Acknowledged, rep.AckedPerSec, rep.Found, rep.Delivered, rep.Duplicates, rep.DupsPer10k, rep.FailoverP50, rep.FailoverP99)
	return rep, nil
}
