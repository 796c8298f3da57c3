package toil

import (
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/internal/config"
)

// matcher attaches entries to the first toil item, in config order, with a
// rule that matches them.
type matcher struct {
	items []compiledItem
}

type compiledItem struct {
	id, service string
	estimate    time.Duration
	rules       []rule
}

type rule struct {
	alert            labels.Matchers
	check            string
	runbook, trigger string
}

// newMatcher compiles the items' rules; config loading already checked
// that every matcher parses.
func newMatcher(cfg *config.Config) matcher {
	var m matcher
	for _, it := range cfg.Toil {
		ci := compiledItem{id: it.ID, service: it.Service, estimate: it.Estimate.D()}
		for _, r := range it.Match {
			cr := rule{check: r.Check, runbook: r.Runbook, trigger: r.Trigger}
			for _, s := range r.Alert {
				if lm, err := labels.ParseMatcher(s); err == nil {
					cr.alert = append(cr.alert, lm)
				}
			}
			ci.rules = append(ci.rules, cr)
		}
		m.items = append(m.items, ci)
	}
	return m
}

// attach sets e.Item when an item claims e. An entry of one service never
// joins another service's item; one without a service takes the item's.
func (m matcher) attach(e *Entry) {
	if e.Source == SourceManual || e.Source == SourceIncident {
		return // a person named the item, or none; incidents are their own work
	}
	for _, it := range m.items {
		if it.service != "" && e.Service != "" && e.Service != it.service {
			continue
		}
		for _, r := range it.rules {
			if r.matches(e) {
				e.Item = it.id
				if e.Service == "" {
					e.Service = it.service
				}
				if e.Source == SourceAlert {
					e.span = it.estimate
				}
				return
			}
		}
	}
}

func (r rule) matches(e *Entry) bool {
	switch {
	case len(r.alert) > 0:
		if e.labels == nil {
			return false
		}
		for _, m := range r.alert {
			if !m.Matches(e.labels[m.Name]) { // a missing label reads as "", as in Alertmanager
				return false
			}
		}
		return true
	case r.check != "":
		return e.check == r.check
	case r.runbook != "":
		return e.runbook == r.runbook && (r.trigger == config.TriggerAny || r.trigger == "" || r.trigger == e.trigger)
	}
	return false
}
