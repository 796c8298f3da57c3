package incident

import "sync"

// watchers are the pages following incidents live: each gets a signal on
// its channel when its incident's record changes, and reads what is new
// from the store.
type watchers struct {
	mu   sync.Mutex
	subs map[int64]map[chan struct{}]struct{}
}

// Watch follows incident id: the channel receives after every change to
// its record (a note, a status, a role, chat, a message, an edit). Signals
// coalesce: one waiting stands for any number of changes. cancel stops
// following.
func (s *Service) Watch(id int64) (changed <-chan struct{}, cancel func()) {
	w := &s.watch
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.subs == nil {
		w.subs = map[int64]map[chan struct{}]struct{}{}
	}
	if w.subs[id] == nil {
		w.subs[id] = map[chan struct{}]struct{}{}
	}
	w.subs[id][ch] = struct{}{}
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.subs[id], ch)
		if len(w.subs[id]) == 0 {
			delete(w.subs, id)
		}
	}
}

// changed tells incident id's followers that its record changed; a
// follower that has not read the last signal yet gets no second one.
func (s *Service) changed(id int64) {
	w := &s.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.subs[id] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
