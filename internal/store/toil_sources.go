package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// The reads below are what toil accounting derives its entries from: the
// record of pages, alerts, runs and approvals over a period.

// PageRef is a notification to a person about an alert, without its message.
type PageRef struct {
	NotificationID int64
	AlertID        int64
	Kind           string
	Destination    string // person/ID/contact
	At             time.Time
}

// Person is the id in the destination person/ID/contact.
func (p PageRef) Person() string {
	rest := strings.TrimPrefix(p.Destination, "person/")
	id, _, _ := strings.Cut(rest, "/")
	return id
}

const (
	selectPagesBetween = `SELECT n.id, na.alert_id, n.kind, n.destination, n.created_ms FROM notifications n
		JOIN notification_alerts na ON na.notification_id = n.id
		WHERE n.created_ms >= ? AND n.created_ms < ? AND substr(n.destination, 1, 7) = 'person/'
		ORDER BY n.created_ms, n.id, na.alert_id`
	selectAlertsFirstSeen = `SELECT id, source, service, summary, labels, first_seen_ms, resolved_ms FROM alerts
		WHERE first_seen_ms >= ? AND first_seen_ms < ? ORDER BY first_seen_ms, id`
	selectRunsCreated = selectRuns + ` WHERE created_ms >= ? AND created_ms < ? ORDER BY created_ms, id`
	// Automatic runs are every real run not started by hand that succeeded.
	automaticRuns    = ` WHERE trigger_kind <> 'manual' AND status = '` + RunSucceeded + `' AND dry_run = ? AND runbook IN (`
	selectAuditRange = `SELECT ` + auditCols + ` FROM audit_log WHERE action = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms, id`
)

// PagesBetween returns every notification about an alert sent to a
// person's contact and created in [from, to), oldest first; one row per
// alert when a message was about several.
func (s *Store) PagesBetween(ctx context.Context, from, to time.Time) ([]PageRef, error) {
	defer s.observe("pages_between", clock.Start())
	rows, err := queryRows(ctx, s.r, func(row scanner) (PageRef, error) {
		var p PageRef
		var at int64
		err := row.Scan(&p.NotificationID, &p.AlertID, &p.Kind, &p.Destination, &at)
		p.At = fromMS(at)
		return p, err
	}, s.d.rebind(selectPagesBetween), toMS(from), toMS(to))
	if err != nil {
		return nil, fmt.Errorf("store: pages between: %w", err)
	}
	return rows, nil
}

// AlertsByID returns the alerts with the given ids that exist, by id.
func (s *Store) AlertsByID(ctx context.Context, ids []int64) (map[int64]AlertRow, error) {
	defer s.observe("alerts_by_id", clock.Start())
	out := make(map[int64]AlertRow, len(ids))
	const chunk = 500 // well under both engines' parameter limits
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		rows, err := s.queryAlerts(ctx, selectAlerts+` WHERE id IN (?`+strings.Repeat(",?", n-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, a := range rows {
			out[a.ID] = a
		}
		ids = ids[n:]
	}
	return out, nil
}

// AlertsFirstSeen returns the alerts first seen in [from, to), oldest
// first, with only what toil accounting reads of them: ID, Source, Service,
// Summary, Labels, FirstSeen and ResolvedAt. A year of alerts is a lot of
// annotations and links to decode for nothing.
func (s *Store) AlertsFirstSeen(ctx context.Context, from, to time.Time) ([]AlertRow, error) {
	defer s.observe("alerts_first_seen", clock.Start())
	rows, err := queryRows(ctx, s.r, func(row scanner) (AlertRow, error) {
		var a AlertRow
		var labels string
		var first, resolved int64
		if err := row.Scan(&a.ID, &a.Source, &a.Service, &a.Summary, &labels, &first, &resolved); err != nil {
			return a, err
		}
		a.FirstSeen, a.ResolvedAt = fromMS(first), fromMS(resolved)
		return a, decodeJSONs(&a.Labels, labels)
	}, s.d.rebind(selectAlertsFirstSeen), toMS(from), toMS(to))
	if err != nil {
		return nil, fmt.Errorf("store: alerts first seen: %w", err)
	}
	return rows, nil
}

// RunsCreated returns the runs created in [from, to), oldest first.
func (s *Store) RunsCreated(ctx context.Context, from, to time.Time) ([]RunRow, error) {
	defer s.observe("runs_created", clock.Start())
	rows, err := queryRows(ctx, s.r, scanRun, s.d.rebind(selectRunsCreated), toMS(from), toMS(to))
	if err != nil {
		return nil, fmt.Errorf("store: runs created: %w", err)
	}
	return rows, nil
}

// AutomaticRunTimes returns, by runbook, when each successful automatic
// run of the runbooks (one not started by hand, and not a dry run) was
// created in [from, to), oldest first.
func (s *Store) AutomaticRunTimes(ctx context.Context, runbooks []string, from, to time.Time) (map[string][]time.Time, error) {
	defer s.observe("automatic_run_times", clock.Start())
	out := map[string][]time.Time{}
	err := s.forRunbooks(ctx, runbooks, `SELECT runbook, created_ms FROM runs%s`+automaticRuns+`%s) AND created_ms >= ? AND created_ms < ?
		ORDER BY created_ms`, []any{toMS(from), toMS(to)}, func(rb string, ms int64) { out[rb] = append(out[rb], fromMS(ms)) })
	if err != nil {
		return nil, fmt.Errorf("store: automatic runs: %w", err)
	}
	return out, nil
}

// FirstAutomaticRuns returns, by runbook, when each of the runbooks first
// ran successfully without anyone starting it; runbooks that never did are
// left out.
func (s *Store) FirstAutomaticRuns(ctx context.Context, runbooks []string) (map[string]time.Time, error) {
	defer s.observe("first_automatic_runs", clock.Start())
	out := map[string]time.Time{}
	err := s.forRunbooks(ctx, runbooks, `SELECT runbook, MIN(created_ms) FROM runs%s`+automaticRuns+`%s) GROUP BY runbook`, nil,
		func(rb string, ms int64) { out[rb] = fromMS(ms) })
	if err != nil {
		return nil, fmt.Errorf("store: first automatic runs: %w", err)
	}
	return out, nil
}

// forRunbooks runs q (with %s for the index hint and the IN list) for the
// runbooks in chunks, calling row for each (runbook, milliseconds) row.
func (s *Store) forRunbooks(ctx context.Context, runbooks []string, q string, tail []any, row func(string, int64)) error {
	const chunk = 500
	for len(runbooks) > 0 {
		n := min(chunk, len(runbooks))
		args := []any{false}
		for _, rb := range runbooks[:n] {
			args = append(args, rb)
		}
		// Per runbook by time: SQLite would rather walk every succeeded run.
		query := s.d.rebind(fmt.Sprintf(q, s.d.indexedBy("runs_runbook"), "?"+strings.Repeat(",?", n-1)))
		rows, err := s.r.QueryContext(ctx, query, append(args, tail...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var rb string
			var ms int64
			if err := rows.Scan(&rb, &ms); err != nil {
				rows.Close()
				return err
			}
			row(rb, ms)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		runbooks = runbooks[n:]
	}
	return nil
}

// AuditActions returns the audit entries of one action in [from, to),
// oldest first.
func (s *Store) AuditActions(ctx context.Context, action string, from, to time.Time) ([]AuditRow, error) {
	defer s.observe("audit_actions", clock.Start())
	rows, err := queryRows(ctx, s.r, scanAudit, s.d.rebind(selectAuditRange), action, toMS(from), toMS(to))
	if err != nil {
		return nil, fmt.Errorf("store: audit %s: %w", action, err)
	}
	return rows, nil
}
