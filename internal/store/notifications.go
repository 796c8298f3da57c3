package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/clock"
)

// Notification statuses.
const (
	NotifyPending = "pending"
	NotifySent    = "sent"
	NotifyFailed  = "failed" // permanently: the destination refused it or no longer exists
	// NotifySuperseded: not sent, because every alert it announced as
	// firing had resolved before it could be delivered.
	NotifySuperseded = "superseded"
)

// Notification is one message to one destination, in the outbox until sent
// and kept afterwards as delivery history.
type Notification struct {
	ID            int64
	CreatedAt     time.Time
	GroupKey      string
	Kind          string
	Destination   string // person/ID/contact or channel/ID
	Message       []byte // JSON of notify.Message
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        time.Time
	AlertIDs      []int64 // the alerts it is about; written to notification_alerts
}

// NotificationUpdate records a delivery attempt.
type NotificationUpdate struct {
	ID            int64
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        time.Time
}

const (
	notificationCols        = `id, created_ms, group_key, kind, destination, message, status, attempts, next_attempt_ms, last_error, sent_ms`
	insertNotificationsCols = 11
	insertNotificationsHead = `INSERT INTO notifications (` + notificationCols + `)`
	insertNotifAlertsHead   = `INSERT INTO notification_alerts (alert_id, notification_id)`
	selectDueNotifications  = `SELECT ` + notificationCols + ` FROM notifications
		WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?`
	selectDueDestinations = `SELECT destination, MIN(next_attempt_ms) FROM notifications
		WHERE status = 'pending' AND next_attempt_ms <= ? GROUP BY destination ORDER BY 2, 1 LIMIT ?`
	selectDueTo = `SELECT ` + notificationCols + ` FROM notifications
		WHERE destination = ? AND status = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?`
	selectNextNotification   = `SELECT COALESCE(MIN(next_attempt_ms), 0) FROM notifications WHERE status = 'pending' AND next_attempt_ms > ?`
	selectAlertNotifications = `SELECT n.id, n.created_ms, n.group_key, n.kind, n.destination, n.message, n.status, n.attempts,
		n.next_attempt_ms, n.last_error, n.sent_ms FROM notifications n
		JOIN notification_alerts na ON na.notification_id = n.id WHERE na.alert_id = ? ORDER BY n.id`
	selectPagesTo = `SELECT n.id, n.created_ms, n.group_key, n.kind, n.destination, n.message, n.status, n.attempts,
		n.next_attempt_ms, n.last_error, n.sent_ms, na.alert_id FROM notifications n
		JOIN notification_alerts na ON na.notification_id = n.id
		WHERE substr(n.destination, 1, ?) = ? AND n.created_ms >= ? AND n.created_ms < ? ORDER BY n.created_ms, n.id`
	updateNotification = `UPDATE notifications SET status = ?, attempts = ?, next_attempt_ms = ?, last_error = ?, sent_ms = ? WHERE id = ?`
)

func (s *Store) insertNotifications(ctx context.Context, tx txn, ns []Notification) error {
	if len(ns) == 0 {
		return nil
	}
	args := make([]any, 0, len(ns)*insertNotificationsCols)
	var links []any
	for _, n := range ns {
		args = append(args, n.ID, toMS(n.CreatedAt), n.GroupKey, n.Kind, n.Destination, string(n.Message), n.Status,
			n.Attempts, toMS(n.NextAttemptAt), n.LastError, toMS(n.SentAt))
		for _, a := range n.AlertIDs {
			links = append(links, a, n.ID)
		}
	}
	if err := s.q.addNotifications.exec(ctx, tx, args); err != nil {
		return err
	}
	if len(links) == 0 {
		return nil
	}
	return s.q.addNotifAlerts.exec(ctx, tx, links)
}

// DueNotifications returns up to limit pending notifications whose next
// attempt is due at now, the most overdue first.
func (s *Store) DueNotifications(ctx context.Context, now time.Time, limit int) ([]Notification, error) {
	defer s.observe("due_notifications", clock.Start())
	return s.queryNotifications(ctx, s.q.dueNotifications, toMS(now), limit)
}

// DueDestination is a destination with notifications due, and since when
// the oldest of them has been.
type DueDestination struct {
	Name  string
	Since time.Time
}

// DueDestinations returns up to limit destinations with pending
// notifications due at now, the most overdue first. However many
// notifications one destination has piled up, it is one entry: a backlog
// for a broken destination never hides another's.
func (s *Store) DueDestinations(ctx context.Context, now time.Time, limit int) ([]DueDestination, error) {
	defer s.observe("due_destinations", clock.Start())
	rows, err := s.r.QueryContext(ctx, s.q.dueDestinations, toMS(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due destinations: %w", err)
	}
	defer rows.Close()
	var out []DueDestination
	for rows.Next() {
		var d DueDestination
		var ms int64
		if err := rows.Scan(&d.Name, &ms); err != nil {
			return nil, fmt.Errorf("store: due destinations: %w", err)
		}
		d.Since = fromMS(ms)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DueNotificationsTo returns up to limit pending notifications for one
// destination due at now, the most overdue first.
func (s *Store) DueNotificationsTo(ctx context.Context, destination string, now time.Time, limit int) ([]Notification, error) {
	defer s.observe("due_notifications", clock.Start())
	return s.queryNotifications(ctx, s.q.dueTo, destination, toMS(now), limit)
}

// NextNotificationAt is when the earliest pending notification not yet due
// at after falls due; zero when there is none.
func (s *Store) NextNotificationAt(ctx context.Context, after time.Time) (time.Time, error) {
	var ms int64
	if err := s.r.QueryRowContext(ctx, s.q.nextNotification, toMS(after)).Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("store: next notification: %w", err)
	}
	return fromMS(ms), nil
}

// AlertNotifications returns the notifications about an alert, oldest first:
// its delivery history.
func (s *Store) AlertNotifications(ctx context.Context, alertID int64) ([]Notification, error) {
	defer s.observe("alert_notifications", clock.Start())
	return s.queryNotifications(ctx, s.q.alertNotifications, alertID)
}

// UpdateNotifications records delivery attempts in one transaction.
func (s *Store) UpdateNotifications(ctx context.Context, us []NotificationUpdate) error {
	defer s.observe("update_notifications", clock.Start())
	if len(us) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st := tx.StmtContext(ctx, s.q.updNotification)
		for _, u := range us {
			if _, err := st.ExecContext(ctx, u.Status, u.Attempts, toMS(u.NextAttemptAt), u.LastError, toMS(u.SentAt), u.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: update notifications: %w", err)
	}
	return nil
}

func (s *Store) queryNotifications(ctx context.Context, q string, args ...any) ([]Notification, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: notifications: %w", err)
	}
	out, err := scanNotifications(rows)
	if err != nil {
		return nil, fmt.Errorf("store: notifications: %w", err)
	}
	return out, nil
}

// Page is a notification about an alert, with the alert's id.
type Page struct {
	Notification
	AlertID int64
}

// PagesTo returns the notifications about alerts sent to any of a person's
// contacts (destinations person/ID/...) created in [from, to), oldest
// first: what that person was paged about.
func (s *Store) PagesTo(ctx context.Context, person string, from, to time.Time) ([]Page, error) {
	defer s.observe("pages_to", clock.Start())
	// A plain prefix comparison: exact and case-sensitive on both engines.
	prefix := "person/" + person + "/"
	rows, err := s.r.QueryContext(ctx, s.d.rebind(selectPagesTo), utf8.RuneCountInString(prefix), prefix, toMS(from), toMS(to))
	if err != nil {
		return nil, fmt.Errorf("store: pages to %s: %w", person, err)
	}
	defer rows.Close()
	var out []Page
	for rows.Next() {
		var p Page
		var created, next, sent int64
		var msg string
		if err := rows.Scan(&p.ID, &created, &p.GroupKey, &p.Kind, &p.Destination, &msg, &p.Status, &p.Attempts,
			&next, &p.LastError, &sent, &p.AlertID); err != nil {
			return nil, fmt.Errorf("store: pages to %s: %w", person, err)
		}
		p.Message = []byte(msg)
		p.CreatedAt, p.NextAttemptAt, p.SentAt = fromMS(created), fromMS(next), fromMS(sent)
		out = append(out, p)
	}
	return out, rows.Err()
}
