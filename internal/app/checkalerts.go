package app

import (
	"context"
	"maps"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/monitor"
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
// ignored.
func (a *App) reconcileChecks(ctx context.Context) error {
	cfg := a.cfg.Load()
	snaps := a.mon.Snapshots()
	var events []alert.Event
	for i := range cfg.Services {
		s := &cfg.Services[i]
		for j := range s.Checks {
			c := &s.Checks[j]
			sn, ok := snaps[c.Key()]
			if !ok {
				continue
			}
			action := alert.Resolve
			if sn.State == monitor.Failing || sn.State == monitor.Flapping {
				action = alert.Trigger
			}
			events = append(events, checkAlert(cfg, s, c, action, string(sn.State), sn.Reason, sn.Since))
		}
	}
	if len(events) == 0 {
		return nil
	}
	_, err := a.pager.Ingest(ctx, events)
	return err
}
