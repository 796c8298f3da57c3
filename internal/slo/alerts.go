package slo

import (
	"fmt"
	"maps"
	"strconv"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/slo/burn"
)

// alerter turns rule states into pager events on their changes: a rule
// that starts firing triggers its alert, one that stops resolves it. A rule
// that cannot be judged (its source failed) changes nothing. The first
// round after a start says every state, so alerts agree with SLOs even
// after a crash (a trigger for an open alert only counts again; a resolve
// for none is ignored).
type alerter struct {
	firing map[string]bool // alert key -> firing, as the pager last heard
	primed bool
}

// NoDataRule names the alert raised while an SLI cannot be read, when
// alerting.no_data asks for one.
const NoDataRule = "no-data"

// events returns what to tell the pager and a commit to call once it heard.
func (a *alerter) events(slos []*SLO, sts []Status, base string) ([]alert.Event, func()) {
	next := map[string]bool{}
	var evs []alert.Event
	say := func(key string, firing bool, ev func() alert.Event) {
		next[key] = firing
		if was, known := a.firing[key]; a.primed && known && was == firing {
			return
		}
		if !a.primed || firing || a.firing[key] {
			evs = append(evs, ev())
		}
	}
	for i, s := range slos {
		st := sts[i]
		for _, r := range st.Alerts {
			key := s.Key() + "/" + r.Name
			if r.Unknown != "" && !s.Cfg.Alerting.Disabled {
				if was, ok := a.firing[key]; ok {
					next[key] = was
				}
				continue
			}
			say(key, r.Firing, func() alert.Event { return burnEvent(s, st, r, key, base) })
		}
		if s.Cfg.Alerting.NoData || a.firing[s.Key()+"/"+NoDataRule] {
			key := s.Key() + "/" + NoDataRule
			firing := s.Cfg.Alerting.NoData && !s.Cfg.Alerting.Disabled && st.NoData != "" && st.Total == 0
			say(key, firing, func() alert.Event { return noDataEvent(s, st, key, firing, base) })
		}
	}
	// Rules gone in a reload resolve their alerts.
	for key, was := range a.firing {
		if _, still := next[key]; !still && was {
			evs = append(evs, alert.Event{Action: alert.Resolve, Source: alert.SourceSLO, Key: key})
		}
	}
	return evs, func() { a.firing, a.primed = next, true }
}

func burnEvent(s *SLO, st Status, r RuleStatus, key, base string) alert.Event {
	action := alert.Resolve
	if r.Firing {
		action = alert.Trigger
	}
	sev := s.Cfg.Alerting.TicketSeverity
	if r.Severity == burn.Page {
		sev = s.Cfg.Alerting.PageSeverity
	}
	summary := fmt.Sprintf("%s is burning its error budget at %s× over %s and %s× over %s (%s at %.4g×",
		s.Key(), num(r.BurnLong), r.LongText, num(r.BurnShort), r.ShortText, r.Severity, r.Factor)
	if r.BudgetPercent > 0 {
		summary += fmt.Sprintf(": %g%% of the %s budget in %s", r.BudgetPercent, st.Window, r.LongText)
	}
	summary += ")"
	if left := st.Budget.Left(); left != "" {
		summary += "; " + left
	}
	ann := map[string]string{"burn_long": num(r.BurnLong), "burn_short": num(r.BurnShort), "factor": strconv.FormatFloat(r.Factor, 'g', 4, 64),
		"objective": strconv.FormatFloat(st.Objective, 'g', -1, 64), "short_window": r.ShortText}
	if st.Budget.RemainingPercent != nil {
		ann["budget_remaining_percent"] = strconv.FormatFloat(*st.Budget.RemainingPercent, 'f', 2, 64)
	}
	return event(s, key, action, sev, r.LongText, r.Severity, summary, ann, base)
}

func noDataEvent(s *SLO, st Status, key string, firing bool, base string) alert.Event {
	action := alert.Resolve
	if firing {
		action = alert.Trigger
	}
	summary := fmt.Sprintf("%s has no data: %s", s.Key(), st.NoData)
	return event(s, key, action, s.Cfg.Alerting.TicketSeverity, NoDataRule, burn.Ticket, summary, map[string]string{"reason": st.NoData}, base)
}

func event(s *SLO, key string, action alert.Action, sev, window, kind, summary string, ann map[string]string, base string) alert.Event {
	labels := maps.Clone(s.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels["alertname"] = "SLO " + s.Cfg.ID + " burn rate"
	labels["slo"] = s.Cfg.ID
	labels["window"] = window
	severity, ok := alert.ParseSeverity(sev)
	if !ok {
		severity = alert.Error
	}
	// severity is the alert's, as on every other alert, so that routes and
	// inhibition on it treat a burning budget like any failure of that
	// severity; page or ticket has a label of its own.
	labels["severity"] = string(severity)
	labels["slo_severity"] = kind
	return alert.Event{
		Action: action, Source: alert.SourceSLO, Key: key, Summary: summary, Severity: severity,
		Service: s.Service, Labels: labels, Annotations: ann, Runbook: s.Cfg.Runbook,
		Links: []alert.Link{{Href: base + "/#service-" + s.Service, Text: "SLOs on the status page"}},
	}
}

func num(p *float64) string {
	if p == nil {
		return "?"
	}
	return strconv.FormatFloat(*p, 'g', 4, 64)
}
