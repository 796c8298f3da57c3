package bench

import (
	"bufio"
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
	"sync"
	"syscall"
	"time"
)

// RunOptions configure the runbook-runs scenario.
type RunOptions struct {
	Binary    string
	Env       []string
	Store     string // a Postgres DSN
	Heartbeat time.Duration
	LeaseTTL  time.Duration
	Log       io.Writer
}

// RunReport is what became of runs on replicas sharing one database.
type RunReport struct {
	// The runs started on a replica that was then killed mid-step: one at
	// a step that is not idempotent, one at an idempotent step.
	RunID, ResumedID string
	Runner           string `json:"runner"`      // the replica that was killed
	Status           string `json:"status"`      // of RunID once another replica took it
	Interrupted      int    `json:"interrupted"` // run.interrupted entries of RunID in the audit log
	ResumedStatus    string `json:"resumed_status"`
	ResumedRunner    string `json:"resumed_runner"` // the replica that finished ResumedID
	Resumed          int    `json:"resumed"`        // run.resumed entries of ResumedID
	Restarted        bool   `json:"restarted"`      // the killed replica was started again before counting
	ClaimMetric      bool   `json:"claim_metric"`   // /metrics shows vigil_cluster_claim_seconds{kind="runs"}
	TakeoverSeconds  float64
	// Two runs of a runbook with concurrency 1 started at once through two
	// replicas: the HTTP statuses, sorted.
	LockStatuses []int `json:"lock_statuses"`
	LockRefusal  string
	// A run waiting for approval, started through one replica and approved
	// through another.
	ApprovedStatus string `json:"approved_status"`
	ApprovedBy     string `json:"approved_by"`
	// FollowedStatus is the run's status in the "end" event of its live
	// log, followed through a replica that does not run it.
	FollowedStatus string `json:"followed_status"`
	// A run waiting for approval whose replica died, approved meanwhile
	// through another: what became of it, and who ran it on.
	OrphanStatus string `json:"orphan_status"`
	OrphanRunner string `json:"orphan_runner"`
	// A run at an idempotent step whose replica was stopped (SIGSTOP) past
	// its claim, taken over and finished elsewhere, then the replica
	// resumed: the run's status and runner after that, how many times its
	// end was recorded, and whether the resumed replica stopped the run.
	PausedID       string
	PausedStatus   string `json:"paused_status"`
	PausedRunner   string `json:"paused_runner"`
	PausedFinished int    `json:"paused_finished"`
	PausedStopped  bool   `json:"paused_stopped"`
}

const (
	runOperateToken  = "bench-0perate-t0ken"
	runApproverToken = "bench-appr0ver-t0ken"
)

func runConfig(dir string, heartbeat, ttl time.Duration) []byte {
	// A step holds until its file appears, or the scenario's directory is
	// gone: a killed replica's orphans must not outlive the scenario.
	wait := func(file string) string {
		return strconv.Quote("while [ -d " + dir + " ] && [ ! -e " + filepath.Join(dir, file) + " ]; do sleep 0.1; done")
	}
	return []byte(fmt.Sprintf("global: {cluster: {heartbeat: %s, lease_ttl: %s}}\n", heartbeat, ttl) + readerTokens +
		`  - {id: bench-operate, secret: ` + runOperateToken + `, scopes: [operate]}
  - {id: bench-approver, secret: ` + runApproverToken + `, scopes: [operate]}
services:
  - {id: bench}
runbooks:
  - id: slow
    title: A step that outlives its replica
    steps: [{id: hold, shell: ` + wait("go-slow") + `}]
  - id: again
    title: An idempotent step that outlives its replica
    steps: [{id: hold, idempotent: true, shell: ` + wait("go-again") + `}]
  - id: paused
    title: An idempotent step whose replica is paused
    steps: [{id: hold, idempotent: true, shell: ` + wait("go-paused") + `}]
  - id: locked
    title: One at a time
    guard: {concurrency: 1}
    steps: [{id: hold, shell: ` + wait("go-locked") + `}]
  - id: gated
    title: Needs an approval
    guard: {approval: required}
    steps: [{id: hi, run: ["true"]}]
`)
}

// runView is the part of a run the scenario reads.
type runView struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	Runner     string     `json:"runner"`
	ApprovedBy string     `json:"approved_by"`
	Reason     string     `json:"reason"`
	Steps      []stepView `json:"steps"`
}

type stepView struct {
	Status string `json:"status"`
}

func stepRunning(st stepView) bool { return st.Status == "running" }

// RunRuns starts three replicas on one database and drives runbook runs
// through them. It starts two runs through one replica (it executes them),
// kills it with SIGKILL while both are mid-step, and waits for the others
// to take them over: the run at a step that is not idempotent is marked
// interrupted, the one at an idempotent step resumes and finishes, each
// once, also after the killed replica is back. Then it starts two runs of
// a runbook with concurrency 1 through two replicas at once, and approves
// a run through a replica other than the one that started it.
func RunRuns(ctx context.Context, opt RunOptions) (RunReport, error) {
	var rep RunReport
	logf := func(format string, args ...any) { fmt.Fprintf(opt.Log, format+"\n", args...) }
	dir, err := os.MkdirTemp("", "vigil-run-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	// Orphaned step processes of the killed replica end when their files
	// appear, or at the latest when the directory is removed after them.
	defer func() {
		for _, f := range []string{"go-slow", "go-again", "go-locked", "go-paused"} {
			os.WriteFile(filepath.Join(dir, f), nil, 0o600)
		}
	}()
	cfg := filepath.Join(dir, "run.yaml")
	if err := os.WriteFile(cfg, runConfig(dir, opt.Heartbeat, opt.LeaseTTL), 0o600); err != nil {
		return rep, err
	}
	const n = 3
	client := readerClient(10 * time.Second)
	rs := &haReplicas{client: client, kids: make([]child, n), stops: make([]func(), n)}
	addrs := make([]string, n)
	logs := make([]*lockedBuffer, n)
	rs.serve = func(slot int) (child, func(), error) {
		env := append(slices.Clone(opt.Env), "VIGIL_REPLICA_NAME=replica-"+strconv.Itoa(slot+1))
		logs[slot] = &lockedBuffer{}
		return startChild(ctx, opt.Binary, []string{"serve", "--config", cfg, "--listen", addrs[slot], "--store", opt.Store}, `http://\S+`,
			io.MultiWriter(opt.Log, logs[slot]), env...)
	}
	defer rs.stopAll()
	for i := range n {
		if addrs[i], err = freeAddr(); err != nil {
			return rep, err
		}
		if rs.kids[i], rs.stops[i], err = rs.serve(i); err != nil {
			return rep, err
		}
	}
	leader, _ := rs.leader(-1)
	if leader < 0 {
		return rep, errors.New("no replica holds the leader lease")
	}
	// The replica to kill is one that does not lead: runs need no leader.
	victim := (leader + 1) % n
	other := rs.kids[(victim+1)%n].url
	slow, err := startRun(ctx, rs.kids[victim].url, "slow", runOperateToken)
	if err != nil {
		return rep, err
	}
	again, err := startRun(ctx, rs.kids[victim].url, "again", runOperateToken)
	if err != nil {
		return rep, err
	}
	rep.RunID, rep.ResumedID, rep.Runner = slow.ID, again.ID, slow.Runner
	if slow.Runner == "" || again.Runner != slow.Runner {
		return rep, fmt.Errorf("runs started through one replica are run by %q and %q", slow.Runner, again.Runner)
	}
	// Mid-step means the step is stored as running.
	for _, id := range []string{slow.ID, again.ID} {
		if err := waitStep(client, other, id, 10*time.Second); err != nil {
			return rep, err
		}
	}
	rs.kids[victim].kill()
	killed := wall.Now()
	logf("runs %s and %s are mid-step on %s; killed it (SIGKILL)", slow.ID, again.ID, slow.Runner)
	err = waitRun(client, other, slow.ID, 30*time.Second, func(r runView) bool {
		rep.Status = r.Status
		return r.Status != "running" && r.Status != "pending"
	})
	if err != nil {
		return rep, err
	}
	rep.TakeoverSeconds = wall.Since(killed).Seconds()
	logf("%.1fs after the kill run %s is %s", rep.TakeoverSeconds, slow.ID, rep.Status)
	// The idempotent step runs again elsewhere; let it end.
	err = waitRun(client, other, again.ID, 30*time.Second, func(r runView) bool {
		return r.Runner != slow.Runner && slices.ContainsFunc(r.Steps, stepRunning)
	})
	if err != nil {
		return rep, fmt.Errorf("the idempotent run was not resumed: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go-again"), nil, 0o600); err != nil {
		return rep, err
	}
	err = waitRun(client, other, again.ID, 30*time.Second, func(r runView) bool {
		rep.ResumedStatus, rep.ResumedRunner = r.Status, r.Runner
		return r.Status != "running" && r.Status != "pending"
	})
	if err != nil {
		return rep, err
	}
	logf("run %s resumed on %s and is %s", again.ID, rep.ResumedRunner, rep.ResumedStatus)
	// The killed replica comes back and must not deal with the runs again.
	if rs.kids[victim], rs.stops[victim], err = rs.serve(victim); err != nil {
		return rep, err
	}
	rep.Restarted = true
	time.Sleep(3 * opt.Heartbeat)
	var audit []struct {
		Action string `json:"action"`
		RunID  string `json:"run_id"`
	}
	if err := getJSON(client, other+"/api/v1/audit?limit=1000", &audit); err != nil {
		return rep, err
	}
	for _, a := range audit {
		switch {
		case a.RunID == slow.ID && a.Action == "run.interrupted":
			rep.Interrupted++
		case a.RunID == again.ID && a.Action == "run.resumed":
			rep.Resumed++
		}
	}
	logf("run.interrupted recorded %d times, run.resumed %d times", rep.Interrupted, rep.Resumed)
	if resp, err := client.Get(other + "/metrics"); err == nil {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		rep.ClaimMetric = strings.Contains(string(b), `vigil_cluster_claim_seconds_count{kind="runs"}`)
	}

	// Concurrency 1, two starts at once through two replicas.
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, slot := range []int{leader, victim} {
		wg.Go(func() {
			_, err := startRun(ctx, rs.kids[slot].url, "locked", runOperateToken)
			code, reason := http.StatusCreated, ""
			var se statusError
			if errors.As(err, &se) {
				code, reason = se.code, se.body
			} else if err != nil {
				code, reason = 0, err.Error()
			}
			mu.Lock()
			rep.LockStatuses = append(rep.LockStatuses, code)
			if reason != "" {
				rep.LockRefusal = reason
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(rep.LockStatuses)
	os.WriteFile(filepath.Join(dir, "go-locked"), nil, 0o600)
	logf("two runs of a runbook with concurrency 1 through two replicas: %v", rep.LockStatuses)

	// Started through one replica, followed live through a second and
	// approved through a third.
	gated, err := startRun(ctx, rs.kids[leader].url, "gated", runOperateToken)
	if err != nil {
		return rep, err
	}
	followed := make(chan string, 1)
	fctx, stopFollowing := context.WithTimeout(ctx, 30*time.Second)
	defer stopFollowing()
	go func() { followed <- followEnd(fctx, rs.kids[victim].url, gated.ID) }()
	approver := rs.kids[(leader+2)%n].url
	if err := postJSON(ctx, approver+"/api/v1/runs/"+gated.ID+"/approve", runApproverToken, `{"comment": "go"}`, nil); err != nil {
		return rep, fmt.Errorf("approving run %s through another replica: %w", gated.ID, err)
	}
	err = waitRun(client, approver, gated.ID, 30*time.Second, func(r runView) bool {
		rep.ApprovedStatus, rep.ApprovedBy = r.Status, r.ApprovedBy
		return r.Status != "awaiting_approval" && r.Status != "running" && r.Status != "pending"
	})
	if err != nil {
		return rep, err
	}
	rep.FollowedStatus = <-followed
	logf("run %s approved through another replica: %s (%s); its live log on a third ended %s", gated.ID, rep.ApprovedStatus, rep.ApprovedBy, rep.FollowedStatus)

	// Waiting for approval on a replica that dies, approved meanwhile: the
	// replica that takes the run over goes on with the approval.
	orphan, err := startRun(ctx, rs.kids[victim].url, "gated", runOperateToken)
	if err != nil {
		return rep, err
	}
	rs.kids[victim].kill()
	if err := postJSON(ctx, approver+"/api/v1/runs/"+orphan.ID+"/approve", runApproverToken, `{}`, nil); err != nil {
		return rep, fmt.Errorf("approving run %s of a dead replica: %w", orphan.ID, err)
	}
	err = waitRun(client, approver, orphan.ID, 30*time.Second, func(r runView) bool {
		rep.OrphanStatus, rep.OrphanRunner = r.Status, r.Runner
		return r.Status != "awaiting_approval" && r.Status != "running" && r.Status != "pending"
	})
	logf("run %s, approved after its replica died, is %s on %s", orphan.ID, rep.OrphanStatus, rep.OrphanRunner)
	if err != nil {
		return rep, err
	}
	if rep.OrphanRunner == orphan.Runner {
		return rep, fmt.Errorf("run %s is still %s's after it died", orphan.ID, orphan.Runner)
	}
	return rep, pauseRunner(ctx, opt, rs, logs, (leader+2)%n, leader, dir, &rep)
}

// pauseRunner starts a run at an idempotent step through slot, stops that
// replica (SIGSTOP) past its claim, lets the run be taken over and finish
// elsewhere, then resumes the stopped replica: its step ended meanwhile,
// but its claim is gone, so it must record nothing and stop the run.
func pauseRunner(ctx context.Context, opt RunOptions, rs *haReplicas, logs []*lockedBuffer, slot, reader int, dir string, rep *RunReport) error {
	logf := func(format string, args ...any) { fmt.Fprintf(opt.Log, format+"\n", args...) }
	client, url := rs.client, rs.kids[reader].url
	p, err := startRun(ctx, rs.kids[slot].url, "paused", runOperateToken)
	if err != nil {
		return err
	}
	rep.PausedID = p.ID
	if err := waitStep(client, url, p.ID, 10*time.Second); err != nil {
		return err
	}
	pid := rs.kids[slot].pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		return err
	}
	resumed := false
	defer func() {
		if !resumed {
			syscall.Kill(pid, syscall.SIGCONT)
		}
	}()
	logf("run %s is mid-step on %s; stopped it (SIGSTOP)", p.ID, p.Runner)
	err = waitRun(client, url, p.ID, 30*time.Second, func(r runView) bool {
		return r.Runner != p.Runner && slices.ContainsFunc(r.Steps, stepRunning)
	})
	if err != nil {
		return fmt.Errorf("the run of the stopped replica was not taken over: %w", err)
	}
	// Both step processes end now: the stopped replica's, and the new runner's.
	if err := os.WriteFile(filepath.Join(dir, "go-paused"), nil, 0o600); err != nil {
		return err
	}
	err = waitRun(client, url, p.ID, 30*time.Second, func(r runView) bool {
		rep.PausedStatus, rep.PausedRunner = r.Status, r.Runner
		return r.Status != "running" && r.Status != "pending"
	})
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		return err
	}
	resumed = true
	// The resumed replica finds its step done and tries to record it.
	deadline := wall.Now().Add(15 * time.Second)
	for !strings.Contains(logs[slot].String(), "another replica claimed this run") && wall.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	rep.PausedStopped = wall.Now().Before(deadline)
	var audit []struct {
		Action string `json:"action"`
		RunID  string `json:"run_id"`
	}
	if err := getJSON(client, url+"/api/v1/audit?limit=1000", &audit); err != nil {
		return err
	}
	for _, a := range audit {
		if a.RunID == p.ID && a.Action == "run.finished" {
			rep.PausedFinished++
		}
	}
	var r runView
	if err := getJSON(client, url+"/api/v1/runs/"+p.ID, &r); err != nil {
		return err
	}
	rep.PausedStatus, rep.PausedRunner = r.Status, r.Runner
	logf("run %s: %s on %s, finished %d time(s); the resumed replica stopped it: %v", p.ID, r.Status, r.Runner, rep.PausedFinished, rep.PausedStopped)
	return nil
}

// followEnd follows run id's live events on the replica at url and
// returns the run's status in its "end" event, or what went wrong.
func followEnd(ctx context.Context, url, id string) string {
	req, err := http.NewRequestWithContext(ctx, "GET", url+"/api/v1/runs/"+id+"/events", nil)
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+readerToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.Status
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "end":
			var r runView
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &r); err != nil {
				return err.Error()
			}
			return r.Status
		}
	}
	return "no end event"
}

// statusError is an answer that was not 2xx.
type statusError struct {
	code int
	body string
}

func (e statusError) Error() string { return fmt.Sprintf("%d: %s", e.code, e.body) }

// startRun starts a run of runbook through the replica at url.
func startRun(ctx context.Context, url, runbook, token string) (runView, error) {
	var run runView
	err := postJSON(ctx, url+"/api/v1/runbooks/"+runbook+"/runs", token, `{}`, &run)
	if err == nil && run.ID == "" {
		err = fmt.Errorf("starting a run of %s: no run in the answer", runbook)
	}
	return run, err
}

func postJSON(ctx context.Context, url, token, body string, out any) error {
	req, err := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return statusError{code: resp.StatusCode, body: string(b)}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// waitStep waits until run id has a step running.
func waitStep(c *http.Client, url, id string, within time.Duration) error {
	return waitRun(c, url, id, within, func(r runView) bool {
		return slices.ContainsFunc(r.Steps, stepRunning)
	})
}

func waitRun(c *http.Client, url, id string, within time.Duration, done func(runView) bool) error {
	deadline := wall.Now().Add(within)
	for {
		var r runView
		if err := getJSON(c, url+"/api/v1/runs/"+id, &r); err == nil && done(r) {
			return nil
		}
		if wall.Now().After(deadline) {
			return fmt.Errorf("run %s: not within %s", id, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
