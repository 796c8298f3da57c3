package pager

import (
	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/route"
)

// inhibitState is the inhibition index over the alerts firing now. It is
// built once over every open alert and then kept up to date with the
// alerts whose firing or labels changed (dirty), so a flush never walks
// every open alert: with a million open, rebuilding it at each flush was
// most of the time from ingestion to page.
type inhibitState struct {
	idx   *route.InhibitIndex // nil: to be built from scratch
	gen   int                 // bumped at each build; counted alerts carry it
	dirty map[*alertState]struct{}
}

// inhibition returns the index, bringing it up to date first. Without
// inhibition rules it is empty and nothing is counted.
func (p *Pager) inhibition() *route.InhibitIndex {
	in := &p.inhibit
	if p.w.inhibitor.Empty() {
		if in.idx == nil {
			in.idx = p.w.inhibitor.Index(nil)
		}
		return in.idx
	}
	if in.idx == nil {
		in.idx, in.gen = p.w.inhibitor.Index(nil), in.gen+1
		clear(in.dirty)
		for _, a := range p.open {
			p.recount(a)
		}
		return in.idx
	}
	for a := range in.dirty {
		p.recount(a)
	}
	clear(in.dirty)
	return in.idx
}

// recount takes back what a counted for the index, if it counted in this
// build, and counts it again if it is open and firing. The labels counted
// are kept with it: a change of labels packs a new set, so they are what
// was added.
func (p *Pager) recount(a *alertState) {
	in := &p.inhibit
	if a.inhibitGen != 0 && a.inhibitGen == in.gen {
		in.idx.Remove(a.inhibited)
	}
	a.inhibited, a.inhibitGen = alert.LabelSet{}, 0
	if p.open[a.row.DedupKey] == a && a.row.Status == string(alert.Firing) {
		in.idx.Add(a.labels)
		a.inhibited, a.inhibitGen = a.labels, in.gen
	}
}

// inhibitionChanged notes that a's firing or labels changed (or may be
// put back by a rollback): it is counted again before the next query.
func (p *Pager) inhibitionChanged(a *alertState) {
	if p.inhibit.idx == nil || p.w.inhibitor.Empty() {
		return
	}
	if p.inhibit.dirty == nil {
		p.inhibit.dirty = map[*alertState]struct{}{}
	}
	p.inhibit.dirty[a] = struct{}{}
}

// invalidateInhibition drops the index: the next query builds it anew
// (the rules or the whole set of alerts changed).
func (p *Pager) invalidateInhibition() {
	p.inhibit.idx = nil
	clear(p.inhibit.dirty)
}
