package pager

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// heldCommits runs a pager on a real store whose first commit waits until
// released and then returns fail (or commits, when fail is nil); the later
// commits go through.
type heldCommits struct {
	p        *Pager
	st       *store.Store
	entered  chan struct{}
	release  chan struct{}
	commits  chan store.AlertBatch // every batch handed to the store, in order
	stopLoop func()
}

func holdFirstCommit(t *testing.T, fail error) *heldCommits {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("vigil.yaml", []byte(`
people:
  - {id: dba, contacts: {webhook: "http://127.0.0.1:9/dba"}}
escalations:
  - {id: data, steps: [{notify: [person/dba]}]}
routes:
  - {match: {team: data}, escalation: data, group_by: [alertname], group_wait: 30s}
services:
  - {id: postgres}
`), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Options{Clock: clock.NewFake(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)), Store: st}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := &heldCommits{p: p, st: st, entered: make(chan struct{}), release: make(chan struct{}), commits: make(chan store.AlertBatch, 16)}
	first := true
	p.commitAlerts = func(ctx context.Context, b store.AlertBatch) (store.Durable, error) {
		h.commits <- b
		if first {
			first = false
			close(h.entered)
			<-h.release
			if fail != nil {
				return nil, fail
			}
		}
		return st.CommitAlerts(ctx, b)
	}
	runCtx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { p.Run(runCtx); close(stopped) }()
	h.stopLoop = func() { cancel(); <-stopped; st.Close() }
	t.Cleanup(h.stopLoop)
	return h
}

func diskFull(host, annotation string) alert.Event {
	return alert.Event{Action: alert.Trigger, Source: "api", Key: "disk-" + host, Summary: "Disk full on " + host,
		Service: "postgres", Labels: map[string]string{"alertname": "DiskFull", "team": "data", "host": host},
		Annotations: map[string]string{"detail": annotation}}
}

// behind hands events to the loop while the first commit is held, and
// returns once the loop has taken them: it applies them before it can see
// that commit end.
func (h *heldCommits) behind(t *testing.T, events ...alert.Event) chan reply {
	t.Helper()
	r := &request{ctx: context.Background(), events: events, prep: h.p.prepare(events), reply: make(chan reply, 1)}
	h.p.reqs <- r
	for len(h.p.reqs) > 0 {
		time.Sleep(time.Millisecond)
	}
	return r.reply
}

// Requests that arrive while a change commits are made into the next
// change and committed after it, as if both were one batch: an event about
// an alert the first change opened updates that alert.
func TestRequestsWhileACommitRunsMakeTheNextChange(t *testing.T) {
	h := holdFirstCommit(t, nil)
	first := make(chan []Outcome, 1)
	go func() {
		out, err := h.p.Ingest(context.Background(), []alert.Event{diskFull("db-1", "90%"), diskFull("db-2", "91%")})
		if err != nil {
			t.Error(err)
		}
		first <- out
	}()
	<-h.entered
	second := h.behind(t, diskFull("db-2", "99%"), diskFull("db-3", "92%"))
	select {
	case rep := <-second:
		t.Fatalf("answered %+v before the change under it was committed", rep)
	case b := <-h.commits:
		if len(b.Alerts) != 2 {
			t.Fatalf("the first commit wrote %d alerts; want db-1 and db-2", len(b.Alerts))
		}
	}
	select {
	case b := <-h.commits:
		t.Fatalf("a second commit (%d alerts) started while the first was under way", len(b.Alerts))
	default:
	}
	close(h.release)
	out1, rep2 := <-first, <-second
	if rep2.err != nil {
		t.Fatal(rep2.err)
	}
	out2 := rep2.outcomes
	if len(out1) != 2 || len(out2) != 2 || !out1[0].New || !out1[1].New {
		t.Fatalf("outcomes %+v then %+v", out1, out2)
	}
	if out2[0].New || out2[0].AlertID != out1[1].AlertID {
		t.Fatalf("db-2 again = %+v; want the alert the first change opened (%d)", out2[0], out1[1].AlertID)
	}
	if !out2[1].New || out2[1].AlertID == out1[0].AlertID || out2[1].AlertID == out1[1].AlertID {
		t.Fatalf("db-3 = %+v; want a new alert of its own", out2[1])
	}
	ctx := context.Background()
	row, err := h.st.Alert(ctx, out1[1].AlertID)
	if err != nil {
		t.Fatal(err)
	}
	if row.Occurrences != 2 || row.Annotations["detail"] != "99%" {
		t.Fatalf("db-2 stored with %d occurrences and detail %q; want 2 and the later 99%%", row.Occurrences, row.Annotations["detail"])
	}
	if _, n, err := h.st.Alerts(ctx, store.AlertFilter{}); err != nil || n != 3 {
		t.Fatalf("%d alerts stored (%v); want 3", n, err)
	}
	// What the pager kept in memory is what was stored: the same
	// annotations again are a repeat, and new ones are written.
	if _, err := h.p.Ingest(ctx, []alert.Event{diskFull("db-2", "99%"), diskFull("db-1", "95%")}); err != nil {
		t.Fatal(err)
	}
	if row, _ := h.st.Alert(ctx, out1[1].AlertID); row.Occurrences != 3 || row.Annotations["detail"] != "99%" {
		t.Fatalf("db-2 = %d occurrences, detail %q; want 3 and 99%%", row.Occurrences, row.Annotations["detail"])
	}
	if row, _ := h.st.Alert(ctx, out1[0].AlertID); row.Annotations["detail"] != "95%" {
		t.Fatalf("db-1's detail = %q; want the new 95%%", row.Annotations["detail"])
	}
}

// When a commit fails, the change made on top of it is put back too:
// neither is stored, both callers are told to send again, and the pager
// holds what the store holds.
func TestAFailedCommitTakesTheNextChangeWithIt(t *testing.T) {
	h := holdFirstCommit(t, errors.New("disk I/O error"))
	first := make(chan error, 1)
	go func() {
		_, err := h.p.Ingest(context.Background(), []alert.Event{diskFull("db-1", "90%")})
		first <- err
	}()
	<-h.entered
	second := h.behind(t, diskFull("db-1", "99%"), diskFull("db-2", "92%"))
	close(h.release)
	err1, rep2 := <-first, <-second
	for i, err := range []error{err1, rep2.err} {
		if errs.CodeOf(err) != errs.Unavailable {
			t.Fatalf("caller %d got %v; want unavailable, so that it sends again", i+1, err)
		}
	}
	<-h.commits
	select {
	case b := <-h.commits:
		t.Fatalf("the change made on top of the failed one was committed (%d alerts)", len(b.Alerts))
	default:
	}
	ctx := context.Background()
	if n := h.p.Open(); n != 0 {
		t.Fatalf("%d alerts open in memory after both changes failed; want 0", n)
	}
	out, err := h.p.Ingest(ctx, []alert.Event{diskFull("db-1", "93%")})
	if err != nil {
		t.Fatal(err)
	}
	if !out[0].New {
		t.Fatalf("db-1 sent again = %+v; want a new alert, as none was stored", out[0])
	}
	rows, n, err := h.st.Alerts(ctx, store.AlertFilter{})
	if err != nil || n != 1 || rows[0].Occurrences != 1 || rows[0].Annotations["detail"] != "93%" {
		t.Fatalf("stored %d alerts (%v): %+v; want db-1 once, as sent last", n, err, rows)
	}
}
