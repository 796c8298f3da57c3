package notify

import (
	"context"
	"log/slog"
	"slices"
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

// Store is what the outbox reads and writes; *store.Store is one.
type Store interface {
	DueDestinations(ctx context.Context, now time.Time, limit int) ([]store.DueDestination, error)
	NextNotificationAt(ctx context.Context, after time.Time) (time.Time, error)
	DueNotificationsTo(ctx context.Context, destination string, now time.Time, limit int) ([]store.Notification, error)
	ClaimNotificationsTo(ctx context.Context, destination string, now time.Time, limit int, claimer string, hold time.Duration) ([]store.Notification, error)
	AlertStatuses(ctx context.Context, ids []int64) (map[int64]string, error)
	UpdateNotifications(ctx context.Context, us []store.NotificationUpdate) error
	UpdateClaimedNotifications(ctx context.Context, us []store.NotificationUpdate, claimer string) error
}

// OutboxOptions configure the delivery worker.
type OutboxOptions struct {
	Store   Store
	Clock   clock.Clock
	Sender  Sender
	Resolve Resolver
	Log     *slog.Logger
	Metrics prometheus.Registerer // nil: no metrics
	// MaxInFlight bounds sends in flight across destinations; each
	// destination has at most one. Destinations whose last send failed may
	// hold at most half of them, and those not yet heard from since the
	// start at most three quarters, so that however many destinations hang,
	// those that work always find a free slot. Default DefaultMaxInFlight.
	MaxInFlight int
	Timeout     time.Duration // per send; default DefaultSendTimeout
	MaxDelay    time.Duration // longest wait between retries; default 5m
	// MaxRetryAge is how long a notification is retried before it is given
	// up as failed; default DefaultMaxRetryAge.
	MaxRetryAge time.Duration
	// Claimer, when set, names this replica among several delivering from
	// one database: each notification is claimed (store.ClaimNotificationsTo)
	// before it is sent, until a sending deadline on the database's clock,
	// and one replica at a time sends to a destination. A replica that dies
	// mid-send leaves its claims to expire; another then sends them.
	Claimer string
	// ClaimHold is the sending deadline; default twice Timeout plus 5s.
	ClaimHold time.Duration
	// Claims observes the time to claim, when set.
	Claims prometheus.Observer
}

// Defaults of OutboxOptions.
const (
	DefaultMaxInFlight = 128
	DefaultSendTimeout = 15 * time.Second
	DefaultMaxRetryAge = 24 * time.Hour
)

// maxBundle bounds the notifications one send carries.
const maxBundle = 50

// Outbox delivers what the pager wrote to the notifications table: at least
// once, retried with backoff for as long as the destination fails in a way
// worth retrying (a channel that is down delays, it never drops) up to
// MaxRetryAge, honouring Retry-After, and bundling what is waiting for one
// destination into one message. Every attempt's outcome is stored as
// delivery history.
//
// Destinations are isolated from each other: each is served by its own
// goroutine, one send at a time; a destination that failed waits out its
// backoff without holding a slot; destinations that worked last time go
// first, and those that failed share half the slots, so a hanging endpoint
// delays only its own messages.
type Outbox struct {
	opt  OutboxOptions
	wake chan struct{}
	m    *outboxMetrics

	mu   sync.Mutex
	sent map[string][]time.Time // recent sends per destination, for limits

	// Owned by Run: destinations being delivered to now, those whose last
	// attempt failed and until when they wait, and outcomes the store has
	// not taken yet (their notifications are not sent again).
	busy      map[string]health // in flight, by how the destination fared before
	busyBy    [3]int            // in flight per health
	busyScan  map[string]int    // the scan count when each send started
	health    map[string]health
	waitUntil map[string]time.Time
	rec       recording
	// scanned is when dispatch last read what was due: everything due by
	// then is being delivered, waits for a slot, or waits out its
	// destination's backoff (the earliest of which is heldUntil).
	// readFailed says that read failed.
	scanned    time.Time
	scans      int                    // scans so far
	due        []store.DueDestination // what was due then
	nextAt     time.Time              // the earliest pending notification not yet due then
	heldUntil  time.Time
	readFailed bool
	done       chan delivery
	wg         sync.WaitGroup
}

// delivery is the outcome of one destination's send.
type delivery struct {
	dest    string
	updates []store.NotificationUpdate
	result  sendResult
	retryAt time.Time // for retry: when the destination may be tried again
	later   time.Time // when what it put off (a retry, a throttled send) falls due
	full    bool      // it read a whole bundle: more may be due
}

type sendResult int

// health is how a destination fared at its last send since the start.
type health int

const (
	unknown health = iota // not tried since the start
	working               // its last send was answered
	failing               // its last send failed in a way worth retrying
)

// share is how many of n slots destinations of health h may hold at once.
func (h health) share(n int) int {
	switch h {
	case failing:
		return n / 2
	case unknown:
		return n * 3 / 4
	}
	return n
}

const (
	resultNone   sendResult = iota // nothing was sent (nothing due, held, superseded)
	resultSent                     // the destination accepted
	resultFailed                   // the destination refused for good
	resultRetry                    // the destination failed; it waits until retryAt
)

// NewOutbox makes a delivery worker; call Run.
func NewOutbox(opt OutboxOptions) *Outbox {
	if opt.MaxInFlight <= 0 {
		opt.MaxInFlight = DefaultMaxInFlight
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultSendTimeout
	}
	if opt.MaxDelay <= 0 {
		opt.MaxDelay = 5 * time.Minute
	}
	if opt.MaxRetryAge <= 0 {
		opt.MaxRetryAge = DefaultMaxRetryAge
	}
	if opt.ClaimHold <= 0 {
		opt.ClaimHold = 2*opt.Timeout + 5*time.Second
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{opt: opt, wake: make(chan struct{}, 1), m: newOutboxMetrics(opt.Metrics), sent: map[string][]time.Time{},
		busy: map[string]health{}, busyScan: map[string]int{}, health: map[string]health{}, waitUntil: map[string]time.Time{},
		rec: newRecording(), done: make(chan delivery, opt.MaxInFlight)}
}

// Wake tells the worker there is new work.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends. Notifications left pending are picked up by
// the next Run, after a restart too.
func (o *Outbox) Run(ctx context.Context) {
	t := o.opt.Clock.NewTimer(time.Hour)
	defer t.Stop()
	scan := true
	for {
		o.record()
		o.dispatch(ctx, scan)
		t.Reset(o.wait(ctx, scan))
		select {
		case <-ctx.Done():
			o.stop()
			return
		case d := <-o.done:
			// A finished send frees a slot; what waits for one is in the
			// list of the last scan, so the store is not read again: under
			// a storm of failing sends, scanning after each would keep the
			// loop busy and delay the pages that can go.
			o.finish(d)
			scan = false
		case err := <-o.rec.written:
			// After failed writes held sending back, what arrived meanwhile
			// is read anew.
			scan = o.recorded(err)
		case <-o.wake:
			scan = true
		case <-t.Chan():
			scan = true
		}
	}
}

// wait is how long Run may sleep before there is work. Everything due when
// dispatch looked is in flight, waits for a send to finish (which wakes
// Run) or waits out a backoff (heldUntil); so only what falls due later,
// new rows (Wake), finishing sends and ending backoffs end the sleep.
// Sleeping until "the earliest pending row" would spin while a send holds
// that row.
func (o *Outbox) wait(ctx context.Context, scanned bool) time.Duration {
	now := o.opt.Clock.Now()
	wait := o.sendWait(ctx, scanned, now)
	if o.rec.writing == nil && len(o.rec.waiting) > 0 {
		wait = min(wait, max(0, o.rec.retryAt.Sub(now))) // a failed write's next attempt
	}
	return wait
}

// sendWait is how long until something may be due to send.
func (o *Outbox) sendWait(ctx context.Context, scanned bool, now time.Time) time.Duration {
	switch {
	case o.rec.failures > 0:
		return time.Minute // sending resumes when a write succeeds
	case o.readFailed:
		return time.Second
	case len(o.busy) >= o.opt.MaxInFlight:
		return time.Minute // a send finishing wakes Run
	}
	if scanned {
		o.nextAt = time.Time{}
		if next, err := o.opt.Store.NextNotificationAt(ctx, o.scanned); err == nil {
			o.nextAt = next
		}
	}
	wait := time.Minute
	if !o.nextAt.IsZero() {
		wait = max(0, o.nextAt.Sub(now))
	}
	if !o.heldUntil.IsZero() {
		wait = min(wait, max(0, o.heldUntil.Sub(now)))
	}
	return wait
}

// dispatch starts a send for each destination with something due that is
// not in flight, not waiting out a backoff, and fits the limits. Outcomes
// being written do not hold it back; outcomes the store failed to take do.
func (o *Outbox) dispatch(ctx context.Context, scan bool) {
	if ctx.Err() != nil || o.rec.failures > 0 || len(o.busy) >= o.opt.MaxInFlight {
		return
	}
	now := o.opt.Clock.Now()
	if scan || o.readFailed {
		due, err := o.opt.Store.DueDestinations(ctx, now, 100_000)
		o.readFailed = err != nil
		if err != nil {
			if ctx.Err() == nil {
				o.opt.Log.Error("outbox: reading due notifications failed", "err", err)
			}
			return
		}
		o.due, o.scanned = due, now
		o.scans++
	}
	o.heldUntil = time.Time{}
	// Destinations that work go first; the others may not take their slots.
	for _, pass := range []bool{true, false} {
		for _, d := range o.due {
			if (o.health[d.Name] == working) == pass {
				o.start(ctx, d.Name, now)
			}
		}
	}
}

// start sends to dest unless it is in flight, waits out a backoff, or its
// share of the slots is taken.
func (o *Outbox) start(ctx context.Context, dest string, now time.Time) {
	if _, ok := o.busy[dest]; ok || len(o.busy) >= o.opt.MaxInFlight {
		return
	}
	if until, ok := o.waitUntil[dest]; ok && now.Before(until) {
		if o.heldUntil.IsZero() || until.Before(o.heldUntil) {
			o.heldUntil = until
		}
		return
	}
	h := o.health[dest]
	switch {
	case h == failing && o.busyBy[failing] >= max(1, failing.share(o.opt.MaxInFlight)),
		h != working && o.busyBy[failing]+o.busyBy[unknown] >= max(1, unknown.share(o.opt.MaxInFlight)):
		return // a send finishing wakes Run
	}
	o.busy[dest], o.busyScan[dest] = h, o.scans
	o.busyBy[h]++
	skip := o.rec.unstored(dest)
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		o.done <- o.deliver(ctx, dest, skip)
	}()
}

// finish takes a send's outcome, with those of any other sends that have
// finished meanwhile: Run writes them in one commit.
func (o *Outbox) finish(d delivery) {
	for {
		o.settle(d)
		select {
		case d = <-o.done:
			continue
		default:
		}
		break
	}
}

// settle takes a finished send off the books and remembers how its
// destination fared.
func (o *Outbox) settle(d delivery) {
	if h, ok := o.busy[d.dest]; ok {
		o.busyBy[h]--
		delete(o.busy, d.dest)
	}
	// What the send read is done with, unless it is to be retried. Only a
	// whole bundle, a retry, or a scan during the send (which may have seen
	// new notifications) leaves the destination in the last scan's list.
	if !d.full && d.result != resultRetry && o.busyScan[d.dest] == o.scans {
		o.due = slices.DeleteFunc(o.due, func(x store.DueDestination) bool { return x.Name == d.dest })
	}
	delete(o.busyScan, d.dest)
	if !d.later.IsZero() && (o.nextAt.IsZero() || d.later.Before(o.nextAt)) {
		o.nextAt = d.later
	}
	switch d.result {
	case resultSent, resultFailed:
		o.health[d.dest] = working
		delete(o.waitUntil, d.dest)
	case resultRetry:
		o.health[d.dest] = failing
		o.waitUntil[d.dest] = d.retryAt
	}
	o.rec.add(d.dest, d.updates)
}

// stop waits for the sends in flight and records what they did.
func (o *Outbox) stop() {
	go func() { o.wg.Wait(); close(o.done) }()
	for d := range o.done {
		o.settle(d)
	}
	o.flush()
}
