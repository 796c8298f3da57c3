package oncall

import (
	"errors"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

const day = 24 * time.Hour

// rotation is one layer of a schedule: its members take turns, one shift
// each, from start on. Shift k begins at handoff(k).
type rotation struct {
	source  string // "rotation/<id>", as Shift.Source shows it
	members []string
	length  time.Duration
	// days is length in whole days, or 0. Such rotations hand off at the
	// same local wall-clock time across DST, as people expect of "daily at
	// 09:00"; other lengths are elapsed time, as a 12h follow-the-sun
	// rotation needs.
	days   int64
	start  time.Time
	wall   time.Time // start's local date and clock, held in UTC, repeated by day-based handoffs
	loc    *time.Location
	active *interval // nil: the layer covers at all times from start
}

func newRotation(r config.Rotation, loc *time.Location, intervals map[string]config.TimeInterval) (*rotation, error) {
	start, wall, err := parseLocal(r.Start, loc)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	rot := &rotation{
		source:  "rotation/" + r.ID,
		members: append([]string(nil), r.Members...),
		length:  r.Length.D(),
		start:   start,
		wall:    wall,
		loc:     loc,
	}
	if rot.length <= 0 {
		return nil, errors.New("length must be positive")
	}
	if len(rot.members) == 0 {
		return nil, errors.New("no members")
	}
	if rot.length%day == 0 {
		rot.days = int64(rot.length / day)
	}
	if r.Active != "" {
		ti, ok := intervals[r.Active]
		if !ok {
			return nil, fmt.Errorf("unknown time interval %q", r.Active)
		}
		if rot.active, err = newInterval(ti, loc); err != nil {
			return nil, fmt.Errorf("time interval %q: %w", r.Active, err)
		}
	}
	return rot, nil
}

// handoff is when shift k begins.
func (r *rotation) handoff(k int64) time.Time {
	if k == 0 {
		// Exactly start, even where the wall clock is ambiguous (fall-back).
		return r.start
	}
	if r.days > 0 {
		return inZone(r.wall.AddDate(0, 0, int(k*r.days)), r.loc)
	}
	if r.length%time.Second == 0 {
		// Whole seconds keep the arithmetic exact for any year; a Duration
		// overflows after 292 years.
		return time.Unix(r.start.Unix()+k*int64(r.length/time.Second), int64(r.start.Nanosecond())).In(r.loc)
	}
	return r.start.Add(time.Duration(k) * r.length)
}

// shift returns the index of the shift holding t, or false before start. It
// is arithmetic, so asking about a time years after start costs the same as
// asking about tomorrow.
func (r *rotation) shift(t time.Time) (int64, bool) {
	if t.Before(r.start) {
		return 0, false
	}
	var k int64
	switch {
	case r.days > 0:
		// Count local calendar days, not elapsed 24h periods: the days around
		// DST changes are 23h or 25h long.
		k = floorDiv(civilDay(t.In(r.loc))-civilDay(r.wall), r.days)
	case r.length%time.Second == 0:
		secs := t.Unix() - r.start.Unix()
		if t.Nanosecond() < r.start.Nanosecond() {
			secs--
		}
		k = secs / int64(r.length/time.Second)
	default:
		k = int64(t.Sub(r.start) / r.length)
	}
	// A handoff moved by a DST gap can sit on the other side of t than its
	// calendar day suggests; step to the right shift.
	k = max(k, 0)
	for k > 0 && r.handoff(k).After(t) {
		k--
	}
	for !r.handoff(k + 1).After(t) {
		k++
	}
	return k, true
}

// member is who holds shift k.
func (r *rotation) member(k int64) string { return r.members[k%int64(len(r.members))] }

// covers reports whether the layer is on duty at t: from start on, and only
// inside its time interval if it has one.
func (r *rotation) covers(t time.Time) bool {
	return !t.Before(r.start) && (r.active == nil || r.active.contains(t))
}

// next is the first instant after t at which the layer's member or coverage
// may change.
func (r *rotation) next(t time.Time) time.Time {
	n := r.start
	if k, ok := r.shift(t); ok {
		n = r.handoff(k + 1)
	}
	if r.active != nil {
		if a := r.active.next(t); a.Before(n) {
			n = a
		}
	}
	return n
}

// civilDay numbers t's calendar date: days since 1970-01-01.
func civilDay(t time.Time) int64 {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
