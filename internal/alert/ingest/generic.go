package ingest

import (
	"encoding/json"

	"github.com/vigil-sre/vigil/internal/alert"
)

// genericEvent is one event of Vigil's own format, documented in doc.go.
type genericEvent struct {
	Key         string            `json:"key"`
	Action      string            `json:"action"`
	Summary     string            `json:"summary"`
	Severity    string            `json:"severity"`
	Service     string            `json:"service"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Links       []alert.Link      `json:"links"`
	Runbook     string            `json:"runbook"`
	At          string            `json:"at"`
}

// Generic reads Vigil's own format: one event, or {"events": [...]}.
func Generic(body []byte, integ Integration) ([]alert.Event, error) {
	// The first, lenient pass reports broken JSON with its offset and tells
	// one event from a batch; the strict pass then rejects unknown fields,
	// which also keeps single-event fields out of a batch. The generic format
	// is not the hot path, so the second pass is affordable.
	var probe struct {
		Events json.RawMessage `json:"events"`
	}
	if errs := decode(body, &probe); errs != nil {
		return nil, errs
	}
	if probe.Events == nil {
		var g genericEvent
		if errs := decodeStrict(body, &g, "", 0); errs != nil {
			return nil, errs
		}
		var errs Errors
		ev := g.event(&errs, where{}, integ)
		if err := errs.err(); err != nil {
			return nil, err
		}
		return []alert.Event{ev}, nil
	}

	var batch struct {
		Events []json.RawMessage `json:"events"`
	}
	if errs := decodeStrict(body, &batch, "", 0); errs != nil {
		for i := range errs {
			if errs[i].Message == msgUnknownField {
				errs[i].Message = `cannot be combined with "events"; set it on each event`
			}
		}
		return nil, errs
	}
	var errs Errors
	if len(batch.Events) > MaxAlerts {
		errs.add("events", "has %d events; the limit is %d a request", len(batch.Events), MaxAlerts)
		return nil, errs
	}
	events := make([]alert.Event, len(batch.Events))
	for i, raw := range batch.Events {
		var g genericEvent
		// Element offsets are lost in RawMessage; errors name the index instead.
		if bad := decodeStrict(raw, &g, index("events", i), -1); bad != nil {
			errs = append(errs, bad...)
			continue
		}
		events[i] = g.event(&errs, where{"events", i}, integ)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return events, nil
}

// event validates g and maps it, reporting problems at its place in the body.
func (g *genericEvent) event(errs *Errors, at where, integ Integration) alert.Event {
	ev := alert.Event{
		Action:      alert.Action(g.Action),
		Source:      alert.SourceGeneric,
		Integration: integ.ID,
		Key:         g.Key,
		Summary:     g.Summary,
		Service:     g.Service,
		Labels:      g.Labels,
		Annotations: g.Annotations,
		Links:       g.Links,
		Runbook:     g.Runbook,
		At:          parseTime(errs, at, "at", g.At, integ.window()),
	}
	switch {
	case blank(g.Key):
		errs.add(at.field("key"), "is missing or blank")
	case chars(g.Key) > maxKeyChars:
		errs.add(at.field("key"), "is too long (maximum is %d characters)", maxKeyChars)
	}
	switch ev.Action {
	case "":
		ev.Action = alert.Trigger
	case alert.Trigger, alert.Acknowledge, alert.Resolve:
	default:
		errs.add(at.field("action"), "%s is not one of trigger, acknowledge, resolve", quote(g.Action))
	}
	switch {
	case ev.Action == alert.Trigger && blank(g.Summary):
		errs.add(at.field("summary"), "is missing or blank (required to trigger)")
	case chars(g.Summary) > maxSummaryChars:
		errs.add(at.field("summary"), "is too long (maximum is %d characters)", maxSummaryChars)
	}
	if g.Severity == "" {
		ev.Severity = alert.Error
	} else if s, ok := alert.ParseSeverity(g.Severity); ok {
		ev.Severity = s
	} else {
		errs.add(at.field("severity"), "%s is not one of critical, error, warning, info", quote(g.Severity))
	}
	if ev.Service == "" {
		ev.Service = integ.Service
	}
	if ev.Service == "" && ev.Action == alert.Trigger && integ.RequireService {
		errs.add(at.field("service"), "is required to trigger with an API token (an integration's key brings its default service)")
	}
	checkValues(errs, at, "labels", g.Labels)
	checkValues(errs, at, "annotations", g.Annotations)
	for i, l := range g.Links {
		switch {
		case blank(l.Href):
			errs.add(join(index(at.field("links"), i), "href"), "is missing or blank")
		case !webURL(l.Href):
			errs.add(join(index(at.field("links"), i), "href"), "must be an http:// or https:// URL")
		}
	}
	return ev
}
