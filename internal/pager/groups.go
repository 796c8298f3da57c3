package pager

import (
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/route"
	"github.com/vigil-sre/vigil/internal/store"
)

// groupFor finds or opens the group an alert joins on route r. Groups never
// span services: a service's alerts page its own people.
func (p *Pager) groupFor(c *change, r *route.Route, a *alertState, now time.Time) *group {
	key := a.row.Service + "|" + r.GroupKey(a.row.Labels)
	if g := p.groups[key]; g != nil {
		return g
	}
	g := &group{
		row: store.GroupRow{Key: key, Route: r.ID(), Service: a.row.Service, Labels: r.GroupLabels(a.row.Labels),
			CreatedAt: now, NextFlushAt: now.Add(groupWait(r, a))},
		members: map[int64]*alertState{},
	}
	p.groups[key] = g
	c.undo = append(c.undo, func() { delete(p.groups, key) })
	c.touchGroup(g)
	p.timers.add(timer{at: g.row.NextFlushAt, kind: flushTimer, group: key})
	return g
}

// wakeQuiet brings forward the next flush of a group that an alert is
// about to join when nothing in it is open any more: its last page was a
// resolution (still to be announced, or the group would be gone). The new
// alert is news, as in a new group, so it pages after group_wait, not at the
// next group_interval.
func (p *Pager) wakeQuiet(c *change, g *group, r *route.Route, a *alertState, now time.Time) {
	at := now.Add(groupWait(r, a))
	if !at.Before(g.row.NextFlushAt) {
		return
	}
	for _, m := range g.members {
		if alert.Status(m.row.Status).Open() {
			return
		}
	}
	c.touchGroup(g)
	g.row.NextFlushAt = at
	p.timers.add(timer{at: at, kind: flushTimer, group: g.row.Key})
}

// groupWait is how long a group that a opens waits before its first page:
// the route's group_wait, or for a check's alert when no route sets one,
// route.DefaultCheckGroupWait.
func groupWait(r *route.Route, a *alertState) time.Duration {
	if r.GroupWaitDefault && a.row.Source == alert.SourceCheck {
		return route.DefaultCheckGroupWait
	}
	return r.GroupWait
}

// runDue does every timer that is due, and returns them.
func (p *Pager) runDue(c *change, now time.Time) []timer {
	out := newOutgoing()
	due := p.timers.due(now)
	for _, t := range due {
		switch t.kind {
		case flushTimer:
			if g := p.groups[t.group]; g != nil && !g.row.NextFlushAt.After(now) {
				p.flush(c, out, g, now)
			}
		case escalateTimer:
			a := p.alerts[t.alert]
			if a == nil {
				continue
			}
			if m := a.members.of(t.group); m != nil && !m.row.NextEscAt.IsZero() && !m.row.NextEscAt.After(now) {
				p.escalate(c, out, a, m, now)
			}
		case handoffTimer:
			if t.at.Equal(p.nextHand) {
				p.handoff(c, out, now)
			}
		}
	}
	p.send(c, out, now)
	return due
}

// flush is a group's moment to notify: new alerts start their escalation,
// resolved ones are announced to whoever was paged, and alerts still
// unacknowledged after repeat_interval are brought up again.
func (p *Pager) flush(c *change, out *outgoing, g *group, now time.Time) {
	r := p.w.route(g.row.Route)
	c.touchGroup(g)
	g.row.LastFlushAt = now
	muted := r.Muted(p.w.intervals, now)
	policy, hasPolicy := p.w.policy(g.row.Service, r)
	for _, a := range sortedMembers(g) {
		m := a.members.of(g.row.Key)
		status := alert.Status(a.row.Status)
		switch {
		case status == alert.Resolved:
			if !m.row.NotifiedAt.IsZero() && r.SendResolved && (r.ResolvedWhenSilenced || !p.silencedAtResolve(a, now)) {
				for dest := range m.notified {
					out.add(dest, notify.KindResolved, g.row.Key, a)
				}
			}
			c.touchMember(m)
			m.row.ResolvedSent = true
			p.leave(c, a, g.row.Key)
		case muted:
		case p.suppressed(c, a, now):
		case m.row.NotifiedAt.IsZero():
			if status == alert.Firing { // acknowledged before anyone was paged: nobody needs to be
				p.start(c, out, a, m, policy, hasPolicy, now)
			}
		case status == alert.Firing && r.RepeatInterval > 0 && !now.Before(lastTouch(m).Add(r.RepeatInterval)):
			c.touchMember(m)
			m.row.RemindedAt = now
			for dest := range m.notified {
				out.add(dest, notify.KindReminder, g.row.Key, a)
			}
		}
	}
	if _, alive := p.groups[g.row.Key]; alive {
		g.row.NextFlushAt = now.Add(r.GroupInterval)
		p.timers.add(timer{at: g.row.NextFlushAt, kind: flushTimer, group: g.row.Key})
	}
}

// pageNow starts the escalation of a firing alert that is still waiting for
// its groups' first flush, as that flush would, without waiting for it.
func (p *Pager) pageNow(c *change, out *outgoing, a *alertState, now time.Time) {
	if a.row.Status != string(alert.Firing) {
		return
	}
	for _, m := range a.members {
		g := p.groups[m.row.GroupKey]
		if g == nil || !m.row.NotifiedAt.IsZero() {
			continue
		}
		r := p.w.route(g.row.Route)
		if r.Muted(p.w.intervals, now) || p.suppressed(c, a, now) {
			continue
		}
		policy, ok := p.w.policy(g.row.Service, r)
		p.start(c, out, a, m, policy, ok, now)
	}
}

func lastTouch(m *member) time.Time {
	if m.row.RemindedAt.After(m.row.NotifiedAt) {
		return m.row.RemindedAt
	}
	return m.row.NotifiedAt
}

// silencedAtResolve reports whether a resolved alert was held back when it
// resolved: by a silence or maintenance then, or by anything at its last
// look (kept on its row across restarts).
func (p *Pager) silencedAtResolve(a *alertState, now time.Time) bool {
	at := a.row.held().ResolvedAt
	if at.IsZero() || at.After(now) {
		at = now
	}
	if a.row.held().Suppression.Suppressed() || len(p.silences.Silencing(a.labels, at)) > 0 {
		return true
	}
	_, inMaint := p.w.maint.In(a.labels, at)
	return inMaint
}

// start pages the first step of the policy about a new alert.
func (p *Pager) start(c *change, out *outgoing, a *alertState, m *member, policy policyPlan, ok bool, now time.Time) {
	c.touchMember(m)
	m.row.NotifiedAt, m.row.EscStep, m.row.EscRound = now, 0, 0
	if !ok {
		p.log(c, a, now, "unrouted", "vigil", "no escalation policy for service "+orNone(a.row.Service)+": nobody was paged")
		return
	}
	fires := policy.fire(now, now, now)
	p.page(c, out, a, m, fires, notify.KindFiring, now)
}

// escalate pages the next step of an unacknowledged alert's policy.
func (p *Pager) escalate(c *change, out *outgoing, a *alertState, m *member, now time.Time) {
	c.touchMember(m)
	if a.row.Status != string(alert.Firing) {
		m.row.NextEscAt = time.Time{}
		return
	}
	g := p.groups[m.row.GroupKey]
	if g == nil {
		m.row.NextEscAt = time.Time{}
		return
	}
	r := p.w.route(g.row.Route)
	policy, ok := p.w.policy(g.row.Service, r)
	if !ok {
		m.row.NextEscAt = time.Time{}
		return
	}
	fires := policy.fire(m.row.NotifiedAt, m.row.NextEscAt, now)
	if r.Muted(p.w.intervals, now) || p.suppressed(c, a, now) {
		// Held back: the steps pass without paging anyone.
		p.advance(m, policy, now)
		return
	}
	p.page(c, out, a, m, fires, notify.KindEscalation, now)
}

// page notifies the targets of the steps that fire now and schedules the next.
func (p *Pager) page(c *change, out *outgoing, a *alertState, m *member, fires []fire, kind notify.Kind, now time.Time) {
	var reached []string
	for _, f := range fires {
		m.row.EscStep, m.row.EscRound = f.Step, f.Round
		for _, dest := range p.w.destinations(f.Targets, now) {
			out.add(dest, kind, m.row.GroupKey, a)
			if m.notified == nil {
				m.notified = map[string]bool{}
			}
			m.notified[dest] = true
			reached = append(reached, dest)
		}
		out.setStep(m.row.GroupKey, f.Step+1)
	}
	if len(fires) > 0 {
		detail := "step " + itoa(fires[len(fires)-1].Step+1)
		if len(reached) == 0 {
			detail += ": nobody could be reached"
		} else {
			detail += ": " + joinLimited(reached, 10)
		}
		p.log(c, a, now, "notified", "vigil", detail)
	}
	g := p.groups[m.row.GroupKey]
	if g != nil {
		if policy, ok := p.w.policy(g.row.Service, p.w.route(g.row.Route)); ok {
			p.advance(m, policy, now)
		}
	}
}

// advance sets the member's next escalation after now.
func (p *Pager) advance(m *member, policy policyPlan, now time.Time) {
	next, ok := policy.next(m.row.NotifiedAt, now)
	if !ok {
		m.row.NextEscAt = time.Time{}
		return
	}
	m.row.NextEscAt = next
	p.timers.add(timer{at: next, kind: escalateTimer, group: m.row.GroupKey, alert: m.row.AlertID})
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
