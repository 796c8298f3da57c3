package runbook

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/runbook/cleanup"
	"github.com/vigil-sre/vigil/internal/runbook/sshstep"
	"github.com/vigil-sre/vigil/internal/store"
)

// dryRun renders every step of r, executes none, and stores the result as
// a run whose steps are "planned". Outputs of earlier steps are shown as
// placeholders (<steps.ID.stdout>); guards are reported, not enforced.
func (e *Engine) dryRun(ctx context.Context, r *run) (store.RunRow, error) {
	now := e.d.Clock.Now()
	r.row.Status, r.row.StartedAt, r.row.EndedAt = store.RunSucceeded, now, now
	switch approval, refusal := e.guardPreview(ctx, r); {
	case refusal != nil:
		r.row.Reason = "a real run now would be " + refusal.Error()
	case approval:
		r.row.Reason = "a real run now would wait for approval"
	}
	r.row = r.maskRow(r.row)
	if err := e.d.Store.SaveRun(ctx, r.row); err != nil {
		return store.RunRow{}, errs.Wrap(errs.Internal, err, "storing the dry run")
	}
	for i, s := range r.b.steps {
		row := store.StepRow{RunID: r.row.ID, Seq: i, StepID: s.cfg.ID, Kind: s.kind, Status: "planned", StartedAt: now, EndedAt: now,
			Idempotent: s.cfg.Idempotent}
		detail, err := r.plan(s)
		if err != nil {
			row.Error = r.mask(err.Error())
		}
		if s.cfg.If != "" {
			detail = "if " + s.cfg.If + ": " + detail
		}
		if i >= r.b.main {
			detail = "if a step fails: " + detail
		}
		row.Detail = r.mask(detail)
		if err := e.d.Store.SaveStep(ctx, row); err != nil {
			return store.RunRow{}, errs.Wrap(errs.Internal, err, "storing the dry run")
		}
		r.steps[s.cfg.ID] = placeholders(s.cfg.ID)
	}
	e.audit(ctx, r.row.TriggeredBy, "run.dry_run", r.row, r.mask(formatParams(r.row.Params)))
	return r.row, nil
}

// placeholders stand for a step's outcome in a dry run, where it has not
// run: every field reads <steps.ID.FIELD>, so nothing shows a result.
func placeholders(id string) map[string]any {
	out := map[string]any{}
	for _, f := range []string{"ok", "status", "exit_code", "stdout", "stderr", "error", "skipped"} {
		out[f] = "<steps." + id + "." + f + ">"
	}
	return out
}

// guardPreview says whether the guards would let a real run through now,
// without taking a lock or counting the dry run.
func (e *Engine) guardPreview(ctx context.Context, r *run) (bool, *Refusal) {
	return e.guard(r, e.d.Clock.Now(), storeCounter{ctx: ctx, s: e.d.Store})
}

// plan describes what step s would do.
func (r *run) plan(s *step) (string, error) {
	switch s.kind {
	case "run":
		argv, err := r.renderArgv("run", s.list["run"])
		if err != nil {
			return "", err
		}
		env, err := r.env(s)
		if err != nil {
			return "", err
		}
		dir, err := r.renderPath(s, "dir")
		if err != nil {
			return "", err
		}
		return jsonText(map[string]any{"argv": argv, "dir": dir, "env": stepEnv(env, s)}), nil
	case "shell":
		return jsonText(map[string]any{"argv": []string{"/bin/sh", "-c", s.cfg.Shell}}), nil
	case "ssh":
		host, err := r.renderPath(s, "ssh.host")
		if err != nil {
			return "", err
		}
		argv, err := r.renderArgv("ssh.command", s.list["ssh.command"])
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("ssh %s@%s %s", s.cfg.SSH.User, host, sshstep.Command(argv)), nil
	case "http":
		url, err := r.renderText(s, "http.url")
		if err != nil {
			return "", err
		}
		body, err := r.renderText(s, "http.body")
		if err != nil {
			return "", err
		}
		method := s.cfg.HTTP.Method
		if method == "" {
			method = "GET"
		}
		return jsonText(map[string]any{"method": method, "url": url, "body": body, "expect": s.cfg.Expect}), nil
	case "check":
		return "run check " + s.cfg.Check, nil
	case "wait":
		w := s.cfg.Wait
		every := w.Every.D()
		if every <= 0 {
			every = DefaultWaitEvery
		}
		switch {
		case w.For > 0 && w.Check != "" && w.Until != "":
			return fmt.Sprintf("gate: check %s must pass and %s must hold at every look (every %s) for %s, else the run fails",
				w.Check, w.Until, duration.Format(every), duration.Format(w.For.D())), nil
		case w.For > 0 && w.Check != "":
			return fmt.Sprintf("gate: check %s must pass at every look (every %s) for %s, else the run fails", w.Check, duration.Format(every), duration.Format(w.For.D())), nil
		case w.For > 0:
			return fmt.Sprintf("gate: %s must hold at every look (every %s) for %s, else the run fails", w.Until, duration.Format(every), duration.Format(w.For.D())), nil
		case w.Duration > 0:
			return "wait " + w.Duration.String(), nil
		case w.Check != "":
			return "wait until check " + w.Check + " passes", nil
		}
		return "wait until " + w.Until, nil
	case "approve":
		return "wait for approval by " + orAnyone(s.cfg.Approve.Approvers), nil
	case "notify":
		msg, err := r.renderText(s, "message")
		if err != nil {
			return "", err
		}
		return "notify " + strings.Join(s.cfg.Notify, ", ") + ": " + msg, nil
	case "cleanup":
		spec, err := r.cleanupSpec(s)
		if err != nil {
			return "", err
		}
		rep, err := cleanup.Plan(spec, r.e.d.Clock.Now(), nil)
		if err != nil {
			return "", err
		}
		return jsonText(rep), nil
	case "runbook":
		params := map[string]string{}
		for k := range s.cfg.Runbook.Params {
			v, err := r.renderText(s, "param."+k)
			if err != nil {
				return "", err
			}
			params[k] = v
		}
		return "run runbook " + s.cfg.Runbook.ID + " with " + formatParams(params), nil
	}
	return "", fmt.Errorf("unknown step kind %s", s.kind)
}

// stepEnv is the part of a command's environment the step itself sets.
func stepEnv(env []string, s *step) []string {
	out := []string{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := s.env[k]; ok || strings.HasPrefix(k, "PARAM_") {
			out = append(out, kv)
		}
	}
	return out
}

func orAnyone(who []string) string {
	if len(who) == 0 {
		return "anyone with the operate scope"
	}
	return strings.Join(who, ", ")
}
