package deploy

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// verifier watches the deploys whose verification is pending. Results
// reach it from the monitor's probes; a deadline timer ends each
// verification that nothing decided before.
type verifier struct {
	s *Service

	mu       sync.Mutex
	byCheck  map[string][]*pending // check key → verifications watching it
	byDeploy map[int64]*pending    // deploy id → its verification, while watched

	ctx    context.Context // ends with Run's
	cancel context.CancelFunc
	wg     sync.WaitGroup // probes and what verdicts set off
}

// pending is one verification in progress; its mutex orders its results.
type pending struct {
	mu    sync.Mutex
	d     store.DeployRow // Verification is the live copy
	done  bool
	timer clock.Timer
}

func newVerifier(s *Service) *verifier {
	ctx, cancel := context.WithCancel(context.Background())
	return &verifier{s: s, byCheck: map[string][]*pending{}, byDeploy: map[int64]*pending{}, ctx: ctx, cancel: cancel}
}

// run resumes what a stop left pending, then waits for ctx to end.
func (v *verifier) run(ctx context.Context) {
	if err := v.resume(ctx); err != nil {
		v.s.d.Log.Error("deploy: resuming pending verifications failed", "err", err)
	}
	<-ctx.Done()
	v.cancel()
	v.mu.Lock()
	for _, ps := range v.byCheck {
		for _, p := range ps {
			p.mu.Lock()
			if p.timer != nil {
				p.timer.Stop()
			}
			p.mu.Unlock()
		}
	}
	v.mu.Unlock()
	v.wg.Wait()
}

// start watches a newly recorded deploy's checks and probes them now. It
// works on a verification of its own: the caller answers with d while
// results come in.
func (v *verifier) start(d store.DeployRow) {
	p := &pending{d: detached(d)}
	if v.watch(p, d.Verification.Deadline.Sub(v.s.d.Clock.Now())) {
		v.probe(p, nil)
	}
}

// resume takes up the verifications a stop left pending. One whose
// deadline passed meanwhile is decided by one probe of each undecided
// check now, rather than failed for Vigil's absence.
func (v *verifier) resume(ctx context.Context) error {
	rows, err := v.s.d.Store.PendingVerifications(ctx)
	if err != nil {
		return err
	}
	now := v.s.d.Clock.Now()
	unraised, err := v.s.d.Store.UnraisedFailures(ctx, now.Add(-config.MaxVerifyWithin))
	if err != nil {
		return err
	}
	for _, d := range unraised {
		v.s.d.Log.Info("deploy: raising the alert of a failed verification a stop interrupted", "deploy", d.ID)
		v.wg.Add(1)
		go func() {
			defer v.wg.Done()
			v.s.verdict(v.ctx, d)
		}()
	}
	for _, d := range rows {
		p := &pending{d: d}
		if v.s.service(d.Service) == nil {
			v.conclude(p, store.VerifyFailed, "service "+d.Service+" is no longer configured")
			continue
		}
		v.s.d.Log.Info("deploy: resuming verification", "deploy", d.ID, "deadline", d.Verification.Deadline)
		if left := d.Verification.Deadline.Sub(now); left > 0 {
			if v.watch(p, left) {
				v.probe(p, nil)
			}
			continue
		}
		if v.watch(p, -1) {
			v.probe(p, func() { v.deadline(p) })
		}
	}
	return nil
}

// watch registers p for its checks' results and arms its deadline; a
// negative wait arms none (the caller decides when it ends). It reports
// false, and does nothing, when p's deploy is watched already: one
// recorded as Run resumes may also be read back as pending.
func (v *verifier) watch(p *pending, wait time.Duration) bool {
	v.mu.Lock()
	if _, dup := v.byDeploy[p.d.ID]; dup {
		v.mu.Unlock()
		return false
	}
	v.byDeploy[p.d.ID] = p
	for _, c := range p.d.Verification.Checks {
		if c.Status == store.VerifyPending {
			v.byCheck[c.Check] = append(v.byCheck[c.Check], p)
		}
	}
	v.mu.Unlock()
	if wait >= 0 {
		p.mu.Lock()
		p.timer = v.s.d.Clock.AfterFunc(wait, func() { v.deadline(p) })
		p.mu.Unlock()
	}
	return true
}

// unwatch stops results reaching p.
func (v *verifier) unwatch(p *pending) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.byDeploy[p.d.ID] == p {
		delete(v.byDeploy, p.d.ID)
	}
	for _, c := range p.d.Verification.Checks {
		ps := slices.DeleteFunc(v.byCheck[c.Check], func(x *pending) bool { return x == p })
		if len(ps) == 0 {
			delete(v.byCheck, c.Check)
		} else {
			v.byCheck[c.Check] = ps
		}
	}
}

// probe runs p's undecided checks now, each on its own goroutine; their
// results come back through result. then, when set, runs after all.
func (v *verifier) probe(p *pending, then func()) {
	p.mu.Lock()
	var keys []string
	for _, c := range p.d.Verification.Checks {
		if c.Status == store.VerifyPending {
			keys = append(keys, c.Check)
		}
	}
	p.mu.Unlock()
	var probes sync.WaitGroup
	for _, key := range keys {
		probes.Add(1)
		v.wg.Add(1)
		go func() {
			defer v.wg.Done()
			defer probes.Done()
			if v.s.d.Probe == nil {
				return
			}
			if _, err := v.s.d.Probe(v.ctx, key); err != nil {
				if errs.CodeOf(err) == errs.NotFound {
					v.gone(p, key)
					return
				}
				if !errors.Is(err, context.Canceled) {
					v.s.d.Log.Warn("deploy: probing a verify check failed; waiting for its next result", "deploy", p.d.ID, "check", key, "err", err)
				}
			}
		}()
	}
	if then != nil {
		v.wg.Add(1)
		go func() {
			defer v.wg.Done()
			probes.Wait()
			then()
		}()
	}
}

// result counts a check's result towards every verification watching it.
func (v *verifier) result(key string, r check.Result) {
	if v.ctx.Err() != nil {
		return // stopping: a pending verification resumes at the next start
	}
	v.mu.Lock()
	ps := slices.Clone(v.byCheck[key])
	v.mu.Unlock()
	for _, p := range ps {
		v.apply(p, key, r)
	}
}

// apply folds one result into p, stores the progress, and concludes p when
// that decided it. Results from before the deploy was recorded do not count.
func (v *verifier) apply(p *pending, key string, r check.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ver := p.d.Verification
	if p.done || r.At.Before(ver.StartedAt) {
		return
	}
	i := slices.IndexFunc(ver.Checks, func(c store.VerifyCheck) bool { return c.Check == key })
	if i < 0 {
		return
	}
	th := thresholds{pass: 1, fail: 1}
	if svc := v.s.service(p.d.Service); svc != nil {
		if c := findCheck(svc, key[len(svc.ID)+1:]); c != nil {
			th = thresholdsOf(c)
		}
	}
	fold(&ver.Checks[i], r, th)
	if status, reason := judge(ver); status != store.VerifyPending {
		v.concludeLocked(p, status, reason)
		return
	}
	v.save(p)
}

// gone fails a check that is no longer configured.
func (v *verifier) gone(p *pending, key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	ver := p.d.Verification
	for i := range ver.Checks {
		if c := &ver.Checks[i]; c.Check == key && c.Status == store.VerifyPending {
			c.Status, c.At, c.Reason = store.VerifyFailed, v.s.d.Clock.Now(), "the check is no longer configured"
		}
	}
	status, reason := judge(ver)
	v.concludeLocked(p, status, reason)
}

// deadline ends p: checks that have not passed by now fail it.
func (v *verifier) deadline(p *pending) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	ver := p.d.Verification
	if status, reason := judge(ver); status != store.VerifyPending {
		v.concludeLocked(p, status, reason)
		return
	}
	reason := expire(ver, v.s.d.Clock.Now(), ver.Deadline.Sub(ver.StartedAt))
	v.concludeLocked(p, store.VerifyFailed, reason)
}

// save stores p's progress; a verdict stored meanwhile (by another
// replica) ends p here too.
func (v *verifier) save(p *pending) {
	ok, err := v.s.d.Store.SaveVerification(v.ctx, p.d.ID, *p.d.Verification)
	switch {
	case err != nil:
		if v.ctx.Err() == nil {
			v.s.d.Log.Error("deploy: storing verification progress failed", "deploy", p.d.ID, "err", err)
		}
	case !ok:
		p.done = true
		v.unwatchLater(p)
	}
}

func (v *verifier) conclude(p *pending, status, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v.concludeLocked(p, status, reason)
}

// concludeLocked records p's verdict, once, and sets off what it calls
// for. The store takes only the first verdict, so two replicas watching
// the same deploy cannot both page.
func (v *verifier) concludeLocked(p *pending, status, reason string) {
	if p.done {
		return
	}
	p.done = true
	if p.timer != nil {
		p.timer.Stop()
	}
	v.unwatchLater(p)
	ver := p.d.Verification
	ver.Status, ver.Reason, ver.ConcludedAt = status, reason, v.s.d.Clock.Now()
	ok, err := v.s.d.Store.SaveVerification(context.WithoutCancel(v.ctx), p.d.ID, *ver)
	if err != nil {
		v.s.d.Log.Error("deploy: storing a verification's verdict failed", "deploy", p.d.ID, "verdict", status, "err", err)
		return
	}
	if !ok {
		return // decided elsewhere
	}
	v.s.d.Log.Info("deploy verified", "deploy", p.d.ID, "service", p.d.Service, "version", p.d.Version,
		"environment", p.d.Environment, "verdict", status, "reason", reason)
	d := detached(p.d)
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		v.s.verdict(v.ctx, d)
	}()
}

// unwatchLater unregisters p off the caller's lock on p: result takes the
// verifier's lock before p's, never the other way round.
func (v *verifier) unwatchLater(p *pending) {
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		v.unwatch(p)
	}()
}

// detached returns d with a copy of its verification of its own, so that
// what changes one leaves the other as it was.
func detached(d store.DeployRow) store.DeployRow {
	ver := *d.Verification
	ver.Checks = slices.Clone(ver.Checks)
	d.Verification = &ver
	return d
}
