package monitor

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// feed applies statuses written as a string (p pass, w warn, f fail) and
// returns the state after each.
func feed(tr *Tracker, p Policy, seq string) []State {
	var out []State
	for i, c := range seq {
		r := check.Result{At: t0.Add(time.Duration(i) * time.Minute), Status: map[rune]check.Status{'p': check.Pass, 'w': check.Warn, 'f': check.Fail}[c]}
		if r.Status == check.Fail {
			r.Reason = "status == 200 failed (status=503)"
		}
		if r.Status == check.Warn {
			r.Reason = "warning: free_percent > 20 failed (free_percent=12)"
		}
		tr.Apply(r, p)
		out = append(out, tr.State)
	}
	return out
}

func TestStates(t *testing.T) {
	noFlap := Policy{FailAfter: 3, RecoverAfter: 2, FlapDisabled: true}
	cases := []struct {
		name string
		p    Policy
		seq  string
		want string
	}{
		{"first pass is ok", noFlap, "p", "ok"},
		{"warn is degraded", noFlap, "pw", "ok degraded"},
		{"pending until fail_after", noFlap, "pfff", "ok pending pending failing"},
		{"a pass ends pending without failing", noFlap, "pffp", "ok pending pending ok"},
		{"recover_after passes to recover", noFlap, "fffpp", "pending pending failing failing ok"},
		{"a failure while recovering stays failing", noFlap, "fffpfpp", "pending pending failing failing failing failing ok"},
		{"recover into degraded", noFlap, "fffww", "pending pending failing failing degraded"},
		{"fail_after 1 fails at once", Policy{FailAfter: 1, RecoverAfter: 1, FlapDisabled: true}, "pfp", "ok failing ok"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tr Tracker
			got := feed(&tr, c.p, c.seq)
			var s []string
			for _, st := range got {
				s = append(s, string(st))
			}
			if strings.Join(s, " ") != c.want {
				t.Fatalf("got %v, want %v", strings.Join(s, " "), c.want)
			}
		})
	}
}

func TestReasons(t *testing.T) {
	var tr Tracker
	p := Policy{FailAfter: 3, RecoverAfter: 2, FlapDisabled: true}
	feed(&tr, p, "f")
	if want := "status == 200 failed (status=503) (failure 1 of 3 before failing)"; tr.Reason != want {
		t.Fatalf("pending reason %q", tr.Reason)
	}
	feed(&tr, p, "ffp")
	if want := "recovering: 1 of 2 passes in a row needed; the last failure was: status == 200 failed (status=503)"; tr.Reason != want {
		t.Fatalf("recovering reason %q", tr.Reason)
	}
	// With more passes needed the reason says the same, never nesting.
	var tr3 Tracker
	p3 := Policy{FailAfter: 1, RecoverAfter: 4, FlapDisabled: true}
	feed(&tr3, p3, "fppp")
	if want := "recovering: 3 of 4 passes in a row needed; the last failure was: status == 200 failed (status=503)"; tr3.Reason != want {
		t.Fatalf("recovering reason after 3 passes %q", tr3.Reason)
	}
	feed(&tr, p, "p")
	if tr.Reason != "" || tr.State != OK {
		t.Fatalf("recovered: %s %q", tr.State, tr.Reason)
	}
}

func TestChangesCarryTimeAndFrom(t *testing.T) {
	var tr Tracker
	p := Policy{FailAfter: 1, RecoverAfter: 1, FlapDisabled: true}
	c := tr.Apply(check.Result{At: t0, Status: check.Pass}, p)
	if c == nil || c.From != Unknown || c.To != OK || !c.At.Equal(t0) {
		t.Fatalf("first change %+v", c)
	}
	if c := tr.Apply(check.Result{At: t0.Add(time.Minute), Status: check.Pass}, p); c != nil {
		t.Fatalf("no change expected, got %+v", c)
	}
	c = tr.Apply(check.Result{At: t0.Add(2 * time.Minute), Status: check.Fail, Reason: "connection refused"}, p)
	if c == nil || c.From != OK || c.To != Failing || c.Reason != "connection refused" || !tr.Since.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("fail change %+v since %v", c, tr.Since)
	}
}

func TestFlapPercent(t *testing.T) {
	cases := []struct {
		h    string
		want float64
	}{
		{"", 0},
		{"p", 0},
		{"ppppppppppppppppppppp", 0},
		// One change at the newest position of a full history weighs 1.25.
		{"ppppppppppppppppppppf", 1.25 * 100 / 20},
		// One change at the oldest position weighs 0.75.
		{"pffffffffffffffffffff", 0.75 * 100 / 20},
		// Alternating every result: the weights average 1, so 100%.
		{"pfpfpfpfpfpfpfpfpfpfp", 100},
		// A short history is padded with its first state: "pf" is one newest change.
		{"pf", 1.25 * 100 / 20},
	}
	for _, c := range cases {
		if got := FlapPercent(c.h); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("FlapPercent(%q) = %v, want %v", c.h, got, c.want)
		}
	}
}

func TestFlappingHysteresis(t *testing.T) {
	p := Policy{FailAfter: 2, RecoverAfter: 1, FlapLow: 25, FlapHigh: 30}
	var tr Tracker
	states := feed(&tr, p, "pppppppppppppppppppp")
	if states[len(states)-1] != OK {
		t.Fatalf("calm check: %v", tr.State)
	}
	// Alternate until the weighted change rate passes 30%.
	states = feed(&tr, p, "fpfpfp")
	if tr.State != Flapping {
		t.Fatalf("after alternating: %v (%.1f%%)", states, FlapPercent(tr.History))
	}
	if !strings.Contains(tr.Reason, "flapping from 30%") {
		t.Fatalf("flapping reason %q", tr.Reason)
	}
	// Between the thresholds it stays flapping (hysteresis) ...
	for FlapPercent(tr.History) >= 25 {
		feed(&tr, p, "p")
		if FlapPercent(tr.History) >= 25 && tr.State != Flapping {
			t.Fatalf("left flapping at %.1f%%", FlapPercent(tr.History))
		}
	}
	// ... and once below the low threshold it shows the calm state.
	if tr.State != OK {
		t.Fatalf("after calming: %v at %.1f%%", tr.State, FlapPercent(tr.History))
	}
}

func TestFlappingHidesBaseThatKeepsCounting(t *testing.T) {
	p := Policy{FailAfter: 2, RecoverAfter: 1, FlapLow: 25, FlapHigh: 30}
	var tr Tracker
	feed(&tr, p, "pfpfpfpf")
	if tr.State != Flapping {
		t.Fatalf("want flapping, got %v", tr.State)
	}
	// Sustained failure: still flapping until history calms, then failing, not ok.
	for i := 0; i < 30 && tr.State == Flapping; i++ {
		feed(&tr, p, "f")
	}
	if tr.State != Failing {
		t.Fatalf("after sustained failure: %v", tr.State)
	}
}
