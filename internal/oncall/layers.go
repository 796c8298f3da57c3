package oncall

import "time"

// Layer is one layer of a schedule on its own, before layering: a rotation
// with its time interval, or the config's overrides. A calendar shows them
// under the effective timeline (Shifts), so people see why someone is on
// call.
type Layer struct {
	// Source is "rotation/<id>" or "override" (the config's overrides).
	Source string  `json:"source"`
	Shifts []Shift `json:"shifts"`
}

// maxLayerShifts bounds the shifts of one layer in an answer, so a
// minutes-long rotation asked about over weeks stays a bounded list.
const maxLayerShifts = 1000

// Layers returns the schedule's rotations in listed order, each with its own
// shifts over [from, to) as if it were the only layer, and then the config's
// overrides in that window, if any. Run-time overrides are not a layer: the
// caller has them. Times are in the schedule's zone.
func (d *Directory) Layers(schedule string, from, to time.Time) []Layer {
	s, ok := d.schedules[schedule]
	if !ok || !from.Before(to) {
		return nil
	}
	var out []Layer
	for _, r := range s.layers {
		out = append(out, Layer{Source: r.source, Shifts: r.shifts(from, to, s.loc)})
	}
	var ovs []Shift
	for _, o := range s.overrides {
		if o.from.Before(to) && o.until.After(from) {
			ovs = append(ovs, Shift{Person: o.person, Start: later(o.from, from).In(s.loc), End: earlier(o.until, to).In(s.loc),
				Source: sourceOverride})
		}
	}
	if len(ovs) > 0 {
		out = append(out, Layer{Source: sourceOverride, Shifts: ovs})
	}
	return out
}

// shifts is the rotation's own timeline over [from, to): who holds each
// shift while the layer covers.
func (r *rotation) shifts(from, to time.Time, loc *time.Location) []Shift {
	var out []Shift
	open := false
	t := from
	for t.Before(to) && len(out) < maxLayerShifts {
		who := ""
		if r.covers(t) {
			k, _ := r.shift(t)
			who = r.member(k)
		}
		switch {
		case open && out[len(out)-1].Person == who:
		case open:
			out[len(out)-1].End = t.In(loc)
			open = false
			fallthrough
		default:
			if who != "" {
				out = append(out, Shift{Person: who, Start: t.In(loc), Source: r.source})
				open = true
			}
		}
		t = r.next(t)
	}
	if open {
		out[len(out)-1].End = earlier(t, to).In(loc)
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
