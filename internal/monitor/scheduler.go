package monitor

import (
	"container/heap"
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// Scheduler starts jobs at their times from one timer and a heap, so 10,000
// checks cost one goroutine while idle. Each run gets its own goroutine once a
// slot of the concurrency limit is free; a job never overlaps itself, and a
// job whose probe hangs holds one slot until its timeout, delaying nothing else.
// It wakes at most once per Slack: runs that come due in between start
// together, at most Slack late.
type Scheduler struct {
	clock clock.Clock
	run   func(ctx context.Context, key string, scheduled time.Time)
	slots chan struct{}
	obs   SchedulerObserver

	mu   sync.Mutex
	h    jobHeap
	jobs map[string]*job
	wake chan struct{}
	wg   sync.WaitGroup
}

// SchedulerObserver receives the scheduler's measurements; nil fields are skipped.
type SchedulerObserver struct {
	Lag     func(time.Duration) // from the scheduled time to the probe's start
	Skipped func()              // a run was due while the previous one still ran
}

// Slack is how late a run may start so that runs due close together start
// at one wake-up. Waking the process costs more CPU than a probe's own work
// (BENCHMARKS.md: 270 HTTP checks a second cost about a third less with it),
// and no check needs its probe placed more precisely than this.
const Slack = 50 * time.Millisecond

type job struct {
	key     string
	every   time.Duration
	next    time.Time
	running bool
	index   int
}

// NewScheduler returns a scheduler that calls run for each due job, with at
// most limit runs at once.
func NewScheduler(c clock.Clock, limit int, obs SchedulerObserver, run func(ctx context.Context, key string, scheduled time.Time)) *Scheduler {
	return &Scheduler{
		clock: c, run: run, obs: obs,
		slots: make(chan struct{}, limit),
		jobs:  map[string]*job{},
		wake:  make(chan struct{}, 1),
	}
}

// Set adds a job or changes its interval. A new job first runs at a random
// point within its first interval (Slack included), so a fleet of checks
// starts spread out at once rather than ramping up or firing together;
// first, when not zero, fixes that time instead.
func (s *Scheduler) Set(key string, every time.Duration, first time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if first.IsZero() {
		spread := every
		if every > 2*Slack {
			spread = every - Slack
		}
		first = s.clock.Now().Add(rand.N(spread))
	}
	if j, ok := s.jobs[key]; ok {
		if j.every != every {
			j.every = every
			j.next = first
			heap.Fix(&s.h, j.index)
		}
	} else {
		j := &job{key: key, every: every, next: first}
		s.jobs[key] = j
		heap.Push(&s.h, j)
	}
	s.poke()
}

// RunAt moves a job's next run to at (a heartbeat's new deadline).
func (s *Scheduler) RunAt(key string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[key]; ok {
		j.next = at
		heap.Fix(&s.h, j.index)
		s.poke()
	}
}

// Remove drops a job; a run in progress finishes.
func (s *Scheduler) Remove(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[key]; ok {
		heap.Remove(&s.h, j.index)
		delete(s.jobs, key)
	}
}

// Has reports whether key is scheduled.
func (s *Scheduler) Has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.jobs[key]
	return ok
}

// Len is the number of jobs.
func (s *Scheduler) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.jobs)
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run starts due jobs until ctx ends, then waits for runs in progress.
func (s *Scheduler) Run(ctx context.Context) {
	timer := s.clock.NewTimer(time.Hour)
	defer timer.Stop()
	defer s.wg.Wait()
	for {
		wait := s.dispatchDue(ctx)
		timer.Reset(max(wait, Slack))
		select {
		case <-ctx.Done():
			return
		case <-timer.Chan():
		case <-s.wake:
		}
	}
}

// dispatchDue starts every job that is due and returns the time until the next.
func (s *Scheduler) dispatchDue(ctx context.Context) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for len(s.h) > 0 && !s.h[0].next.After(now) {
		j := s.h[0]
		scheduled := j.next
		// Keep the job on its grid; if Vigil fell behind, skip the missed slots
		// rather than firing them all at once.
		j.next = scheduled.Add(j.every)
		if !j.next.After(now) {
			j.next = now.Add(j.every - now.Sub(scheduled)%j.every)
		}
		heap.Fix(&s.h, 0)
		if j.running {
			if s.obs.Skipped != nil {
				s.obs.Skipped()
			}
			continue
		}
		j.running = true
		s.wg.Add(1)
		go s.dispatch(ctx, j, scheduled)
	}
	if len(s.h) == 0 {
		return time.Hour
	}
	return s.h[0].next.Sub(now)
}

func (s *Scheduler) dispatch(ctx context.Context, j *job, scheduled time.Time) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		j.running = false
		s.mu.Unlock()
	}()
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-s.slots }()
	if s.obs.Lag != nil {
		s.obs.Lag(s.clock.Since(scheduled))
	}
	s.run(ctx, j.key, scheduled)
}

type jobHeap []*job

func (h jobHeap) Len() int           { return len(h) }
func (h jobHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h jobHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *jobHeap) Push(x any) {
	j := x.(*job)
	j.index = len(*h)
	*h = append(*h, j)
}
func (h *jobHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	j.index = -1
	return j
}
