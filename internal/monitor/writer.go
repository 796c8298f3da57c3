package monitor

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// maxBatch bounds one transaction, so a burst never holds the writer for long.
const maxBatch = 2000

// record is everything one result changes in the store.
type record struct {
	result  store.ResultRow
	state   store.CheckState
	event   *store.Event
	buckets []store.Bucket
	// done, when set, receives the outcome once the record is committed.
	done chan error
	// fence is the lease of the check's shard; zero when not split.
	fence store.Fence
}

// writer is the store's single writer. After the first record of a batch it
// gathers for up to delay (or maxBatch records) and commits them in one
// transaction: a commit costs a WAL write and an fsync whatever its size, so
// under steady load this is most of what results cost.
type writer struct {
	store *store.Store
	keep  int
	clock clock.Clock
	delay time.Duration
	log   *slog.Logger
	obs   func(batch int)
	// refused counts results refused because their shard moved on.
	refused func(n int)

	in     chan record
	mu     sync.RWMutex
	closed bool
	done   chan struct{}
}

func newWriter(s *store.Store, keep int, c clock.Clock, delay time.Duration, log *slog.Logger, obs func(int)) *writer {
	return &writer{store: s, keep: keep, clock: c, delay: delay, log: log, obs: obs, in: make(chan record, 4*maxBatch), done: make(chan struct{})}
}

// add queues a record; it blocks when the store falls far behind, which slows
// probes down instead of dropping results. It is false once the writer closed.
func (w *writer) add(r record) bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return false
	}
	w.in <- r
	return true
}

// queued is how many records wait for the store.
func (w *writer) queued() int { return len(w.in) }

// close stops intake; run then writes what is queued and returns.
func (w *writer) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
}

func (w *writer) run() {
	defer close(w.done)
	// Batching is about I/O, not about the time checks run on, so it waits
	// on the wall clock even when the scheduling clock is fake.
	wall := clock.Real()
	for first := range w.in {
		batch := []record{first}
		window := wall.NewTimer(w.delay)
	gather:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-w.in:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			case <-window.Chan():
				break gather
			}
		}
		window.Stop()
		w.write(batch)
	}
}

func (w *writer) write(batch []record) {
	b := merge(batch)
	if w.obs != nil {
		w.obs(len(batch))
	}
	refused, err := w.commit(b, len(batch))
	if len(refused) > 0 {
		w.log.Warn("results refused: this replica no longer holds the shard of these checks; their new owner records them",
			"checks", len(refused))
		if w.refused != nil {
			w.refused(len(refused))
		}
	}
	for _, r := range batch {
		if r.done != nil {
			if err == nil && slices.Contains(refused, r.result.CheckID) {
				r.done <- ErrNotOwner
				continue
			}
			r.done <- err
		}
	}
}

func (w *writer) commit(b store.Batch, n int) ([]int64, error) {
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		refused, err := w.store.WriteFencedBatch(ctx, b, w.keep)
		cancel()
		if err == nil {
			return refused, nil
		}
		w.log.Error("writing results failed; retrying", "results", n, "attempt", attempt, "err", err)
		if attempt == 10 {
			w.log.Error("giving up on a batch of results after 10 attempts", "results", n)
			return nil, err
		}
		<-w.clock.After(backoff)
		backoff = min(2*backoff, 10*time.Second)
	}
}

// merge folds records into one store batch: the newest state per check, and
// bucket deltas summed per bucket.
func merge(batch []record) store.Batch {
	var b store.Batch
	states := map[int64]int{}
	type key struct {
		id    int64
		res   store.Resolution
		start int64
	}
	buckets := map[key]int{}
	for _, r := range batch {
		if r.fence.Module != "" {
			if b.Fences == nil {
				b.Fences = map[int64]store.Fence{}
			}
			// The newest record's fence: a check regained at a new epoch
			// is written under that one.
			b.Fences[r.result.CheckID] = r.fence
		}
		b.Results = append(b.Results, r.result)
		if i, ok := states[r.state.CheckID]; ok {
			b.States[i] = r.state
		} else {
			states[r.state.CheckID] = len(b.States)
			b.States = append(b.States, r.state)
		}
		if r.event != nil {
			b.Events = append(b.Events, *r.event)
		}
		for _, d := range r.buckets {
			k := key{d.CheckID, d.Res, d.Start.UnixMilli()}
			i, ok := buckets[k]
			if !ok {
				buckets[k] = len(b.Buckets)
				b.Buckets = append(b.Buckets, d)
				continue
			}
			acc := &b.Buckets[i]
			acc.N += d.N
			acc.Fails += d.Fails
			acc.Warns += d.Warns
			acc.UpMs += d.UpMs
			acc.DownMs += d.DownMs
			acc.DurSum += d.DurSum
			acc.DurMax = max(acc.DurMax, d.DurMax)
		}
	}
	return b
}
