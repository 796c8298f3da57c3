package store

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// AuditFilter selects audit entries for AuditPage; zero fields select
// everything.
type AuditFilter struct {
	Since   time.Time // at or after
	Runbook string
	RunID   string
	// Before asks for the entries appended before the one with this id:
	// the next page of a list read newest first.
	Before int64
	Limit  int // default 100, max 1000
}

// AuditPage returns the entries f selects, newest first (in the order they
// were appended, backwards), for a list read a page at a time: the next
// page has Before set to the last id of this one.
func (s *Store) AuditPage(ctx context.Context, f AuditFilter) ([]AuditRow, error) {
	defer s.observe("audit_page", clock.Start())
	var w conds
	w.at(`at_ms`, `>=`, f.Since)
	w.eq(`runbook`, f.Runbook)
	w.eq(`run_id`, f.RunID)
	if f.Before > 0 {
		w.add(`id < ?`, f.Before)
	}
	q := `SELECT ` + auditCols + ` FROM audit_log` + w.sql() + ` ORDER BY id DESC LIMIT ?`
	rows, err := queryRows(ctx, s.r, scanAudit, s.d.rebind(q), append(w.args, pageLimit(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("store: audit page: %w", err)
	}
	return rows, nil
}
