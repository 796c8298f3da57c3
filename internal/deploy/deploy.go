// Package deploy owns deploys: recording them (linked to their release,
// with their commits), verifying them with the service's acceptance checks
// (a failure pages and can start a rollback runbook), and the deploy guard
// that tells CI whether a deploy may go ahead now.
package deploy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/route"
	"github.com/vigil-sre/vigil/internal/slo"
	"github.com/vigil-sre/vigil/internal/store"
)

// Deps are the service's collaborators.
type Deps struct {
	Store *store.Store
	Clock clock.Clock
	Log   *slog.Logger
	// Probe runs a configured check now (service/check); its result also
	// reaches Results, like every result of the monitor.
	Probe func(ctx context.Context, key string) (check.Result, error)
	// Alerts raises the alert of a failed verification.
	Alerts func(ctx context.Context, events []alert.Event) ([]pager.Outcome, error)
	// Rollback starts the service's deploy.on_failure runbook for a failed
	// verification, triggered by its alert; it returns the run's id.
	Rollback func(ctx context.Context, runbook string, params map[string]string, alert store.AlertRow, by string) (string, error)
	// RunbookParams lists the params a runbook declares.
	RunbookParams func(runbook string) []string
	// URL makes an absolute link to a path of Vigil's.
	URL func(path string) string
	// Budget says whether a service's error budget is spent, for the
	// guard; nil when nothing judges SLOs.
	Budget slo.BudgetPolicy
}

// Service records, verifies and guards deploys.
type Service struct {
	d Deps

	mu    sync.Mutex
	cfg   *config.Config
	iv    *route.Intervals
	maint map[string]window // maintenance windows by id

	v *verifier
}

// window is a maintenance window: [start, end).
type window struct{ start, end time.Time }

// New makes the service; call Apply with the config, then Run.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real()
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.URL == nil {
		d.URL = func(p string) string { return p }
	}
	s := &Service{d: d}
	s.v = newVerifier(s)
	return s
}

// Apply makes cfg current: its services, their deploy blocks, time
// intervals and maintenance windows.
func (s *Service) Apply(cfg *config.Config) error {
	iv, err := route.NewIntervals(cfg)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(cfg.Global.Timezone)
	if err != nil {
		loc = time.UTC
	}
	maint := map[string]window{}
	for _, m := range cfg.Maintenance {
		start, err := config.ParseLocalTime(m.Start, loc)
		if err != nil {
			return fmt.Errorf("maintenance %q: %w", m.ID, err)
		}
		maint[m.ID] = window{start: start, end: start.Add(m.Duration.D())}
	}
	s.mu.Lock()
	s.cfg, s.iv, s.maint = cfg, iv, maint
	s.mu.Unlock()
	return nil
}

func (s *Service) config() *config.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// service is the configured service id, or nil.
func (s *Service) service(id string) *config.Service {
	cfg := s.config()
	if cfg == nil {
		return nil
	}
	for i := range cfg.Services {
		if cfg.Services[i].ID == id {
			return &cfg.Services[i]
		}
	}
	return nil
}

// Run resumes the verifications a stop left pending, then serves results
// until ctx ends and waits for what verdicts set off.
func (s *Service) Run(ctx context.Context) {
	s.v.run(ctx)
}

// Results takes every check result of the monitor: those of checks that
// verify a deploy count towards its verdict. It returns at once for the
// rest, so it can sit on every probe's path.
func (s *Service) Results(key string, r check.Result) { s.v.result(key, r) }

// Get returns one deploy with its verification.
func (s *Service) Get(ctx context.Context, id int64) (store.DeployRow, error) {
	d, err := s.d.Store.Deploy(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return d, errs.E(errs.NotFound, "no deploy %d", id)
	}
	if err != nil {
		return d, errs.Wrap(errs.Internal, err, "reading deploy %d", id)
	}
	return d, nil
}
