package oncall

import (
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// DefaultRepeatDelay separates repeats of a policy whose steps all have a
// zero After, so a repeat never pages the same people again in the same
// instant. It is GoAlert's default step delay.
const DefaultRepeatDelay = 15 * time.Minute

// Policy is an escalation policy: who is notified, and when, while an alert
// stays unacknowledged.
//
// Step 0 fires its After after the start; every later step fires its After
// after the step before it. After the last step the policy starts over,
// Repeat more times (rounds 1..Repeat). A repeat's step 0 fires RepeatDelay
// after the last step: step 0's After, or else the last step's After (as
// GoAlert waits the last step's delay before starting over), or else
// DefaultRepeatDelay.
type Policy struct {
	ID     string
	Repeat int
	Steps  []Step
}

// Step notifies Targets After the step before it fired (or after the start,
// for step 0).
type Step struct {
	After   time.Duration
	Targets []string // schedule/<id>, team/<id>, person/<id>, channel/<id>
}

// Fire is one step firing. Targets is shared with the policy; do not modify
// it.
type Fire struct {
	Step    int       `json:"step"`  // 0-based
	Round   int       `json:"round"` // 0 for the first pass, 1..Repeat for repeats
	At      time.Time `json:"at"`
	Targets []string  `json:"targets"`
}

func newPolicy(e config.Escalation) Policy {
	p := Policy{ID: e.ID, Repeat: e.Repeat}
	for _, s := range e.Steps {
		p.Steps = append(p.Steps, Step{After: s.After.D(), Targets: slices.Clone(s.Notify)})
	}
	return p
}

// Escalation returns the policy with the given id.
func (d *Directory) Escalation(id string) (Policy, bool) {
	p, ok := d.escalations[id]
	return p, ok
}

// Step returns step i, or false if there is none.
func (p Policy) Step(i int) (Step, bool) {
	if i < 0 || i >= len(p.Steps) {
		return Step{}, false
	}
	return p.Steps[i], true
}

// after is step i's delay; a negative one would fire a step before the one
// it follows, so it counts as zero.
func (p Policy) after(i int) time.Duration { return max(p.Steps[i].After, 0) }

// RepeatDelay is the wait between the last step of a round and step 0 of the
// next (see Policy).
func (p Policy) RepeatDelay() time.Duration {
	if len(p.Steps) == 0 {
		return 0
	}
	if d := p.after(0); d > 0 {
		return d
	}
	if d := p.after(len(p.Steps) - 1); d > 0 {
		return d
	}
	return DefaultRepeatDelay
}

// offset is when step i of round 0 fires, after the start.
func (p Policy) offset(i int) time.Duration {
	var d time.Duration
	for j := 0; j <= i; j++ {
		d += p.after(j)
	}
	return d
}

// period is how far apart the same step fires in consecutive rounds: the
// rest of a round after step 0, plus the repeat delay. It is always positive.
func (p Policy) period() time.Duration {
	return p.offset(len(p.Steps)-1) - p.after(0) + p.RepeatDelay()
}

func (p Policy) fire(start time.Time, round, step int) Fire {
	at := start.Add(p.offset(step) + time.Duration(round)*p.period())
	return Fire{Step: step, Round: round, At: at, Targets: p.Steps[step].Targets}
}

func (p Policy) rounds() int { return max(p.Repeat, 0) + 1 }

// Plan returns every firing in order, for a policy started at start.
func (p Policy) Plan(start time.Time) []Fire {
	if len(p.Steps) == 0 {
		return nil
	}
	out := make([]Fire, 0, p.rounds()*len(p.Steps))
	for r := range p.rounds() {
		for i := range p.Steps {
			out = append(out, p.fire(start, r, i))
		}
	}
	return out
}

// Next returns the first firing strictly after now, for arming a timer; false
// when the policy has nothing left to fire. Several steps can fire at the same
// At (steps with a zero After); Next returns the first of them, so when the
// timer goes off, take what is owed from Due rather than calling Next again.
func (p Policy) Next(start, now time.Time) (Fire, bool) {
	if len(p.Steps) == 0 {
		return Fire{}, false
	}
	// Jump to now's round arithmetically, so an alert open for days does not
	// replay every round to find its place.
	round := 0
	if x := now.Sub(start) - p.offset(0); x >= 0 {
		round = int(x / p.period())
	}
	for ; round < p.rounds(); round++ {
		for i := range p.Steps {
			if f := p.fire(start, round, i); f.At.After(now) {
				return f, true
			}
		}
	}
	return Fire{}, false
}

// Due returns the firings with after < At <= upTo, in order: what a timer that
// last ran at after owes when it runs at upTo.
func (p Policy) Due(start, after, upTo time.Time) []Fire {
	var out []Fire
	f, ok := p.Next(start, after)
	for ok && !f.At.After(upTo) {
		out = append(out, f)
		f, ok = p.following(start, f)
	}
	return out
}

// following is the firing after f.
func (p Policy) following(start time.Time, f Fire) (Fire, bool) {
	step, round := f.Step+1, f.Round
	if step == len(p.Steps) {
		step, round = 0, round+1
	}
	if round >= p.rounds() {
		return Fire{}, false
	}
	return p.fire(start, round, step), true
}
