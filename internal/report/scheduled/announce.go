package scheduled

import (
	"bytes"
	"context"
	"strings"

	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/report/markdown"
	"github.com/vigil-sre/vigil/internal/store"
)

// announce queues a rendered run's messages and marks it queued. When the
// outbox cannot take them, the run stays rendered and is tried again.
func (s *Scheduler) announce(ctx context.Context, row store.ReportRunRow) store.ReportRunRow {
	var page bytes.Buffer
	if err := markdown.HTML(&page, row.Title, []byte(row.Document)); err != nil {
		s.d.Log.Error("report: rendering HTML failed", "report", row.Report, "run", row.ID, "err", err)
	}
	link := s.d.URL(RunPath(row.ID))
	text := strings.TrimSpace(row.Summary) + "\n\nThe whole report: " + link
	err := s.d.Announce(ctx, pager.Announcement{
		Targets: row.Targets, Title: row.Title, Text: text, URL: link, Kind: notify.KindReport,
		Report: &notify.Report{ID: row.Report, Kind: row.Kind, Run: row.ID, From: row.From, To: row.To,
			Markdown: row.Document, HTML: page.String(), Data: row.Data},
	})
	if err != nil {
		s.d.Log.Error("report: queueing failed; trying again", "report", row.Report, "run", row.ID, "err", err)
		s.mu.Lock()
		s.retry[row.ID] = s.d.Clock.Now().Add(retryAfter)
		s.mu.Unlock()
		s.Reload() // plan the retry
		return row
	}
	row.Status, row.FinishedAt = store.ReportQueued, s.d.Clock.Now()
	if err := s.d.Store.FinishReportRun(ctx, row); err != nil {
		// Queued but not recorded: a restart sends it again (at least once).
		s.d.Log.Error("report: recording a queued run failed", "report", row.Report, "run", row.ID, "err", err)
	}
	return row
}
