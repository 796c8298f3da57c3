package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"
)

// Compile turns the interval into Alertmanager's form, read in its own zone
// or else in fallback. Day names, 24:00 and "start before end" follow
// Alertmanager's own parsers, so config check, routing and on-call reject
// exactly what Alertmanager would. The error names each bad entry.
func (ti TimeInterval) Compile(fallback *time.Location) (timeinterval.TimeInterval, error) {
	loc := fallback
	var errs []error
	if ti.Timezone != "" {
		l, err := time.LoadLocation(ti.Timezone)
		if err != nil {
			errs = append(errs, fmt.Errorf("timezone: unknown time zone %q", ti.Timezone))
		} else {
			loc = l
		}
	}
	out := timeinterval.TimeInterval{Location: &timeinterval.Location{Location: loc}}
	// Alertmanager reads a nil list as "any"; an empty non-nil list would
	// match nothing, so lists stay nil unless the config has entries.
	for i, w := range ti.Weekdays {
		var r timeinterval.WeekdayRange
		if err := unmarshalAM(&r, strings.ToLower(w)); err != nil {
			hint := ""
			if strings.Contains(err.Error(), "start day cannot be before end day") {
				hint = " (weeks start on sunday: write saturday and sunday as two entries)"
			}
			errs = append(errs, fmt.Errorf("weekdays[%d]: %q: %w%s", i, w, err, hint))
			continue
		}
		out.Weekdays = append(out.Weekdays, r)
	}
	for i, s := range ti.Times {
		start, end, ok := strings.Cut(s, "-")
		if !ok {
			errs = append(errs, fmt.Errorf("times[%d]: %q must be HH:MM-HH:MM", i, s))
			continue
		}
		var r timeinterval.TimeRange
		if err := unmarshalAM(&r, map[string]string{"start_time": start, "end_time": end}); err != nil {
			hint := ""
			if strings.Contains(err.Error(), "start time cannot be equal or greater") {
				hint = " (a range cannot cross midnight: write 22:00-24:00 and 00:00-06:00)"
			}
			errs = append(errs, fmt.Errorf("times[%d]: %q: %w%s", i, s, err, hint))
			continue
		}
		out.Times = append(out.Times, r)
	}
	return out, errors.Join(errs...)
}

// unmarshalAM feeds v through Alertmanager's own unmarshaller for the type.
func unmarshalAM(dst json.Unmarshaler, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return dst.UnmarshalJSON(b)
}
