// Package scheduled renders the reports config schedules (reports:) and
// sends them through the durable outbox: email gets the whole document,
// chat a summary with a link, webhooks the document and its data.
//
// A report is rendered once per scheduled time, even across restarts: the
// run for a report and time is claimed in the store before anything is
// rendered, and keeps its document, so a restart that finds a run rendered
// but not yet queued sends what was rendered instead of rendering again.
// Delivery is at least once, as the outbox's is.
//
// Each kind of report is a Renderer; a new kind is a Renderer registered
// under its name and the name allowed by config.ReportSchedule's kind.
package scheduled

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/store"
)

// Request is what to render: a configured report over [From, To).
type Request struct {
	Report   config.ReportSchedule
	From, To time.Time
	Loc      *time.Location
}

// Document is a rendered report.
type Document struct {
	Title    string
	Summary  string // a few lines for chat
	Markdown []byte
	Data     any // the report as JSON, for webhooks and the API
}

// Renderer renders one kind of report.
type Renderer func(ctx context.Context, r Request) (Document, error)

// Deps is what the scheduler needs.
type Deps struct {
	Store     *store.Store
	Clock     clock.Clock
	Log       *slog.Logger
	Config    func() *config.Config
	Renderers map[string]Renderer // by kind
	// Announce queues a message in the outbox for its targets.
	Announce func(ctx context.Context, a pager.Announcement) error
	// URL makes an absolute link to a path of Vigil's.
	URL func(path string) string
}

// Scheduler renders and sends scheduled reports.
type Scheduler struct {
	d    Deps
	wake chan struct{}
	// Owned by Run: when each report is next due, and the spec that was
	// computed from, so a reload that changes the schedule recomputes it.
	next map[string]due
	mu   sync.Mutex
	// retry holds runs whose document is stored but could not be queued.
	retry map[int64]time.Time
}

type due struct {
	spec string
	at   time.Time
}

// New makes a scheduler; call Run.
func New(d Deps) *Scheduler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{d: d, wake: make(chan struct{}, 1), next: map[string]due{}, retry: map[int64]time.Time{}}
}

// Reload tells the scheduler the config changed.
func (s *Scheduler) Reload() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// retryAfter is how long a run whose messages could not be queued waits.
const retryAfter = time.Minute

// Run sends reports as they fall due until ctx ends. It first finishes
// what a previous process left claimed or rendered.
func (s *Scheduler) Run(ctx context.Context) {
	s.resume(ctx)
	t := s.d.Clock.NewTimer(time.Hour)
	defer t.Stop()
	for {
		wait := s.tick(ctx)
		t.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.Chan():
		}
	}
}

// tick sends what is due and returns how long to sleep.
func (s *Scheduler) tick(ctx context.Context) time.Duration {
	cfg := s.d.Config()
	now := s.d.Clock.Now()
	wait := time.Hour
	for i := range cfg.Reports {
		r := &cfg.Reports[i]
		at, err := s.dueAt(ctx, r, now)
		if err != nil {
			s.d.Log.Error("report: planning failed", "report", r.ID, "err", err)
			wait = min(wait, retryAfter)
			continue
		}
		if !at.After(now) {
			s.deliver(ctx, r, s.latestDue(r, at, now), now)
			if at = s.next[r.ID].at; !at.After(now) {
				wait = min(wait, retryAfter) // the claim failed; try again
				continue
			}
		}
		wait = min(wait, max(0, at.Sub(now)))
	}
	s.mu.Lock()
	var ready []int64
	for id, when := range s.retry {
		if when.After(now) {
			wait = min(wait, when.Sub(now))
			continue
		}
		delete(s.retry, id)
		ready = append(ready, id)
	}
	s.mu.Unlock()
	for _, id := range ready {
		if row, err := s.d.Store.ReportRun(ctx, id); err == nil && row.Status == store.ReportRendered {
			s.announce(ctx, row)
		}
	}
	return wait
}

// dueAt is when report r is next due: after its last run, or, for a report
// that never ran, after it was first seen (so a new report does not send
// for times before it existed).
func (s *Scheduler) dueAt(ctx context.Context, r *config.ReportSchedule, now time.Time) (time.Time, error) {
	spec := r.Schedule.Cron + "|" + r.Schedule.Timezone
	if d, ok := s.next[r.ID]; ok && d.spec == spec {
		return d.at, nil
	}
	sched, err := config.CronParser.Parse(r.Schedule.Cron)
	if err != nil {
		return time.Time{}, err
	}
	base, err := s.d.Store.LastReportRun(ctx, r.ID)
	if err != nil {
		return time.Time{}, err
	}
	if base.IsZero() {
		seen, err := s.d.Store.Setting(ctx, "report_first_seen/"+r.ID, func() (string, error) {
			return now.UTC().Format(time.RFC3339Nano), nil
		})
		if err != nil {
			return time.Time{}, err
		}
		if base, err = time.Parse(time.RFC3339Nano, seen); err != nil {
			return time.Time{}, err
		}
	}
	at := sched.Next(base.In(r.Location()))
	s.next[r.ID] = due{spec: spec, at: at}
	return at, nil
}

// maxCatchUp bounds the walk to the latest missed time of a frequent
// schedule after a long stop.
const maxCatchUp = 100000

// latestDue is the last scheduled time at or before now from at on: after
// a stop, only the latest missed run is sent; older ones would say less.
func (s *Scheduler) latestDue(r *config.ReportSchedule, at, now time.Time) time.Time {
	sched, err := config.CronParser.Parse(r.Schedule.Cron)
	if err != nil {
		return at
	}
	for i := 0; i < maxCatchUp; i++ {
		n := sched.Next(at)
		if n.After(now) {
			break
		}
		at = n
	}
	return at
}

// deliver claims report r for its scheduled time at, renders it and
// queues it. Once claimed (here or before), r is next due after at; a
// failed claim is tried again.
func (s *Scheduler) deliver(ctx context.Context, r *config.ReportSchedule, at, now time.Time) {
	row, ok, err := s.d.Store.ClaimReportRun(ctx, store.ReportRunRow{Report: r.ID, Kind: r.Kind, ScheduledAt: at,
		From: at.Add(-r.Period.D()), To: at, ClaimedAt: now, Targets: r.To})
	if err != nil {
		if ctx.Err() == nil {
			s.d.Log.Error("report: claiming a run failed; trying again", "report", r.ID, "scheduled", at, "err", err)
		}
		return
	}
	if sched, err := config.CronParser.Parse(r.Schedule.Cron); err == nil {
		s.next[r.ID] = due{spec: r.Schedule.Cron + "|" + r.Schedule.Timezone, at: sched.Next(at)}
	}
	if ok { // else it was rendered for this time already, before a restart or by another replica
		s.render(ctx, r, row)
	}
}

// render renders a claimed run, stores the document and queues it.
func (s *Scheduler) render(ctx context.Context, r *config.ReportSchedule, row store.ReportRunRow) store.ReportRunRow {
	doc, err := s.renderDoc(ctx, r, row)
	row.FinishedAt = s.d.Clock.Now()
	if ctx.Err() != nil {
		return row // stopping: the run stays claimed and is rendered at the next start
	}
	if err != nil {
		row.Status, row.Error = store.ReportFailed, errs.Message(err)
		s.d.Log.Error("report: rendering failed", "report", r.ID, "run", row.ID, "err", err)
		if ferr := s.d.Store.FinishReportRun(ctx, row); ferr != nil {
			s.d.Log.Error("report: recording a failed run failed", "report", r.ID, "run", row.ID, "err", ferr)
		}
		return row
	}
	data, err := json.Marshal(doc.Data)
	if err != nil {
		data = nil
	}
	row.Status, row.Title, row.Summary, row.Document, row.Data = store.ReportRendered, doc.Title, doc.Summary, string(doc.Markdown), data
	if err := s.d.Store.FinishReportRun(ctx, row); err != nil {
		s.d.Log.Error("report: storing the document failed; it is not sent", "report", r.ID, "run", row.ID, "err", err)
		return row
	}
	return s.announce(ctx, row)
}

func (s *Scheduler) renderDoc(ctx context.Context, r *config.ReportSchedule, row store.ReportRunRow) (Document, error) {
	render := s.d.Renderers[r.Kind]
	if render == nil {
		return Document{}, errs.E(errs.Invalid, "no renderer for reports of kind %q", r.Kind)
	}
	return render(ctx, Request{Report: *r, From: row.From, To: row.To, Loc: r.Location()})
}

// resume finishes the runs a previous process claimed or rendered but did
// not queue: one vigil serve runs per database, so they are its own.
func (s *Scheduler) resume(ctx context.Context) {
	rows, err := s.d.Store.ReportRuns(ctx, store.ReportRunFilter{Statuses: []string{store.ReportClaimed, store.ReportRendered}, Limit: 1000})
	if err != nil {
		s.d.Log.Error("report: reading unfinished runs failed", "err", err)
		return
	}
	slices.Reverse(rows) // oldest first, as they fell due
	cfg := s.d.Config()
	now := s.d.Clock.Now()
	for _, row := range rows {
		if ok, err := s.d.Store.ReclaimReportRun(ctx, row.ID, row.ClaimedAt, now); err != nil || !ok {
			continue
		}
		if row.Status == store.ReportRendered {
			s.announce(ctx, row) // rendered once already: send that
			continue
		}
		r := reportByID(cfg, row.Report)
		if r == nil {
			row.Status, row.Error, row.FinishedAt = store.ReportFailed, "the report is no longer configured", now
			_ = s.d.Store.FinishReportRun(ctx, row)
			continue
		}
		s.render(ctx, r, row)
	}
}

func reportByID(cfg *config.Config, id string) *config.ReportSchedule {
	for i := range cfg.Reports {
		if cfg.Reports[i].ID == id {
			return &cfg.Reports[i]
		}
	}
	return nil
}

// RunNow renders report id for now and queues it, whatever its schedule.
func (s *Scheduler) RunNow(ctx context.Context, id string) (store.ReportRunRow, error) {
	r := reportByID(s.d.Config(), id)
	if r == nil {
		return store.ReportRunRow{}, errs.E(errs.NotFound, "no report %q in the config", id)
	}
	now := s.d.Clock.Now()
	row, ok, err := s.d.Store.ClaimReportRun(ctx, store.ReportRunRow{Report: r.ID, Kind: r.Kind, ScheduledAt: now,
		From: now.Add(-r.Period.D()), To: now, ClaimedAt: now, Targets: r.To})
	switch {
	case err != nil:
		return store.ReportRunRow{}, errs.Wrap(errs.Internal, err, "claiming the run")
	case !ok:
		return store.ReportRunRow{}, errs.E(errs.Conflict, "report %q already ran at %s", id, now.Format(time.RFC3339Nano))
	}
	row = s.render(ctx, r, row)
	if row.Status == store.ReportFailed {
		return row, errs.E(errs.Internal, "rendering report %q failed: %s", id, row.Error)
	}
	return row, nil
}

// RunPath is where a run's document is read in Vigil.
func RunPath(id int64) string { return fmt.Sprintf("/reports/runs/%d", id) }
