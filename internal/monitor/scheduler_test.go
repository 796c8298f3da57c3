package monitor

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

type runLog struct {
	mu   sync.Mutex
	runs map[string][]time.Time
	ch   chan string
}

func newRunLog() *runLog { return &runLog{runs: map[string][]time.Time{}, ch: make(chan string, 1000)} }

func (l *runLog) record(_ context.Context, key string, scheduled time.Time) {
	l.mu.Lock()
	l.runs[key] = append(l.runs[key], scheduled)
	l.mu.Unlock()
	l.ch <- key
}

func (l *runLog) count(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.runs[key])
}

// waitRuns waits (in real time) for n runs to be reported.
func (l *runLog) waitRuns(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-l.ch:
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d of %d runs happened", i, n)
		}
	}
}

// waitFinished waits until the scheduler has marked key's run finished. A
// run reports before it returns; moving the clock on in between would find
// the job still running and skip its next run.
func waitFinished(t *testing.T, s *Scheduler, key string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		s.mu.Lock()
		running := s.jobs[key] != nil && s.jobs[key].running
		s.mu.Unlock()
		if !running {
			return
		}
		select {
		case <-timeout:
			t.Fatalf("%s still running", key)
		case <-time.After(time.Millisecond):
		}
	}
}

func startScheduler(t *testing.T, fc *clock.Fake, limit int, obs SchedulerObserver, run func(context.Context, string, time.Time)) *Scheduler {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := NewScheduler(fc, limit, obs, run)
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// advance moves the fake clock once the scheduler is waiting on its timer.
func advance(t *testing.T, fc *clock.Fake, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := fc.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal("scheduler is not waiting on its timer")
	}
	fc.Advance(d)
}

func TestEveryJobStartsWithinItsFirstInterval(t *testing.T) {
	fc := clock.NewFake(t0)
	log := newRunLog()
	s := startScheduler(t, fc, 100, SchedulerObserver{}, log.record)
	const n = 200
	for i := 0; i < n; i++ {
		s.Set(string(rune('a'+i%26))+string(rune('0'+i/26)), 10*time.Second, time.Time{})
	}
	// Step through the first interval one second at a time.
	for i := 0; i < 10; i++ {
		advance(t, fc, time.Second)
	}
	log.waitRuns(t, n)
	log.mu.Lock()
	defer log.mu.Unlock()
	for k, runs := range log.runs {
		if len(runs) != 1 || runs[0].After(t0.Add(10*time.Second)) {
			t.Fatalf("%s ran at %v", k, runs)
		}
	}
}

func TestJobsKeepTheirGrid(t *testing.T) {
	fc := clock.NewFake(t0)
	log := newRunLog()
	s := startScheduler(t, fc, 10, SchedulerObserver{}, log.record)
	s.Set("a", 30*time.Second, t0.Add(5*time.Second))
	for i := 0; i < 4; i++ {
		advance(t, fc, 30*time.Second)
		log.waitRuns(t, 1)
		waitFinished(t, s, "a")
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	for i, at := range log.runs["a"] {
		if want := t0.Add(5*time.Second + time.Duration(i)*30*time.Second); !at.Equal(want) {
			t.Fatalf("run %d scheduled %v, want %v", i, at, want)
		}
	}
}

func TestHangingJobDelaysNothingElseAndNeverOverlaps(t *testing.T) {
	fc := clock.NewFake(t0)
	release := make(chan struct{})
	log := newRunLog()
	var skipped int
	var mu sync.Mutex
	s := startScheduler(t, fc, 10, SchedulerObserver{Skipped: func() { mu.Lock(); skipped++; mu.Unlock() }},
		func(ctx context.Context, key string, at time.Time) {
			if key == "hang" {
				<-release
			}
			log.record(ctx, key, at)
		})
	defer close(release)
	s.Set("hang", 10*time.Second, t0.Add(time.Second))
	s.Set("fast", 10*time.Second, t0.Add(2*time.Second))
	for i := 0; i < 5; i++ {
		advance(t, fc, 10*time.Second)
		log.waitRuns(t, 1)
		waitFinished(t, s, "fast")
	}
	if got := log.count("fast"); got != 5 {
		t.Fatalf("fast ran %d times, want 5", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if skipped != 4 {
		t.Fatalf("hanging job: %d skipped runs, want 4 (it must not overlap itself)", skipped)
	}
}

func TestRunAtAndRemove(t *testing.T) {
	fc := clock.NewFake(t0)
	log := newRunLog()
	s := startScheduler(t, fc, 10, SchedulerObserver{}, log.record)
	s.Set("hb", time.Hour, t0.Add(time.Hour))
	s.RunAt("hb", t0.Add(time.Minute))
	advance(t, fc, time.Minute)
	log.waitRuns(t, 1)
	s.Remove("hb")
	advance(t, fc, 2*time.Hour)
	time.Sleep(20 * time.Millisecond) // nothing should arrive
	if got := log.count("hb"); got != 1 {
		t.Fatalf("removed job ran again: %d runs", got)
	}
}

func TestLagIsMeasuredFromTheScheduledTime(t *testing.T) {
	fc := clock.NewFake(t0)
	log := newRunLog()
	lags := make(chan time.Duration, 1)
	s := startScheduler(t, fc, 10, SchedulerObserver{Lag: func(d time.Duration) { lags <- d }}, log.record)
	s.Set("a", time.Minute, t0.Add(time.Second))
	advance(t, fc, 3*time.Second)
	log.waitRuns(t, 1)
	if d := <-lags; d != 2*time.Second {
		t.Fatalf("lag %v, want 2s", d)
	}
}

// TestRunsDueCloseTogetherStartTogether: after a wake-up the scheduler
// sleeps at least Slack, so runs due within it start at one wake-up, late by
// at most Slack, and never early.
func TestRunsDueCloseTogetherStartTogether(t *testing.T) {
	fc := clock.NewFake(t0)
	var mu sync.Mutex
	started := map[string]time.Time{}
	ran := make(chan struct{}, 10)
	s := startScheduler(t, fc, 10, SchedulerObserver{}, func(_ context.Context, key string, _ time.Time) {
		mu.Lock()
		started[key] = fc.Now()
		mu.Unlock()
		ran <- struct{}{}
	})
	s.Set("a", time.Minute, t0.Add(time.Second))
	s.Set("b", time.Minute, t0.Add(time.Second+Slack/5))
	s.Set("c", time.Minute, t0.Add(time.Second+Slack/2))
	wait := func(n int) {
		for range n {
			select {
			case <-ran:
			case <-time.After(5 * time.Second):
				t.Fatal("runs did not happen")
			}
		}
	}
	advance(t, fc, time.Second)
	wait(1)
	advance(t, fc, Slack/5) // b is due, but the scheduler sleeps on
	select {
	case <-ran:
		t.Fatal("a run started before the scheduler's slack was over")
	case <-time.After(50 * time.Millisecond):
	}
	advance(t, fc, Slack-Slack/5)
	wait(2)
	mu.Lock()
	defer mu.Unlock()
	want := map[string]time.Time{"a": t0.Add(time.Second), "b": t0.Add(time.Second + Slack), "c": t0.Add(time.Second + Slack)}
	for k, at := range want {
		if !started[k].Equal(at) {
			t.Errorf("%s started at %v, want %v", k, started[k].Sub(t0), at.Sub(t0))
		}
	}
}
