package slo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// Options configure a Service.
type Options struct {
	Clock clock.Clock
	Store *store.Store
	Log   *slog.Logger
	// CheckIDs maps service/check to the check's store id.
	CheckIDs func() map[string]int64
	// Ingest hands burn-rate alert events to the pager.
	Ingest func(context.Context, []alert.Event) error
	// Interval is how often SLOs are judged; DefaultInterval when zero.
	Interval time.Duration
}

// DefaultInterval is how often SLOs are judged and alerts decided: a full
// outage of a 99.9% SLO crosses the 14.4× page threshold over 1h in under
// a minute, so this keeps the fast-burn page within about a minute and a half.
const DefaultInterval = 30 * time.Second

// flushEvery is how often counted latency results are written.
const flushEvery = 10 * time.Second

// Service runs SLO evaluation: it judges every SLO each interval, keeps the
// latest statuses for the API, the status page and /metrics, and tells the
// pager about burn-rate alerts.
type Service struct {
	opt  Options
	eval Evaluator
	prom *promSource
	rec  recorder
	// evalMu keeps evaluations one at a time: the loop's and a first API
	// request's must not tell the pager the same change twice.
	evalMu sync.Mutex

	mu       sync.RWMutex
	slos     []*SLO
	base     string
	latency  latencyIndex
	statuses []Status
	byKey    map[string]int
	alerts   alerter
	kick     chan struct{}
	// epoch counts evaluations; encoded is the JSON of statuses as of
	// encodedAt, shared by every GET /api/v1/slos until the next one.
	epoch     int64
	encoded   []byte
	encodedAt int64
}

// New makes the service; call Apply with a config, then Run.
func New(opt Options) *Service {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Interval <= 0 {
		opt.Interval = DefaultInterval
	}
	prom := newPromSource()
	counts := &countSource{store: opt.Store}
	return &Service{
		opt: opt, prom: prom, kick: make(chan struct{}, 1), byKey: map[string]int{},
		eval: Evaluator{Sources: map[string]Source{
			"availability": &checkSource{store: opt.Store, ids: opt.CheckIDs},
			"latency":      counts, "events": counts, "prometheus": prom,
		}},
	}
}

// Apply takes the SLOs of cfg; the next evaluation judges them.
func (svc *Service) Apply(cfg *config.Config) {
	slos := FromConfig(cfg)
	svc.prom.forget()
	svc.mu.Lock()
	svc.slos = slos
	svc.latency = indexLatency(slos)
	svc.base = strings.TrimSuffix(cfg.Global.ExternalURL, "/")
	if svc.base == "" {
		listen := cfg.Global.Listen
		if strings.HasPrefix(listen, ":") {
			listen = "localhost" + listen
		}
		svc.base = "http://" + listen
	}
	svc.mu.Unlock()
	select {
	case svc.kick <- struct{}{}:
	default:
	}
}

// Run judges SLOs every interval until ctx ends; it also writes counted
// results and prunes old SLO buckets.
func (svc *Service) Run(ctx context.Context) {
	tick := svc.opt.Clock.NewTicker(svc.opt.Interval)
	defer tick.Stop()
	flush := svc.opt.Clock.NewTicker(flushEvery)
	defer flush.Stop()
	prune := svc.opt.Clock.NewTicker(10 * time.Minute)
	defer prune.Stop()
	svc.Evaluate(ctx)
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := svc.rec.flush(fctx, svc.opt.Store); err != nil {
				svc.opt.Log.Warn("writing latency counts at shutdown failed", "err", err)
			}
			cancel()
			return
		case <-tick.Chan():
			svc.Evaluate(ctx)
		case <-svc.kick:
			svc.Evaluate(ctx)
		case <-flush.Chan():
			if err := svc.rec.flush(ctx, svc.opt.Store); err != nil && ctx.Err() == nil {
				svc.opt.Log.Warn("writing latency counts failed; retrying", "err", err)
			}
		case <-prune.Chan():
			svc.prune(ctx)
		}
	}
}

// Evaluate judges every SLO now and tells the pager what changed. When the
// pager cannot be told, the changes are told again at the next evaluation.
func (svc *Service) Evaluate(ctx context.Context) []Status {
	svc.evalMu.Lock()
	defer svc.evalMu.Unlock()
	if err := svc.rec.flush(ctx, svc.opt.Store); err != nil && ctx.Err() == nil {
		svc.opt.Log.Warn("writing latency counts failed; retrying", "err", err)
	}
	svc.mu.RLock()
	slos, base := svc.slos, svc.base
	svc.mu.RUnlock()
	now := svc.opt.Clock.Now()
	sts := svc.eval.Evaluate(ctx, slos, now)
	byKey := make(map[string]int, len(sts))
	for i, s := range slos {
		byKey[s.Key()] = i
	}
	svc.mu.Lock()
	svc.statuses, svc.byKey = sts, byKey
	svc.epoch++
	evs, commit := svc.alerts.events(slos, sts, base)
	svc.mu.Unlock()
	if len(evs) > 0 && svc.opt.Ingest != nil {
		if err := svc.opt.Ingest(ctx, evs); err != nil {
			if ctx.Err() == nil {
				svc.opt.Log.Error("raising SLO alerts failed; retrying at the next evaluation", "events", len(evs), "err", err)
			}
			return sts
		}
	}
	svc.mu.Lock()
	commit()
	svc.mu.Unlock()
	return sts
}

func (svc *Service) prune(ctx context.Context) {
	now := svc.opt.Clock.Now()
	for res, keep := range Retention() {
		if _, err := svc.opt.Store.PruneSLOBuckets(ctx, res, now.Add(-keep)); err != nil && ctx.Err() == nil {
			svc.opt.Log.Warn("pruning SLO buckets failed", "resolution", res, "err", err)
		}
	}
}

// Statuses is the latest evaluation, in config order; it evaluates first
// when nothing has been judged yet.
func (svc *Service) Statuses(ctx context.Context) []Status {
	svc.mu.RLock()
	sts, n := svc.statuses, len(svc.slos)
	svc.mu.RUnlock()
	if sts == nil && n > 0 {
		svc.Evaluate(ctx)
		svc.mu.RLock()
		sts = svc.statuses
		svc.mu.RUnlock()
	}
	return sts
}

// StatusesJSON is Statuses as a JSON array, encoded once per evaluation:
// a list of a thousand SLOs is a megabyte, and every dashboard poll would
// otherwise encode it again.
func (svc *Service) StatusesJSON(ctx context.Context) ([]byte, error) {
	sts := svc.Statuses(ctx)
	svc.mu.RLock()
	b, at, epoch := svc.encoded, svc.encodedAt, svc.epoch
	svc.mu.RUnlock()
	if b != nil && at == epoch {
		return b, nil
	}
	if sts == nil {
		sts = []Status{}
	}
	b, err := json.Marshal(sts)
	if err != nil {
		return nil, err
	}
	b = append(b, '\n')
	svc.mu.Lock()
	if svc.epoch == epoch {
		svc.encoded, svc.encodedAt = b, epoch
	}
	svc.mu.Unlock()
	return b, nil
}

// Status is the latest evaluation of one SLO.
func (svc *Service) Status(ctx context.Context, service, id string) (Status, error) {
	sts := svc.Statuses(ctx)
	svc.mu.RLock()
	i, ok := svc.byKey[service+"/"+id]
	svc.mu.RUnlock()
	if !ok || i >= len(sts) || sts[i].Service != service || sts[i].ID != id {
		return Status{}, errs.E(errs.NotFound, "no SLO %s/%s", service, id)
	}
	return sts[i], nil
}

func (svc *Service) find(service, id string) *SLO {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	for _, s := range svc.slos {
		if s.Service == service && s.Cfg.ID == id {
			return s
		}
	}
	return nil
}

// BudgetPolicy is what the deploy guard asks before a deploy: whether the
// service's error budget is spent (for SLOs whose policy says
// block_deploys), and a reason naming them.
type BudgetPolicy interface {
	BudgetExhausted(service string) (exhausted bool, reason string)
}

var _ BudgetPolicy = (*Service)(nil)

// BudgetExhausted reports whether any SLO of service whose policy blocks
// deploys has spent its error budget, and which, for the deploy guard. An
// SLO without data blocks nothing: no evidence is not a spent budget.
func (svc *Service) BudgetExhausted(service string) (bool, string) {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	var spent []string
	for _, st := range svc.statuses {
		if st.Service != service || !st.BlockDeploys || !st.Budget.Exhausted {
			continue
		}
		over := st.Budget.Over()
		if over != "" {
			over = " " + over
		}
		spent = append(spent, fmt.Sprintf("SLO %s/%s has spent its error budget%s (window %s, objective %g%%)",
			st.Service, st.ID, over, st.Window, st.Objective))
	}
	if len(spent) == 0 {
		return false, ""
	}
	return true, strings.Join(spent, "; ")
}

// BurnRate is an SLO's burn rate over an alert window such as "1h", for
// canary gates; false when the window is not one the SLO reads or has no data.
func (svc *Service) BurnRate(key, window string) (float64, bool) {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	i, ok := svc.byKey[key]
	if !ok || i >= len(svc.statuses) {
		return 0, false
	}
	b := svc.statuses[i].BurnRates[window]
	if b == nil {
		return 0, false
	}
	return *b, true
}

// Vars are the latest statuses as runbook expressions read them, by
// service/id: burn_rate (the current one), burn_rates by alert window,
// budget_remaining_percent, sli and exhausted. A value without data is
// absent, so write (x ?? 0) where no data should count as no burn.
func (svc *Service) Vars() map[string]any {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	out := make(map[string]any, len(svc.statuses))
	for _, st := range svc.statuses {
		rates := map[string]any{}
		for w, b := range st.BurnRates {
			if b != nil {
				rates[w] = *b
			}
		}
		v := map[string]any{"burn_rates": rates, "exhausted": st.Budget.Exhausted, "objective": st.Objective}
		if st.BurnRate != nil {
			v["burn_rate"] = *st.BurnRate
		}
		if st.SLI != nil {
			v["sli"] = *st.SLI
			v["budget_remaining_percent"] = *st.Budget.RemainingPercent
		}
		out[st.Service+"/"+st.ID] = v
	}
	return out
}
