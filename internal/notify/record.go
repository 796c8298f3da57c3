package notify

import (
	"context"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

// recording holds the outcomes of sends on their way to the store. They are
// written off Run's loop, one write at a time, and outcomes that arrive
// meanwhile go in the next: a page the pager just wrote must not wait for
// the commit of earlier sends' outcomes (on SQLite, behind the one writer
// and an fsync) before it is even read. Until its outcome is stored, a
// notification is still pending in the store, so the reads that pick what
// to send skip it (unstored): it went already. Owned by Run.
type recording struct {
	waiting  map[string][]store.NotificationUpdate // by destination, for the next write
	writing  map[string][]store.NotificationUpdate // in the write in flight; nil when none
	written  chan error                            // the result of the write in flight
	retryAt  time.Time                             // after a failed write, the next attempt
	failures int                                   // writes failed in a row
}

func newRecording() recording {
	return recording{waiting: map[string][]store.NotificationUpdate{}, written: make(chan error, 1)}
}

// add takes the outcomes of a finished send.
func (r *recording) add(dest string, us []store.NotificationUpdate) {
	if len(us) > 0 {
		r.waiting[dest] = append(r.waiting[dest], us...)
	}
}

// unstored is the set of dest's notifications whose outcomes the store has
// not taken yet; nil when there are none. It is a copy, for a send to read.
func (r *recording) unstored(dest string) map[int64]bool {
	n := len(r.waiting[dest]) + len(r.writing[dest])
	if n == 0 {
		return nil
	}
	ids := make(map[int64]bool, n)
	for _, us := range [][]store.NotificationUpdate{r.waiting[dest], r.writing[dest]} {
		for _, u := range us {
			ids[u.ID] = true
		}
	}
	return ids
}

// record starts writing the outcomes waiting, unless a write is in flight
// or a failed one waits out its backoff.
func (o *Outbox) record() {
	r := &o.rec
	if r.writing != nil || len(r.waiting) == 0 || o.opt.Clock.Now().Before(r.retryAt) {
		return
	}
	var us []store.NotificationUpdate
	for _, ds := range r.waiting {
		us = append(us, ds...)
	}
	r.writing, r.waiting = r.waiting, map[string][]store.NotificationUpdate{}
	go func() { r.written <- o.write(us) }()
}

// write stores outcomes; among replicas, only those of claims still held.
func (o *Outbox) write(us []store.NotificationUpdate) error {
	// Outcomes are recorded even while shutting down.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if o.opt.Claimer != "" {
		return o.opt.Store.UpdateClaimedNotifications(ctx, us, o.opt.Claimer)
	}
	return o.opt.Store.UpdateNotifications(ctx, us)
}

// recorded takes the result of the write in flight. A failed write goes
// back to wait, with backoff, and nothing new is sent until it succeeds (a
// store that cannot take outcomes must not collect ever more of them); it
// reports whether sending resumes. What a written outcome left pending
// falls due when it says: Run looks then.
func (o *Outbox) recorded(err error) (resumed bool) {
	r := &o.rec
	if err != nil {
		for dest, us := range r.writing {
			r.waiting[dest] = append(r.waiting[dest], us...)
		}
		r.writing = nil
		r.failures++
		delay := min(time.Second<<min(r.failures-1, 5), 30*time.Second)
		r.retryAt = o.opt.Clock.Now().Add(delay)
		o.opt.Log.Error("outbox: recording deliveries failed; sending waits until they are recorded", "retry_in", delay, "err", err)
		return false
	}
	for _, us := range r.writing {
		for _, u := range us {
			if u.Status == store.NotifyPending && (o.nextAt.IsZero() || u.NextAttemptAt.Before(o.nextAt)) {
				o.nextAt = u.NextAttemptAt
			}
		}
	}
	resumed = r.failures > 0
	r.writing, r.failures, r.retryAt = nil, 0, time.Time{}
	return resumed
}

// flush waits for the write in flight, then writes what is left, once.
func (o *Outbox) flush() {
	r := &o.rec
	if r.writing != nil {
		o.recorded(<-r.written)
	}
	r.retryAt = time.Time{}
	o.record()
	if r.writing != nil {
		o.recorded(<-r.written)
	}
}
