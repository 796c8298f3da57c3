package incident

import (
	"context"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/monitor"
	"github.com/vigil-sre/vigil/internal/store"
)

// impactStart is the earliest evidence of an alert's problem. For a check's
// alert it is the check's first failing result in the run of failures that
// raised it (a check with fail_after: 3 fails twice before its alert
// fires); for an alert from elsewhere, when its source says it began. The
// difference to the alert's firing is the time to detect.
func (s *Service) impactStart(ctx context.Context, a store.AlertRow) time.Time {
	start := a.FirstSeen
	if a.Source != alert.SourceCheck || a.Labels["check"] == "" {
		return start
	}
	evs, err := s.d.Store.CheckEvents(ctx, a.Service, a.Labels["check"], a.FirstSeen, 100)
	if err != nil {
		s.d.Log.Warn("incident: reading a check's history failed; impact starts at its alert", "alert", a.ID, "err", err)
		return start
	}
	for _, e := range evs { // newest first: walk back through the failures
		if !failing(e.To) {
			break
		}
		if e.At.Before(start) {
			start = e.At
		}
		if !failing(e.From) {
			break
		}
	}
	return start
}

func failing(state string) bool {
	switch monitor.State(state) {
	case monitor.Pending, monitor.Failing, monitor.Flapping:
		return true
	}
	return false
}
