package app

import (
	"context"
	"log/slog"
	"maps"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/monitor"
	"github.com/vigil-sre/vigil/internal/store"
)

// checkEvent is the alert event a check's state change causes: failing and
// flapping fire (or update) the check's alert, a return to ok or degraded
// resolves it. Pending fires nothing; that is what fail_after is for.
func checkEvent(cfg *config.Config, ev monitor.Event) (alert.Event, bool) {
	var action alert.Action
	switch {
	case ev.To == monitor.Failing || ev.To == monitor.Flapping:
		action = alert.Trigger
	case ev.From == monitor.Failing || ev.From == monitor.Flapping:
		action = alert.Resolve
	default:
		return alert.Event{}, false
	}
	s, c := findCheck(cfg, ev.Service, ev.Check)
	if c == nil {
		return alert.Event{}, false
	}
	return checkAlert(cfg, s, c, action, string(ev.To), ev.Reason, ev.At), true
}

func checkAlert(cfg *config.Config, s *config.Service, c *config.Check, action alert.Action, state, reason string, at time.Time) alert.Event {
	sev, ok := alert.ParseSeverity(c.Severity)
	if !ok {
		sev = alert.Error
	}
	title := c.Name
	if title == "" {
		title = c.ID
	}
	labels := map[string]string{}
	maps.Copy(labels, s.Labels)
	maps.Copy(labels, c.Labels)
	labels["alertname"] = title
	labels["check"] = c.ID
	labels["kind"] = c.Kind()
	summary := title + " is " + state
	if reason != "" {
		summary += ": " + reason
	}
	base := cfg.Global.ExternalURL
	if base == "" {
		base = "http://" + listenHost(cfg.Global.Listen)
	}
	return alert.Event{
		Action: action, Source: alert.SourceCheck, Key: c.Key(), Summary: summary, Severity: sev,
		Service: s.ID, Labels: labels, Runbook: c.Runbook, At: at,
		Annotations: map[string]string{"reason": reason, "target": c.Target(), "state": state},
		Links:       []alert.Link{{Href: base + "/checks/" + c.Key(), Text: "Check in Vigil"}},
	}
}

// checkResult takes every result: latency SLOs count it, and it raises the
// alert of a failing check whose previous alert was
// resolved by hand while it failed: the check has failed again since, so
// the problem is not over. A check that passes needs nothing reopened.
func (a *App) checkResult(ev monitor.Event) {
	a.slos.Result(ev.Service, ev.Check, ev.Result)
	a.deploys.Results(ev.Service+"/"+ev.Check, ev.Result)
	key := ev.Service + "/" + ev.Check
	if ev.To != monitor.Failing && ev.To != monitor.Flapping {
		a.reopen.Delete(key)
		return
	}
	if _, ok := a.reopen.LoadAndDelete(key); !ok {
		return
	}
	cfg := a.cfg.Load()
	if s, c := findCheck(cfg, ev.Service, ev.Check); c != nil {
		a.feed.send(checkAlert(cfg, s, c, alert.Trigger, string(ev.To), ev.Reason, ev.At))
	}
}

// checkNow is how the check behind a check alert is doing now, for pages
// written after the alert opened.
func (a *App) checkNow(row store.AlertRow) (state, reason string, ok bool) {
	sn, ok := a.mon.Snapshot(row.Labels["service"] + "/" + row.Labels["check"])
	if !ok {
		return "", "", false
	}
	return string(sn.State), sn.Reason, true
}

func findCheck(cfg *config.Config, service, id string) (*config.Service, *config.Check) {
	for i := range cfg.Services {
		s := &cfg.Services[i]
		if s.ID != service {
			continue
		}
		for j := range s.Checks {
			if s.Checks[j].ID == id {
				return s, &s.Checks[j]
			}
		}
	}
	return nil, nil
}

func listenHost(listen string) string {
	if len(listen) > 0 && listen[0] == ':' {
		return "localhost" + listen
	}
	return listen
}

// reconcileChecks makes the alerts agree with the checks' states after a
// start: a crash between a check's state change and its alert being stored
// loses neither. Triggers for failing checks are idempotent (the open alert
// counts one more occurrence); resolves for checks without an alert are
// ignored. only, when not nil, limits it to those checks (service/check).
func (a *App) reconcileChecks(ctx context.Context, only map[string]bool) error {
	events := a.checkStateAlerts(only)
	if len(events) == 0 {
		return nil
	}
	_, err := a.pager.Ingest(ctx, events)
	return err
}

// checkStateAlerts are the alert events that the checks' current states
// imply.
func (a *App) checkStateAlerts(only map[string]bool) []alert.Event {
	cfg := a.cfg.Load()
	snaps := a.mon.Snapshots()
	var events []alert.Event
	for i := range cfg.Services {
		s := &cfg.Services[i]
		for j := range s.Checks {
			c := &s.Checks[j]
			sn, ok := snaps[c.Key()]
			if !ok || (only != nil && !only[c.Key()]) {
				continue
			}
			action := alert.Resolve
			if sn.State == monitor.Failing || sn.State == monitor.Flapping {
				action = alert.Trigger
			}
			events = append(events, checkAlert(cfg, s, c, action, string(sn.State), sn.Reason, sn.Since))
		}
	}
	return events
}

// checkFeed hands check alert events to the pager in the order they
// happened, in batches, off the probes' goroutines. While the pager cannot
// commit it retries with backoff and the queue fills; then probes wait to
// queue, which slows checking rather than losing a page. Events still queued
// at shutdown are not lost either: the check states are stored, and
// reconcileChecks raises their alerts at the next start.
type checkFeed struct {
	ch     chan alert.Event
	done   chan struct{}
	ingest func(context.Context, []alert.Event) error
	log    *slog.Logger
	clock  clock.Clock
}

// checkFeedQueue is how many check events may wait for the pager.
const checkFeedQueue = 4096

func newCheckFeed(ingest func(context.Context, []alert.Event) error, log *slog.Logger, c clock.Clock) *checkFeed {
	return &checkFeed{ch: make(chan alert.Event, checkFeedQueue), done: make(chan struct{}), ingest: ingest, log: log, clock: c}
}

// send queues ev; after run has returned it drops ev (see checkFeed).
func (f *checkFeed) send(ev alert.Event) {
	select {
	case f.ch <- ev:
	case <-f.done:
	}
}

// run delivers queued events until ctx ends.
func (f *checkFeed) run(ctx context.Context) {
	defer close(f.done)
	batch := make([]alert.Event, 0, 256)
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-f.ch:
			batch = append(batch[:0], ev)
		}
	drain:
		for len(batch) < cap(batch) {
			select {
			case ev := <-f.ch:
				batch = append(batch, ev)
			default:
				break drain
			}
		}
		for delay := time.Second; ; delay = min(2*delay, 30*time.Second) {
			err := f.ingest(ctx, batch)
			if err == nil || ctx.Err() != nil {
				break
			}
			f.log.Error("raising check alerts failed; retrying", "events", len(batch), "retry_in", delay, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-f.clock.After(delay):
			}
		}
	}
}
