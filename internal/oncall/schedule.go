package oncall

import (
	"fmt"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// schedule answers who is on call, PagerDuty style: rotations are layers in
// listed order and the last layer covering a moment wins; overrides beat
// every layer, and run-time overrides beat the config.
type schedule struct {
	loc       *time.Location
	layers    []*rotation
	overrides []override
	runtime   []runtimeOverride // by ID, oldest first
}

type override struct {
	person      string
	from, until time.Time
}

// entry is one person on call and what put them there.
type entry struct {
	person, source string
}

const sourceOverride = "override"

func newSchedule(sc config.Schedule, intervals map[string]config.TimeInterval) (*schedule, error) {
	tz := sc.Timezone
	if tz == "" {
		tz = config.DefaultTimezone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("timezone: %w", err)
	}
	s := &schedule{loc: loc}
	for _, r := range sc.Rotations {
		rot, err := newRotation(r, loc, intervals)
		if err != nil {
			return nil, fmt.Errorf("rotation %q: %w", r.ID, err)
		}
		s.layers = append(s.layers, rot)
	}
	for i, o := range sc.Overrides {
		from, _, err := parseLocal(o.From, loc)
		if err != nil {
			return nil, fmt.Errorf("overrides[%d].from: %w", i, err)
		}
		until, _, err := parseLocal(o.Until, loc)
		if err != nil {
			return nil, fmt.Errorf("overrides[%d].until: %w", i, err)
		}
		s.overrides = append(s.overrides, override{person: o.Person, from: from, until: until})
	}
	return s, nil
}

// at is who is on call at t: what the config says (configAt), changed by
// the run-time overrides that hold t.
func (s *schedule) at(t time.Time) []entry {
	return s.applyRuntime(t, s.configAt(t))
}

// configAt is who the config puts on call at t: everyone whose override
// holds t (From <= t < Until), in listed order; else the member of the last
// layer covering t; else nobody.
func (s *schedule) configAt(t time.Time) []entry {
	var out []entry
	for _, o := range s.overrides {
		if !t.Before(o.from) && t.Before(o.until) {
			e := entry{o.person, sourceOverride}
			if !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, r := range slices.Backward(s.layers) {
		if r.covers(t) {
			k, _ := r.shift(t)
			return []entry{{r.member(k), r.source}}
		}
	}
	return nil
}

// next is the first instant after t at which at's answer may change, or
// false if it never will.
func (s *schedule) next(t time.Time) (time.Time, bool) {
	var n time.Time
	consider := func(c time.Time) {
		if c.After(t) && (n.IsZero() || c.Before(n)) {
			n = c
		}
	}
	for _, r := range s.layers {
		consider(r.next(t))
	}
	for _, o := range s.overrides {
		consider(o.from)
		consider(o.until)
	}
	for _, o := range s.runtime {
		consider(o.From)
		consider(o.Until)
	}
	return n, !n.IsZero()
}

// OnCall returns the ids of the people on call on the schedule at t, in a
// stable order; none when nobody is (an unknown schedule, before every
// rotation starts, or outside every layer's time interval).
func (d *Directory) OnCall(schedule string, t time.Time) []string {
	s, ok := d.schedules[schedule]
	if !ok {
		return nil
	}
	var out []string
	for _, e := range s.at(t) {
		out = append(out, e.person)
	}
	return out
}
