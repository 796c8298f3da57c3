package notify

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// Limit is how often a destination may be messaged; zero Max means no limit.
type Limit struct {
	Max int
	Per time.Duration
}

// Resolver finds a destination by its outbox name (person/ID/slack,
// channel/ID) in the running config. ok is false when it no longer exists.
type Resolver func(name string) (d Destination, limit Limit, ok bool)

// OutboxOptions configure the delivery worker.
type OutboxOptions struct {
	Store    *store.Store
	Clock    clock.Clock
	Sender   Sender
	Resolve  Resolver
	Log      *slog.Logger
	Metrics  prometheus.Registerer // nil: no metrics
	Workers  int                   // destinations served at once; default 8
	Timeout  time.Duration         // per send; default 15s
	MaxDelay time.Duration         // longest wait between retries; default 5m
}

// Outbox delivers what the pager wrote to the notifications table: at least
// once, retried with backoff for as long as the destination fails in a way
// worth retrying (a channel that is down delays, it never drops), honouring
// Retry-After, and bundling everything due for one destination into one
// message. Every attempt's outcome is stored as delivery history.
type Outbox struct {
	opt  OutboxOptions
	wake chan struct{}
	m    *outboxMetrics

	mu   sync.Mutex
	sent map[string][]time.Time // recent sends per destination, for limits

	// Owned by Run: destinations being delivered to now, and outcomes the
	// store has not taken yet (their notifications are not sent again).
	busy       map[string]bool
	unrecorded map[int64]store.NotificationUpdate
	recordAt   time.Time // after a failed write, the next attempt
	failures   int
	// scanned is when dispatch last read what was due: everything due by
	// then is being delivered or waits for a worker to finish. readFailed
	// says that read failed.
	scanned    time.Time
	readFailed bool
	done       chan delivery
	wg         sync.WaitGroup
}

// delivery is the outcome of one destination's send.
type delivery struct {
	dest    string
	updates []store.NotificationUpdate
}

// NewOutbox makes a delivery worker; call Run.
func NewOutbox(opt OutboxOptions) *Outbox {
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 15 * time.Second
	}
	if opt.MaxDelay <= 0 {
		opt.MaxDelay = 5 * time.Minute
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{opt: opt, wake: make(chan struct{}, 1), m: newOutboxMetrics(opt.Metrics), sent: map[string][]time.Time{},
		busy: map[string]bool{}, unrecorded: map[int64]store.NotificationUpdate{}, done: make(chan delivery, opt.Workers)}
}

// Wake tells the worker there is new work.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends. Notifications left pending are picked up by
// the next Run, after a restart too. Each destination is served by its own
// worker (at most Workers at once), so one that hangs until its timeout
// delays nobody else.
func (o *Outbox) Run(ctx context.Context) {
	t := o.opt.Clock.NewTimer(time.Hour)
	defer t.Stop()
	for {
		o.record()
		o.dispatch(ctx)
		t.Reset(o.wait(ctx))
		select {
		case <-ctx.Done():
			o.stop()
			return
		case d := <-o.done:
			o.finish(d)
		case <-o.wake:
		case <-t.Chan():
		}
	}
}

// wait is how long Run may sleep before there is work. Everything due when
// dispatch looked is in a worker or waits for one to finish, which wakes
// Run; so only what falls due later, new rows (Wake) and finishing workers
// end the sleep. Sleeping until "the earliest pending row" would spin while
// a worker holds that row.
func (o *Outbox) wait(ctx context.Context) time.Duration {
	now := o.opt.Clock.Now()
	switch {
	case len(o.unrecorded) > 0:
		return max(0, o.recordAt.Sub(now))
	case o.readFailed:
		return time.Second
	case len(o.busy) >= o.opt.Workers:
		return time.Minute // a worker finishing wakes Run
	}
	wait := time.Minute
	if next, err := o.opt.Store.NextNotificationAt(ctx, o.scanned); err == nil && !next.IsZero() {
		wait = max(0, next.Sub(now))
	}
	return wait
}

// dispatch starts a worker for each destination with something due, up to
// Workers at once, skipping destinations already being served.
func (o *Outbox) dispatch(ctx context.Context) {
	if ctx.Err() != nil || len(o.unrecorded) > 0 || len(o.busy) >= o.opt.Workers {
		return
	}
	now := o.opt.Clock.Now()
	due, err := o.opt.Store.DueNotifications(ctx, now, 1000)
	o.readFailed = err != nil
	if err != nil {
		if ctx.Err() == nil {
			o.opt.Log.Error("outbox: reading due notifications failed", "err", err)
		}
		return
	}
	o.scanned = now
	byDest := map[string][]store.Notification{}
	var order []string
	for _, n := range due {
		if o.busy[n.Destination] {
			continue
		}
		if _, ok := byDest[n.Destination]; !ok {
			order = append(order, n.Destination)
		}
		byDest[n.Destination] = append(byDest[n.Destination], n)
	}
	for _, dest := range order {
		if len(o.busy) >= o.opt.Workers {
			return
		}
		o.busy[dest] = true
		o.wg.Add(1)
		go func(ns []store.Notification) {
			defer o.wg.Done()
			o.done <- delivery{dest: dest, updates: o.deliver(ctx, dest, ns)}
		}(byDest[dest])
	}
}

// finish records a worker's outcome, with those of any other workers that
// have finished meanwhile: one commit for all of them.
func (o *Outbox) finish(d delivery) {
	for {
		delete(o.busy, d.dest)
		for _, u := range d.updates {
			o.unrecorded[u.ID] = u
		}
		select {
		case d = <-o.done:
			continue
		default:
		}
		break
	}
	o.record()
}

// record writes the outcomes the store has not taken yet. While it fails,
// nothing new is sent (a sent message must not be sent again because its
// outcome was lost), and it is retried with backoff.
func (o *Outbox) record() {
	if len(o.unrecorded) == 0 || o.opt.Clock.Now().Before(o.recordAt) {
		return
	}
	us := make([]store.NotificationUpdate, 0, len(o.unrecorded))
	for _, u := range o.unrecorded {
		us = append(us, u)
	}
	// Outcomes are recorded even while shutting down.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := o.opt.Store.UpdateNotifications(ctx, us); err != nil {
		o.failures++
		delay := min(time.Second<<min(o.failures-1, 5), 30*time.Second)
		o.recordAt = o.opt.Clock.Now().Add(delay)
		o.opt.Log.Error("outbox: recording deliveries failed; sending waits until they are recorded", "retry_in", delay, "err", err)
		return
	}
	clear(o.unrecorded)
	o.failures, o.recordAt = 0, time.Time{}
}

// stop waits for the workers and records what they did.
func (o *Outbox) stop() {
	go func() { o.wg.Wait(); close(o.done) }()
	for d := range o.done {
		delete(o.busy, d.dest)
		for _, u := range d.updates {
			o.unrecorded[u.ID] = u
		}
	}
	o.recordAt = time.Time{}
	o.record()
}

// deliver sends one destination everything due for it: as one message,
// but each report on its own, since a report is a whole document.
func (o *Outbox) deliver(ctx context.Context, name string, ns []store.Notification) []store.NotificationUpdate {
	var rest []store.Notification
	var out []store.NotificationUpdate
	for _, n := range ns {
		if n.Kind == string(KindReport) {
			out = append(out, o.deliverBundle(ctx, name, []store.Notification{n})...)
		} else {
			rest = append(rest, n)
		}
	}
	if len(rest) > 0 {
		out = append(out, o.deliverBundle(ctx, name, rest)...)
	}
	return out
}

// deliverBundle sends ns to one destination as one message.
func (o *Outbox) deliverBundle(ctx context.Context, name string, ns []store.Notification) []store.NotificationUpdate {
	now := o.opt.Clock.Now()
	d, limit, ok := o.opt.Resolve(name)
	if !ok {
		return outcome(ns, store.NotifyFailed, now, time.Time{}, "destination "+name+" is no longer configured")
	}
	if at, held := o.held(name, limit, now); held {
		// Over its limit: wait for a free slot; what piles up goes as one message.
		out := make([]store.NotificationUpdate, len(ns))
		for i, n := range ns {
			out[i] = store.NotificationUpdate{ID: n.ID, Status: store.NotifyPending, Attempts: n.Attempts, NextAttemptAt: at, LastError: n.LastError}
		}
		return out
	}
	msgs := make([]Message, 0, len(ns))
	for _, n := range ns {
		var m Message
		if err := json.Unmarshal(n.Message, &m); err != nil {
			return outcome(ns, store.NotifyFailed, now, time.Time{}, "unreadable message: "+err.Error())
		}
		msgs = append(msgs, m)
	}
	msg := Bundle(msgs).In(d.Zone)
	sctx, cancel := context.WithTimeout(ctx, o.opt.Timeout)
	sw := clock.Start()
	err := o.opt.Sender.Send(sctx, d, msg)
	cancel()
	o.m.observe(d.Type, err, sw.Elapsed())
	now = o.opt.Clock.Now()
	if err == nil {
		o.noteSent(name, now)
		for _, n := range ns {
			o.m.latency.Observe(now.Sub(n.CreatedAt).Seconds())
		}
		return outcome(ns, store.NotifySent, now, time.Time{}, "")
	}
	retry, after := Retry(err)
	if !retry {
		o.opt.Log.Error("outbox: destination refused a notification", "destination", name, "err", err)
		return outcome(ns, store.NotifyFailed, now, time.Time{}, err.Error())
	}
	attempts := 0
	for _, n := range ns {
		attempts = max(attempts, n.Attempts+1)
	}
	next := now.Add(max(after, o.backoff(attempts)))
	o.opt.Log.Warn("outbox: delivery failed; will retry", "destination", name, "attempt", attempts, "retry_at", next, "err", err)
	return outcome(ns, store.NotifyPending, now, next, err.Error())
}

// backoff doubles from one second to MaxDelay, with jitter so that many
// notifications to one recovering destination do not all retry at once.
func (o *Outbox) backoff(attempts int) time.Duration {
	d := time.Second << min(attempts-1, 20)
	d = min(d, o.opt.MaxDelay)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

func outcome(ns []store.Notification, status string, now, next time.Time, errText string) []store.NotificationUpdate {
	out := make([]store.NotificationUpdate, len(ns))
	for i, n := range ns {
		u := store.NotificationUpdate{ID: n.ID, Status: status, Attempts: n.Attempts + 1, NextAttemptAt: next, LastError: errText}
		if status == store.NotifySent {
			u.SentAt = now
		}
		out[i] = u
	}
	return out
}

// held reports whether a destination is over its limit, and until when.
func (o *Outbox) held(name string, l Limit, now time.Time) (time.Time, bool) {
	if l.Max <= 0 || l.Per <= 0 {
		return time.Time{}, false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	recent := o.sent[name][:0]
	for _, t := range o.sent[name] {
		if now.Sub(t) < l.Per {
			recent = append(recent, t)
		}
	}
	o.sent[name] = recent
	if len(recent) < l.Max {
		return time.Time{}, false
	}
	return recent[0].Add(l.Per), true
}

func (o *Outbox) noteSent(name string, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent[name] = append(o.sent[name], now)
}

type outboxMetrics struct {
	sends   *prometheus.HistogramVec
	latency prometheus.Histogram
}

func newOutboxMetrics(reg prometheus.Registerer) *outboxMetrics {
	m := &outboxMetrics{
		sends: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_notification_send_seconds", Help: "Notification sends by destination type and outcome (sent, retry, failed).",
			Buckets: prometheus.ExponentialBuckets(0.001, 3, 10),
		}, []string{"type", "outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_notification_delay_seconds", Help: "From a notification being written to the outbox to its destination accepting it.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300},
		}),
	}
	if reg != nil {
		reg.MustRegister(m.sends, m.latency)
	}
	return m
}

func (m *outboxMetrics) observe(t DestinationType, err error, took time.Duration) {
	outcome := "sent"
	if err != nil {
		if retry, _ := Retry(err); retry {
			outcome = "retry"
		} else {
			outcome = "failed"
		}
	}
	m.sends.WithLabelValues(string(t), outcome).Observe(took.Seconds())
}
