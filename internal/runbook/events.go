package runbook

import (
	"context"

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
// cancel stops following.
func (e *Engine) Subscribe(runID string) (events <-chan Event, cancel func()) {
	ch := make(chan Event, 256)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.active[runID] == nil {
		close(ch)
		return ch, func() {}
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
