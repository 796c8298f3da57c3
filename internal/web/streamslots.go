package web

import (
	"net/http"
	"sync"

	"github.com/vigil-sre/vigil/internal/errs"
)

// Live pages hold a connection each for as long as they are open, with no
// deadline: without a bound, one signed-in reader opening streams in a loop
// could hold every connection the server allows. Past a bound, a new
// stream is refused (503); the live pages' scripts try again later.
const (
	maxStreams         = 256 // at once, in all
	maxStreamsPerActor = 16  // at once, per person or token
)

// streamSlots counts the live event streams open, in all and by actor.
type streamSlots struct {
	mu      sync.Mutex
	total   int
	byActor map[string]int
}

// takeStream reserves a slot for a live stream of r's principal, and
// returns what frees it.
func (s *Server) takeStream(r *http.Request) (release func(), err error) {
	actor := "anonymous"
	if who, err := s.who(r); err == nil {
		actor = who.Actor()
	}
	return s.slots.take(actor)
}

// take reserves a slot for a stream of actor's.
func (sl *streamSlots) take(actor string) (release func(), err error) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	switch {
	case sl.total >= maxStreams:
		return nil, errs.E(errs.Unavailable, "too many live pages are open (%d); try again later", maxStreams)
	case sl.byActor[actor] >= maxStreamsPerActor:
		return nil, errs.E(errs.Unavailable, "%s has %d live pages open, the most one may; close some and try again", actor, maxStreamsPerActor)
	}
	if sl.byActor == nil {
		sl.byActor = map[string]int{}
	}
	sl.total++
	sl.byActor[actor]++
	var once sync.Once
	return func() {
		once.Do(func() {
			sl.mu.Lock()
			defer sl.mu.Unlock()
			sl.total--
			if sl.byActor[actor]--; sl.byActor[actor] <= 0 {
				delete(sl.byActor, actor)
			}
		})
	}, nil
}
