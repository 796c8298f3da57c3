package pager

import (
	"context"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/oncall"
)

// SetOverrides replaces the on-call overrides made at run time, which the
// pager counts on top of the config in every escalation and handoff from
// now on: who a step pages, and who is told they are on call.
func (p *Pager) SetOverrides(ctx context.Context, ovs []oncall.Override) error {
	ovs = slices.Clone(ovs)
	p.latestOvs.Store(&ovs)
	return p.call(ctx, &request{ovs: &ovs}).err
}

// useOverrides layers ovs on the config's on-call world and looks for
// handoffs again at once: an override may hand over sooner, now even.
func (p *Pager) useOverrides(ovs []oncall.Override, now time.Time) {
	p.overrides = ovs
	p.w.dir = p.w.onCall.WithOverrides(ovs)
	p.scheduleHandoffAt(now)
}
