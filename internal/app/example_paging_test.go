package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// startBuiltin runs the bundled example as `vigil serve` with no config
// does, on a fake clock, and returns what its console channel printed.
func startBuiltin(t *testing.T) (*harness, *syncBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	console, logs := &syncBuffer{}, &syncBuffer{}
	fc := clock.NewFake(t0)
	a, err := Start(context.Background(), Options{
		Listen: addr, Store: "sqlite://" + filepath.Join(t.TempDir(), "vigil.db"), Clock: fc, LogOutput: console,
		Log:       slog.New(slog.NewTextHandler(logs, nil)),
		LookupEnv: func(string) (string, bool) { return "", false }, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, app: a, clock: fc, url: a.URL(), logs: logs, client: &http.Client{Timeout: 10 * time.Second}}
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	return h, console
}

// consolePages splits console output into its blocks of the given kinds
// (FIRING, ESCALATION...) that mention what.
func consolePages(out, what string, kinds ...string) []string {
	var pages []string
	for _, block := range strings.Split(out, "\n\n") {
		for _, k := range kinds {
			if strings.HasPrefix(strings.TrimSpace(block), "── "+k+" ") && strings.Contains(block, what) {
				pages = append(pages, block)
			}
		}
	}
	return pages
}

// TestExampleEscalationPagesFourTimes holds the bundled example to its
// comments: when the demo heartbeat is late, the console is paged at once,
// again 5 minutes later, and the policy runs once more (repeat: 1): four
// pages, then nothing until the route's repeat_interval. Each page carries
// the runbook's SOP.
func TestExampleEscalationPagesFourTimes(t *testing.T) {
	h, console := startBuiltin(t)
	pages := func() []string {
		return consolePages(console.String(), "Demo job heartbeat", "FIRING", "ESCALATION")
	}
	h.advanceUntil("the first page", 10*time.Second, 3*time.Minute, func() bool { return len(pages()) == 1 })
	first := pages()[0]
	for _, want := range []string{"runbook: Demo job has not reported", "The demo job reports to its heartbeat every minute"} {
		if !strings.Contains(first, want) {
			t.Fatalf("the console page lacks %q:\n%s", want, first)
		}
	}
	h.advanceUntil("four pages", time.Minute, 20*time.Minute, func() bool { return len(pages()) == 4 })

	// The next half hour pages nobody: after moving the clock, an event
	// through the pager makes it run every timer that fell due, and the
	// delivery history then holds every page it decided on.
	for range 30 {
		h.advance(time.Minute)
	}
	if code, _ := h.post("/api/v1/events", "demo-key", "application/json", []byte(`{"key":"nudge","summary":"nudge","severity":"info"}`)); code != 200 {
		t.Fatalf("event: %d", code)
	}
	var open []alertJSON
	h.do("GET", "/api/v1/alerts?status=firing", "demo-token", nil, &open)
	var id int64
	for _, a := range open {
		if a.DedupKey == "vigil/demo-job" {
			id = a.ID
		}
	}
	var notes, paged []noteJSON
	h.do("GET", fmt.Sprintf("/api/v1/alerts/%d/notifications", id), "demo-token", nil, &notes)
	for _, n := range notes {
		if n.Kind != "runbook" { // the runbook's own notify step
			paged = append(paged, n)
		}
	}
	if len(paged) != 4 || len(pages()) != 4 {
		t.Fatalf("%d pages in the first 50 minutes, want 4: %+v", len(paged), notes)
	}
}
