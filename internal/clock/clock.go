// Package clock is the single source of time for every timed component in Vigil.
// Production code takes a Clock; tests pass a Fake and advance it to fast-forward
// hours of scheduling in milliseconds.
package clock

import (
	"time"

	"github.com/jonboulle/clockwork"
)

// Clock tells the time and makes timers.
type Clock = clockwork.Clock

// Timer is a timer made by a Clock.
type Timer = clockwork.Timer

// Fake is a Clock that only moves when Advance is called.
type Fake = clockwork.FakeClock

// Real returns the wall clock.
func Real() Clock { return clockwork.NewRealClock() }

// NewFake returns a Fake clock set to t.
func NewFake(t time.Time) *Fake { return clockwork.NewFakeClockAt(t) }

// Stopwatch measures how long a piece of work took. Work is never simulated, so
// it reads the monotonic wall clock even when the scheduling Clock is fake.
type Stopwatch struct{ start time.Time }

// Start starts a stopwatch.
func Start() Stopwatch { return Stopwatch{start: time.Now()} }

// Elapsed is the time since Start.
func (s Stopwatch) Elapsed() time.Duration { return time.Since(s.start) }
