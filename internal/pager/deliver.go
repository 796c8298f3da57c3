package pager

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/store"
)

// outgoing gathers, during one batch of work, what each destination is to be
// told: one message per destination and kind, however many alerts it covers.
type outgoing struct {
	msgs  map[outKey]*outMsg
	order []outKey
	steps map[string]int
}

type outKey struct {
	dest string
	kind notify.Kind
}

type outMsg struct {
	alerts   []*alertState
	seen     map[int64]bool
	groups   map[string]bool
	handoffs []notify.Handoff
}

func newOutgoing() *outgoing {
	return &outgoing{msgs: map[outKey]*outMsg{}, steps: map[string]int{}}
}

func (o *outgoing) msg(dest string, kind notify.Kind) *outMsg {
	k := outKey{dest, kind}
	m := o.msgs[k]
	if m == nil {
		m = &outMsg{seen: map[int64]bool{}, groups: map[string]bool{}}
		o.msgs[k] = m
		o.order = append(o.order, k)
	}
	return m
}

func (o *outgoing) add(dest string, kind notify.Kind, groupKey string, a *alertState) {
	m := o.msg(dest, kind)
	m.groups[groupKey] = true
	if !m.seen[a.row.ID] {
		m.seen[a.row.ID] = true
		m.alerts = append(m.alerts, a)
	}
}

func (o *outgoing) addHandoff(dest string, h notify.Handoff) {
	m := o.msg(dest, notify.KindHandoff)
	m.handoffs = append(m.handoffs, h)
}

func (o *outgoing) setStep(groupKey string, step int) { o.steps[groupKey] = step }

// send turns what was gathered into outbox rows, in the same transaction.
func (p *Pager) send(c *change, out *outgoing, now time.Time) {
	shown, err := p.storedFor(out)
	if err != nil {
		// Nothing of this change is written; its due work is retried.
		c.err = fmt.Errorf("reading the annotations and links of alerts to notify: %w", err)
		return
	}
	for _, k := range out.order {
		m := out.msgs[k]
		msg := p.message(k.dest, k.kind, m, out, shown, now)
		body, err := json.Marshal(msg)
		if err != nil {
			p.opt.Log.Error("pager: encoding a notification failed", "err", err)
			continue
		}
		p.ids.note++
		n := store.Notification{
			ID: p.ids.note, CreatedAt: now, Kind: string(k.kind), Destination: k.dest, Message: body,
			Status: store.NotifyPending, NextAttemptAt: now,
		}
		for g := range m.groups {
			n.GroupKey = g // one of them; the message lists every alert
			break
		}
		for _, a := range m.alerts {
			n.AlertIDs = append(n.AlertIDs, a.row.ID)
		}
		c.notes = append(c.notes, n)
	}
}

// message renders what one destination is told.
func (p *Pager) message(dest string, kind notify.Kind, m *outMsg, out *outgoing, shown map[int64]store.Shown, now time.Time) notify.Message {
	msg := notify.Message{Kind: kind, At: now, URL: p.w.url("/")}
	for g := range m.groups {
		if s := out.steps[g]; s > msg.Step {
			msg.Step = s
		}
	}
	sort.Slice(m.alerts, func(i, j int) bool {
		a, b := m.alerts[i].row, m.alerts[j].row
		if ra, rb := alert.Severity(a.Severity).Rank(), alert.Severity(b.Severity).Rank(); ra != rb {
			return ra > rb
		}
		return a.ID < b.ID
	})
	for _, a := range m.alerts {
		msg.Alerts = append(msg.Alerts, p.notifyAlert(a, shown, recipient(dest), now))
	}
	if len(m.alerts) > 0 {
		msg.Service = m.alerts[0].row.Service
		msg.URL = p.w.url("/alerts")
	}
	if len(msg.Alerts) == 1 {
		msg.URL = msg.Alerts[0].URL
	}
	loc := p.w.zone(dest) // times in text read as the recipient's clock
	if len(m.handoffs) > 0 {
		h := m.handoffs[0]
		msg.Handoff = &h
		msg.Title = fmt.Sprintf("You are on call for %s from %s", h.Schedule, h.From.In(loc).Format("Mon 2 Jan 15:04 MST"))
		if h.Until.IsZero() {
			msg.Title += " with no handoff planned"
		} else {
			msg.Title += " until " + h.Until.In(loc).Format("Mon 2 Jan 15:04 MST")
		}
		msg.Text = msg.Title
		return msg
	}
	msg.Title = title(kind, msg.Step, msg.Alerts)
	msg.Text = text(kind, msg.Alerts, loc)
	return msg
}

// recipient is who a destination belongs to: person/ID for a person's
// contact, channel/ID for a channel.
func recipient(dest string) string {
	if strings.HasPrefix(dest, "person/") {
		if i := strings.LastIndexByte(dest, '/'); i > len("person/") {
			return dest[:i]
		}
	}
	return dest
}

// notifyAlert renders an alert; shown has the annotations and links of
// those not in memory.
func (p *Pager) notifyAlert(a *alertState, shown map[int64]store.Shown, who string, now time.Time) notify.Alert {
	r := a.whole()
	if r.AnnotationsUnloaded {
		r.Annotations = shown[r.ID].Annotations
	}
	if r.LinksUnloaded {
		r.Links = shown[r.ID].Links
	}
	na := notify.Alert{
		ID: r.ID, Status: r.Status, Severity: r.Severity, Summary: r.Summary, Service: r.Service,
		Labels: r.Labels, Annotations: r.Annotations, Since: r.FirstSeen, Occurrences: r.Occurrences,
		URL: p.w.url("/alerts/" + strconv.FormatInt(r.ID, 10)),
	}
	for _, l := range r.Links {
		na.Links = append(na.Links, notify.Link{Href: l.Href, Text: l.Text})
	}
	if alert.Status(r.Status).Open() && p.opt.Links != nil {
		na.AckURL = p.opt.Links.URL(p.w.url(""), r.ID, alert.Acknowledge, who, now)
		na.ResolveURL = p.opt.Links.URL(p.w.url(""), r.ID, alert.Resolve, who, now)
	}
	if rb := p.w.runbooks[r.Runbook]; rb != nil {
		// The runbook's page with its run form made out for this alert.
		na.Runbook = &notify.Runbook{ID: rb.ID, Title: rb.Title, Doc: rb.Doc,
			URL: p.w.url("/runbooks/" + url.PathEscape(rb.ID) + "?alert=" + strconv.FormatInt(r.ID, 10))}
	}
	if r.Source == alert.SourceCheck {
		p.describeCheck(&na, r)
	}
	return na
}

// describeCheck says what a check alert is, and how its check is doing as
// of the message: its summary is written when it fires ("Homepage is
// failing: …"), but a resolved notice or a page sent later must neither call
// it failing nor repeat the first reason.
func (p *Pager) describeCheck(na *notify.Alert, r store.AlertRow) {
	if name := r.Labels["alertname"]; name != "" {
		na.Summary = name
	}
	na.State, na.Reason = r.Annotations["state"], r.Annotations["reason"]
	if alert.Status(r.Status).Open() && p.opt.Live != nil {
		if state, reason, ok := p.opt.Live(r); ok {
			na.State, na.Reason = state, reason
		}
	}
}

// title says what the message is about: its kind, and what the first alert
// is (never its state or reason, which change).
func title(kind notify.Kind, step int, alerts []notify.Alert) string {
	if len(alerts) == 0 {
		return string(kind)
	}
	first := alerts[0]
	what := first.Summary
	if first.Service != "" {
		what = first.Service + ": " + what
	}
	if len(alerts) > 1 {
		what += fmt.Sprintf(" and %d more", len(alerts)-1)
	}
	switch kind {
	case notify.KindResolved:
		return "[RESOLVED] " + what
	case notify.KindReminder:
		return "[STILL FIRING] " + what
	case notify.KindEscalation:
		return fmt.Sprintf("[ESCALATED, step %d] [%s] %s", step, strings.ToUpper(first.Severity), what)
	}
	if len(alerts) > 1 {
		return fmt.Sprintf("[FIRING:%d] %s", len(alerts), what)
	}
	return "[" + strings.ToUpper(first.Severity) + "] " + what
}

// text is the plain-text body: one paragraph per alert with its links,
// its times in loc.
func text(kind notify.Kind, alerts []notify.Alert, loc *time.Location) string {
	var b strings.Builder
	for i, a := range alerts {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s [%s] %s", a.Service, a.Severity, a.Summary)
		if a.Occurrences > 1 {
			fmt.Fprintf(&b, " (%d times)", a.Occurrences)
		}
		switch {
		case a.State != "" && a.Reason != "":
			fmt.Fprintf(&b, "\nNow %s: %s", a.State, a.Reason)
		case a.State != "" || a.Reason != "":
			fmt.Fprintf(&b, "\nNow %s", a.State+a.Reason) // one of them: no dangling colon
		}
		fmt.Fprintf(&b, "\nSince %s. %s\n", a.Since.In(loc).Format("2006-01-02 15:04 MST"), a.URL)
		if kind != notify.KindResolved {
			if a.AckURL != "" {
				fmt.Fprintf(&b, "Acknowledge: %s\nResolve: %s\n", a.AckURL, a.ResolveURL)
			}
			if a.Runbook != nil {
				fmt.Fprintf(&b, "Runbook %s: %s\n", a.Runbook.ID, a.Runbook.Title)
				if a.Runbook.Doc != "" {
					b.WriteString(strings.TrimSpace(a.Runbook.Doc) + "\n")
				}
			}
		}
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

func joinLimited(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(" and %d more", len(s)-n)
}

func sortedMembers(g *group) []*alertState {
	out := make([]*alertState, 0, len(g.members))
	for _, a := range g.members {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].row.ID < out[j].row.ID })
	return out
}
