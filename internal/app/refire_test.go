package app

import (
	"testing"
	"time"
)

// TestRefiringPagesAfterGroupWait: an alert resolves, and fires again
// before its group's next flush (group_interval, 5m by default) has
// announced the resolution. The new alert is news: it pages after
// group_wait (here 0s), with the resolution, not minutes later at the
// next group_interval.
func TestRefiringPagesAfterGroupWait(t *testing.T) {
	sk := newSink(t)
	h := start(t, suppressConfig(sk.URL, ""), "")
	h.raise("job-late", "Order job late", "critical", "shop")
	sk.wait(t, "/thach", 1)
	h.advance(10 * time.Second)
	h.resolveKey("job-late")
	h.advance(10 * time.Second)
	second := h.raise("job-late", "Order job late", "critical", "shop")

	// The clock does not move: group_wait is 0s.
	got := sk.wait(t, "/thach", 2)
	var fired, resolved bool
	for _, d := range got[1:] {
		for _, a := range d.Message.Alerts {
			fired = fired || a.ID == second && a.Status == "firing"
			resolved = resolved || a.ID == second-1 && a.Status == "resolved"
		}
	}
	if !fired || !resolved {
		t.Fatalf("after the re-failure: %+v", got[1:])
	}
	// The group then keeps its group_interval (1m) for what joins it while
	// an alert in it is open.
	h.raise("job-late-2", "Order job late", "critical", "shop")
	h.advance(time.Minute)
	third := sk.wait(t, "/thach", len(got)+1)[len(got)].Message
	if want := t0.Add(80 * time.Second); third.At.Before(want) {
		t.Fatalf("an alert joining a group with an open alert paged at %v, before its group_interval (%v)", third.At, want)
	}
}
