package store

import (
	"context"
	"fmt"
	"strings"
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
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, `at_ms >= ?`), append(args, toMS(f.Since))
	}
	if f.Runbook != "" {
		where, args = append(where, `runbook = ?`), append(args, f.Runbook)
	}
	if f.RunID != "" {
		where, args = append(where, `run_id = ?`), append(args, f.RunID)
	}
	if f.Before > 0 {
		where, args = append(where, `id < ?`), append(args, f.Before)
	}
	q := `SELECT ` + auditCols + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	rows, err := queryRows(ctx, s.r, scanAudit, s.d.rebind(q), append(args, pageLimit(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("store: audit page: %w", err)
	}
	return rows, nil
}
