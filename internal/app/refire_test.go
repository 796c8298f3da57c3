package app

import (
	"fmt"
	"strings"
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

// TestResolvingAFailingCheckByHandReopensIt: someone resolves the alert of a
// check that still fails. The alert closes (the timeline says why it will
// come back), and the check's next failing result opens a new alert that
// pages, so a red check is never left without an open alert.
func TestResolvingAFailingCheckByHandReopensIt(t *testing.T) {
	h, tg, sk := homepageDown(t)
	first := sk.deliveries("/john")[0].Message.Alerts[0].ID

	var out struct {
		Status string `json:"status"`
	}
	if code := h.do("POST", fmt.Sprintf("/api/v1/alerts/%d/resolve", first), "r3spond-t0ken", nil, &out); code != 200 || out.Status != "resolved" {
		t.Fatalf("resolve: %d %+v", code, out)
	}
	a := h.alert(first)
	last := a.Log[len(a.Log)-1]
	if last.Kind != "resolved" || !strings.Contains(last.Detail, "a new alert opens on its next failing result") {
		t.Fatalf("the timeline does not say what happens next: %+v", a.Log)
	}

	// The next probe still fails: a new alert opens and pages.
	h.step(30*time.Second, "shop/homepage")
	var open []alertJSON
	h.eventually("a new alert for the check", func() bool {
		open = nil
		h.do("GET", "/api/v1/alerts?status=firing", "r3spond-t0ken", nil, &open)
		return len(open) == 1 && open[0].ID != first
	})
	if open[0].DedupKey != a.DedupKey {
		t.Fatalf("new alert %+v, want the same check", open[0])
	}
	got := sk.wait(t, "/john", 2)
	paged := false
	for _, d := range got[1:] {
		for _, al := range d.Message.Alerts {
			paged = paged || al.ID == open[0].ID && al.Status == "firing"
		}
	}
	if !paged {
		t.Fatalf("the new alert was not paged: %+v", got[1:])
	}

	// The new alert resolves with its check, as any check alert does.
	tg.status.Store(200)
	h.step(30*time.Second, "shop/homepage")
	h.waitState("shop/homepage", "ok")
	h.eventually("the new alert resolved by its check", func() bool { return h.alert(open[0].ID).Status == "resolved" })
}
