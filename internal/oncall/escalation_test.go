package oncall

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

func policy(repeat int, afters ...time.Duration) Policy {
	p := Policy{ID: "p", Repeat: repeat}
	for i, a := range afters {
		p.Steps = append(p.Steps, Step{After: a, Targets: []string{fmt.Sprintf("person/p%d", i)}})
	}
	return p
}

// fmtPlan prints firings as "round.step@offset" from start.
func fmtPlan(start time.Time, fires []Fire) string {
	var parts []string
	for _, f := range fires {
		parts = append(parts, fmt.Sprintf("%d.%d@%s", f.Round, f.Step, f.At.Sub(start)))
	}
	return strings.Join(parts, " ")
}

var start = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func TestPlan(t *testing.T) {
	const m = time.Minute
	tests := []struct {
		name string
		p    Policy
		want string
	}{
		{"one step", policy(0, 0), "0.0@0s"},
		{"one delayed step", policy(0, 5*m), "0.0@5m0s"},
		{"one step repeated with no delays waits the default", policy(2, 0), "0.0@0s 1.0@15m0s 2.0@30m0s"},
		{"one delayed step repeated waits its delay", policy(2, 10*m), "0.0@10m0s 1.0@20m0s 2.0@30m0s"},
		{"three steps", policy(0, 0, 5*m, 10*m), "0.0@0s 0.1@5m0s 0.2@15m0s"},
		{"three steps repeated wait the last step's delay", policy(1, 0, 5*m, 10*m), "0.0@0s 0.1@5m0s 0.2@15m0s 1.0@25m0s 1.1@30m0s 1.2@40m0s"},
		{"a delayed first step sets the repeat delay", policy(1, 2*m, 10*m), "0.0@2m0s 0.1@12m0s 1.0@14m0s 1.1@24m0s"},
		{"design doc sre-default", policy(2, 0, 15*m), "0.0@0s 0.1@15m0s 1.0@30m0s 1.1@45m0s 2.0@1h0m0s 2.1@1h15m0s"},
		{"zero-delay steps fire together", policy(1, 0, 0, 0), "0.0@0s 0.1@0s 0.2@0s 1.0@15m0s 1.1@15m0s 1.2@15m0s"},
		{"a zero-delay step after a delayed one", policy(0, 0, 5*m, 0), "0.0@0s 0.1@5m0s 0.2@5m0s"},
		{"negative delays count as zero", policy(1, -m, 5*m), "0.0@0s 0.1@5m0s 1.0@10m0s 1.1@15m0s"},
		{"negative repeat is no repeat", policy(-1, 0), "0.0@0s"},
		{"no steps", Policy{ID: "empty", Repeat: 3}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := tt.p.Plan(start)
			if got := fmtPlan(start, plan); got != tt.want {
				t.Errorf("Plan = %s\nwant   %s", got, tt.want)
			}
			for _, f := range plan {
				if !slices.Equal(f.Targets, tt.p.Steps[f.Step].Targets) {
					t.Errorf("fire %+v has the targets of another step", f)
				}
			}
		})
	}
}

func TestNextAndDue(t *testing.T) {
	const m = time.Minute
	p := policy(1, 0, 5*m, 10*m) // 0, 5m, 15m, 25m, 30m, 40m
	simultaneous := policy(0, 0, 0)
	at := func(d time.Duration) time.Time { return start.Add(d) }
	tests := []struct {
		name      string
		p         Policy
		now       time.Time
		wantNext  string
		after, to time.Time
		wantDue   string
	}{
		{"before start", p, at(-time.Nanosecond), "0.0@0s", at(-time.Hour), at(-time.Nanosecond), ""},
		{"at start: step 0 is not after now", p, at(0), "0.1@5m0s", at(-time.Nanosecond), at(0), "0.0@0s"},
		{"between steps", p, at(7 * m), "0.2@15m0s", at(0), at(7 * m), "0.1@5m0s"},
		{"exactly at a firing", p, at(15 * m), "1.0@25m0s", at(5 * m), at(15 * m), "0.2@15m0s"},
		{"into the repeat", p, at(26 * m), "1.1@30m0s", at(-time.Nanosecond), at(26 * m), "0.0@0s 0.1@5m0s 0.2@15m0s 1.0@25m0s"},
		{"last firing", p, at(39 * m), "1.2@40m0s", at(39 * m), at(40 * m), "1.2@40m0s"},
		{"after the last", p, at(40 * m), "", at(40 * m), at(24 * time.Hour), ""},
		{"long after", p, at(365 * 24 * time.Hour), "", at(-time.Hour), at(365 * 24 * time.Hour), "0.0@0s 0.1@5m0s 0.2@15m0s 1.0@25m0s 1.1@30m0s 1.2@40m0s"},
		{"simultaneous steps: Next gives the first, Due gives all", simultaneous, at(-time.Nanosecond), "0.0@0s", at(-time.Nanosecond), at(0), "0.0@0s 0.1@0s"},
		{"empty window", p, at(0), "0.1@5m0s", at(5 * m), at(5 * m), ""},
		{"backwards window", p, at(0), "0.1@5m0s", at(30 * m), at(0), ""},
		{"no steps", Policy{Repeat: 2}, at(0), "", at(-time.Hour), at(time.Hour), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if f, ok := tt.p.Next(start, tt.now); ok {
				got = fmtPlan(start, []Fire{f})
			}
			if got != tt.wantNext {
				t.Errorf("Next(%s) = %q, want %q", tt.now.Sub(start), got, tt.wantNext)
			}
			if got := fmtPlan(start, tt.p.Due(start, tt.after, tt.to)); got != tt.wantDue {
				t.Errorf("Due(%s, %s) = %q, want %q", tt.after.Sub(start), tt.to.Sub(start), got, tt.wantDue)
			}
		})
	}
}

// TestNextDueMatchPlan checks Next and Due, which jump to the round
// arithmetically, against a scan of Plan for random policies and times.
func TestNextDueMatchPlan(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		var afters []time.Duration
		for range 1 + rng.IntN(4) {
			afters = append(afters, time.Duration(rng.IntN(4))*5*time.Minute)
		}
		p := policy(rng.IntN(5), afters...)
		plan := p.Plan(start)
		horizon := plan[len(plan)-1].At.Sub(start) + time.Hour
		for range 20 {
			now := start.Add(time.Duration(rng.Int64N(int64(horizon))) - 10*time.Minute)
			if rng.IntN(3) == 0 { // land exactly on a firing
				now = plan[rng.IntN(len(plan))].At
			}
			i := slices.IndexFunc(plan, func(f Fire) bool { return f.At.After(now) })
			f, ok := p.Next(start, now)
			if ok != (i >= 0) || (ok && !fireEqual(f, plan[i])) {
				t.Fatalf("%s: Next(%s) = %+v, %v; plan says index %d of %s", fmtPlan(start, plan), now.Sub(start), f, ok, i, fmtPlan(start, plan))
			}
			upTo := now.Add(time.Duration(rng.Int64N(int64(time.Hour))))
			var want []Fire
			for _, f := range plan {
				if f.At.After(now) && !f.At.After(upTo) {
					want = append(want, f)
				}
			}
			if got := p.Due(start, now, upTo); !slices.EqualFunc(got, want, fireEqual) {
				t.Fatalf("Due(%s, %s) = %s, want %s", now.Sub(start), upTo.Sub(start), fmtPlan(start, got), fmtPlan(start, want))
			}
		}
	}
}

func fireEqual(a, b Fire) bool {
	return a.Step == b.Step && a.Round == b.Round && a.At.Equal(b.At) && slices.Equal(a.Targets, b.Targets)
}

func TestPolicyStep(t *testing.T) {
	p := policy(0, 0, time.Minute)
	for i, want := range []bool{true, true, false} {
		if _, ok := p.Step(i); ok != want {
			t.Errorf("Step(%d) ok = %v, want %v", i, ok, want)
		}
	}
	if _, ok := p.Step(-1); ok {
		t.Error("Step(-1) ok")
	}
	if s, _ := p.Step(1); s.After != time.Minute || !slices.Equal(s.Targets, []string{"person/p1"}) {
		t.Errorf("Step(1) = %+v", s)
	}
}

func TestDirectoryEscalation(t *testing.T) {
	d := mustDirectory(t, &config.Config{
		People: people(everyone...),
		Escalations: []config.Escalation{{ID: "sre-default", Repeat: 2, Steps: []config.EscalationStep{
			{Notify: []string{"schedule/sre-primary"}},
			{After: dur(15 * time.Minute), Notify: []string{"team/ops", "person/glen"}},
		}}},
	})
	p, ok := d.Escalation("sre-default")
	if !ok {
		t.Fatal("no policy")
	}
	want := Policy{ID: "sre-default", Repeat: 2, Steps: []Step{
		{After: 0, Targets: []string{"schedule/sre-primary"}},
		{After: 15 * time.Minute, Targets: []string{"team/ops", "person/glen"}},
	}}
	if fmt.Sprint(p) != fmt.Sprint(want) {
		t.Errorf("Escalation = %+v, want %+v", p, want)
	}
	if p.RepeatDelay() != 15*time.Minute {
		t.Errorf("RepeatDelay = %s", p.RepeatDelay())
	}
	if _, ok := d.Escalation("nope"); ok {
		t.Error("unknown escalation found")
	}
}
