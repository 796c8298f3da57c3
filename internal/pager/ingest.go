package pager

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// ingest applies events in order.
// prep, when not nil, is what prepare made of them.
func (p *Pager) ingest(c *change, events []alert.Event, prep []prepared, now time.Time) []Outcome {
	out := make([]Outcome, len(events))
	for i, ev := range events {
		var pre prepared
		if prep != nil {
			pre = prep[i]
		} else {
			pre.key = ev.DedupKey()
		}
		out[i] = p.event(c, ev, pre, now)
	}
	p.opt.Metrics.observeEvents(events)
	return out
}

func (p *Pager) event(c *change, ev alert.Event, pre prepared, now time.Time) Outcome {
	key := pre.key
	at := ev.At
	if at.IsZero() || at.After(now) {
		at = now
	}
	a := p.open[key]
	o := Outcome{DedupKey: ev.Key}
	switch {
	case a == nil && ev.Action != alert.Trigger:
		o.Ignored = true
		return o
	case a == nil:
		a = p.create(c, ev, pre, now)
		o.New = true
	case ev.Action == alert.Trigger:
		p.repeat(c, a, ev, pre, now)
	case ev.Action == alert.Acknowledge:
		p.acknowledge(c, a, by(ev), notBefore(at, a.row.FirstSeen))
	case ev.Action == alert.Resolve:
		if len(ev.Annotations) > 0 {
			// How it ended, e.g. a check's state and reason when it passed.
			c.touchAlert(a)
			ann, _ := p.sums(ev, pre)
			p.setAnnotations(a, ev.Annotations, ann)
		}
		p.resolve(c, a, by(ev), notBefore(at, a.row.FirstSeen), "")
	}
	o.AlertID, o.Status = a.row.ID, alert.Status(a.row.Status)
	return o
}

// notBefore is at, or from when it is earlier: an alert is not handled
// before it fired, whatever a sender's clock says.
func notBefore(at, from time.Time) time.Time {
	if at.Before(from) {
		return from
	}
	return at
}

func by(ev alert.Event) string {
	if ev.By != "" {
		return ev.By
	}
	if ev.Integration != "" {
		return ev.Source + "/" + ev.Integration
	}
	return ev.Source
}

// create opens an alert and puts it in a group for every route it matches.
func (p *Pager) create(c *change, ev alert.Event, pre prepared, now time.Time) *alertState {
	p.ids.alert++
	sev, key := severityOf(ev), pre.key
	if pre.text == nil {
		pre.labels = alertLabels(ev, sev)
		pre.packed = alert.PackLabels(pre.labels)
	}
	first := ev.At
	if first.IsZero() || first.After(now) {
		first = now
	}
	a := &alertState{
		row: alertRow{
			ID: p.ids.alert, DedupKey: key, Source: ev.Source, Integration: ev.Integration, Status: string(alert.Firing),
			Severity: string(sev), Summary: summary(ev), Service: ev.Service, Labels: pre.labels,
			Annotations: ev.Annotations, Links: ev.Links, Runbook: ev.Runbook, Occurrences: 1,
			FirstSeen: first, LastSeen: now, UpdatedAt: now,
		},
	}
	a.labels = pre.packed
	p.alerts[a.row.ID] = a
	p.open[key] = a
	c.undo = append(c.undo, func() { delete(p.alerts, a.row.ID); delete(p.open, key) })
	routes := p.w.tree.Match(a.row.Labels)
	if a.row.Service == "" && len(routes) > 0 {
		a.row.Service = routes[0].Service
	}
	if a.row.Runbook == "" {
		a.row.Runbook = p.w.runbookFor(a.row.Source, a.row.Labels, a.row.Annotations)
	}
	// The log's first entry is written in the alert's row (migration 0028).
	p.ids.log++
	c.touchFresh(a, store.AlertLog{ID: p.ids.log, AlertID: a.row.ID, At: now, Kind: "fired", Actor: by(ev), Detail: a.row.Summary}, pre.text)
	for _, r := range routes {
		g := p.groupFor(c, r, a, now)
		p.wakeQuiet(c, g, r, a, now)
		m := &member{row: store.MemberRow{AlertID: a.row.ID, GroupKey: g.row.Key}}
		a.members.add(m)
		g.members[a.row.ID] = a
		c.undo = append(c.undo, func() { delete(g.members, a.row.ID) })
		c.touchFreshMember(m)
	}
	p.inhibitionChanged(a)
	return a
}

// repeat records that a source still reports an open alert.
func (p *Pager) repeat(c *change, a *alertState, ev alert.Event, pre prepared, now time.Time) {
	c.touchAlert(a)
	a.row.Occurrences++
	a.row.LastSeen, a.row.UpdatedAt = now, now
	if ev.Summary != "" {
		a.row.Summary = summary(ev)
	}
	if ev.Severity != "" && string(ev.Severity) != a.row.Severity {
		p.log(c, a, now, "severity", by(ev), a.row.Severity+" → "+string(ev.Severity))
		a.row.Severity = string(ev.Severity)
		prev := a.labels
		a.labels = a.labels.With("severity", a.row.Severity)
		c.undo = append(c.undo, func() { a.labels = prev })
		a.row.Labels, a.row.LabelsUnloaded = a.labels.Map(), false
		p.inhibitionChanged(a)
	}
	ann, links := p.sums(ev, pre)
	if len(ev.Annotations) > 0 {
		p.setAnnotations(a, ev.Annotations, ann)
	}
	if len(ev.Links) > 0 {
		p.setLinks(a, ev.Links, links)
	}
}

func (p *Pager) acknowledge(c *change, a *alertState, who string, at time.Time) {
	if a.row.Status != string(alert.Firing) {
		return
	}
	c.touchAlert(a)
	a.row.Status, a.row.UpdatedAt = string(alert.Acknowledged), at
	a.row.edit(func(h *handled) { h.AckedAt, h.AckedBy = at, who })
	for _, m := range a.members {
		c.touchMember(m)
		m.row.NextEscAt = time.Time{}
	}
	p.log(c, a, at, "acknowledged", who, "")
	p.inhibitionChanged(a)
}

func (p *Pager) resolve(c *change, a *alertState, who string, at time.Time, detail string) {
	if a.row.Status == string(alert.Resolved) {
		return
	}
	c.touchAlert(a)
	a.row.Status, a.row.UpdatedAt = string(alert.Resolved), at
	a.row.edit(func(h *handled) { h.ResolvedAt, h.ResolvedBy = at, who })
	if p.open[a.row.DedupKey] == a { // not so for the older of two found open at start (recover)
		delete(p.open, a.row.DedupKey)
		c.undo = append(c.undo, func() { p.open[a.row.DedupKey] = a })
	}
	for _, m := range a.members { // leave replaces a.members, not this list
		c.touchMember(m)
		m.row.NextEscAt = time.Time{}
		if m.row.NotifiedAt.IsZero() {
			// Nobody heard of it: nothing to announce.
			p.leave(c, a, m.row.GroupKey)
		}
	}
	p.log(c, a, at, "resolved", who, detail)
	p.inhibitionChanged(a)
}

// operate acknowledges or resolves an alert by id, for the API and links.
func (p *Pager) operate(c *change, op *opRequest, now time.Time) ([]Outcome, error) {
	switch {
	case op.note != nil:
		p.ids.log++
		n := *op.note
		n.ID, n.At = p.ids.log, now
		c.log = append(c.log, n)
		return nil, nil
	case op.announce != nil:
		p.announce(c, *op.announce, now)
		return nil, nil
	}
	a := p.alerts[op.id]
	if a == nil || a.row.Status == string(alert.Resolved) {
		return nil, p.notOpen(op.id)
	}
	switch op.action {
	case alert.Acknowledge:
		if a.row.Status == string(alert.Acknowledged) {
			return nil, errs.E(errs.Conflict, "alert %d is already acknowledged (by %s)", op.id, a.row.held().AckedBy)
		}
		p.acknowledge(c, a, op.by, now)
	case alert.Resolve:
		detail := ""
		if p.stillFailing(a) {
			// The check is the judge of its own alert: resolving it by hand
			// closes this one, and its next failing result opens another.
			detail = "its check still fails: a new alert opens on its next failing result"
			c.reopen = append(c.reopen, a.whole())
		}
		p.resolve(c, a, op.by, now, detail)
	}
	return []Outcome{{AlertID: a.row.ID, DedupKey: a.row.DedupKey, Status: alert.Status(a.row.Status)}}, nil
}

// stillFailing reports whether an open check alert's check fails now.
func (p *Pager) stillFailing(a *alertState) bool {
	if a.row.Source != alert.SourceCheck || p.opt.Live == nil {
		return false
	}
	state, _, ok := p.opt.Live(a.whole())
	return ok && (state == "failing" || state == "flapping")
}

// notOpen explains why an alert cannot be acknowledged or resolved.
func (p *Pager) notOpen(id int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	row, err := p.opt.Store.Alert(ctx, id)
	switch {
	case errors.Is(err, errUnknownAlert), err != nil && strings.Contains(err.Error(), "not found"):
		return errs.E(errs.NotFound, "no alert %d", id)
	case err != nil:
		return errs.Wrap(errs.Internal, err, "reading alert %d", id)
	}
	return errs.E(errs.Conflict, "alert %d is already resolved (by %s)", id, row.ResolvedBy)
}

// leave removes an alert from a group, and the group when it empties.
func (p *Pager) leave(c *change, a *alertState, key string) {
	m := a.members.of(key)
	if m == nil {
		return
	}
	prev := a.members
	a.members = slices.Clone(a.members)
	a.members.remove(key)
	k := store.MemberKey{AlertID: a.row.ID, GroupKey: key}
	c.deleted[k] = true
	c.undo = append(c.undo, func() { a.members = prev; delete(c.deleted, k) })
	if g := p.groups[key]; g != nil {
		delete(g.members, a.row.ID)
		c.undo = append(c.undo, func() { g.members[a.row.ID] = a })
		if len(g.members) == 0 {
			delete(p.groups, key)
			c.dropped[key] = true
			c.undo = append(c.undo, func() { p.groups[key] = g; delete(c.dropped, key) })
		}
	}
}

// forgetDone drops resolved alerts that nothing waits on any more: those the
// change touched, and those that just left their last group.
func (p *Pager) forgetDone(c *change) {
	forget := func(id int64) {
		if a := p.alerts[id]; a != nil && a.row.Status == string(alert.Resolved) && len(a.members) == 0 {
			delete(p.alerts, id)
		}
	}
	for id := range c.alerts {
		forget(id)
	}
	for k := range c.deleted {
		forget(k.AlertID)
	}
}

func (p *Pager) log(c *change, a *alertState, at time.Time, kind, actor, detail string) {
	p.ids.log++
	c.log = append(c.log, store.AlertLog{ID: p.ids.log, AlertID: a.row.ID, At: at, Kind: kind, Actor: actor, Detail: detail})
}

func summary(ev alert.Event) string {
	s := strings.TrimSpace(ev.Summary)
	if s == "" {
		s = ev.Labels["alertname"]
	}
	if s == "" {
		s = ev.Key
	}
	if utf8.RuneCountInString(s) > 1024 {
		s = string([]rune(s)[:1024])
	}
	return s
}

// alertLabels are the labels routing, silences and inhibition see: the
// source's labels plus service and severity.
func alertLabels(ev alert.Event, sev alert.Severity) map[string]string {
	svc, sevSet, name := ev.Service, ev.Labels["severity"] != "", ev.Labels["alertname"] != ""
	forceSev := ev.Source == alert.SourceCheck || ev.Source == alert.SourcePagerDuty
	if name && sevSet && !forceSev && (svc == "" || ev.Labels["service"] == svc) {
		// Nothing to add: keep the source's map, which nothing else
		// changes (a change of severity later copies it first).
		return ev.Labels
	}
	// Sized exactly: a map of up to 8 labels is one group of slots, and
	// the pager keeps one per open alert.
	n := len(ev.Labels)
	for _, k := range [...]string{"service", "severity", "alertname"} {
		if _, ok := ev.Labels[k]; !ok {
			n++
		}
	}
	l := make(map[string]string, n)
	maps.Copy(l, ev.Labels)
	if ev.Service != "" {
		l["service"] = ev.Service
	}
	if l["severity"] == "" || ev.Source == alert.SourceCheck || ev.Source == alert.SourcePagerDuty {
		l["severity"] = string(sev)
	}
	if l["alertname"] == "" {
		l["alertname"] = summary(ev)
	}
	return l
}
