// Package monitor runs the checks: it schedules probes, judges their results,
// turns results into states (pending, failing, recovering, flapping), records
// results, state changes and rollups in the store, and answers uptime questions.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"github.com/vigil-sre/vigil/internal/errs"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/cond"
	"github.com/vigil-sre/vigil/internal/check/heartbeat"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/store"
)

// Errors Beat returns.
var (
	ErrUnknownCheck = errors.New("no such check")
	ErrNotHeartbeat = errors.New("not a heartbeat check")
	// ErrNotRunning: the monitor is not taking results (not started yet,
	// or stopped).
	ErrNotRunning = errors.New("the monitor is not running")
	// ErrNotOwner: another replica probes the check (its shard is not
	// this replica's), or this one lost it while the result was written.
	ErrNotOwner = errors.New("the check is probed by another replica")
)

// Options configure a Monitor.
type Options struct {
	Clock   clock.Clock
	Store   *store.Store
	Log     *slog.Logger
	Metrics *Metrics // nil disables metrics
	// FlushDelay is how long results gather before they are written in one
	// transaction; DefaultFlushDelay when zero.
	FlushDelay time.Duration
	// OnChange is called after every state change, in the order they happen
	// for a check; alerting hooks in here.
	OnChange func(Event)
	// OnResult is called after every result with the result and the
	// check's state after it (From and To are that state unless it
	// changed): latency SLOs count results, and a check alert resolved by
	// hand reopens on the next failing one. It must not block.
	OnResult func(Event)
	// Shard, when set, splits the checks among replicas: it maps a
	// scheduled check's service/check key to its shard, and the monitor
	// probes only the checks of the shards it is given (Own). Heartbeat
	// checks belong to LeaderShard. Nil: every check is this monitor's.
	Shard func(key string) int
}

// LeaderShard is the shard of heartbeat checks: their reports reach the
// replica that leads, which owns them.
const LeaderShard = -1

// DefaultFlushDelay bounds how far stored history trails live state.
const DefaultFlushDelay = 200 * time.Millisecond

// Event is a state change of a check.
type Event struct {
	Service, Check string
	Severity       string
	From, To       State
	At             time.Time
	Reason         string
	// Result is the result behind the event, for OnResult.
	Result check.Result
}

// Monitor owns the running checks.
type Monitor struct {
	opt   Options
	sched *Scheduler
	w     *writer

	mu      sync.RWMutex
	entries map[string]*entry
	keep    int
	// owned is the shards this monitor probes, with the fences their
	// results are written under; nil when the checks are not split.
	owned map[int]store.Fence
	ownMu sync.Mutex // serialises Own

	// started closes once Run takes results.
	started     chan struct{}
	startedOnce sync.Once
}

type entry struct {
	cfg    config.Check
	id     int64
	shard  int
	prober check.Prober
	policy Policy
	expect []*cond.Expr
	warn   []*cond.Expr

	mu  sync.Mutex // serialises results of this check (probes and heartbeats)
	tr  Tracker
	seq int64
	dur time.Duration // duration of the latest probe
}

// New returns a monitor; call Apply with a config, then Run.
func New(opt Options, maxConcurrent int) *Monitor {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	m := &Monitor{opt: opt, entries: map[string]*entry{}, started: make(chan struct{})}
	m.sched = NewScheduler(opt.Clock, maxConcurrent, opt.Metrics.schedulerObserver(), m.probe)
	return m
}

// Apply starts, changes and stops checks to match cfg. Checks keep their state
// and history across reloads; a check whose config did not change keeps its
// prober too, with whatever it remembers (a log offset, the last heartbeat).
func (m *Monitor) Apply(ctx context.Context, cfg *config.Config) error {
	type item struct {
		c   config.Check
		dir string
	}
	var items []item
	var refs []store.CheckRef
	for i := range cfg.Services {
		s := &cfg.Services[i]
		for _, c := range s.Checks {
			items = append(items, item{c, s.Dir()})
			refs = append(refs, store.CheckRef{Service: s.ID, Name: c.ID, Kind: c.Kind()})
		}
	}
	ids, err := m.opt.Store.RegisterChecks(ctx, refs)
	if err != nil {
		return fmt.Errorf("registering checks: %w", err)
	}
	saved, err := m.opt.Store.CheckStates(ctx)
	if err != nil {
		return fmt.Errorf("loading check states: %w", err)
	}
	savedByID := make(map[int64]store.CheckState, len(saved))
	for _, s := range saved {
		savedByID[s.CheckID] = s
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	m.keep = cfg.Global.ResultsPerCheck
	next := make(map[string]*entry, len(items))
	for _, it := range items {
		key := it.c.Key()
		old := m.entries[key]
		e := &entry{cfg: it.c, id: ids[key], policy: policyOf(&it.c)}
		e.expect, e.warn = it.c.Conditions()
		e.shard = m.shardOf(key, &it.c)
		switch {
		case old != nil && old.cfg.SameProbe(&it.c):
			e.prober = old.prober
		default:
			if old != nil {
				closeProber(old.prober)
			}
			p, err := it.c.Spec().NewProber(check.Env{
				Clock: m.opt.Clock, Log: m.opt.Log.With("check", key),
				Timeout: it.c.Timeout.D(), Every: it.c.Every.D(), Grace: it.c.Grace.D(), Window: it.c.Window.D(),
				Dir: it.dir, Uses: it.c.Uses,
			})
			if err != nil {
				return fmt.Errorf("check %s: %w", key, err)
			}
			e.prober = p
		}
		if old != nil {
			old.mu.Lock()
			e.tr, e.seq, e.dur = old.tr, old.seq, old.dur
			old.mu.Unlock()
		} else if s, ok := savedByID[e.id]; ok {
			e.tr, e.seq, e.dur = trackerFromState(s), s.Seq, s.LastDuration
		}
		next[key] = e
		m.schedule(e, old)
	}
	for key, old := range m.entries {
		if _, keep := next[key]; !keep {
			m.sched.Remove(key)
			closeProber(old.prober)
		}
	}
	m.entries = next
	return nil
}

func (m *Monitor) schedule(e *entry, old *entry) {
	key := e.cfg.Key()
	if _, owned := m.fenceLocked(e); !owned {
		m.sched.Remove(key)
		return
	}
	scheduled := m.sched.Has(key)
	if hb, ok := e.prober.(*heartbeat.Prober); ok {
		if old == nil || old.prober != e.prober || !scheduled {
			m.sched.Set(key, e.cfg.Every.D(), hb.Deadline())
		}
		return
	}
	if old != nil && old.cfg.Every == e.cfg.Every && scheduled {
		return
	}
	m.sched.Set(key, e.cfg.Every.D(), m.firstRun(e))
}

func policyOf(c *config.Check) Policy {
	return Policy{
		FailAfter: c.FailAfter, RecoverAfter: c.RecoverAfter,
		FlapLow: c.Flapping.Low, FlapHigh: c.Flapping.High, FlapDisabled: c.Flapping.Disabled,
	}
}

func closeProber(p check.Prober) {
	if c, ok := p.(io.Closer); ok {
		c.Close()
	}
}

// Run schedules probes until ctx ends, then lets running probes finish and
// writes every result they produced before returning.
func (m *Monitor) Run(ctx context.Context) {
	m.mu.Lock()
	delay := m.opt.FlushDelay
	if delay <= 0 {
		delay = DefaultFlushDelay
	}
	m.w = newWriter(m.opt.Store, m.keep, m.opt.Clock, delay, m.opt.Log, m.opt.Metrics.batchObserver())
	m.w.refused = m.opt.Metrics.refusedObserver()
	m.mu.Unlock()
	go m.w.run()
	m.startedOnce.Do(func() { close(m.started) })
	hk := make(chan struct{})
	go func() { m.housekeep(ctx); close(hk) }()
	m.sched.Run(ctx)
	<-hk
	m.w.close()
	<-m.w.done
	m.mu.Lock()
	for _, e := range m.entries {
		closeProber(e.prober)
	}
	m.mu.Unlock()
}

// Started closes once Run takes results: heartbeats and probes before it
// are refused with ErrNotRunning.
func (m *Monitor) Started() <-chan struct{} { return m.started }

func (m *Monitor) entry(key string) *entry {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.entries[key]
}

// probe runs one scheduled probe.
func (m *Monitor) probe(ctx context.Context, key string, _ time.Time) {
	e := m.entry(key)
	if e == nil || !m.owns(e) {
		return
	}
	m.record(e, m.observe(ctx, e), nil)
}

// ProbeNow runs a configured check at once, records the result like a
// scheduled run, and returns it: a runbook's check step, which can so
// recover the check and resolve its alert.
func (m *Monitor) ProbeNow(ctx context.Context, key string) (check.Result, error) {
	e := m.entry(key)
	if e == nil {
		return check.Result{}, errs.E(errs.NotFound, "no check %s", key)
	}
	r := m.observe(ctx, e)
	if !m.owns(e) {
		// Another replica probes this check and keeps its state: the
		// result is the caller's (and the result hooks'), not the check's.
		if m.opt.OnResult != nil {
			sn := e.snapshot(key)
			m.opt.OnResult(Event{Service: e.cfg.Service, Check: e.cfg.ID, Severity: e.cfg.Severity,
				From: sn.State, To: sn.State, At: r.At, Reason: sn.Reason, Result: r})
		}
		return r, nil
	}
	m.record(e, r, nil)
	return r, nil
}

func (m *Monitor) observe(ctx context.Context, e *entry) check.Result {
	at := m.opt.Clock.Now()
	timeout := e.cfg.Timeout.D()
	pctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	m.opt.Metrics.inflight(1)
	sw := clock.Start()
	vars, err := e.prober.Probe(pctx)
	took := sw.Elapsed()
	m.opt.Metrics.inflight(-1)
	if err != nil && pctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
		err = timeoutError(timeout, err)
	}
	r := check.Evaluate(at, took, vars, err, e.expect, e.warn)
	m.opt.Metrics.observeResult(e.cfg.Kind(), r)
	return r
}

// timeoutError says plainly that the deadline ended the probe, keeping the
// prober's own detail when it adds something.
func timeoutError(d time.Duration, err error) error {
	msg := "timed out after " + duration.Format(d)
	s := err.Error()
	if strings.Contains(s, "deadline exceeded") || strings.Contains(s, "timeout") || strings.Contains(s, "canceled") {
		return errors.New(msg)
	}
	return errors.New(msg + ": " + s)
}

// record applies a result to the check's state and queues it for the store;
// done, when not nil, receives the outcome of the write.
func (m *Monitor) record(e *entry, r check.Result, done chan error) {
	m.mu.RLock()
	fence, owned := m.fenceLocked(e)
	m.mu.RUnlock()
	if !owned {
		// The check's shard moved to another replica while this probe ran:
		// its owner records the check now.
		m.opt.Log.Debug("result dropped: the check's shard is not this replica's", "check", e.cfg.Key())
		if done != nil {
			done <- ErrNotOwner
		}
		return
	}
	e.mu.Lock()
	prevAt, prevStatus := e.tr.LastAt, e.tr.LastStatus
	change := e.tr.Apply(r, e.policy)
	e.seq++
	e.dur = r.Duration
	rec := record{
		result:  store.ResultRow{CheckID: e.id, Seq: e.seq, Result: r},
		state:   e.stateLocked(),
		buckets: rollupDeltas(e.id, prevAt, prevStatus, r, maxGap(&e.cfg)),
		done:    done,
		fence:   fence,
	}
	if change != nil {
		rec.event = &store.Event{CheckID: e.id, Service: e.cfg.Service, Name: e.cfg.ID, At: change.At,
			From: string(change.From), To: string(change.To), Reason: change.Reason}
	}
	// Queue while still holding the check's lock so its records reach the
	// store in the order they happened.
	m.mu.RLock()
	w := m.w
	m.mu.RUnlock()
	if w == nil || !w.add(rec) {
		if done != nil {
			done <- ErrNotRunning
		}
	}
	e.mu.Unlock()
	if change != nil {
		m.opt.Log.Info("check state changed", "check", e.cfg.Key(), "from", change.From, "to", change.To, "reason", change.Reason)
		if m.opt.OnChange != nil {
			m.opt.OnChange(Event{Service: e.cfg.Service, Check: e.cfg.ID, Severity: e.cfg.Severity,
				From: change.From, To: change.To, At: change.At, Reason: change.Reason})
		}
	}
	if m.opt.OnResult != nil {
		m.opt.OnResult(Event{Service: e.cfg.Service, Check: e.cfg.ID, Severity: e.cfg.Severity,
			From: State(rec.state.State), To: State(rec.state.State), At: r.At, Reason: rec.state.Reason, Result: r})
	}
}

// maxGap is the longest silence credited to the previous result in uptime.
func maxGap(c *config.Check) time.Duration {
	return 2*c.Every.D() + c.Timeout.D() + c.Grace.D()
}

func (e *entry) stateLocked() store.CheckState {
	return store.CheckState{
		CheckID: e.id, Service: e.cfg.Service, Name: e.cfg.ID, Kind: e.cfg.Kind(),
		State: string(e.tr.State), Reason: e.tr.Reason, Since: e.tr.Since,
		LastChecked: e.tr.LastAt, LastStatus: string(e.tr.LastStatus), LastDuration: e.dur,
		Fails: e.tr.Fails, Passes: e.tr.Passes, History: e.tr.History, Flapping: e.tr.Flap, Seq: e.seq,
	}
}

func trackerFromState(s store.CheckState) Tracker {
	return Tracker{
		State: State(s.State), Since: s.Since, Reason: s.Reason, Fails: s.Fails, Passes: s.Passes,
		History: s.History, Flap: s.Flapping, LastAt: s.LastChecked, LastStatus: check.Status(s.LastStatus),
	}
}

// Beat records a report from a heartbeat check's job: ok false means the job
// says it failed. It returns once the result is in the store, so a report
// that was answered is never lost; the check's deadline moves on.
func (m *Monitor) Beat(ctx context.Context, service, name string, ok bool, message string) (check.Result, error) {
	key := service + "/" + name
	e := m.entry(key)
	if e == nil {
		return check.Result{}, ErrUnknownCheck
	}
	hb, isHB := e.prober.(*heartbeat.Prober)
	if !isHB {
		return check.Result{}, ErrNotHeartbeat
	}
	hb.Beat(m.opt.Clock.Now(), ok, message)
	r := m.observe(ctx, e)
	done := make(chan error, 1)
	m.record(e, r, done)
	m.sched.RunAt(key, hb.Deadline())
	select {
	case err := <-done:
		return r, err
	case <-ctx.Done():
		return r, ctx.Err()
	}
}

// Snapshot is the live state of one check as this process sees it.
type Snapshot struct {
	Key      string
	ID       int64 // the check's id in the store
	Tracker        // state, reason, since, last result
	Duration time.Duration
}

// Snapshots returns the live state of every check, keyed by service/check.
func (m *Monitor) Snapshots() map[string]Snapshot {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]Snapshot, len(m.entries))
	for key, e := range m.entries {
		out[key] = e.snapshot(key)
	}
	return out
}

// CheckIDs maps every running check's service/check to its store id.
func (m *Monitor) CheckIDs() map[string]int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]int64, len(m.entries))
	for key, e := range m.entries {
		out[key] = e.id
	}
	return out
}

// Snapshot returns the live state of one check.
func (m *Monitor) Snapshot(key string) (Snapshot, bool) {
	e := m.entry(key)
	if e == nil {
		return Snapshot{}, false
	}
	return e.snapshot(key), true
}

func (e *entry) snapshot(key string) Snapshot {
	e.mu.Lock()
	sn := Snapshot{Key: key, ID: e.id, Tracker: e.tr, Duration: e.dur}
	e.mu.Unlock()
	if sn.State == "" {
		sn.State, sn.Reason = Unknown, "no result yet"
	}
	return sn
}

// Queued is how many results wait to be written.
func (m *Monitor) Queued() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.w == nil {
		return 0
	}
	return m.w.queued()
}
