package pager

import (
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/route"
)

// silencing is what a set of silences answers: which match labels at t.
type silencing interface {
	Silencing(lbls alert.LabelSet, t time.Time) []string
}

// suppressionOf says what holds a back at now: a matching silence, a
// maintenance window, an inhibiting firing alert (only firing alerts are
// inhibited).
func suppressionOf(sil silencing, maint *route.Maintenance, inhibited func(alert.LabelSet) bool, lbls alert.LabelSet, status string, now time.Time) alert.Suppression {
	var s alert.Suppression
	s.SilencedBy = sil.Silencing(lbls, now)
	s.Maintenance, _ = maint.In(lbls, now)
	s.Inhibited = status == string(alert.Firing) && inhibited(lbls)
	return s
}

// suppressed reports whether a silence, an inhibition or maintenance holds
// the alert back now. It keeps the answer on the alert's row, so the API,
// pages and status page read it as stored, and logs when the reason
// changes.
func (p *Pager) suppressed(c *change, a *alertState, now time.Time) bool {
	s := suppressionOf(p.silences, p.w.maint, func(l alert.LabelSet) bool { return p.inhibition().Inhibited(l) }, a.labels, a.row.Status, now)
	if was := a.row.held().Suppression; !s.Equal(was) {
		c.touchAlert(a)
		if why, was := s.Reason(), was.Reason(); why != was {
			if why != "" {
				p.log(c, a, now, "suppressed", "vigil", why)
			} else {
				p.log(c, a, now, "unsuppressed", "vigil", "")
			}
		}
		a.row.edit(func(h *handled) { h.Suppression = s })
	}
	return s.Suppressed()
}

// resuppress looks again at what holds back every open alert, when the
// silences change: a new silence shows on the alerts it matches at once,
// not at their groups' next flush (which is when they page, or not).
func (p *Pager) resuppress(c *change, now time.Time) {
	for _, a := range p.open {
		p.suppressed(c, a, now)
	}
}
