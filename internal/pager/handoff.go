package pager

import (
	"time"

	"github.com/vigil-sre/vigil/internal/notify"
)

// handoffLookahead is how far ahead the next handoff is searched for.
const handoffLookahead = 14 * 24 * time.Hour

// handoff tells every person whose shift starts now that they are on call.
func (p *Pager) handoff(c *change, out *outgoing, now time.Time) {
	for _, h := range p.w.dir.Handoffs(p.handoffs, now.Add(time.Nanosecond)) {
		for _, dest := range p.w.destinations([]string{"person/" + h.Person}, now) {
			out.addHandoff(dest, notify.Handoff{Schedule: h.Schedule, Person: h.Person, From: h.At, Until: h.Until})
		}
	}
	p.handoffs = now.Add(time.Nanosecond)
	p.scheduleHandoff(now)
}

// scheduleHandoff puts the next handoff after now on the agenda. With none
// within handoffLookahead (a monthly rotation) it looks again then.
func (p *Pager) scheduleHandoff(now time.Time) {
	at := now.Add(handoffLookahead)
	if hs := p.w.dir.Handoffs(now.Add(time.Nanosecond), at); len(hs) > 0 {
		at = hs[0].At
	}
	p.scheduleHandoffAt(at)
}

// scheduleHandoffAt makes at the one handoff timer that counts, so a reload
// or a retry never starts a second chain.
func (p *Pager) scheduleHandoffAt(at time.Time) {
	p.nextHand = at
	p.timers.add(timer{at: at, kind: handoffTimer})
}
