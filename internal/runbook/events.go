package runbook

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"

	"github.com/vigil-sre/vigil/internal/store"
)

// Event is a change to a run, for those following it live: "run" (status),
// "step" (a step started, retried or ended) and "end" (the last event).
type Event struct {
	Type  string         `json:"type"`
	RunID string         `json:"run_id,omitempty"`
	Run   *store.RunRow  `json:"run,omitempty"`
	Step  *store.StepRow `json:"step,omitempty"`
}

// Subscribe follows a run. The channel closes after the "end" event, or at
// once when the run is not in flight (read it from the store instead).
// cancel stops following. A run in flight on another replica is followed
// through the store.
func (e *Engine) Subscribe(runID string) (events <-chan Event, cancel func()) {
	ch := make(chan Event, 256)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.active[runID] == nil {
		if !e.clustered() {
			close(ch)
			return ch, func() {}
		}
		ctx, stop := context.WithCancel(e.ctx)
		go e.follow(ctx, runID, ch)
		return ch, stop
	}
	if e.subs[runID] == nil {
		e.subs[runID] = map[chan Event]struct{}{}
	}
	e.subs[runID][ch] = struct{}{}
	return ch, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if _, ok := e.subs[runID][ch]; ok {
			delete(e.subs[runID], ch)
			close(ch)
		}
	}
}

// follow reads a run from the store until it ends, and sends what changed:
// the run's status, and each step as it starts, is retried and ends.
func (e *Engine) follow(ctx context.Context, runID string, ch chan<- Event) {
	defer close(ch)
	every := min(max(e.d.Renew, 50*time.Millisecond), 500*time.Millisecond)
	t := clock.Real().NewTicker(every)
	defer t.Stop()
	var last store.RunRow
	seen := map[int]store.StepRow{}
	for first := true; ; first = false {
		row, steps, err := e.d.Store.Run(ctx, runID)
		if err != nil && (first || errors.Is(err, store.ErrNotFound)) {
			return
		}
		if err == nil {
			inFlight := slices.Contains(live, row.Status)
			if first && !inFlight {
				return
			}
			// The first read is sent too: what changed between the
			// follower's own first read and this one must not be missed.
			if row.Status != last.Status || row.Reason != last.Reason {
				send(ch, Event{Type: "run", Run: &row})
			}
			for _, st := range steps {
				if prev, ok := seen[st.Seq]; !ok || prev != st {
					seen[st.Seq] = st
					send(ch, Event{Type: "step", RunID: runID, Step: &st})
				}
			}
			last = row
			if !inFlight {
				send(ch, Event{Type: "end", Run: &row})
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.Chan():
		}
	}
}

// send hands ev on unless the follower is too slow to keep up (it can
// re-read the run).
func send(ch chan<- Event, ev Event) {
	select {
	case ch <- ev:
	default:
	}
}

// publish hands an event to the run's followers; one too slow to keep up
// misses events rather than slowing the run (it can re-read the run).
func (e *Engine) publish(ev Event) {
	id := ev.RunID
	if ev.Run != nil {
		id = ev.Run.ID
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for ch := range e.subs[id] {
		select {
		case ch <- ev:
		default:
		}
	}
}

// waitRun waits for a run in flight to end; false if ctx ended first.
func (e *Engine) waitRun(ctx context.Context, runID string) bool {
	events, cancel := e.Subscribe(runID)
	defer cancel()
	for {
		select {
		case _, ok := <-events:
			if !ok {
				return true
			}
		case <-ctx.Done():
			return false
		}
	}
}
