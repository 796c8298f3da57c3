// Package override keeps the on-call overrides people make at run time,
// through the API, the CLI or the web app: it checks them (bounds, people,
// schedules, who may put whom on call), stores them with their audit entry,
// and publishes the on-call world that counts them. Pages and the API read
// that world at once through Directory; the pager is handed the overrides
// after every change, so the next page goes to whoever they put on call,
// without a restart.
package override

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/store"
)

// Deps is what the service needs.
type Deps struct {
	Store *store.Store
	Clock clock.Clock
	Log   *slog.Logger
	// Publish hands the overrides in force to the pager after each change.
	Publish func(ctx context.Context, ovs []oncall.Override) error
}

// Service keeps the run-time overrides. It is safe for concurrent use.
type Service struct {
	d Deps
	// mu makes one change at a time, so publishes arrive in order.
	mu   sync.Mutex
	base *oncall.Directory // the config's on-call world
	ovs  []oncall.Override // what the store holds, within remembered
	dir  atomic.Pointer[oncall.Directory]
}

// remembered is how long after it ended an override still counts in
// answers about the past (the calendar of last week, who was on call
// yesterday). The store keeps it for good.
const remembered = 366 * 24 * time.Hour

// maxLoaded bounds the overrides held in memory.
const maxLoaded = 10000

// New makes the service; call Apply with the config's directory and Load
// before asking it anything.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{d: d}
	s.base = &oncall.Directory{}
	s.dir.Store(s.base)
	return s
}

// Apply takes the on-call world of a new config; the run-time overrides
// stay on top of it.
func (s *Service) Apply(base *oncall.Directory) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.base = base
	s.dir.Store(base.WithOverrides(s.ovs))
}

// Load reads the overrides from the store, as at start.
func (s *Service) Load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load(ctx)
}

func (s *Service) load(ctx context.Context) error {
	rows, err := s.d.Store.Overrides(ctx, store.OverrideFilter{EndsAfter: s.d.Clock.Now().Add(-remembered), Limit: maxLoaded})
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "reading on-call overrides")
	}
	if len(rows) == maxLoaded {
		s.d.Log.Warn("more on-call overrides than are held in memory; the ones starting last are left out", "held", maxLoaded)
	}
	ovs := make([]oncall.Override, 0, len(rows))
	for _, r := range rows {
		ovs = append(ovs, Of(r))
	}
	s.ovs = ovs
	s.dir.Store(s.base.WithOverrides(ovs))
	return nil
}

// Directory is the on-call world now: the config's, with the run-time
// overrides on top.
func (s *Service) Directory() *oncall.Directory { return s.dir.Load() }

// Overrides are the overrides in force, for the pager's start.
func (s *Service) Overrides() []oncall.Override {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]oncall.Override(nil), s.ovs...)
}

// publishTimeout bounds reloading and handing over the overrides after a
// change.
const publishTimeout = 30 * time.Second

// changed reloads the overrides after a change and hands them to the pager.
// The change is stored whatever happens here, so this goes on when the
// caller gives up; a failure is reported so the caller knows the pager may
// not count it until the next change or restart.
func (s *Service) changed(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	if err := s.load(ctx); err != nil {
		return err
	}
	if s.d.Publish == nil {
		return nil
	}
	if err := s.d.Publish(ctx, append([]oncall.Override(nil), s.ovs...)); err != nil {
		s.d.Log.Error("handing on-call overrides to the pager failed", "err", err)
		return errs.Wrap(errs.Unavailable, err, "the change is stored, but the pager has not taken it yet; it counts from the next change or restart")
	}
	return nil
}

// Of is the calculators' view of a stored override.
func Of(r store.OverrideRow) oncall.Override {
	return oncall.Override{ID: r.ID, Schedule: r.Schedule, Person: r.Person, Replacing: r.Replacing, From: r.StartsAt, Until: r.EndsAt}
}

// State says where an override stands at now: planned, active or over.
func State(r store.OverrideRow, now time.Time) string {
	switch {
	case !now.Before(r.EndsAt):
		return "over"
	case now.Before(r.StartsAt):
		return "planned"
	}
	return "active"
}
