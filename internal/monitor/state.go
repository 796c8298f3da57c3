package monitor

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
)

// State is what Vigil currently believes about a check.
type State string

const (
	Unknown  State = "unknown"  // no result yet
	OK       State = "ok"       // expectations hold
	Degraded State = "degraded" // expectations hold, a warn condition does not
	Pending  State = "pending"  // failing, but fewer than fail_after times in a row
	Failing  State = "failing"  // failed fail_after times in a row, not yet recovered
	Flapping State = "flapping" // changing state too often to trust either
)

// historyLen is how many results flap detection weighs, as in Nagios.
const historyLen = 21

// Policy is how a check turns results into states.
type Policy struct {
	FailAfter, RecoverAfter int
	FlapLow, FlapHigh       float64
	FlapDisabled            bool
}

// Tracker follows one check's results. The zero value is Unknown.
type Tracker struct {
	State   State
	Since   time.Time
	Reason  string
	Fails   int    // consecutive failed results
	Passes  int    // consecutive passed (or warned) results
	History string // recent result statuses, oldest first: p, w or f
	Flap    bool
	// LastAt and LastStatus describe the newest result.
	LastAt     time.Time
	LastStatus check.Status
}

// Change is a transition of the visible state.
type Change struct {
	From, To State
	At       time.Time
	Reason   string
}

// Apply takes a result and returns the transition it caused, if any.
func (t *Tracker) Apply(r check.Result, p Policy) *Change {
	base := t.base(p)
	next, reason := t.step(base, r, p)
	t.History = appendHistory(t.History, r.Status)
	t.LastAt, t.LastStatus = r.At, r.Status

	if !p.FlapDisabled {
		pct := FlapPercent(t.History)
		switch {
		case !t.Flap && pct >= p.FlapHigh:
			t.Flap = true
		case t.Flap && pct < p.FlapLow:
			t.Flap = false
		}
		if t.Flap {
			reason = fmt.Sprintf("state changed in %.0f%% of the last %d results (flapping from %g%%, calm below %g%%); latest: %s",
				pct, len(t.History), p.FlapHigh, p.FlapLow, orOK(reason))
			next = Flapping
		}
	} else {
		t.Flap = false
	}

	t.Reason = reason
	if next == t.State {
		return nil
	}
	c := &Change{From: t.State, To: next, At: r.At, Reason: reason}
	if c.From == "" {
		c.From = Unknown
	}
	t.State, t.Since = next, r.At
	return c
}

// base is the state flap detection hides: what the check would be if it were calm.
func (t *Tracker) base(p Policy) State {
	switch {
	case t.State == "" || t.State == Unknown:
		return Unknown
	case t.State != Flapping:
		return t.State
	case t.Fails >= p.FailAfter:
		return Failing
	case t.Fails > 0:
		return Pending
	case t.LastStatus == check.Warn:
		return Degraded
	}
	return OK
}

func (t *Tracker) step(base State, r check.Result, p Policy) (State, string) {
	if r.Status == check.Fail {
		t.Fails++
		t.Passes = 0
		if base == Failing || t.Fails >= p.FailAfter {
			return Failing, r.Reason
		}
		return Pending, fmt.Sprintf("%s (failure %d of %d before failing)", r.Reason, t.Fails, p.FailAfter)
	}
	t.Passes++
	t.Fails = 0
	healthy, reason := OK, ""
	if r.Status == check.Warn {
		healthy, reason = Degraded, r.Reason
	}
	if base == Failing && t.Passes < p.RecoverAfter {
		return Failing, fmt.Sprintf("recovering: %d of %d passes in a row needed"+recoveringMark+"%s", t.Passes, p.RecoverAfter, lastFailure(t.Reason))
	}
	return healthy, reason
}

func appendHistory(h string, s check.Status) string {
	h += string(statusChar(s))
	if len(h) > historyLen {
		h = h[len(h)-historyLen:]
	}
	return h
}

func statusChar(s check.Status) byte {
	switch s {
	case check.Pass:
		return 'p'
	case check.Warn:
		return 'w'
	}
	return 'f'
}

// FlapPercent is Nagios' weighted percent state change: each change between
// consecutive results counts from 0.75 (oldest) to 1.25 (newest), over the 20
// transitions of a full 21-result history. A short history counts as if it had
// always been in its first state, so a new check cannot flap on its first blip.
func FlapPercent(history string) float64 {
	if len(history) < 2 {
		return 0
	}
	pad := historyLen - len(history)
	const low, high = 0.75, 1.25
	var changes float64
	for i := 1; i < len(history); i++ {
		if history[i] != history[i-1] {
			x := pad + i // position of the newer result in a full history
			changes += float64(x-1)*(high-low)/float64(historyLen-2) + low
		}
	}
	return changes * 100 / float64(historyLen-1)
}

func orOK(reason string) string {
	if strings.TrimSpace(reason) == "" {
		return "ok"
	}
	return reason
}

// recoveringMark separates a recovering reason from the failure it quotes.
const recoveringMark = "; the last failure was: "

// lastFailure is the failure a reason describes, without the recovering
// preamble of earlier passes, so reasons never nest.
func lastFailure(reason string) string {
	if i := strings.LastIndex(reason, recoveringMark); i >= 0 && strings.HasPrefix(reason, "recovering: ") {
		return reason[i+len(recoveringMark):]
	}
	return reason
}
