package slack

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/render"
)

const (
	maxAlerts  = 10  // alerts drawn in full; the rest are counted
	maxLabels  = 8   // labels on an alert's context line
	maxLinks   = 5   // source links under an alert
	runbookDoc = 500 // runes of the runbook shown with the page
)

// emoji marks a severity or state at a glance, before anyone reads a word.
func emoji(severity string) string {
	switch render.Severity(severity) {
	case render.Critical:
		return "🔴"
	case render.Error:
		return "🟠"
	case render.Warning:
		return "🟡"
	case render.Info:
		return "🔵"
	}
	return "🔔"
}

func headerEmoji(m notify.Message) string {
	switch {
	case m.Kind == notify.KindHandoff:
		return "📟"
	case m.Kind == notify.KindTest:
		return "🧪"
	case m.Kind == notify.KindResolved, len(m.Alerts) > 0 && render.Worst(m.Alerts) == "":
		return "✅"
	}
	return emoji(render.Worst(m.Alerts))
}

func alertEmoji(a notify.Alert) string {
	if render.Resolved(a) {
		return "✅"
	}
	return emoji(a.Severity)
}

// build renders m as a Block Kit message within Slack's limits.
func build(m notify.Message) payload {
	title := render.OneLine(m.Title)
	if title == "" {
		title = "Vigil " + string(m.Kind)
	}
	blocks := []block{header(headerEmoji(m) + " " + title)}
	if line := contextLine(m); line != "" {
		blocks = append(blocks, contextBlock(line))
	}
	if h := m.Handoff; h != nil {
		until := " until " + date(h.Until) + "."
		if h.Until.IsZero() {
			until = ", with no handoff planned."
		}
		blocks = append(blocks, section(fmt.Sprintf("You are on call for *%s* from %s", escape(h.Schedule), date(h.From))+until))
	}
	if text := strings.TrimSpace(m.Text); text != "" && len(m.Alerts) == 0 {
		blocks = append(blocks, section(escape(text)))
	}

	// Keep room for the "and N more" line and the closing button.
	budget := maxBlocks - 2
	shown := 0
	for i, a := range m.Alerts {
		if i == maxAlerts {
			break
		}
		ab := alertBlocks(m, i, a)
		if len(blocks)+len(ab) > budget {
			break
		}
		blocks = append(blocks, ab...)
		shown++
	}
	if more := len(m.Alerts) - shown; more > 0 {
		s := fmt.Sprintf("…and %d more %s.", more, plural(more, "alert", "alerts"))
		if webURL(m.URL) {
			s += " " + link(m.URL, "See them all in Vigil") + "."
		}
		blocks = append(blocks, section(s))
	}
	// One alert carries its own "Open in Vigil"; otherwise the message does.
	if len(m.Alerts) != 1 {
		if b, ok := linkButton("Open in Vigil", m.URL, "open", ""); ok {
			blocks = append(blocks, block{Type: "actions", Elements: []any{b}})
		}
	}
	return payload{Text: clip(escape(title), maxFallback), Blocks: blocks}
}

// contextLine sits under the header: the service, the escalation step, and
// whether this is a reminder.
func contextLine(m notify.Message) string {
	var parts []string
	if m.Service != "" {
		parts = append(parts, "Service *"+escape(m.Service)+"*")
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
	return strings.Join(parts, "  ·  ")
}

// alertBlocks draws one alert: what and where, its key labels, its runbook,
// and buttons to act on it.
func alertBlocks(m notify.Message, i int, a notify.Alert) []block {
	summary := render.OneLine(a.Summary)
	if summary == "" {
		summary = "Alert " + strconv.FormatInt(a.ID, 10)
	}
	summary = render.Truncate(summary, 300)
	s := alertEmoji(a) + " *" + link(a.URL, summary) + "*"
	if render.Acknowledged(a) {
		s += "  _acknowledged_"
	}
	if now := render.Now(a); now != "" {
		s += "\n" + escape(render.Truncate(now, 500))
	}
	if links := sourceLinks(a.Links); links != "" {
		s += "\n" + links
	}
	var fields []text
	if a.Service != "" {
		fields = append(fields, field("*Service*\n"+escape(a.Service)))
	}
	if a.Severity != "" {
		fields = append(fields, field("*Severity*\n"+escape(render.Severity(a.Severity))))
	}
	if !a.Since.IsZero() {
		since := date(a.Since)
		if age := render.Age(a.Since, m.At); age != "" {
			since += " (" + age + " ago)"
		}
		fields = append(fields, field("*Since*\n"+since))
	}
	if a.Occurrences > 0 {
		fields = append(fields, field("*Occurrences*\n"+strconv.Itoa(a.Occurrences)))
	}
	blocks := []block{section(s, fields...)}

	if labels, more := render.KeyLabels(a.Labels, maxLabels, "severity", "service"); len(labels) > 0 {
		parts := make([]string, 0, len(labels)+1)
		for _, l := range labels {
			parts = append(parts, "`"+escape(l.Key)+"="+escape(render.Truncate(render.OneLine(l.Value), 100))+"`")
		}
		if more > 0 {
			parts = append(parts, fmt.Sprintf("+%d more", more))
		}
		blocks = append(blocks, contextBlock(strings.Join(parts, "  ")))
	}
	if rb := a.Runbook; rb != nil && (rb.Title != "" || rb.Doc != "") {
		blocks = append(blocks, runbookSection(*rb))
	}
	if actions := alertButtons(m, i, a); len(actions) > 0 {
		blocks = append(blocks, block{Type: "actions", Elements: actions})
	}
	return blocks
}

func sourceLinks(links []notify.Link) string {
	var parts []string
	for _, l := range links {
		if len(parts) == maxLinks {
			break
		}
		label := l.Text
		if label == "" {
			label = l.Href
		}
		if webURL(l.Href) {
			parts = append(parts, link(l.Href, render.Truncate(label, 80)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "🔗 " + strings.Join(parts, "  ·  ")
}

// runbookSection hands the responder the start of the SOP with the page, so
// the first step is visible before anyone opens a browser.
func runbookSection(rb notify.Runbook) block {
	title := render.OneLine(rb.Title)
	if title == "" {
		title = rb.ID
	}
	s := "📖 *Runbook: " + link(rb.URL, title) + "*"
	if doc := strings.TrimSpace(rb.Doc); doc != "" {
		doc = fromMarkdown(render.Excerpt(doc, runbookDoc))
		if strings.Count(doc, "```")%2 == 1 {
			doc += "\n```" // the excerpt ended inside a code block
		}
		s += "\n" + doc
	}
	return section(s)
}

func alertButtons(m notify.Message, i int, a notify.Alert) []any {
	var out []any
	add := func(label, url, id, style string) {
		if b, ok := linkButton(label, url, fmt.Sprintf("%s-%d", id, i), style); ok {
			out = append(out, b)
		}
	}
	if !render.Resolved(a) {
		if !render.Acknowledged(a) {
			add("Acknowledge", a.AckURL, "ack", "primary")
		}
		add("Resolve", a.ResolveURL, "resolve", "")
	}
	open := a.URL
	if open == "" && len(m.Alerts) == 1 {
		open = m.URL
	}
	add("Open in Vigil", open, "open", "")
	return out
}

// date lets each reader's Slack show t in their own time zone, with a UTC
// fallback for clients that cannot.
func date(t time.Time) string {
	// Slack shows the reader's own zone; the fallback text is in the zone
	// the message was localized to.
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.Format("2006-01-02 15:04 MST"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
