package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// FenceOptions configure the fencing scenario.
type FenceOptions struct {
	Binary    string
	Env       []string
	Store     string // a Postgres DSN
	Alerts    int    // alerts taken by the leader before it is stopped
	Heartbeat time.Duration
	LeaseTTL  time.Duration
	GroupWait time.Duration // the alerts' pages wait this long in the leader's memory
	Log       io.Writer
}

// FenceReport is what the fencing scenario saw.
type FenceReport struct {
	TakeoverSeconds float64 `json:"takeover_seconds"`
	Paged           int     `json:"paged"`      // distinct alerts paged
	Duplicates      int     `json:"duplicates"` // pages beyond the first per alert
	SteppedDown     bool    `json:"stepped_down"`
	StaleLog        string  `json:"stale_log"` // the stopped replica's warnings and errors
}

// lockedBuffer is a log shared by a child's stderr copier and the scenario.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func fenceConfig(target string, heartbeat, ttl, wait time.Duration) []byte {
	return []byte(fmt.Sprintf("global: {cluster: {heartbeat: %s, lease_ttl: %s}}\n", heartbeat, ttl) + readerTokens + fmt.Sprintf(`
integrations:
  - {id: bench, type: alertmanager, key: bench-key}
people:
  - {id: oncall, contacts: {webhook: "%s/hook"}}
escalations:
  - {id: bench, steps: [{notify: [person/oncall]}]}
routes:
  - {match: {bench: fence}, escalation: bench, group_by: [alertname], group_wait: %s, group_interval: 1h, repeat_interval: 24h}
services:
  - {id: bench}
`, target, wait))
}

// RunFence starts two replicas, has the one running the pager take alerts
// whose pages wait (group_wait) in its memory, stops it with SIGSTOP past
// its lease, lets the other take over and page, then resumes it with
// SIGCONT: the stale replica must not page (its commits are fenced) and
// must step down.
func RunFence(ctx context.Context, opt FenceOptions) (FenceReport, error) {
	var rep FenceReport
	logf := func(format string, args ...any) { fmt.Fprintf(opt.Log, format+"\n", args...) }
	dir, err := os.MkdirTemp("", "vigil-fence-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	target, stopTarget, err := startChild(ctx, opt.Binary, []string{"bench", "target", "--listen", "127.0.0.1:0"}, `http://\S+`, nil, opt.Env...)
	if err != nil {
		return rep, err
	}
	defer stopTarget()
	cfg := filepath.Join(dir, "fence.yaml")
	if err := os.WriteFile(cfg, fenceConfig(target.url, opt.Heartbeat, opt.LeaseTTL, opt.GroupWait), 0o600); err != nil {
		return rep, err
	}
	client := readerClient(10 * time.Second)
	rs := &haReplicas{client: client, kids: make([]child, 2), stops: make([]func(), 2)}
	logs := []*lockedBuffer{{}, {}}
	defer rs.stopAll()
	for i := range 2 {
		addr, err := freeAddr()
		if err != nil {
			return rep, err
		}
		env := append(slices.Clone(opt.Env), "VIGIL_REPLICA_NAME=replica-"+strconv.Itoa(i+1))
		k, stop, err := startChild(ctx, opt.Binary, []string{"serve", "--config", cfg, "--listen", addr, "--store", opt.Store}, `http://\S+`, logs[i], env...)
		if err != nil {
			return rep, err
		}
		rs.kids[i], rs.stops[i] = k, stop
	}
	slot, id := rs.leader(-1)
	if slot < 0 {
		return rep, errors.New("no replica holds the leader lease")
	}
	stale, other := rs.kids[slot], rs.kids[1-slot]
	// The leader takes the alerts itself: their pages wait in its memory.
	req, _ := http.NewRequestWithContext(ctx, "POST", stale.url+"/api/v1/integrations/alertmanager",
		bytes.NewReader(amPayload("fence", 0, opt.Alerts, 1, "firing")))
	req.Header.Set("Authorization", "Bearer bench-key")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return rep, err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return rep, fmt.Errorf("alerts to the leader: %s", resp.Status)
	}
	if err := syscall.Kill(stale.pid, syscall.SIGSTOP); err != nil {
		return rep, err
	}
	stopped := wall.Now()
	resumed := false
	defer func() {
		if !resumed {
			syscall.Kill(stale.pid, syscall.SIGCONT)
		}
	}()
	logf("stopped the leader %s (SIGSTOP) holding %d alerts whose pages wait %s", id, opt.Alerts, opt.GroupWait)
	for {
		if s, h := rs.leader(slot); s == 1-slot && h != id {
			break
		}
		if wall.Since(stopped) > 30*time.Second {
			return rep, errors.New("the other replica did not take over within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	rep.TakeoverSeconds = wall.Since(stopped).Seconds()
	var sink SinkReport
	for {
		if err := getJSON(client, target.url+"/stats", &sink); err != nil {
			return rep, err
		}
		if sink.Alerts >= opt.Alerts || wall.Since(stopped) > 30*time.Second {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	logf("the other replica (%s) took over after %.2fs and paged %d alerts", other.url, rep.TakeoverSeconds, sink.Alerts)
	// Resume the stale leader once its own timers are long due.
	if err := syscall.Kill(stale.pid, syscall.SIGCONT); err != nil {
		return rep, err
	}
	resumed = true
	deadline := wall.Now().Add(15 * time.Second)
	for !strings.Contains(logs[slot].String(), "lease lost") && !strings.Contains(logs[slot].String(), "lease is gone") &&
		!strings.Contains(logs[slot].String(), "declared gone") && wall.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	rep.SteppedDown = wall.Now().Before(deadline)
	// Anything the stale replica could still page would arrive by now.
	time.Sleep(2 * opt.LeaseTTL)
	if err := getJSON(client, target.url+"/stats", &sink); err != nil {
		return rep, err
	}
	rep.Paged, rep.Duplicates, rep.StaleLog = sink.Alerts, sink.Duplicates, logs[slot].String()
	logf("after resuming the stale replica: %d alerts paged, %d duplicates; stepped down: %v", rep.Paged, rep.Duplicates, rep.SteppedDown)
	return rep, nil
}
