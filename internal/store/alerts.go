package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/clock"
)

// AlertRow is an alert as stored, with its escalation state.
type AlertRow struct {
	ID          int64
	DedupKey    string
	Source      string
	Integration string
	Status      string
	Severity    string
	Summary     string
	Service     string
	Labels      map[string]string
	Annotations map[string]string
	Links       []alert.Link
	Runbook     string
	Occurrences int
	FirstSeen   time.Time
	LastSeen    time.Time
	AckedAt     time.Time
	AckedBy     string
	ResolvedAt  time.Time
	ResolvedBy  string
	UpdatedAt   time.Time
	Suppression alert.Suppression // what held it back at the pager's last look
	// Fired, set on the row that opens the alert, is the first entry of
	// its log (kind "fired"), written into the row; a write of a stored
	// row never changes it, and rows read back leave it empty (see
	// AlertLogs).
	Fired AlertLog
	// FirstGroup, set on the row that opens the alert, is the group it
	// joined, when that membership is still idle as the row is written:
	// the row holds it, and no membership row is written for it (see
	// Members). A write of a stored row never changes it, and rows read
	// back leave it empty.
	FirstGroup string
	// AnnotationsUnloaded says Annotations were not kept in memory: writing
	// the row leaves the stored annotations as they are. LabelsUnloaded
	// and LinksUnloaded say the same of Labels and Links.
	AnnotationsUnloaded bool
	LabelsUnloaded      bool
	LinksUnloaded       bool
	// Text, when set, is what EncodeText made of the row's own Labels,
	// Annotations and Links, encoded before the write: the write stores
	// it as it is.
	Text *RowText
}

// MemberRow is an alert's place in a notification group, with the escalation
// state of that group's route.
type MemberRow struct {
	AlertID      int64
	GroupKey     string
	NotifiedAt   time.Time // first notification: when the escalation started
	EscStep      int
	EscRound     int
	NextEscAt    time.Time
	RemindedAt   time.Time
	ResolvedSent bool
	Paged        []string // destinations paged about the alert through this group
	// InAlertRow says the membership was read from its alert's row
	// (AlertRow.FirstGroup) and has no membership row: it is idle, and
	// writing it idle again changes nothing stored.
	InAlertRow bool
}

// Idle reports whether nobody was notified through the membership and no
// escalation is under way: the state of every new one.
func (m MemberRow) Idle() bool {
	return m.NotifiedAt.IsZero() && m.EscStep == 0 && m.EscRound == 0 && m.NextEscAt.IsZero() && m.RemindedAt.IsZero() &&
		!m.ResolvedSent && len(m.Paged) == 0
}

// MemberKey names a MemberRow.
type MemberKey struct {
	AlertID  int64
	GroupKey string
}

// AlertLog is one entry of an alert's log: fired, acknowledged, notified ...
type AlertLog struct {
	ID      int64
	AlertID int64
	At      time.Time
	Kind    string
	Actor   string
	Detail  string
}

// GroupRow is a notification group's timers.
type GroupRow struct {
	Key         string
	Route       string
	Service     string
	Labels      map[string]string
	CreatedAt   time.Time
	NextFlushAt time.Time
	LastFlushAt time.Time
}

// AlertRepeat is an open alert reported again with nothing else changed:
// only its count and times are written.
type AlertRepeat struct {
	ID          int64
	Occurrences int
	LastSeen    time.Time
	UpdatedAt   time.Time
}

// AlertBatch is what the alert writer changes in one transaction.
type AlertBatch struct {
	Alerts        []AlertRow // written whole, by id
	Repeats       []AlertRepeat
	Log           []AlertLog
	Members       []MemberRow // written whole, by alert and group
	DeleteMembers []MemberKey
	Groups        []GroupRow // written whole, by key
	DeleteGroups  []string
	Notifications []Notification
	// Fence, when set, is the pager's lease: the batch is written only while
	// it holds it (else ErrFenced and nothing is written).
	Fence Fence
	// Inbox are the inbox messages the batch applied: marked done with
	// their outcomes in the same transaction, so each is applied once.
	Inbox []InboxOutcome
}

// Empty reports whether the batch changes nothing.
func (b AlertBatch) Empty() bool {
	return len(b.Alerts)+len(b.Repeats)+len(b.Log)+len(b.Members)+len(b.DeleteMembers)+len(b.Groups)+len(b.DeleteGroups)+len(b.Notifications)+len(b.Inbox) == 0
}

const (
	alertCols = `id, dedup_key, source, integration, status, severity, summary, service, labels, annotations, links,
		runbook, occurrences, first_seen_ms, last_seen_ms, acked_ms, acked_by, resolved_ms, resolved_by, updated_ms, suppression`
	upsertAlertsCols = 26
	upsertAlertsHead = `INSERT INTO alerts (` + alertCols + `, fired_log_id, fired_ms, fired_by, fired_detail, first_group)`
	upsertAlertsTail = `ON CONFLICT (id) DO UPDATE SET status = excluded.status, severity = excluded.severity,
		summary = excluded.summary, service = excluded.service,
		labels = CASE excluded.labels WHEN '' THEN alerts.labels ELSE excluded.labels END,
		annotations = CASE excluded.annotations WHEN '' THEN alerts.annotations ELSE excluded.annotations END,
		links = CASE excluded.links WHEN '' THEN alerts.links ELSE excluded.links END,
		runbook = excluded.runbook, occurrences = excluded.occurrences,
		last_seen_ms = excluded.last_seen_ms, acked_ms = excluded.acked_ms, acked_by = excluded.acked_by,
		resolved_ms = excluded.resolved_ms, resolved_by = excluded.resolved_by, updated_ms = excluded.updated_ms,
		suppression = excluded.suppression,
		fired_detail = CASE WHEN alerts.fired_detail = '' AND alerts.fired_log_id <> 0 AND excluded.summary <> alerts.summary
			THEN alerts.summary ELSE alerts.fired_detail END`
	// A row still firing that nobody handled, as every new alert's is, is
	// written with the columns of handling as constants: the driver copies
	// each text it binds into memory of its own and keeps a list of those
	// copies, so fewer texts bound is less work and less garbage per alert
	// (BENCHMARKS.md, "Eighth round").
	upsertFiringCols = 20
	upsertFiringHead = `INSERT INTO alerts (id, dedup_key, source, integration, severity, summary, service, labels, annotations, links,
		runbook, occurrences, first_seen_ms, last_seen_ms, updated_ms, fired_log_id, fired_ms, fired_by, fired_detail, first_group,
		status, acked_ms, acked_by, resolved_ms, resolved_by, suppression)`
	// The texts most often empty (integration, service, runbook, and the
	// fired entry's actor and detail, empty when they repeat the row's) are
	// bound as NULL when empty, which the driver binds without a copy.
	upsertFiringTuple = `(?, ?, ?, COALESCE(?, ''), ?, ?, COALESCE(?, ''), ?, ?, ?, COALESCE(?, ''), ?, ?, ?, ?, ?, ?,
		COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, ''), 'firing', 0, '', 0, '', '')`
	memberCols        = `alert_id, group_key, notified_ms, esc_step, esc_round, next_esc_ms, reminded_ms, resolved_sent, paged`
	upsertMembersCols = 9
	upsertMembersHead = `INSERT INTO alert_routes (` + memberCols + `)`
	upsertMembersTail = `ON CONFLICT (alert_id, group_key) DO UPDATE SET notified_ms = excluded.notified_ms,
		esc_step = excluded.esc_step, esc_round = excluded.esc_round, next_esc_ms = excluded.next_esc_ms,
		reminded_ms = excluded.reminded_ms, resolved_sent = excluded.resolved_sent, paged = excluded.paged`
	// A membership whose escalation has not started, as every new one, is
	// written with its state as constants (see upsertFiringTuple).
	upsertIdleMembersCols  = 2
	upsertIdleMembersTuple = `(?, ?, 0, 0, 0, 0, 0, 0, '[]')`
	// A membership held in its alert's row (AlertRow.FirstGroup) with no
	// row of its own comes as an idle one.
	selectMembers = `SELECT ` + memberCols + `, 0 FROM alert_routes
		UNION ALL SELECT id, first_group, 0, 0, 0, 0, 0, 0, '[]', 1 FROM alerts
		WHERE first_group <> ''
			AND NOT EXISTS (SELECT 1 FROM alert_routes r WHERE r.alert_id = alerts.id AND r.group_key = alerts.first_group)
		ORDER BY 1, 2`
	// Deleting a membership deletes its row and empties the alert's
	// first_group if it names the group: one statement for a chunk of
	// them (see repeatAlertsHead).
	forgetFirstGroupsCols  = 2
	forgetFirstGroupsHead  = `UPDATE alerts SET first_group = '' FROM (`
	forgetFirstGroupsTail  = `) AS v WHERE alerts.id = v.column1 AND alerts.first_group = v.column2`
	forgetFirstGroupsTuple = `(CAST(? AS BIGINT), CAST(? AS TEXT))`
	// Alerts still being delivered: open ones, and resolved ones whose
	// resolution has not been announced yet.
	selectLiveAlerts = `SELECT ` + alertCols + ` FROM alerts WHERE status <> 'resolved'
		OR id IN (SELECT alert_id FROM alert_routes WHERE resolved_sent = 0) ORDER BY id`
	insertAlertLogCols = 6
	insertAlertLogHead = `INSERT INTO alert_log (id, alert_id, at_ms, kind, actor, detail)`
	upsertGroupsCols   = 7
	upsertGroupsHead   = `INSERT INTO alert_groups (group_key, route, service, labels, created_ms, next_flush_ms, last_flush_ms)`
	upsertGroupsTail   = `ON CONFLICT (group_key) DO UPDATE SET route = excluded.route, service = excluded.service,
		labels = excluded.labels, next_flush_ms = excluded.next_flush_ms, last_flush_ms = excluded.last_flush_ms`

	// A batch of repeats is one statement per chunk (a round trip each on
	// Postgres): the rows come as a VALUES list, whose columns both engines
	// name column1, column2, ...
	repeatAlertsCols = 4
	repeatAlertsHead = `UPDATE alerts SET occurrences = v.column2, last_seen_ms = v.column3, updated_ms = v.column4 FROM (`
	repeatAlertsTail = `) AS v WHERE alerts.id = v.column1`
	// Typed placeholders: Postgres would take a VALUES list's as text.
	repeatAlertsTuple = `(CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT))`
	selectAlerts      = `SELECT ` + alertCols + ` FROM alerts`
	selectGroups      = `SELECT group_key, route, service, labels, created_ms, next_flush_ms, last_flush_ms FROM alert_groups`
	// An alert's log: its first entry in its row (0 when that entry is a
	// log row, as for alerts opened before migration 0028), then its rows.
	// The entry's actor and detail are empty when they are the source (and
	// integration) and the summary: see firedText.
	selectAlertLog = `SELECT fired_log_id, id, fired_ms, 'fired',
			CASE fired_by WHEN '' THEN source || CASE integration WHEN '' THEN '' ELSE '/' || integration END ELSE fired_by END,
			CASE fired_detail WHEN '' THEN summary ELSE fired_detail END
		FROM alerts WHERE id = ? AND fired_log_id <> 0
		UNION ALL SELECT id, alert_id, at_ms, kind, actor, detail FROM alert_log WHERE alert_id = ? ORDER BY 1`
	selectMaxAlert = `SELECT COALESCE(MAX(id), 0) FROM alerts`
	selectMaxLog   = `SELECT COALESCE(MAX(id), 0) FROM alert_log`
	// The highest log id in an alert row is the newest alert's: the writer
	// takes an alert's id and its first entry's id together, each from its
	// own rising sequence.
	selectMaxFired  = `SELECT COALESCE((SELECT fired_log_id FROM alerts ORDER BY id DESC LIMIT 1), 0)`
	selectMaxNotify = `SELECT COALESCE(MAX(id), 0) FROM notifications`
)

// WriteAlerts writes b in one transaction: alerts and groups are written
// whole (the writer owns them), log rows and notifications are added, in id
// order. One open alert per dedup key is the writer's to keep: no index
// checks it (see migration 0027). It returns once the transaction is on
// disk.
func (s *Store) WriteAlerts(ctx context.Context, b AlertBatch) error {
	durable, err := s.CommitAlerts(ctx, b)
	if err != nil {
		return err
	}
	return durable()
}

// CommitAlerts is WriteAlerts returning once the transaction is committed,
// which on SQLite is before it is on disk: the change is visible to every
// reader, and durable once the Durable returned returns nil. Nothing may
// be acknowledged before that. On Postgres the Durable returns at once.
func (s *Store) CommitAlerts(ctx context.Context, b AlertBatch) (Durable, error) {
	defer s.observe("write_alerts", clock.Start())
	if b.Empty() {
		return durableNow, nil
	}
	byID := func(a, b AlertRow) int { return cmp.Compare(a.ID, b.ID) }
	if !slices.IsSortedFunc(b.Alerts, byID) {
		slices.SortFunc(b.Alerts, byID)
	}
	durable, err := s.inConnTx(ctx, func(tx *connTx) error {
		if err := s.checkFence(ctx, tx, b.Fence); err != nil {
			return err
		}
		if err := s.writeAlertRows(ctx, tx, b.Alerts); err != nil {
			return fmt.Errorf("alerts: %w", err)
		}
		if err := s.writeRepeats(ctx, tx, b.Repeats); err != nil {
			return fmt.Errorf("alerts: %w", err)
		}
		if err := s.writeAlertLog(ctx, tx, b.Log); err != nil {
			return fmt.Errorf("log: %w", err)
		}
		if err := s.writeMembers(ctx, tx, b.Members, b.DeleteMembers); err != nil {
			return fmt.Errorf("members: %w", err)
		}
		if err := s.writeGroups(ctx, tx, b.Groups, b.DeleteGroups); err != nil {
			return fmt.Errorf("groups: %w", err)
		}
		if err := s.insertNotifications(ctx, tx, b.Notifications); err != nil {
			return fmt.Errorf("notifications: %w", err)
		}
		if n, err := s.finishInbox(ctx, tx, b.Inbox); err != nil {
			return fmt.Errorf("inbox: %w", err)
		} else if n != len(b.Inbox) {
			return errInboxTaken
		}
		if len(b.Notifications) > 0 {
			return s.notify(ctx, tx, "outbox")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: write alerts: %w", err)
	}
	return durable, nil
}

func (s *Store) writeAlertRows(ctx context.Context, tx txn, rows []AlertRow) error {
	if len(rows) == 0 {
		return nil
	}
	args, firing := s.argList(len(rows)*upsertAlertsCols), s.argList(len(rows)*upsertFiringCols)
	defer func() { s.keepArgs(args); s.keepArgs(firing) }()
	for _, a := range rows {
		// An empty text (never JSON) keeps the stored labels, annotations or links: see the upsert.
		labels, annotations, links := "", "", ""
		if a.Text != nil {
			labels, annotations, links = a.Text.Labels, a.Text.Annotations, a.Text.Links
		} else {
			if !a.LabelsUnloaded {
				labels = labelsJSON(a.Labels, "{}")
			}
			if !a.LinksUnloaded {
				links = linksJSON(a.Links)
			}
			if !a.AnnotationsUnloaded {
				annotations = labelsJSON(a.Annotations, "{}")
			}
		}
		suppression := suppressionText(a.Suppression)
		firedBy, firedDetail := firedText(a)
		if a.Status == string(alert.Firing) && a.AckedAt.IsZero() && a.AckedBy == "" && a.ResolvedAt.IsZero() && a.ResolvedBy == "" && suppression == "" {
			firing = append(firing, a.ID, a.DedupKey, a.Source, orNull(a.Integration), a.Severity, a.Summary, orNull(a.Service),
				labels, annotations, links, orNull(a.Runbook), a.Occurrences, toMS(a.FirstSeen), toMS(a.LastSeen), toMS(a.UpdatedAt),
				a.Fired.ID, toMS(a.Fired.At), orNull(firedBy), orNull(firedDetail), orNull(a.FirstGroup))
			continue
		}
		args = append(args, a.ID, a.DedupKey, a.Source, a.Integration, a.Status, a.Severity, a.Summary, a.Service,
			labels, annotations, links, a.Runbook,
			a.Occurrences, toMS(a.FirstSeen), toMS(a.LastSeen), toMS(a.AckedAt), a.AckedBy, toMS(a.ResolvedAt),
			a.ResolvedBy, toMS(a.UpdatedAt), suppression,
			a.Fired.ID, toMS(a.Fired.At), firedBy, firedDetail, a.FirstGroup)
	}
	if err := s.q.upFiring.exec(ctx, tx, firing); err != nil {
		return err
	}
	return s.q.upAlerts.exec(ctx, tx, args)
}

// firedText is the actor and detail of a's first log entry as stored:
// empty when they are what they almost always are, the alert's source (and
// integration) and its summary, which the row holds already. When the
// summary changes later, the upsert keeps the first one as the detail.
// A summary is never empty (the pager falls back to the dedup key).
func firedText(a AlertRow) (by, detail string) {
	if a.Fired.ID == 0 {
		return "", ""
	}
	by, detail = a.Fired.Actor, a.Fired.Detail
	if namesSource(by, a.Source, a.Integration) {
		by = "" // read back as source/integration
	}
	if detail == a.Summary {
		detail = ""
	}
	return by, detail
}

// namesSource reports whether by is source/integration, or source alone
// when there is no integration: how the pager names who sent an event.
func namesSource(by, source, integration string) bool {
	if integration == "" {
		return by == source
	}
	rest, ok := strings.CutPrefix(by, source)
	return ok && len(rest) == 1+len(integration) && rest[0] == '/' && rest[1:] == integration
}

// writeRepeats updates only the count and times of alerts reported again,
// so none of the alert indexes is touched: with the whole-row upsert, every
// resend rewrote the entries of every index on status, service and severity.
func (s *Store) writeRepeats(ctx context.Context, tx txn, rows []AlertRepeat) error {
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, func(a, b AlertRepeat) int { return cmp.Compare(a.ID, b.ID) })
	args := make([]any, 0, len(rows)*repeatAlertsCols)
	for _, r := range rows {
		args = append(args, r.ID, r.Occurrences, toMS(r.LastSeen), toMS(r.UpdatedAt))
	}
	return s.q.repeatAlerts.exec(ctx, tx, args)
}

func (s *Store) writeMembers(ctx context.Context, tx txn, rows []MemberRow, deleted []MemberKey) error {
	if len(rows) > 0 {
		sort.Slice(rows, func(i, j int) bool {
			if rows[i].AlertID != rows[j].AlertID {
				return rows[i].AlertID < rows[j].AlertID
			}
			return rows[i].GroupKey < rows[j].GroupKey
		})
		args, idle := s.argList(len(rows)*upsertMembersCols), s.argList(len(rows)*upsertIdleMembersCols)
		for _, m := range rows {
			if m.Idle() {
				idle = append(idle, m.AlertID, m.GroupKey)
				continue
			}
			sent := 0
			if m.ResolvedSent {
				sent = 1
			}
			args = append(args, m.AlertID, m.GroupKey, toMS(m.NotifiedAt), m.EscStep, m.EscRound, toMS(m.NextEscAt), toMS(m.RemindedAt), sent,
				stringsJSON(m.Paged))
		}
		err := s.q.upIdleMembers.exec(ctx, tx, idle)
		if err == nil {
			err = s.q.upMembers.exec(ctx, tx, args)
		}
		s.keepArgs(args)
		s.keepArgs(idle)
		if err != nil {
			return err
		}
	}
	if len(deleted) > 0 {
		st := tx.StmtContext(ctx, s.q.delMember)
		forget := make([]any, 0, len(deleted)*forgetFirstGroupsCols)
		for _, k := range deleted {
			if _, err := st.ExecContext(ctx, k.AlertID, k.GroupKey); err != nil {
				return err
			}
			forget = append(forget, k.AlertID, k.GroupKey)
		}
		if err := s.q.forgetFirstGroups.exec(ctx, tx, forget); err != nil {
			return err
		}
	}
	return nil
}

// Members returns every alert's place in a notification group.
func (s *Store) Members(ctx context.Context) ([]MemberRow, error) {
	defer s.observe("members", clock.Start())
	rows, err := s.r.QueryContext(ctx, selectMembers)
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	defer rows.Close()
	var out []MemberRow
	for rows.Next() {
		var m MemberRow
		var notified, next, reminded int64
		var sent, inRow int
		var paged string
		if err := rows.Scan(&m.AlertID, &m.GroupKey, &notified, &m.EscStep, &m.EscRound, &next, &reminded, &sent, &paged, &inRow); err != nil {
			return nil, fmt.Errorf("store: members: %w", err)
		}
		if err := json.Unmarshal([]byte(paged), &m.Paged); err != nil {
			return nil, fmt.Errorf("store: members: paged of alert %d: %w", m.AlertID, err)
		}
		m.NotifiedAt, m.NextEscAt, m.RemindedAt, m.ResolvedSent, m.InAlertRow = fromMS(notified), fromMS(next), fromMS(reminded), sent != 0, inRow != 0
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) writeAlertLog(ctx context.Context, tx txn, rows []AlertLog) error {
	if len(rows) == 0 {
		return nil
	}
	args := s.argList(len(rows) * insertAlertLogCols)
	for _, l := range rows {
		args = append(args, l.ID, l.AlertID, toMS(l.At), l.Kind, l.Actor, l.Detail)
	}
	err := s.q.addAlertLog.exec(ctx, tx, args)
	s.keepArgs(args)
	return err
}

func (s *Store) writeGroups(ctx context.Context, tx txn, rows []GroupRow, deleted []string) error {
	if len(rows) > 0 {
		sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
		args := make([]any, 0, len(rows)*upsertGroupsCols)
		for _, g := range rows {
			args = append(args, g.Key, g.Route, g.Service, labelsJSON(g.Labels, "{}"), toMS(g.CreatedAt), toMS(g.NextFlushAt), toMS(g.LastFlushAt))
		}
		if err := s.q.upGroups.exec(ctx, tx, args); err != nil {
			return err
		}
	}
	for chunk := range slices.Chunk(deleted, sumIDsChunk) {
		q := s.d.rebind(`DELETE FROM alert_groups WHERE group_key IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`)
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// LiveAlerts returns the alerts still being delivered, oldest first: every
// open alert, and resolved ones whose resolution is yet to be announced.
func (s *Store) LiveAlerts(ctx context.Context) ([]AlertRow, error) {
	defer s.observe("live_alerts", clock.Start())
	return s.queryAlerts(ctx, selectLiveAlerts)
}

// Alert returns one alert. It returns ErrNotFound when there is none.
func (s *Store) Alert(ctx context.Context, id int64) (AlertRow, error) {
	defer s.observe("alert", clock.Start())
	rows, err := s.queryAlerts(ctx, selectAlerts+` WHERE id = ?`, id)
	if err != nil {
		return AlertRow{}, err
	}
	if len(rows) == 0 {
		return AlertRow{}, fmt.Errorf("store: alert %d: %w", id, ErrNotFound)
	}
	return rows[0], nil
}

// AlertStatuses returns the status of each alert of ids that exists.
func (s *Store) AlertStatuses(ctx context.Context, ids []int64) (map[int64]string, error) {
	defer s.observe("alert_statuses", clock.Start())
	out, err := alertColumns(ctx, s, []string{"status"}, ids, func(texts []string) (string, error) { return texts[0], nil })
	if err != nil {
		return nil, fmt.Errorf("store: alert statuses: %w", err)
	}
	return out, nil
}

// Shown is what an alert shows in a notification beyond its row in the
// pager's memory: its annotations and links.
type Shown struct {
	Annotations map[string]string
	Links       []alert.Link
}

// AlertsShown returns the annotations and links of each alert of ids that
// exists.
func (s *Store) AlertsShown(ctx context.Context, ids []int64) (map[int64]Shown, error) {
	defer s.observe("alerts_shown", clock.Start())
	out, err := alertColumns(ctx, s, []string{"annotations", "links"}, ids, func(texts []string) (Shown, error) {
		var sh Shown
		return sh, decodeJSONs(&sh.Annotations, texts[0], &sh.Links, texts[1])
	})
	if err != nil {
		return nil, fmt.Errorf("store: alerts shown: %w", err)
	}
	return out, nil
}

// alertColumns reads text columns (names of the code's, never input) of
// each alert of ids that exists, 500 ids a query, converted by conv.
func alertColumns[T any](ctx context.Context, s *Store, cols []string, ids []int64, conv func([]string) (T, error)) (map[int64]T, error) {
	out := make(map[int64]T, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := s.d.rebind(`SELECT id, ` + strings.Join(cols, ", ") + ` FROM alerts WHERE id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`)
		if err := readColumns(ctx, s, q, args, len(cols), conv, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func readColumns[T any](ctx context.Context, s *Store, q string, args []any, n int, conv func([]string) (T, error), out map[int64]T) error {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var id int64
	texts := make([]string, n)
	dest := []any{&id}
	for i := range texts {
		dest = append(dest, &texts[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		v, err := conv(texts)
		if err != nil {
			return fmt.Errorf("alert %d: %w", id, err)
		}
		out[id] = v
	}
	return rows.Err()
}

// AlertFilter selects alerts for Alerts.
type AlertFilter struct {
	Status   []string // any of these; empty means all
	Service  string
	Severity string
	// Text matches a part of the summary or dedup key, in any case.
	Text string
	// Suppressed keeps open alerts held back now: SuppressedSilenced (by a
	// silence or maintenance window) or SuppressedInhibited.
	Suppressed string
	// KeyPrefix keeps alerts whose dedup key starts with it (an SLO's
	// burn-rate alerts: "slo//shop/availability/").
	KeyPrefix string
	Limit     int // 0 means 100
	Offset    int
	// CountUpTo, when set, stops counting the matches past it: the total is
	// then at most CountUpTo+1, read as "more than CountUpTo". Counting tens
	// of thousands of rows costs more than reading a page of them.
	CountUpTo int
}

// Alerts returns the alerts the filter selects, newest first, and how many
// there are in all.
func (s *Store) Alerts(ctx context.Context, f AlertFilter) ([]AlertRow, int, error) {
	defer s.observe("alerts", clock.Start())
	var w conds
	w.in(`status`, f.Status)
	w.eq(`service`, f.Service)
	w.eq(`severity`, f.Severity)
	if f.Text != "" {
		like := s.d.caseless()
		pat := "%" + likeEscaper.Replace(f.Text) + "%"
		w.add(`(summary `+like+` ? ESCAPE '\' OR dedup_key `+like+` ? ESCAPE '\')`, pat, pat)
	}
	switch f.Suppressed {
	case SuppressedSilenced:
		// Held back by a silence or a maintenance window (inhibited too, maybe).
		w.add(`status <> 'resolved' AND (` + heldBySilence + `)`)
	case SuppressedInhibited:
		// Held back by inhibition alone, as Suppression.Kind names it.
		w.add(`status <> 'resolved' AND suppression <> '' AND NOT (` + heldBySilence + `)`)
	}
	if f.KeyPrefix != "" {
		// substr, not LIKE: ids may hold _ and %, which LIKE would read as patterns.
		w.add(`substr(dedup_key, 1, ?) = ?`, len(f.KeyPrefix), f.KeyPrefix)
	}
	cond, args := w.sql(), w.args
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	// The page is chosen by id alone, then only its rows are read whole: an
	// OFFSET over whole rows read (and, on SQLite, sorted) every alert it
	// skipped, 5,000 of them for the 51st page.
	page := `SELECT id FROM alerts` + cond + ` ORDER BY id DESC LIMIT ? OFFSET ?`
	rows, err := s.queryAlerts(ctx, selectAlerts+` WHERE id IN (`+page+`) ORDER BY id DESC`, append(slices.Clone(args), limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	// A page that ends short holds the last match, so the total needs no count.
	if n := len(rows); n < limit && (n > 0 || f.Offset == 0) {
		total := f.Offset + n
		if f.CountUpTo > 0 {
			total = min(total, f.CountUpTo+1)
		}
		return rows, total, nil
	}
	count := `SELECT COUNT(*) FROM alerts` + cond
	if f.CountUpTo > 0 {
		count = `SELECT COUNT(*) FROM (SELECT 1 FROM alerts` + cond + ` LIMIT ?) capped`
		args = append(args, f.CountUpTo+1)
	}
	var total int
	if err := s.r.QueryRowContext(ctx, s.d.rebind(count), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count alerts: %w", err)
	}
	return rows, total, nil
}

func (s *Store) queryAlerts(ctx context.Context, q string, args ...any) ([]AlertRow, error) {
	rows, err := s.r.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: alerts: %w", err)
	}
	defer rows.Close()
	var out []AlertRow
	for rows.Next() {
		var a AlertRow
		var labels, annotations, links, suppression string
		var first, last, acked, resolved, updated int64
		if err := rows.Scan(&a.ID, &a.DedupKey, &a.Source, &a.Integration, &a.Status, &a.Severity, &a.Summary, &a.Service,
			&labels, &annotations, &links, &a.Runbook, &a.Occurrences, &first, &last, &acked, &a.AckedBy,
			&resolved, &a.ResolvedBy, &updated, &suppression); err != nil {
			return nil, fmt.Errorf("store: alerts: %w", err)
		}
		if err := decodeJSONs(&a.Labels, labels, &a.Annotations, annotations, &a.Links, links); err != nil {
			return nil, fmt.Errorf("store: alert %d: %w", a.ID, err)
		}
		if suppression != "" {
			if err := json.Unmarshal([]byte(suppression), &a.Suppression); err != nil {
				return nil, fmt.Errorf("store: alert %d: suppression: %w", a.ID, err)
			}
		}
		a.FirstSeen, a.LastSeen, a.AckedAt, a.ResolvedAt = fromMS(first), fromMS(last), fromMS(acked), fromMS(resolved)
		a.UpdatedAt = fromMS(updated)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: alerts: %w", err)
	}
	return out, nil
}

// AlertLogs returns an alert's log, oldest first.
func (s *Store) AlertLogs(ctx context.Context, alertID int64) ([]AlertLog, error) {
	defer s.observe("alert_log", clock.Start())
	rows, err := s.r.QueryContext(ctx, s.q.alertLog, alertID, alertID)
	if err != nil {
		return nil, fmt.Errorf("store: alert log: %w", err)
	}
	defer rows.Close()
	var out []AlertLog
	for rows.Next() {
		var l AlertLog
		var at int64
		if err := rows.Scan(&l.ID, &l.AlertID, &at, &l.Kind, &l.Actor, &l.Detail); err != nil {
			return nil, fmt.Errorf("store: alert log: %w", err)
		}
		l.At = fromMS(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Groups returns every notification group.
func (s *Store) Groups(ctx context.Context) ([]GroupRow, error) {
	defer s.observe("groups", clock.Start())
	rows, err := s.r.QueryContext(ctx, selectGroups)
	if err != nil {
		return nil, fmt.Errorf("store: groups: %w", err)
	}
	defer rows.Close()
	var out []GroupRow
	for rows.Next() {
		var g GroupRow
		var labels string
		var created, next, last int64
		if err := rows.Scan(&g.Key, &g.Route, &g.Service, &labels, &created, &next, &last); err != nil {
			return nil, fmt.Errorf("store: groups: %w", err)
		}
		if err := json.Unmarshal([]byte(labels), &g.Labels); err != nil {
			return nil, fmt.Errorf("store: group %s: %w", g.Key, err)
		}
		g.CreatedAt, g.NextFlushAt, g.LastFlushAt = fromMS(created), fromMS(next), fromMS(last)
		out = append(out, g)
	}
	return out, rows.Err()
}

// MaxIDs returns the highest alert, log and notification ids in use; the
// alert writer continues from them.
func (s *Store) MaxIDs(ctx context.Context) (alert, log, notification int64, err error) {
	var fired int64
	for _, q := range []struct {
		sql string
		dst *int64
	}{{selectMaxAlert, &alert}, {selectMaxLog, &log}, {selectMaxFired, &fired}, {selectMaxNotify, &notification}} {
		if err = s.w.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
			return 0, 0, 0, fmt.Errorf("store: max ids: %w", err)
		}
	}
	return alert, max(log, fired), notification, nil
}

// suppressionText is an alert's suppression as stored: empty when nothing
// holds it back, so open alerts that page count with a plain comparison.
func suppressionText(s alert.Suppression) string {
	if !s.Suppressed() {
		return ""
	}
	return jsonText(s, "")
}

func jsonText(v any, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}
	return string(b)
}

// decodeJSONs decodes pairs of (destination, JSON text).
func decodeJSONs(pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		text := pairs[i+1].(string)
		if text == "" {
			continue
		}
		if err := json.Unmarshal([]byte(text), pairs[i]); err != nil {
			return err
		}
	}
	return nil
}
