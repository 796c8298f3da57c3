package scheduled

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/store"
)

// t0 is Monday 2026-11-23 08:00 UTC.
var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

const cfgText = `
channels: [{id: feed, type: webhook, url: "http://127.0.0.1:9/feed"}]
reports:
  - {id: daily, kind: toil, schedule: {cron: "0 9 * * *", timezone: UTC}, period: 1d, to: [channel/feed]}
`

// bench is a scheduler over a real store whose renderer and outbox are
// counted stand-ins.
type bench struct {
	st      *store.Store
	clock   *clock.Fake
	mu      sync.Mutex
	renders int
	sent    []pager.Announcement
	fail    int // announcements to refuse before taking them
}

func newBench(t *testing.T) *bench {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &bench{st: st, clock: clock.NewFake(t0)}
}

func (b *bench) scheduler(t *testing.T) *Scheduler {
	t.Helper()
	cfg, err := config.Parse("c.yml", []byte(cfgText), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{
		Store: b.st, Clock: b.clock, Config: func() *config.Config { return cfg },
		URL: func(p string) string { return "http://vigil.example" + p },
		Renderers: map[string]Renderer{"toil": func(_ context.Context, r Request) (Document, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.renders++
			return Document{Title: "Plan to " + r.To.Format(time.RFC3339), Summary: "1 item", Markdown: []byte("# Plan"), Data: map[string]int{"items": 1}}, nil
		}},
		Announce: func(_ context.Context, a pager.Announcement) error {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.fail > 0 {
				b.fail--
				return errors.New("the pager is stopping")
			}
			b.sent = append(b.sent, a)
			return nil
		},
	})
}

func (b *bench) runs(t *testing.T) []store.ReportRunRow {
	t.Helper()
	rows, err := b.st.ReportRuns(context.Background(), store.ReportRunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestOncePerScheduledTime: the report is due at 09:00, not for the times
// before it was first seen; two schedulers on one store (a restart, a
// replica) render it once; the message carries the document and a link.
func TestOncePerScheduledTime(t *testing.T) {
	b := newBench(t)
	ctx := context.Background()
	s1, s2 := b.scheduler(t), b.scheduler(t)
	if wait := s1.tick(ctx); wait != time.Hour {
		t.Fatalf("first wait %v, want 1h to 09:00", wait)
	}
	b.clock.Advance(time.Hour)
	s1.tick(ctx)
	s2.tick(ctx)
	if b.renders != 1 || len(b.sent) != 1 {
		t.Fatalf("%d renders, %d sent; want 1 and 1", b.renders, len(b.sent))
	}
	a := b.sent[0]
	if a.Kind != "report" || a.Report == nil || a.Report.Markdown != "# Plan" || a.Report.ID != "daily" || string(a.Report.Data) != `{"items":1}` ||
		a.URL != "http://vigil.example/reports/runs/1" || a.Text != "1 item\n\nThe whole report: http://vigil.example/reports/runs/1" ||
		len(a.Targets) != 1 || a.Targets[0] != "channel/feed" || !a.Report.From.Equal(t0.Add(-23*time.Hour)) {
		t.Fatalf("announcement %+v report %+v", a, a.Report)
	}
	if rows := b.runs(t); len(rows) != 1 || rows[0].Status != store.ReportQueued {
		t.Fatalf("runs %+v", rows)
	}
	if wait := s1.tick(ctx); wait != time.Hour { // the next is tomorrow; it wakes at least hourly
		t.Fatalf("wait after the run %v", wait)
	}
}

// TestCatchUpSendsTheLatestOnly: after a stop over several scheduled
// times, only the latest missed one is sent.
func TestCatchUpSendsTheLatestOnly(t *testing.T) {
	b := newBench(t)
	ctx := context.Background()
	b.scheduler(t).tick(ctx) // first seen Monday 08:00
	b.clock.Advance(3*24*time.Hour + 2*time.Hour)
	b.scheduler(t).tick(ctx) // back on Thursday 10:00
	rows := b.runs(t)
	if len(rows) != 1 || !rows[0].ScheduledAt.Equal(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("runs after a stop: %+v", rows)
	}
}

// TestResumeSendsWhatWasRendered: a run stored as rendered before a stop
// is sent as it was rendered; a run only claimed is rendered then sent.
func TestResumeSendsWhatWasRendered(t *testing.T) {
	b := newBench(t)
	ctx := context.Background()
	claim := func(at time.Time) store.ReportRunRow {
		row, ok, err := b.st.ClaimReportRun(ctx, store.ReportRunRow{Report: "daily", Kind: "toil", ScheduledAt: at, From: at.Add(-24 * time.Hour),
			To: at, ClaimedAt: at, Targets: []string{"channel/feed"}})
		if err != nil || !ok {
			t.Fatal(err)
		}
		return row
	}
	rendered := claim(t0.Add(-23 * time.Hour))
	rendered.Status, rendered.Title, rendered.Document, rendered.Summary = store.ReportRendered, "Sunday's plan", "# Rendered before the stop", "old"
	if err := b.st.FinishReportRun(ctx, rendered); err != nil {
		t.Fatal(err)
	}
	claim(t0.Add(time.Hour)) // claimed, then the process stopped before rendering
	b.scheduler(t).resume(ctx)
	if b.renders != 1 || len(b.sent) != 2 || b.sent[0].Report.Markdown != "# Rendered before the stop" || b.sent[0].Title != "Sunday's plan" {
		t.Fatalf("%d renders, sent %+v", b.renders, b.sent)
	}
	for _, r := range b.runs(t) {
		if r.Status != store.ReportQueued {
			t.Errorf("run %d is %s after the resume", r.ID, r.Status)
		}
	}
}

// TestQueueingIsRetried: when the outbox cannot take the messages, the run
// stays rendered and is queued a minute later, without rendering again.
func TestQueueingIsRetried(t *testing.T) {
	b := newBench(t)
	ctx := context.Background()
	s := b.scheduler(t)
	s.tick(ctx)
	b.clock.Advance(time.Hour)
	b.fail = 1
	if wait := s.tick(ctx); wait > retryAfter {
		t.Fatalf("wait %v after a refused announcement", wait)
	}
	if rows := b.runs(t); rows[0].Status != store.ReportRendered || len(b.sent) != 0 {
		t.Fatalf("after the refusal: %+v", rows)
	}
	b.clock.Advance(retryAfter)
	s.tick(ctx)
	if rows := b.runs(t); rows[0].Status != store.ReportQueued || len(b.sent) != 1 || b.renders != 1 {
		t.Fatalf("after the retry: %+v, %d sent, %d renders", rows, len(b.sent), b.renders)
	}
}

// TestRunNow: a report sent off schedule is claimed for now; an unknown
// one is refused.
func TestRunNow(t *testing.T) {
	b := newBench(t)
	s := b.scheduler(t)
	row, err := s.RunNow(context.Background(), "daily")
	if err != nil || row.Status != store.ReportQueued || !row.ScheduledAt.Equal(t0) || len(b.sent) != 1 {
		t.Fatalf("run now: %+v %v", row, err)
	}
	if _, err := s.RunNow(context.Background(), "weekly"); err == nil || err.Error() != `no report "weekly" in the config` {
		t.Fatalf("unknown report: %v", err)
	}
	if _, err := s.RunNow(context.Background(), "daily"); err == nil || err.Error() != `report "daily" already ran at 2026-11-23T08:00:00Z` {
		t.Fatalf("twice at once: %v", err)
	}
}
