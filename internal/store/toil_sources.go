package store

import (
	"context"
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
	selectAlertsFirstSeen = selectAlerts + ` WHERE first_seen_ms >= ? AND first_seen_ms < ? ORDER BY first_seen_ms, id`
	selectRunsCreated     = selectRuns + ` WHERE created_ms >= ? AND created_ms < ? ORDER BY created_ms, id`
	// Automatic runs are every real run not started by hand that succeeded.
	automaticRuns    = ` FROM runs WHERE runbook = ? AND trigger_kind <> 'manual' AND status = '` + RunSucceeded + `' AND dry_run = ?`
	selectAutoTimes  = `SELECT created_ms` + automaticRuns + ` AND created_ms >= ? AND created_ms < ? ORDER BY created_ms`
	selectFirstAuto  = `SELECT COALESCE(MIN(created_ms), 0)` + automaticRuns
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

// AlertsFirstSeen returns the alerts first seen in [from, to), oldest first.
func (s *Store) AlertsFirstSeen(ctx context.Context, from, to time.Time) ([]AlertRow, error) {
	defer s.observe("alerts_first_seen", clock.Start())
	return s.queryAlerts(ctx, selectAlertsFirstSeen, toMS(from), toMS(to))
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

// AutomaticRunTimes returns when each successful automatic run of runbook
// (one not started by hand, and not a dry run) was created in [from, to),
// oldest first.
func (s *Store) AutomaticRunTimes(ctx context.Context, runbook string, from, to time.Time) ([]time.Time, error) {
	defer s.observe("automatic_run_times", clock.Start())
	rows, err := queryRows(ctx, s.r, func(row scanner) (time.Time, error) {
		var ms int64
		err := row.Scan(&ms)
		return fromMS(ms), err
	}, s.d.rebind(selectAutoTimes), runbook, false, toMS(from), toMS(to))
	if err != nil {
		return nil, fmt.Errorf("store: automatic runs of %s: %w", runbook, err)
	}
	return rows, nil
}

// FirstAutomaticRun is when runbook first ran successfully without anyone
// starting it; zero when it never has.
func (s *Store) FirstAutomaticRun(ctx context.Context, runbook string) (time.Time, error) {
	defer s.observe("first_automatic_run", clock.Start())
	var ms int64
	if err := s.r.QueryRowContext(ctx, s.d.rebind(selectFirstAuto), runbook, false).Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("store: first automatic run of %s: %w", runbook, err)
	}
	return fromMS(ms), nil
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
