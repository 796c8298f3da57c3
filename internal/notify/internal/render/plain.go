package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/notify"
)

// PlainOptions says what a plain-text rendering includes.
type PlainOptions struct {
	// ActionLinks includes the signed acknowledge and resolve URLs. They work
	// without logging in, so they belong in a message to the responder but
	// not in a log.
	ActionLinks bool
	// RunbookDoc is how many runes of each runbook's document to include;
	// 0 shows only the runbook's title and link.
	RunbookDoc int
	// MaxAlerts caps the alerts listed; 0 lists them all.
	MaxAlerts int
}

// Plain renders m as readable text: the email text part and the console.
func Plain(m notify.Message, o PlainOptions) string {
	var b strings.Builder
	b.WriteString(OneLine(m.Title))
	b.WriteByte('\n')
	if ctx := contextLine(m); ctx != "" {
		b.WriteString(ctx)
		b.WriteByte('\n')
	}
	if m.Handoff != nil {
		b.WriteString("\n" + Handoff(*m.Handoff) + "\n")
	}
	if len(m.Alerts) == 0 && strings.TrimSpace(m.Text) != "" {
		b.WriteString("\n" + strings.TrimSpace(m.Text) + "\n")
	}
	shown := m.Alerts
	if o.MaxAlerts > 0 && len(shown) > o.MaxAlerts {
		shown = shown[:o.MaxAlerts]
	}
	for _, a := range shown {
		b.WriteByte('\n')
		plainAlert(&b, a, m.At, o)
	}
	if more := len(m.Alerts) - len(shown); more > 0 {
		fmt.Fprintf(&b, "\n…and %d more\n", more)
	}
	if m.URL != "" && (len(m.Alerts) != 1 || m.Alerts[0].URL == "") {
		b.WriteString("\nOpen in Vigil: " + m.URL + "\n")
	}
	return b.String()
}

// contextLine is the line under the title: service, escalation step and
// how many alerts, whichever are known.
func contextLine(m notify.Message) string {
	var parts []string
	if m.Service != "" {
		parts = append(parts, "service "+m.Service)
	}
	if m.Step > 0 {
		parts = append(parts, fmt.Sprintf("escalation step %d", m.Step))
	}
	if m.Kind == notify.KindReminder {
		parts = append(parts, "reminder: still not acknowledged")
	}
	if n := len(m.Alerts); n > 1 {
		parts = append(parts, fmt.Sprintf("%d alerts", n))
	}
	return strings.Join(parts, " · ")
}

// State returns the word shown for an alert's state: its severity while
// open, RESOLVED once over.
func State(a notify.Alert) string {
	if Resolved(a) {
		return "RESOLVED"
	}
	if s := Severity(a.Severity); s != "" {
		return strings.ToUpper(s)
	}
	return "ALERT"
}

func plainAlert(b *strings.Builder, a notify.Alert, at time.Time, o PlainOptions) {
	fmt.Fprintf(b, "[%s] %s\n", State(a), OneLine(a.Summary))
	if now := Now(a); now != "" {
		b.WriteString("  " + now + "\n")
	}
	var facts []string
	if a.Service != "" {
		facts = append(facts, "service "+a.Service)
	}
	if Acknowledged(a) {
		facts = append(facts, "acknowledged")
	}
	if s := Since(a, at); s != "" {
		facts = append(facts, "since "+s)
	}
	if n := Occurrences(a.Occurrences); n != "" {
		facts = append(facts, n)
	}
	if len(facts) > 0 {
		b.WriteString("  " + strings.Join(facts, " · ") + "\n")
	}
	if labels, more := KeyLabels(a.Labels, 8, "severity", "service"); len(labels) > 0 {
		b.WriteString("  labels:")
		for _, l := range labels {
			b.WriteString(" " + l.Key + "=" + OneLine(l.Value))
		}
		if more > 0 {
			fmt.Fprintf(b, " (+%d more)", more)
		}
		b.WriteByte('\n')
	}
	for _, l := range a.Links {
		if !WebURL(l.Href) {
			continue // a javascript: or file: link has no business in a page
		}
		text := l.Text
		if text == "" {
			text = "link"
		}
		b.WriteString("  " + OneLine(text) + ": " + l.Href + "\n")
	}
	if rb := a.Runbook; rb != nil {
		b.WriteString("  runbook: " + OneLine(rb.Title))
		if rb.URL != "" {
			b.WriteString(" " + rb.URL)
		}
		b.WriteByte('\n')
		if o.RunbookDoc > 0 && strings.TrimSpace(rb.Doc) != "" && !Resolved(a) {
			for _, line := range strings.Split(Excerpt(rb.Doc, o.RunbookDoc), "\n") {
				b.WriteString(strings.TrimRight("    "+line, " ") + "\n")
			}
		}
	}
	if o.ActionLinks && !Resolved(a) {
		if a.AckURL != "" && !Acknowledged(a) {
			b.WriteString("  acknowledge: " + a.AckURL + "\n")
		}
		if a.ResolveURL != "" {
			b.WriteString("  resolve: " + a.ResolveURL + "\n")
		}
	}
	if a.URL != "" {
		b.WriteString("  open: " + a.URL + "\n")
	}
}
