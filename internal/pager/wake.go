package pager

import (
	"sync"

	"github.com/vigil-sre/vigil/internal/store"
)

// outboxWake wakes the outbox for notifications once the commit that wrote
// them is on disk. One goroutine at most waits for that, whatever the
// number of commits: a commit's Durable covers every commit before it, so
// it waits for the latest one it was given and wakes the outbox once for
// all of them. A disk that hangs holds one goroutine, not one per commit.
type outboxWake struct {
	notify func()

	mu      sync.Mutex
	next    store.Durable // the latest commit with notifications, not yet waited for
	running bool          // the goroutine is waiting
}

// after wakes the outbox once durable returns nil.
func (w *outboxWake) after(durable store.Durable) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.next = durable
	if w.running {
		return
	}
	w.running = true
	go w.run()
}

func (w *outboxWake) run() {
	for {
		w.mu.Lock()
		d := w.next
		w.next = nil
		if d == nil {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		// A failed sync leaves the notifications pending; the outbox
		// finds them on its own rounds, and the store is not ready.
		if d() == nil {
			w.notify()
		}
	}
}
