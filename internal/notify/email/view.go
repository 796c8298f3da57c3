package email

import (
	"fmt"
	"strings"

	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/render"
)

// view is what message.html draws; every string in it is escaped by
// html/template, and every URL is checked to be http(s) before it becomes a
// link.
type view struct {
	Title   string
	Color   string
	Context string
	Handoff string
	Text    string
	Alerts  []alertView
	More    int
	URL     string
}

type alertView struct {
	State      string
	Color      string
	Summary    string
	URL        string
	Now        string
	Facts      string
	Labels     []render.Label
	MoreLabels int
	Links      []notify.Link
	Runbook    *notify.Runbook
	RunbookDoc string
	AckURL     string
	ResolveURL string
}

func newView(m notify.Message) view {
	worst := render.Worst(m.Alerts)
	over := m.Kind == notify.KindResolved || (len(m.Alerts) > 0 && worst == "")
	v := view{Title: render.OneLine(m.Title), Color: color(worst, over)}
	// One alert carries its own "Open in Vigil"; otherwise the message does.
	if len(m.Alerts) != 1 || m.Alerts[0].URL == "" {
		v.URL = m.URL
	}
	var ctx []string
	if m.Service != "" {
		ctx = append(ctx, "Service "+m.Service)
	}
	if m.Step > 0 {
		ctx = append(ctx, fmt.Sprintf("escalation step %d", m.Step))
	}
	if m.Kind == notify.KindReminder {
		ctx = append(ctx, "reminder: still not acknowledged")
	}
	v.Context = strings.Join(ctx, " · ")
	if m.Handoff != nil {
		v.Handoff = render.Handoff(*m.Handoff)
	}
	if len(m.Alerts) == 0 {
		v.Text = strings.TrimSpace(m.Text)
	}
	for i, a := range m.Alerts {
		if i == maxAlerts {
			v.More = len(m.Alerts) - i
			break
		}
		v.Alerts = append(v.Alerts, newAlertView(a, m))
	}
	return v
}

func newAlertView(a notify.Alert, m notify.Message) alertView {
	av := alertView{State: render.State(a), Color: color(a.Severity, render.Resolved(a)), Summary: render.OneLine(a.Summary), URL: a.URL, Now: render.Now(a)}
	var facts []string
	if a.Service != "" {
		facts = append(facts, "service "+a.Service)
	}
	if render.Acknowledged(a) {
		facts = append(facts, "acknowledged")
	}
	if s := render.Since(a, m.At); s != "" {
		facts = append(facts, "since "+s)
	}
	if n := render.Occurrences(a.Occurrences); n != "" {
		facts = append(facts, n)
	}
	av.Facts = strings.Join(facts, " · ")
	av.Labels, av.MoreLabels = render.KeyLabels(a.Labels, 12, "severity", "service")
	for _, l := range a.Links {
		if render.WebURL(l.Href) {
			av.Links = append(av.Links, l)
		}
	}
	if a.Runbook != nil {
		av.Runbook = a.Runbook
		av.RunbookDoc = render.Excerpt(a.Runbook.Doc, runbookDoc)
	}
	if !render.Resolved(a) {
		if !render.Acknowledged(a) {
			av.AckURL = a.AckURL
		}
		av.ResolveURL = a.ResolveURL
	}
	return av
}

// color is the bar beside an alert and above the mail: the same severity
// colours every on-call tool uses, so nobody has to learn them.
func color(severity string, resolved bool) string {
	if resolved {
		return "#1a7f37"
	}
	switch render.Severity(severity) {
	case render.Critical:
		return "#cf222e"
	case render.Error:
		return "#e16f24"
	case render.Warning:
		return "#bf8700"
	case render.Info:
		return "#0969da"
	}
	return "#57606a"
}
