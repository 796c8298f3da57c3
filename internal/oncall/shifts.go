package oncall

import (
	"slices"
	"sort"
	"time"
)

// Shift is one person's unbroken time on call from one source.
type Shift struct {
	Person string    `json:"person"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	// Source is what put them on call: "rotation/<id>", "override" (one in
	// the config) or "override/<id>" (one made at run time, by its id).
	Source string `json:"source"`
}

// Handoff is a person coming on call.
type Handoff struct {
	Schedule string    `json:"schedule"`
	Person   string    `json:"person"` // the incoming person
	At       time.Time `json:"at"`
	// Until is when they go off call again. It is zero when they are still
	// on call a year after At, as the only member of a rotation is.
	Until time.Time `json:"until,omitzero"`
}

// handoffHorizonYears bounds the search for a handoff's Until, so a schedule
// that never changes hands costs a bounded walk.
const handoffHorizonYears = 1

// Shifts returns the schedule's effective timeline over [from, to): after
// layering and overrides, one Shift per person per unbroken stretch from one
// source, ordered by Start. Consecutive shifts of the same person from the
// same rotation merge. Overlapping overrides give overlapping shifts, one per
// person. Shifts are clipped to [from, to) and their times are in the
// schedule's zone; gaps where nobody is on call have no shift.
func (d *Directory) Shifts(schedule string, from, to time.Time) []Shift {
	s, ok := d.schedules[schedule]
	if !ok || !from.Before(to) {
		return nil
	}
	s = s.within(from, to)
	var out []Shift
	open := map[entry]int{} // index in out of each shift still running
	step := func(t time.Time, now []entry) {
		for e, i := range open {
			if !slices.Contains(now, e) {
				out[i].End = t.In(s.loc)
				delete(open, e)
			}
		}
		for _, e := range now {
			if _, ok := open[e]; !ok {
				open[e] = len(out)
				out = append(out, Shift{Person: e.person, Start: t.In(s.loc), Source: e.source})
			}
		}
	}
	for t := from; ; {
		step(t, s.at(t))
		n, ok := s.next(t)
		if !ok || !n.Before(to) {
			break
		}
		t = n
	}
	step(to, nil)
	return out
}

// Handoffs returns every moment in [from, to) at which a person comes on call
// on some schedule, ordered by At and then by schedule in config order. A
// person who stays on call while their source changes (their rotation shift
// runs into their own override) is not handed anything: they never left.
func (d *Directory) Handoffs(from, to time.Time) []Handoff {
	if !from.Before(to) {
		return nil
	}
	var out []Handoff
	for _, id := range d.order {
		s := d.schedules[id]
		prev := s.people(from.Add(-time.Nanosecond))
		for t := from; ; {
			now := s.people(t)
			for _, p := range now {
				if !slices.Contains(prev, p) {
					out = append(out, Handoff{Schedule: id, Person: p, At: t.In(s.loc), Until: s.until(p, t)})
				}
			}
			n, ok := s.next(t)
			if !ok || !n.Before(to) {
				break
			}
			prev, t = now, n
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// OffCall is when person, on call on schedule at t, goes off call. ok is
// false when they are not on call at t, or still are a year later (the only
// member of a rotation is on call for good).
func (d *Directory) OffCall(schedule, person string, t time.Time) (time.Time, bool) {
	s, found := d.schedules[schedule]
	if !found || !slices.Contains(s.people(t), person) {
		return time.Time{}, false
	}
	u := s.until(person, t)
	return u, !u.IsZero()
}

// people is who is on call at t, whatever put them there.
func (s *schedule) people(t time.Time) []string {
	var out []string
	for _, e := range s.at(t) {
		if !slices.Contains(out, e.person) {
			out = append(out, e.person)
		}
	}
	return out
}

// until is when person, on call at t, goes off call; zero if not within
// handoffHorizonYears.
func (s *schedule) until(person string, t time.Time) time.Time {
	horizon := t.AddDate(handoffHorizonYears, 0, 0)
	for {
		n, ok := s.next(t)
		if !ok || n.After(horizon) {
			return time.Time{}
		}
		if !slices.Contains(s.people(n), person) {
			return n.In(s.loc)
		}
		t = n
	}
}
