package oncall

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"

	"github.com/vigil-sre/vigil/internal/config"
)

// interval is a config time interval compiled for one schedule: containment
// is Alertmanager's own, and next tells the timeline where containment can
// change so Shifts need not sample minute by minute.
type interval struct {
	ti  timeinterval.TimeInterval
	loc *time.Location
	// edges are the minutes of the local day, ascending, at which containment
	// can change: range starts and ends; midnight is implied.
	edges []int
}

// newInterval compiles ti. An interval without a zone is read in the zone of
// the schedule that uses it (fallback), so "business hours" means the
// schedule's business hours.
func newInterval(ti config.TimeInterval, fallback *time.Location) (*interval, error) {
	iv := &interval{loc: fallback}
	var errs []error
	if ti.Timezone != "" {
		loc, err := time.LoadLocation(ti.Timezone)
		if err != nil {
			errs = append(errs, fmt.Errorf("timezone: %w", err))
		} else {
			iv.loc = loc
		}
	}
	iv.ti.Location = &timeinterval.Location{Location: iv.loc}
	// Alertmanager reads a nil list as "any"; the lists stay nil unless the
	// config has entries.
	for i, w := range ti.Weekdays {
		var r timeinterval.WeekdayRange
		if err := unmarshalAM(&r, strings.ToLower(w)); err != nil {
			errs = append(errs, fmt.Errorf("weekdays[%d] %q: %w", i, w, err))
			continue
		}
		iv.ti.Weekdays = append(iv.ti.Weekdays, r)
	}
	for i, s := range ti.Times {
		start, end, ok := strings.Cut(s, "-")
		if !ok {
			errs = append(errs, fmt.Errorf("times[%d] %q: must be HH:MM-HH:MM", i, s))
			continue
		}
		var r timeinterval.TimeRange
		if err := unmarshalAM(&r, map[string]string{"start_time": start, "end_time": end}); err != nil {
			errs = append(errs, fmt.Errorf("times[%d] %q: %w", i, s, err))
			continue
		}
		iv.ti.Times = append(iv.ti.Times, r)
		iv.edges = append(iv.edges, r.StartMinute, r.EndMinute)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.Sort(iv.edges)
	iv.edges = slices.Compact(iv.edges)
	return iv, nil
}

// unmarshalAM feeds v through Alertmanager's own unmarshaller for the type, so
// day names, 24:00 and "start before end" follow Alertmanager's rules (and
// internal/route's, which does the same) rather than a restatement of them.
func unmarshalAM(dst json.Unmarshaler, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return dst.UnmarshalJSON(b)
}

func (iv *interval) contains(t time.Time) bool { return iv.ti.ContainsTime(t) }

// next returns the first instant after t at which containment may change. It
// works on the local wall clock of the zone period holding t, where wall time
// runs evenly, and stops at the period's end, where a DST jump can move the
// wall clock across an edge without passing it.
func (iv *interval) next(t time.Time) time.Time {
	lt := t.In(iv.loc)
	_, off := lt.Zone()
	wall := time.Unix(lt.Unix()+int64(off), int64(lt.Nanosecond())).UTC()
	day := wall.Truncate(24 * time.Hour)
	edge := day.Add(24 * time.Hour)
	for _, m := range iv.edges {
		if c := day.Add(time.Duration(m) * time.Minute); c.After(wall) {
			edge = c
			break
		}
	}
	n := time.Unix(edge.Unix()-int64(off), int64(edge.Nanosecond()))
	if _, end := lt.ZoneBounds(); !end.IsZero() && end.Before(n) {
		n = end
	}
	return n
}
