package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RunOptions configure the run-interruption scenario.
type RunOptions struct {
	Binary    string
	Env       []string
	Store     string // a Postgres DSN
	Heartbeat time.Duration
	LeaseTTL  time.Duration
	Log       io.Writer
}

// RunReport is what became of a run whose leader died mid-step.
type RunReport struct {
	RunID       string `json:"run_id"`
	Status      string `json:"status"`      // once another replica took over
	Interrupted int    `json:"interrupted"` // run.interrupted entries in the audit log
	Restarted   bool   `json:"restarted"`   // the killed replica was started again before counting
}

const runOperateToken = "bench-0perate-t0ken"

func runConfig(heartbeat, ttl time.Duration) []byte {
	return []byte(fmt.Sprintf("global: {cluster: {heartbeat: %s, lease_ttl: %s}}\n", heartbeat, ttl) + readerTokens + `  - {id: bench-operate, secret: ` + runOperateToken + `, scopes: [operate]}
services:
  - {id: bench}
runbooks:
  - id: slow
    title: A step that outlives its replica
    steps: [{id: wait, run: [sleep, "60"]}]
`)
}

// RunRunInterrupted starts two replicas, starts a run whose one step
// takes a minute on the leader (through the other replica, which passes
// the request on), kills the leader with SIGKILL mid-step, and waits for
// the other replica to take over and deal with the run: a step that is not
// idempotent is marked interrupted, once, also after the killed replica is
// started again.
func RunRunInterrupted(ctx context.Context, opt RunOptions) (RunReport, error) {
	var rep RunReport
	logf := func(format string, args ...any) { fmt.Fprintf(opt.Log, format+"\n", args...) }
	dir, err := os.MkdirTemp("", "vigil-run-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	cfg := filepath.Join(dir, "run.yaml")
	if err := os.WriteFile(cfg, runConfig(opt.Heartbeat, opt.LeaseTTL), 0o600); err != nil {
		return rep, err
	}
	client := readerClient(10 * time.Second)
	rs := &haReplicas{client: client, kids: make([]child, 2), stops: make([]func(), 2)}
	addrs := make([]string, 2)
	rs.serve = func(slot int) (child, func(), error) {
		env := append(slices.Clone(opt.Env), "VIGIL_REPLICA_NAME=replica-"+strconv.Itoa(slot+1))
		return startChild(ctx, opt.Binary, []string{"serve", "--config", cfg, "--listen", addrs[slot], "--store", opt.Store}, `http://\S+`, opt.Log, env...)
	}
	defer rs.stopAll()
	for i := range 2 {
		if addrs[i], err = freeAddr(); err != nil {
			return rep, err
		}
		if rs.kids[i], rs.stops[i], err = rs.serve(i); err != nil {
			return rep, err
		}
	}
	slot, id := rs.leader(-1)
	if slot < 0 {
		return rep, errors.New("no replica holds the leader lease")
	}
	other := rs.kids[1-slot]
	// Started through the replica that does not lead: passed on to the leader.
	req, _ := http.NewRequestWithContext(ctx, "POST", other.url+"/api/v1/runbooks/slow/runs", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+runOperateToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return rep, err
	}
	var run struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	err = json.NewDecoder(resp.Body).Decode(&run)
	resp.Body.Close()
	if err != nil || resp.StatusCode/100 != 2 || run.ID == "" {
		return rep, fmt.Errorf("starting the run: %s %v %+v", resp.Status, err, run)
	}
	rep.RunID = run.ID
	// Mid-step means the step is stored as running: a run killed between
	// steps is resumed by the next leader instead, which is right too.
	if err := waitStep(client, other.url, run.ID, 10*time.Second); err != nil {
		return rep, err
	}
	rs.kids[slot].kill()
	killed := wall.Now()
	logf("run %s is running on %s; killed it (SIGKILL)", run.ID, id)
	err = waitRun(client, other.url, run.ID, 30*time.Second, func(s string) bool {
		rep.Status = s
		return s != "running" && s != "pending"
	})
	if err != nil {
		return rep, err
	}
	logf("%.1fs after the kill the run is %s", wall.Since(killed).Seconds(), rep.Status)
	// The killed replica comes back; it does not lead, and must not deal
	// with the run again.
	if rs.kids[slot], rs.stops[slot], err = rs.serve(slot); err != nil {
		return rep, err
	}
	rep.Restarted = true
	time.Sleep(3 * opt.Heartbeat)
	var audit []struct {
		Action string `json:"action"`
		RunID  string `json:"run_id"`
	}
	if err := getJSON(client, other.url+"/api/v1/audit?limit=1000", &audit); err != nil {
		return rep, err
	}
	for _, a := range audit {
		if a.RunID == run.ID && a.Action == "run.interrupted" {
			rep.Interrupted++
		}
	}
	logf("run.interrupted recorded %d times", rep.Interrupted)
	return rep, nil
}

// waitStep waits until run id has a step running.
func waitStep(c *http.Client, url, id string, within time.Duration) error {
	type step struct {
		Status string `json:"status"`
	}
	deadline := wall.Now().Add(within)
	for {
		var r struct {
			Steps []step `json:"steps"`
		}
		if err := getJSON(c, url+"/api/v1/runs/"+id, &r); err == nil &&
			slices.ContainsFunc(r.Steps, func(st step) bool { return st.Status == "running" }) {
			return nil
		}
		if wall.Now().After(deadline) {
			return fmt.Errorf("run %s: no step running within %s", id, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitRun(c *http.Client, url, id string, within time.Duration, done func(status string) bool) error {
	deadline := wall.Now().Add(within)
	for {
		var r struct {
			Status string `json:"status"`
		}
		if err := getJSON(c, url+"/api/v1/runs/"+id, &r); err == nil && done(r.Status) {
			return nil
		}
		if wall.Now().After(deadline) {
			return fmt.Errorf("run %s: not within %s", id, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
