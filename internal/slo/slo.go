// Package slo turns SLIs into service level objectives with error budgets:
// it reads each SLO's good and total over its window and over the burn-rate
// alert windows (from check rollups, counted events or Prometheus), judges
// the budget (spent, remaining, burn rate, projected exhaustion), raises and
// resolves multiwindow, multi-burn-rate alerts through the pager, and
// answers whether a service's budget is exhausted. Evaluation is pure given
// its readings and the injected clock, so tests replay weeks in milliseconds.
package slo

import (
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// SLO is one configured objective of a service.
type SLO struct {
	Service string
	Cfg     *config.ServiceLevel
	// Labels are the service's labels, carried onto its alerts.
	Labels map[string]string
}

// Key is "service/id", the SLO's name in the API, the store and alerts.
func (s *SLO) Key() string { return s.Service + "/" + s.Cfg.ID }

// Kind is the SLI kind.
func (s *SLO) Kind() string { return s.Cfg.Kind() }

// FromConfig lists every SLO in config order.
func FromConfig(cfg *config.Config) []*SLO {
	var out []*SLO
	for i := range cfg.Services {
		svc := &cfg.Services[i]
		for j := range svc.SLOs {
			out = append(out, &SLO{Service: svc.ID, Cfg: &svc.SLOs[j], Labels: svc.Labels})
		}
	}
	return out
}

// Bounds is the window an SLO is judged over at now: [now-window, now) when
// rolling; the calendar month or week (Monday first) holding now, in the
// SLO's time zone, otherwise. The budget is the whole window's.
func Bounds(c *config.ServiceLevel, now time.Time) (start, end time.Time) {
	if c.Calendar == "" {
		return now.Add(-c.Window.D()), now
	}
	loc := c.Location()
	t := now.In(loc)
	switch c.Calendar {
	case "week":
		back := (int(t.Weekday()) + 6) % 7
		start = time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, loc)
		return start, start.AddDate(0, 0, 7)
	default:
		start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
		return start, start.AddDate(0, 1, 0)
	}
}
