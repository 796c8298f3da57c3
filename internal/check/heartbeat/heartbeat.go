// Package heartbeat is the passive check: a job reports in with
// POST /api/v1/heartbeats/{service}/{check}, and the check fails when no report
// arrives within every + grace, or when the job reports that it failed.
package heartbeat

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/secret"
)

// Spec is written under `heartbeat:`.
type Spec struct {
	Key     secret.String `yaml:"key,omitempty" jsonschema:"description=key the job sends as 'Authorization: Bearer KEY' or ?key=KEY; without it a token with the operate scope is needed"`
	KeyFile string        `yaml:"key_file,omitempty" jsonschema:"description=file holding the key"`
}

// Vars describe the last report. A heartbeat is judged when a report arrives
// and when its deadline passes, so lateness is the probe's own verdict, not a
// variable.
type Vars struct {
	// Message is what the job sent with its report.
	Message string `expr:"message" json:"message"`
}

func (s *Spec) Kind() string              { return "heartbeat" }
func (s *Spec) Vars() any                 { return Vars{} }
func (s *Spec) DefaultExpect() []string   { return nil }
func (s *Spec) Validate() []check.Problem { return nil }

// NewProber starts the clock for the first report at the time the check is
// created: a freshly started Vigil gives every job a full interval to report.
func (s *Spec) NewProber(env check.Env) (check.Prober, error) {
	return &Prober{clock: env.Clock, every: env.Every, grace: env.Grace, last: env.Clock.Now(), started: true}, nil
}

// Prober remembers the last report.
type Prober struct {
	clock        clock.Clock
	every, grace time.Duration

	mu      sync.Mutex
	last    time.Time
	started bool // last is the start time, not a real report
	failed  bool
	message string
}

// Beat records a report from the job.
func (p *Prober) Beat(at time.Time, ok bool, message string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last, p.started, p.failed, p.message = at, false, !ok, message
}

// Deadline is when the check fails unless another report arrives.
func (p *Prober) Deadline() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last.Add(p.every + p.grace)
}

// Probe judges the last report.
func (p *Prober) Probe(context.Context) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	since := p.clock.Now().Sub(p.last)
	if since > p.every+p.grace {
		what := "no heartbeat for " + duration.Format(since.Truncate(time.Second))
		if p.started {
			what = "no heartbeat since start " + duration.Format(since.Truncate(time.Second)) + " ago"
		}
		return nil, fmt.Errorf("%s (expected every %s, grace %s)", what, duration.Format(p.every), duration.Format(p.grace))
	}
	if p.failed {
		if p.message == "" {
			return nil, fmt.Errorf("job reported failure")
		}
		return nil, fmt.Errorf("job reported failure: %s", p.message)
	}
	return Vars{Message: p.message}, nil
}
