package deploy

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/store"
)

// Alerts of failed verifications: one per service and environment, so a
// second bad deploy adds to the open alert, and a later deploy there that
// passes verification resolves it.
const alertName = "DeployVerificationFailed"

func alertKey(d store.DeployRow) string { return d.Service + "/" + d.Environment }

// verdict acts on a verification's verdict: a failure raises an alert
// naming the deploy (so it pages, routes and joins incidents like any
// other) and starts the service's deploy.on_failure runbook; a pass
// resolves the alert of an earlier failure there.
func (s *Service) verdict(ctx context.Context, d store.DeployRow) {
	if s.d.Alerts == nil {
		return
	}
	// ctx ends when Vigil stops, like the pager: a failure whose alert a
	// stop cut off is raised at the next start (see UnraisedFailures).
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if d.Verification.Status == store.VerifyPassed {
		ev := alert.Event{Action: alert.Resolve, Source: alert.SourceDeploy, Key: alertKey(d), By: deployRef(d)}
		if _, err := s.d.Alerts(ctx, []alert.Event{ev}); err != nil {
			s.d.Log.Error("deploy: resolving an earlier verification alert failed", "deploy", d.ID, "err", err)
		}
		return
	}
	svc := s.service(d.Service)
	if svc == nil {
		return
	}
	outs, err := s.d.Alerts(ctx, []alert.Event{s.failureEvent(d, svc)})
	if err != nil || len(outs) != 1 {
		s.d.Log.Error("deploy: raising the alert of a failed verification failed", "deploy", d.ID, "err", err)
		return
	}
	alertID := outs[0].AlertID
	run := ""
	if rb := svc.RollbackRunbook(); rb != "" && s.d.Rollback != nil {
		run = s.rollback(ctx, d, rb, alertID)
	}
	if err := s.d.Store.NoteVerification(ctx, d.ID, alertID, run); err != nil {
		s.d.Log.Error("deploy: noting the alert and rollback of a verification failed", "deploy", d.ID, "err", err)
	}
}

// failureEvent is the alert of a failed verification. Its severity is the
// most severe of the verify checks'.
func (s *Service) failureEvent(d store.DeployRow, svc *config.Service) alert.Event {
	sev := alert.Info
	for _, c := range d.Verification.Checks {
		if cc := findCheck(svc, c.Check[len(svc.ID)+1:]); cc != nil {
			if cs, ok := alert.ParseSeverity(cc.Severity); ok && cs.Rank() > sev.Rank() {
				sev = cs
			}
		}
	}
	labels := map[string]string{"alertname": alertName, "deploy": strconv.FormatInt(d.ID, 10), "version": d.Version,
		"environment": d.Environment}
	if d.ReleaseID != 0 {
		labels["release"] = strconv.FormatInt(d.ReleaseID, 10)
	}
	for k, v := range svc.Labels {
		if _, set := labels[k]; !set {
			labels[k] = v
		}
	}
	return alert.Event{
		Action: alert.Trigger, Source: alert.SourceDeploy, Key: alertKey(d), Severity: sev, Service: d.Service,
		Summary: fmt.Sprintf("Deploy %d of %s %s to %s failed verification: %s", d.ID, d.Service, d.Version, d.Environment,
			d.Verification.Reason),
		Labels:      labels,
		Annotations: map[string]string{"reason": d.Verification.Reason, "deployed_by": d.By, "artifact": d.Artifact},
		Runbook:     svc.RollbackRunbook(),
		At:          d.Verification.ConcludedAt,
		Links: []alert.Link{{Href: s.d.URL("/deploys/" + strconv.FormatInt(d.ID, 10)), Text: "Deploy in Vigil"},
			{Href: s.d.URL("/api/v1/deploys/" + strconv.FormatInt(d.ID, 10)), Text: "Deploy (API)"}},
	}
}

// rollback starts the service's rollback runbook with the deploy's fields
// its params ask for, triggered by the failure's alert; it returns the
// run's id ("" when none was made).
func (s *Service) rollback(ctx context.Context, d store.DeployRow, runbook string, alertID int64) string {
	offered := s.rollbackParams(ctx, d)
	params := map[string]string{}
	var declared []string
	if s.d.RunbookParams != nil {
		declared = s.d.RunbookParams(runbook)
	}
	for k, v := range offered {
		if slices.Contains(declared, k) {
			params[k] = v
		}
	}
	row, err := s.d.Store.Alert(ctx, alertID)
	if err != nil {
		s.d.Log.Error("deploy: reading the verification alert failed; not rolling back", "deploy", d.ID, "alert", alertID, "err", err)
		return ""
	}
	run, err := s.d.Rollback(ctx, runbook, params, row, deployRef(d))
	if err != nil {
		s.d.Log.Warn("deploy: the rollback runbook did not start", "deploy", d.ID, "runbook", runbook, "run", run, "err", err)
	}
	return run
}

// rollbackParams are the deploy's fields a rollback runbook may declare:
// service, version, environment, deploy, release, artifact, and
// previous_version, the version that last passed verification (or, without
// verification, succeeded) in that environment before this deploy.
func (s *Service) rollbackParams(ctx context.Context, d store.DeployRow) map[string]string {
	p := map[string]string{"service": d.Service, "version": d.Version, "environment": d.Environment,
		"deploy": strconv.FormatInt(d.ID, 10), "artifact": d.Artifact}
	if d.ReleaseID != 0 {
		p["release"] = strconv.FormatInt(d.ReleaseID, 10)
	}
	if prev := s.previousGood(ctx, d); prev != "" {
		p["previous_version"] = prev
	}
	return p
}

// previousGood is the version of the newest good deploy of the service to
// the environment before d.
func (s *Service) previousGood(ctx context.Context, d store.DeployRow) string {
	ds, err := s.d.Store.Deploys(ctx, d.Service, d.At.Add(-maxLookBack), d.At.Add(1))
	if err != nil {
		s.d.Log.Warn("deploy: looking up the previous version failed", "deploy", d.ID, "err", err)
		return ""
	}
	for _, p := range ds { // newest first
		if p.ID == d.ID || p.Environment != d.Environment || p.Version == d.Version || p.Status != Succeeded {
			continue
		}
		if p.Verification == nil || p.Verification.Status == store.VerifyPassed {
			return p.Version
		}
	}
	return ""
}

// maxLookBack bounds how far back the previous good version is looked for.
const maxLookBack = 90 * 24 * time.Hour

func deployRef(d store.DeployRow) string { return "deploy/" + strconv.FormatInt(d.ID, 10) }
