package route

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"

	"github.com/vigil-sre/vigil/internal/config"
)

// Intervals holds the config's named time intervals as Alertmanager's
// timeinterval.TimeInterval, so "is it business hours" is answered by the
// same code as in Alertmanager. Immutable once built.
type Intervals struct {
	byID map[string]timeinterval.TimeInterval
}

// NewIntervals converts the config's time intervals. Each becomes one
// Alertmanager time interval: any listed weekday range and any listed time
// range, in the interval's time zone or else global.timezone. It rejects what
// Alertmanager rejects and the schema lets through: a time range that does not
// end after it starts (so none spans midnight; write 22:00-24:00 and
// 00:00-06:00) and a weekday range that runs backwards (friday:monday).
func NewIntervals(cfg *config.Config) (*Intervals, error) {
	global, err := globalLocation(cfg)
	if err != nil {
		return nil, err
	}
	iv := &Intervals{byID: make(map[string]timeinterval.TimeInterval, len(cfg.TimeIntervals))}
	var errs []error
	for _, ti := range cfg.TimeIntervals {
		t, err := ti.Compile(global)
		if err != nil {
			errs = append(errs, fmt.Errorf("time interval %q: %w", ti.ID, err))
			continue
		}
		iv.byID[ti.ID] = t
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return iv, nil
}

// globalLocation is global.timezone; config defaults it to UTC, and an
// unset one (a Config built in code) means UTC too.
func globalLocation(cfg *config.Config) (*time.Location, error) {
	if cfg.Global.Timezone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(cfg.Global.Timezone)
	if err != nil {
		return nil, fmt.Errorf("global.timezone: %w", err)
	}
	return loc, nil
}

// Contains reports whether t falls in the named interval. An unknown id
// contains nothing; config validation makes every reference resolve.
func (iv *Intervals) Contains(id string, t time.Time) bool {
	if iv == nil {
		return false
	}
	ti, ok := iv.byID[id]
	return ok && ti.ContainsTime(t)
}

// Muted reports whether the route stays quiet at t, as Alertmanager's time
// mute and active stages decide: inside any mute interval, or outside every
// active interval when it has some. A muted route still ends matching unless
// it has continue; it only holds its notifications.
func (r *Route) Muted(iv *Intervals, t time.Time) bool {
	for _, id := range r.MuteTimeIntervals {
		if iv.Contains(id, t) {
			return true
		}
	}
	if len(r.ActiveTimeIntervals) == 0 {
		return false
	}
	for _, id := range r.ActiveTimeIntervals {
		if iv.Contains(id, t) {
			return false
		}
	}
	return true
}
