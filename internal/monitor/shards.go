package monitor

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/store"
)

// shardOf is a check's shard: LeaderShard for heartbeat checks, whose
// reports go to the leader; 0 when the checks are not split.
func (m *Monitor) shardOf(key string, c *config.Check) int {
	if m.opt.Shard == nil {
		return 0
	}
	if c.Kind() == "heartbeat" {
		return LeaderShard
	}
	return m.opt.Shard(key)
}

// fenceLocked is the fence e's results are written under, and whether this
// monitor probes e at all. m.mu must be held.
func (m *Monitor) fenceLocked(e *entry) (store.Fence, bool) {
	if m.owned == nil {
		return store.Fence{}, m.opt.Shard == nil
	}
	f, ok := m.owned[e.shard]
	return f, ok
}

func (m *Monitor) owns(e *entry) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.fenceLocked(e)
	return ok
}

// firstRun is when a check that this monitor starts probing runs first. A
// check taken over from another replica keeps its grid: its next run is an
// interval after the last stored result, or within a quarter interval when
// that is past (the previous owner died), so a fleet of overdue checks does
// not fire at once. Checks that are not split start at a random point of
// their first interval, as the scheduler does.
func (m *Monitor) firstRun(e *entry) time.Time {
	if m.opt.Shard == nil {
		return time.Time{}
	}
	every := e.cfg.Every.D()
	now := m.opt.Clock.Now()
	e.mu.Lock()
	last := e.tr.LastAt
	e.mu.Unlock()
	if next := last.Add(every); !last.IsZero() && next.After(now) {
		return next
	}
	return now.Add(rand.N(every/4 + 1))
}

// Own sets the shards this monitor probes, with the fences their results
// are written under. Checks of shards it no longer holds stop at once (a
// probe in flight finishes, and its result is dropped); checks of shards
// it gained first load their state (soft and hard state, flapping window,
// sequence) from the store, where the previous owner left it, and are
// then scheduled. It returns the keys of the checks it gained, so that
// their alerts can be brought in line with their states. Without
// Options.Shard it does nothing.
func (m *Monitor) Own(ctx context.Context, fences map[int]store.Fence) ([]string, error) {
	if m.opt.Shard == nil {
		return nil, nil
	}
	m.ownMu.Lock()
	defer m.ownMu.Unlock()
	m.mu.Lock()
	prev := m.owned
	var gained []*entry
	next := maps.Clone(fences)
	if next == nil {
		next = map[int]store.Fence{}
	}
	for key, e := range m.entries {
		was, had := prev[e.shard]
		now, has := next[e.shard]
		switch {
		case had && (!has || now.Epoch != was.Epoch):
			m.sched.Remove(key)
			if has {
				gained = append(gained, e)
			}
		case has && !had:
			gained = append(gained, e)
		}
	}
	// Shards gained are not owned until their states are loaded: a result
	// recorded meanwhile would build on the state this replica last saw.
	pending := map[int]store.Fence{}
	for _, e := range gained {
		pending[e.shard] = next[e.shard]
		delete(next, e.shard)
	}
	m.owned = next
	m.mu.Unlock()
	if len(gained) == 0 {
		return nil, nil
	}
	byID, err := m.storedStates(ctx)
	if err != nil {
		// Not owned yet: the next Own tries again.
		return nil, fmt.Errorf("loading the states of %d checks taken over: %w", len(gained), err)
	}
	// The entries current now: a reload may have replaced some meanwhile.
	// None of them records results until its shard is owned.
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(gained))
	for key, e := range m.entries {
		if _, ok := pending[e.shard]; !ok {
			continue
		}
		e.takeState(byID)
		keys = append(keys, key)
	}
	maps.Copy(m.owned, pending)
	for _, key := range keys {
		m.schedule(m.entries[key], nil)
	}
	return keys, nil
}

// RefreshOthers reads from the store the states of the checks that other
// replicas probe, so that reads on this replica (the API, the web app,
// metrics) show them as their owners last wrote them.
func (m *Monitor) RefreshOthers(ctx context.Context) error {
	if m.opt.Shard == nil {
		return nil
	}
	byID, err := m.storedStates(ctx)
	if err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, e := range m.entries {
		if _, mine := m.fenceLocked(e); !mine {
			e.takeState(byID)
		}
	}
	return nil
}

// storedStates reads every check's stored state, by check id.
func (m *Monitor) storedStates(ctx context.Context) (map[int64]store.CheckState, error) {
	saved, err := m.opt.Store.CheckStates(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]store.CheckState, len(saved))
	for _, s := range saved {
		byID[s.CheckID] = s
	}
	return byID, nil
}

// takeState replaces e's state (soft and hard state, flapping window,
// sequence) with the stored one, if there is one.
func (e *entry) takeState(byID map[int64]store.CheckState) {
	s, ok := byID[e.id]
	if !ok {
		return
	}
	e.mu.Lock()
	e.tr, e.seq, e.dur = trackerFromState(s), s.Seq, s.LastDuration
	e.mu.Unlock()
}

// Owned is how many checks this monitor probes now.
func (m *Monitor) Owned() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, e := range m.entries {
		if _, ok := m.fenceLocked(e); ok {
			n++
		}
	}
	return n
}

// CountShard is how many checks of the config are in shard i.
func (m *Monitor) CountShard(i int) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, e := range m.entries {
		if e.shard == i {
			n++
		}
	}
	return n
}
