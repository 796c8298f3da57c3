package runbook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/runbook/cleanup"
	"github.com/vigil-sre/vigil/internal/runbook/sshstep"
	"github.com/vigil-sre/vigil/internal/secret"
	"github.com/vigil-sre/vigil/internal/store"
)

// outcome is what one attempt of a step came to.
type outcome struct {
	status         string // ok, failed, skipped, canceled
	exit           int
	hasExit        bool
	stdout, stderr string
	detail         string
	err            string
}

// runStep evaluates the step's if, runs it with its retries, and records
// each stage as it happens.
func (r *run) runStep(ctx context.Context, seq int, s *step) outcome {
	e := r.e
	row := store.StepRow{RunID: r.row.ID, Seq: seq, StepID: s.cfg.ID, Kind: s.kind, Idempotent: s.cfg.Idempotent}
	if s.cond != nil {
		ok, err := s.cond.Eval(r.vars())
		if err != nil {
			out := outcome{status: "failed", err: "if: " + err.Error()}
			r.record(ctx, row, out)
			return out
		}
		if !ok {
			out := outcome{status: "skipped", detail: "if " + s.cfg.If + " did not hold (" + s.cond.Explain(r.vars()) + ")"}
			r.record(ctx, row, out)
			return out
		}
	}
	attempts, delay, backoff := 1, time.Second, 1.0
	if rt := s.cfg.Retry; rt != nil {
		attempts = rt.Count + 1
		if rt.Delay > 0 {
			delay = rt.Delay.D()
		}
		if rt.Backoff > 1 {
			backoff = rt.Backoff
		}
	}
	var out outcome
	for a := 1; a <= attempts; a++ {
		row.Attempt, row.Status, row.StartedAt, row.EndedAt = a, "running", e.d.Clock.Now(), time.Time{}
		row.Stdout, row.Stderr, row.Error, row.HasExit, row.ExitCode = "", "", "", false, 0
		r.saveStep(ctx, row)
		out = r.attempt(ctx, seq, s)
		if out.status != "failed" || a == attempts || ctx.Err() != nil {
			break
		}
		row.Detail = out.detail
		r.record(ctx, row, out)
		t := e.d.Clock.NewTimer(delay)
		select {
		case <-t.Chan():
		case <-ctx.Done():
			t.Stop()
			return out // shutting down: no new attempt; the run is dealt with at the next start
		}
		delay = time.Duration(float64(delay) * backoff)
	}
	if ctx.Err() != nil && out.status != "ok" {
		return out // interrupted: left running, marked at the next start
	}
	r.record(ctx, row, out)
	return out
}

// record stores a step's outcome and makes it visible to later steps.
func (r *run) record(ctx context.Context, row store.StepRow, out outcome) {
	row.Status, row.EndedAt = out.status, r.e.d.Clock.Now()
	if row.StartedAt.IsZero() {
		row.StartedAt = row.EndedAt
	}
	row.ExitCode, row.HasExit = out.exit, out.hasExit
	row.Stdout, row.Stderr, row.Detail, row.Error = out.stdout, out.stderr, out.detail, out.err
	r.saveStep(ctx, row)
	exit := any(nil)
	if out.hasExit {
		exit = out.exit
	}
	r.mu.Lock()
	r.steps[row.StepID] = map[string]any{"ok": out.status == "ok", "status": out.status, "exit_code": exit,
		"stdout": r.mask(out.stdout), "stderr": r.mask(out.stderr), "error": out.err, "skipped": out.status == "skipped"}
	r.mu.Unlock()
}

// attempt runs the step once, within its timeout.
func (r *run) attempt(ctx context.Context, seq int, s *step) outcome {
	switch s.kind {
	case "wait":
		return r.wait(ctx, s)
	case "approve":
		return r.approve(ctx, seq, s)
	case "runbook":
		return r.call(ctx, s)
	}
	sctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var out outcome
	switch s.kind {
	case "run", "shell":
		out = r.command(sctx, s)
	case "ssh":
		out = r.ssh(sctx, s)
	case "http":
		out = r.http(sctx, s)
	case "check":
		out = r.check(sctx, s.cfg.Check)
	case "notify":
		out = r.notify(sctx, s)
	case "cleanup":
		out = r.cleanup(sctx, s)
	default:
		out = outcome{status: "failed", err: "unknown step kind " + s.kind}
	}
	if out.status == "failed" && sctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
		out.err = "timed out after " + duration.Format(s.timeout) + prefix(": ", out.err)
	}
	return out
}

func (r *run) renderText(s *step, name string) (string, error) {
	t := s.text[name]
	if t == nil {
		return "", nil
	}
	return r.render(t, r.data())
}

// command runs argv (or, when the step says shell:, a script under
// /bin/sh -c) in its own process group, so a timeout kills what it started
// too. Params reach a shell script as environment variables (PARAM_NAME),
// never as text spliced into it.
func (r *run) command(ctx context.Context, s *step) outcome {
	var argv []string
	if s.kind == "shell" {
		argv = []string{"/bin/sh", "-c", s.cfg.Shell}
	} else {
		var err error
		if argv, err = r.renderArgv("run", s.list["run"]); err != nil {
			return outcome{status: "failed", err: err.Error()}
		}
	}
	env, err := r.env(s)
	if err != nil {
		return outcome{status: "failed", err: err.Error()}
	}
	dir, err := r.renderPath(s, "dir")
	if err != nil {
		return outcome{status: "failed", err: err.Error()}
	}
	detail := jsonText(map[string]any{"argv": argv, "dir": dir})
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A daemon that left the process group but kept our stdout must not keep
	// the step (and its lock) waiting once the command itself has exited.
	cmd.WaitDelay = 2 * time.Second
	stdout, stderr := newCapped(MaxOutput), newCapped(MaxOutput)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return outcome{status: "failed", detail: detail, err: err.Error()}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var werr error
	select {
	case werr = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		werr = <-done
	}
	out := outcome{status: "ok", detail: detail, stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		out.status, out.err = "failed", "killed: "+ctx.Err().Error()
	case errors.As(werr, &exitErr):
		out.exit, out.hasExit = exitErr.ExitCode(), true
		if out.exit != 0 {
			out.status = "failed"
		}
	case werr != nil:
		out.status, out.err = "failed", werr.Error()
	default:
		out.hasExit = true
	}
	return out
}

// env is the environment of a command: a small base (PATH, HOME, LANG),
// the run's identity, params as PARAM_NAME, and the step's env.
func (r *run) env(s *step) ([]string, error) {
	env := []string{"VIGIL_RUN_ID=" + r.row.ID, "VIGIL_RUNBOOK=" + r.b.cfg.ID}
	for _, k := range []string{"PATH", "HOME", "LANG", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.row.Params)) {
		env = append(env, "PARAM_"+strings.ToUpper(k)+"="+r.row.Params[k])
	}
	if r.req.Alert != nil {
		env = append(env, fmt.Sprintf("VIGIL_ALERT_ID=%d", r.req.Alert.ID))
	}
	data := r.data()
	keys := make([]string, 0, len(s.env))
	for k := range s.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := r.render(s.env[k], data)
		if err != nil {
			return nil, err
		}
		env = append(env, k+"="+v)
	}
	return env, nil
}

func (r *run) ssh(ctx context.Context, s *step) outcome {
	host, err := r.renderPath(s, "ssh.host")
	if err != nil {
		return outcome{status: "failed", err: err.Error()}
	}
	argv, err := r.renderArgv("ssh.command", s.list["ssh.command"])
	if err != nil {
		return outcome{status: "failed", err: err.Error()}
	}
	h := s.cfg.SSH
	detail := fmt.Sprintf("ssh %s@%s %s", h.User, host, sshstep.Command(argv))
	res, err := sshstep.Run(ctx, sshstep.Spec{Host: host, User: h.User, KeyFile: h.KeyFile, KnownHosts: h.KnownHosts, Argv: argv, MaxOutput: MaxOutput})
	out := outcome{status: "ok", detail: detail, stdout: res.Stdout, stderr: res.Stderr}
	if err != nil {
		out.status, out.err = "failed", err.Error()
		return out
	}
	out.exit, out.hasExit = res.ExitCode, res.ExitCode >= 0
	if res.ExitCode != 0 {
		out.status = "failed"
	}
	return out
}

var httpClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// http sends the step's request and checks its expect conditions (by
// default: a 2xx status).
func (r *run) http(ctx context.Context, s *step) outcome {
	h := s.cfg.HTTP
	url, err := r.renderText(s, "http.url")
	if err != nil {
		return outcome{status: "failed", err: err.Error()}
	}
	body, err := r.renderText(s, "http.body")
	if err != nil {
		return outcome{status: "failed", err: err.Error()}
	}
	method := h.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return outcome{status: "failed", err: "request: " + err.Error()}
	}
	for k := range h.Headers {
		v, err := r.renderText(s, "http.header."+k)
		if err != nil {
			return outcome{status: "failed", err: err.Error()}
		}
		req.Header.Set(k, v)
	}
	detail := method + " " + url
	sw := clock.Start()
	resp, err := httpClient.Do(req)
	if err != nil {
		return outcome{status: "failed", detail: detail, err: secret.ScrubURL(err.Error(), url)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, MaxOutput))
	vars := httpVars{Status: resp.StatusCode, Body: string(raw), Duration: sw.Elapsed(), Headers: map[string]string{}}
	for k := range resp.Header {
		vars.Headers[strings.ToLower(k)] = resp.Header.Get(k)
	}
	_ = json.Unmarshal(raw, &vars.JSON)
	out := outcome{status: "ok", detail: detail + " → " + resp.Status, stdout: string(raw), exit: resp.StatusCode, hasExit: false}
	if len(s.expect) == 0 {
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			out.status, out.err = "failed", "status "+resp.Status
		}
		return out
	}
	for _, c := range s.expect {
		ok, err := c.Eval(vars)
		if err != nil || !ok {
			out.status = "failed"
			out.err = c.Source() + " failed (" + c.Explain(vars) + ")"
			if err != nil {
				out.err = c.Source() + ": " + err.Error()
			}
			return out
		}
	}
	return out
}

// check runs a configured check now.
func (r *run) check(ctx context.Context, key string) outcome {
	if r.e.d.Probe == nil {
		return outcome{status: "failed", err: "checks are not available"}
	}
	res, err := r.e.d.Probe(ctx, key)
	if err != nil {
		return outcome{status: "failed", err: err.Error()}
	}
	out := outcome{status: "ok", detail: "check " + key + ": " + string(res.Status)}
	if res.Status == check.Fail {
		out.status = "failed"
		out.err = firstNonEmpty(res.Error, res.Reason, "check failed")
	}
	return out
}

// wait pauses for a duration, or polls a condition or check until it
// passes or the step's timeout ends.
func (r *run) wait(ctx context.Context, s *step) outcome {
	w := s.cfg.Wait
	clk := r.e.d.Clock
	if w.Duration > 0 {
		t := clk.NewTimer(w.Duration.D())
		defer t.Stop()
		select {
		case <-t.Chan():
			return outcome{status: "ok", detail: "waited " + duration.Format(w.Duration.D())}
		case <-ctx.Done():
			return outcome{status: "failed", err: ctx.Err().Error()}
		}
	}
	every := w.Every.D()
	if every <= 0 {
		every = DefaultWaitEvery
	}
	timeout := s.timeout
	deadline := clk.Now().Add(timeout)
	what := "until " + w.Until
	if w.Check != "" {
		what = "until check " + w.Check + " passes"
	}
	last := ""
	for {
		if w.Check != "" {
			cctx, cancel := context.WithTimeout(ctx, every)
			out := r.check(cctx, w.Check)
			cancel()
			if out.status == "ok" {
				return outcome{status: "ok", detail: "waited " + what}
			}
			last = out.err
		} else {
			ok, err := s.until.Eval(r.vars())
			if err == nil && ok {
				return outcome{status: "ok", detail: "waited " + what}
			}
			last = s.until.Explain(r.vars())
		}
		if !clk.Now().Before(deadline) {
			return outcome{status: "failed", detail: "waited " + what, err: "still not true after " + duration.Format(timeout) + prefix(": ", last)}
		}
		t := clk.NewTimer(min(every, deadline.Sub(clk.Now())))
		select {
		case <-t.Chan():
		case <-ctx.Done():
			t.Stop()
			return outcome{status: "failed", err: ctx.Err().Error()}
		}
	}
}

func (r *run) approve(ctx context.Context, seq int, s *step) outcome {
	a := s.cfg.Approve
	msg, err := r.renderText(s, "approve.message")
	if err != nil {
		return outcome{status: "failed", err: err.Error()}
	}
	if msg == "" {
		msg = fmt.Sprintf("Runbook %s (run %s) waits for approval at step %s.", r.b.cfg.ID, r.row.ID, s.cfg.ID)
	}
	if why := r.e.noOtherApprover(r, a.Approvers); why != "" {
		return outcome{status: "failed", err: why}
	}
	w := r.openWait(a.Approvers, seq) // before the step shows it waits
	row := store.StepRow{RunID: r.row.ID, Seq: seq, StepID: s.cfg.ID, Kind: s.kind, Status: "awaiting_approval", Attempt: 1,
		StartedAt: r.e.d.Clock.Now(), Detail: msg}
	r.saveStep(ctx, row)
	if !r.awaitApproval(ctx, w, "Approve "+r.b.cfg.ID+": "+s.cfg.ID, msg, seq) {
		if ctx.Err() != nil {
			return outcome{status: "failed", err: ctx.Err().Error()}
		}
		return outcome{status: "canceled", detail: msg, err: r.snapshot().Reason}
	}
	r.setStatus(store.RunRunning, "")
	r.save(ctx)
	return outcome{status: "ok", detail: "approved by " + r.snapshot().ApprovedBy}
}

func (r *run) notify(ctx context.Context, s *step) outcome {
	msg, err := r.renderText(s, "message")
	if err != nil {
		return outcome{status: "failed", err: err.Error()}
	}
	title := "Runbook " + r.b.cfg.ID + ": " + s.cfg.ID
	if msg == "" {
		msg = title
	}
	if r.e.d.Pager == nil {
		return outcome{status: "failed", err: "notifications are not available"}
	}
	err = r.e.d.Pager.Announce(ctx, pager.Announcement{Targets: s.cfg.Notify, Title: title, Text: r.mask(msg),
		URL: r.e.d.URL("/runs/" + r.row.ID), AlertID: r.row.AlertID})
	detail := "notify " + strings.Join(s.cfg.Notify, ", ") + ": " + msg
	if err != nil {
		return outcome{status: "failed", detail: detail, err: err.Error()}
	}
	return outcome{status: "ok", detail: detail}
}

func (r *run) cleanupSpec(s *step) (cleanup.Spec, error) {
	c := s.cfg.Cleanup
	dir, err := r.renderPath(s, "cleanup.path")
	if err != nil {
		return cleanup.Spec{}, err
	}
	spec := cleanup.Spec{Dir: dir, Glob: c.Glob, OlderThan: c.OlderThan.D(), Compress: c.Compress, KeepFreePercent: c.KeepFreePercent}
	return spec, cleanup.Validate(spec)
}

func (r *run) cleanup(ctx context.Context, s *step) outcome {
	spec, err := r.cleanupSpec(s)
	if err != nil {
		return outcome{status: "failed", err: err.Error()}
	}
	rep, err := cleanup.Apply(ctx, spec, r.e.d.Clock.Now(), nil)
	out := outcome{status: "ok", detail: jsonText(rep), stdout: cleanupSummary(rep)}
	if err != nil {
		out.status, out.err = "failed", err.Error()
	}
	return out
}

func cleanupSummary(rep cleanup.Report) string {
	var b bytes.Buffer
	for _, a := range rep.Actions {
		fmt.Fprintf(&b, "%s %s (%d bytes)\n", a.Op, a.Path, a.Size)
	}
	fmt.Fprintf(&b, "freed %d bytes; free %.1f%% → %.1f%%", rep.Freed, rep.FreeBefore, rep.FreeAfter)
	return b.String()
}

// call runs another runbook as a child run and waits for it.
func (r *run) call(ctx context.Context, s *step) outcome {
	c := s.cfg.Runbook
	params := map[string]string{}
	for k := range c.Params {
		v, err := r.renderText(s, "param."+k)
		if err != nil {
			return outcome{status: "failed", err: err.Error()}
		}
		params[k] = v
	}
	child, err := r.e.Start(ctx, Request{Runbook: c.ID, Params: params, Trigger: TriggerRunbook, TriggeredBy: "run/" + r.row.ID, parent: r})
	if err != nil {
		return outcome{status: "failed", detail: "runbook " + c.ID, err: err.Error()}
	}
	done := r.e.waitRun(ctx, child.ID)
	row, _, err := r.e.d.Store.Run(context.WithoutCancel(ctx), child.ID)
	if err != nil || !done {
		return outcome{status: "failed", detail: "runbook " + c.ID + " run " + child.ID, err: firstNonEmpty(errString(err), "interrupted")}
	}
	out := outcome{status: "ok", detail: "runbook " + c.ID + " run " + child.ID + ": " + row.Status}
	if row.Status != "succeeded" {
		out.status, out.err = "failed", row.Reason
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// capped keeps the first n bytes written and counts the rest.
type capped struct {
	n       int
	buf     bytes.Buffer
	dropped int
}

func newCapped(n int) *capped { return &capped{n: n} }

func (c *capped) Write(p []byte) (int, error) {
	room := c.n - c.buf.Len()
	if room > len(p) {
		room = len(p)
	}
	if room > 0 {
		c.buf.Write(p[:room])
	}
	c.dropped += len(p) - max(room, 0)
	return len(p), nil
}

func (c *capped) String() string {
	if c.dropped > 0 {
		return c.buf.String() + fmt.Sprintf("\n[%d more bytes not kept]", c.dropped)
	}
	return c.buf.String()
}
