package ingest

import (
	"github.com/vigil-sre/vigil/internal/alert"
)

// grafanaMessage is the webhook contact point's payload in Grafana's unified
// alerting (webhookMessage in grafana/alerting): Alertmanager's shape with
// extras. title, state and message render the whole group and are deprecated
// by Grafana, so Vigil reads the alerts instead.
type grafanaMessage struct {
	Version string         `json:"version"`
	Alerts  []grafanaAlert `json:"alerts"`
}

// grafanaAlert is one alert (ExtendedAlert in grafana/alerting). values and
// valueString are left to the annotations the rule renders from them. It
// repeats amAlert's fields rather than embedding it because encoding/json
// would name the embedded type in error paths (alerts.amAlert.labels).
type grafanaAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     string            `json:"startsAt"`
	EndsAt       string            `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	SilenceURL   string            `json:"silenceURL"`
	DashboardURL string            `json:"dashboardURL"`
	PanelURL     string            `json:"panelURL"`
	ImageURL     string            `json:"imageURL"`
}

func (g *grafanaAlert) am() *amAlert {
	return &amAlert{
		Status: g.Status, Labels: g.Labels, Annotations: g.Annotations,
		StartsAt: g.StartsAt, EndsAt: g.EndsAt,
		GeneratorURL: g.GeneratorURL, Fingerprint: g.Fingerprint,
	}
}

// grafanaVersion is what Grafana's webhook sends as "version"; legacy
// (pre-unified) alerting sent no version and another shape entirely.
const grafanaVersion = "1"

// Grafana reads one webhook notification from Grafana alerting, mapping each
// alert as Alertmanager does, with Grafana's dashboard, panel, silence and
// image links.
func Grafana(body []byte, integ Integration) ([]alert.Event, error) {
	var msg grafanaMessage
	if errs := decodeBatch[grafanaAlert](body, &msg, "alerts"); errs != nil {
		return nil, errs
	}
	var errs Errors
	checkVersion(&errs, msg.Version, grafanaVersion)
	if len(msg.Alerts) > MaxAlerts {
		errs.add("alerts", "has %d alerts; the limit is %d a request", len(msg.Alerts), MaxAlerts)
		return nil, errs
	}
	events := make([]alert.Event, len(msg.Alerts))
	for i := range msg.Alerts {
		a := &msg.Alerts[i]
		ev := &events[i]
		a.am().fill(ev, &errs, where{"alerts", i}, alert.SourceGrafana, integ)
		ev.Links = make([]alert.Link, 0, 6)
		ev.Links = addLink(ev.Links, a.DashboardURL, "Dashboard")
		ev.Links = addLink(ev.Links, a.PanelURL, "Panel")
		ev.Links = addLink(ev.Links, a.GeneratorURL, "Source")
		ev.Links = addLink(ev.Links, a.SilenceURL, "Silence")
		ev.Links = addLink(ev.Links, a.ImageURL, "Image")
		ev.Links = addLink(ev.Links, a.Annotations["runbook_url"], "Runbook")
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return events, nil
}
