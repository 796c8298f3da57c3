package oncall

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Override is an override made at run time (through the API, the CLI or the
// web app), as opposed to one written in the config. It sits on top of
// everything the config says: the layers and the config's overrides.
type Override struct {
	// ID is the store's id. Ids grow with time, so a higher one is more
	// recent, and the more recent of two overlapping overrides wins.
	ID       int64
	Schedule string
	Person   string
	// Replacing, when set, makes Person stand in for that one person only:
	// wherever Replacing would be on call during the override, Person is
	// instead, and anyone else on call stays. When empty, Person alone is on
	// call for the whole override, whoever the config puts there.
	Replacing   string
	From, Until time.Time
}

// Source is how shifts from the override are labelled: "override/<id>".
func (o Override) Source() string { return sourceOverride + "/" + strconv.FormatInt(o.ID, 10) }

func (o Override) covers(t time.Time) bool { return !t.Before(o.From) && t.Before(o.Until) }

// WithOverrides returns a directory that answers as d does, with the run-time
// overrides layered on top: every question it answers (OnCall, Expand,
// Shifts, Handoffs, OffCall) counts them. d itself is unchanged. Overrides
// of schedules or people d does not know (gone in a config reload) are left
// out, so nobody unknown is ever on call.
func (d *Directory) WithOverrides(ovs []Override) *Directory {
	by := map[string][]Override{}
	for _, o := range ovs {
		if _, ok := d.schedules[o.Schedule]; !ok || !o.From.Before(o.Until) {
			continue
		}
		if _, ok := d.people[o.Person]; !ok {
			continue
		}
		by[o.Schedule] = append(by[o.Schedule], o)
	}
	out := *d
	out.schedules = maps.Clone(d.schedules)
	for id, s := range d.schedules {
		cp := *s
		cp.runtime = make([]runtimeOverride, 0, len(by[id]))
		for _, o := range by[id] {
			cp.runtime = append(cp.runtime, runtimeOverride{o, o.Source()})
		}
		slices.SortFunc(cp.runtime, func(a, b runtimeOverride) int { return cmp.Compare(a.ID, b.ID) })
		out.schedules[id] = &cp
	}
	return &out
}

// runtimeOverride is an Override with its source label made once.
type runtimeOverride struct {
	Override
	source string
}

// within is s with only the run-time overrides that overlap [from, to),
// for questions about that window alone: a timeline over weeks need not
// walk a year of overrides at every step.
func (s *schedule) within(from, to time.Time) *schedule {
	if len(s.runtime) == 0 {
		return s
	}
	cp := *s
	cp.runtime = slices.DeleteFunc(slices.Clone(s.runtime), func(o runtimeOverride) bool {
		return !o.From.Before(to) || !o.Until.After(from)
	})
	return &cp
}

// applyRuntime puts the run-time overrides that hold t on top of base, the
// oldest first so that the most recent has the last word.
func (s *schedule) applyRuntime(t time.Time, base []entry) []entry {
	out := base
	for _, o := range s.runtime {
		if !o.covers(t) {
			continue
		}
		e := entry{o.Person, o.source}
		if o.Replacing == "" {
			out = []entry{e}
			continue
		}
		at := slices.IndexFunc(out, func(x entry) bool { return x.person == o.Replacing })
		if at < 0 {
			continue // the person it stands in for is not on call now
		}
		next := make([]entry, 0, len(out))
		for i, x := range out {
			switch {
			case x.person == o.Replacing:
				if i == at && !slices.ContainsFunc(out, func(y entry) bool { return y.person == o.Person }) {
					next = append(next, e)
				}
			default:
				next = append(next, x)
			}
		}
		out = next
	}
	return out
}
