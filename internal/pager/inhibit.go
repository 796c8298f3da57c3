package pager

import "github.com/vigil-sre/vigil/internal/route"

// inhibition returns the inhibition index over the alerts firing now,
// rebuilding it only after the firing set changed. Without inhibition
// rules it is empty, and the open alerts are not walked: with many open,
// a walk at every flush was the largest cost of paging.
func (p *Pager) inhibition() *route.InhibitIndex {
	if p.inhibit == nil && p.w.inhibitor.Empty() {
		p.inhibit = p.w.inhibitor.Index(nil)
	}
	if p.inhibit == nil {
		firing := make([]map[string]string, 0, len(p.open))
		for _, a := range p.open {
			if a.row.Status == "firing" {
				firing = append(firing, a.row.Labels)
			}
		}
		p.inhibit = p.w.inhibitor.Index(firing)
	}
	return p.inhibit
}

func (p *Pager) invalidateInhibition() { p.inhibit = nil }
