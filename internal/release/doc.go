package release

import (
	"context"
	"errors"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// DefaultIncidentWindow is how long after a release the as-built document
// looks for incidents on its service.
const DefaultIncidentWindow = 72 * time.Hour

// MaxIncidentWindow bounds the window a reader may ask for.
const MaxIncidentWindow = 90 * 24 * time.Hour

// Doc is what the as-built document is written from: the release, and what
// Vigil knows around it.
type Doc struct {
	Release     Release
	ServiceName string
	Previous    *Release // the service's release before this one, if any
	Changes     []string // since Previous
	Deploys     []store.DeployRow
	Incidents   []store.IncidentRow
	Window      time.Duration // incidents declared this long after the release
	WindowStart time.Time
	Loc         *time.Location
}

// Doc gathers a release's as-built document: its deploys (those of its
// service and version), the incidents on its service declared within window
// after it finished (or started, or was planned), and what changed since the
// service's previous release.
func (s *Service) Doc(ctx context.Context, id int64, window time.Duration, loc *time.Location) (Doc, error) {
	if window <= 0 {
		window = DefaultIncidentWindow
	}
	if window > MaxIncidentWindow {
		return Doc{}, errs.E(errs.Invalid, "window: at most %s", MaxIncidentWindow)
	}
	if loc == nil {
		loc = time.UTC
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return Doc{}, err
	}
	d := Doc{Release: r, ServiceName: r.Service, Window: window, Loc: loc}
	if svc := s.serviceName(r.Service); svc != "" {
		d.ServiceName = svc
	}
	prev, err := s.st.PreviousRelease(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return Doc{}, errs.Wrap(errs.Internal, err, "reading the release before %d", id)
	default:
		p, err := s.Get(ctx, prev.ID)
		if err != nil {
			return Doc{}, err
		}
		d.Previous = &p
		d.Changes = Diff(p, r)
	}
	if d.Deploys, err = s.st.ReleaseDeploys(ctx, r.Service, r.Version); err != nil {
		return Doc{}, errs.Wrap(errs.Internal, err, "reading deploys")
	}
	d.WindowStart = firstNonZero(r.FinishedAt, r.StartedAt, r.PlannedAt)
	d.Incidents, err = s.st.Incidents(ctx, store.IncidentFilter{Service: r.Service, Since: d.WindowStart,
		Until: d.WindowStart.Add(window), Limit: 1000})
	if err != nil {
		return Doc{}, errs.Wrap(errs.Internal, err, "reading incidents")
	}
	return d, nil
}

func (s *Service) serviceName(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg == nil {
		return ""
	}
	for i := range s.cfg.Services {
		if s.cfg.Services[i].ID == id {
			return s.cfg.Services[i].DisplayName()
		}
	}
	return ""
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
