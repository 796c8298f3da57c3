package ingest

import (
	"github.com/vigil-sre/vigil/internal/alert"
)

// amMessage is Alertmanager's webhook payload, version 4
// (notify/webhook.Message in Alertmanager). Only the fields Vigil maps are
// declared: groupLabels, commonLabels and the like repeat what each alert
// carries, and skipping them saves a map per request.
type amMessage struct {
	Version     string    `json:"version"`
	ExternalURL string    `json:"externalURL"`
	Alerts      []amAlert `json:"alerts"`
}

// amAlert is one alert of a group (template.Alert in Alertmanager).
type amAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     string            `json:"startsAt"`
	EndsAt       string            `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// amVersion is the only webhook version Alertmanager has sent since 0.x;
// another would mean a format we have not read.
const amVersion = "4"

// Alertmanager reads one webhook notification: one event per alert, trigger
// for firing and resolve for resolved. A truncated group (truncatedAlerts > 0,
// from max_alerts) yields the alerts that were sent; the rest arrive when
// Alertmanager next notifies the group. It returns Errors listing every
// problem, and no events, when the payload is invalid.
func Alertmanager(body []byte, integ Integration) ([]alert.Event, error) {
	var msg amMessage
	if errs := decodeAlertmanager(body, &msg); errs != nil {
		return nil, errs
	}
	var errs Errors
	checkVersion(&errs, msg.Version, amVersion)
	if len(msg.Alerts) > MaxAlerts {
		errs.add("alerts", "has %d alerts; the limit is %d a request", len(msg.Alerts), MaxAlerts)
		return nil, errs
	}
	events := make([]alert.Event, len(msg.Alerts))
	external := addLink(nil, msg.ExternalURL, "Alertmanager")
	var source sameLink
	for i := range msg.Alerts {
		a := &msg.Alerts[i]
		ev := &events[i]
		a.fill(ev, &errs, where{"alerts", i}, alert.SourceAlertmanager, integ)
		var links [3]alert.Link
		l := source.add(links[:0], a.GeneratorURL, "Source")
		l = append(l, external...)
		l = addLink(l, a.Annotations["runbook_url"], "Runbook")
		ev.Links = append(make([]alert.Link, 0, len(l)), l...) // exact size: the pager keeps it while the alert is open
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return events, nil
}

// decodeAlertmanager reads a webhook body into msg. A body the quick way
// (scanAlertmanager) cannot read is decoded again the way that names what
// is wrong in it.
func decodeAlertmanager(body []byte, msg *amMessage) Errors {
	if scanAlertmanager(body, msg) {
		return nil
	}
	return decodeBatch[amAlert](body, msg, "alerts")
}

// sameLink adds links whose address is often the one before (every alert
// of a rule has the same generatorURL), checking each address once.
type sameLink struct {
	href string
	ok   bool
}

func (s *sameLink) add(links []alert.Link, href, text string) []alert.Link {
	if href != s.href || s.href == "" {
		s.href, s.ok = href, webURL(href)
	}
	if !s.ok {
		return links
	}
	return append(links, alert.Link{Href: href, Text: text})
}

func checkVersion(errs *Errors, got, want string) {
	switch got {
	case want:
	case "":
		errs.add("version", "is missing; expected %q", want)
	default:
		errs.add("version", "%s is not supported; expected %q", quote(got), want)
	}
}

// fill maps the fields Alertmanager and Grafana alerts share onto ev,
// reporting problems at the alert's place in the body.
func (a *amAlert) fill(ev *alert.Event, errs *Errors, at where, source string, integ Integration) {
	ev.Source = source
	ev.Integration = integ.ID
	w := integ.window()
	starts := parseTime(errs, at, "startsAt", a.StartsAt, w)
	ends := parseTime(errs, at, "endsAt", a.EndsAt, w)
	switch a.Status {
	case "firing":
		ev.Action, ev.At = alert.Trigger, starts
	case "resolved":
		ev.Action, ev.At = alert.Resolve, ends
	case "":
		errs.add(at.field("status"), `is missing; expected "firing" or "resolved"`)
	default:
		errs.add(at.field("status"), `%s is not "firing" or "resolved"`, quote(a.Status))
	}

	ev.Key = a.Fingerprint
	if blank(ev.Key) {
		// A blank fingerprint names nothing: it would make every such alert
		// one problem. Alertmanager's own is of the labels, as here.
		ev.Key = fingerprint(a.Labels)
	} else if chars(ev.Key) > maxKeyChars {
		errs.add(at.field("fingerprint"), "is longer than %d characters", maxKeyChars)
	}
	checkValues(errs, at, "labels", a.Labels)
	checkValues(errs, at, "annotations", a.Annotations)

	// The decoded maps are fresh per alert, so the event can own them.
	ev.Labels = a.Labels
	ev.Annotations = a.Annotations
	ev.Summary = summaryOf(a.Labels, a.Annotations, ev.Key)
	ev.Severity = severityOf(a.Labels)
	ev.Service = a.Labels["service"]
	if ev.Service == "" {
		ev.Service = integ.Service
	}
}
