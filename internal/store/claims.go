package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

const (
	claimBusy = `SELECT 1 FROM notifications WHERE destination = ? AND status = 'pending'
		AND claimed_by <> '' AND claimed_by <> ? AND claim_until_ms > NOW_MS LIMIT 1`
	claimDue = `UPDATE notifications SET claimed_by = ?, claim_until_ms = NOW_MS + ?, next_attempt_ms = ?
		WHERE id IN (SELECT id FROM notifications WHERE destination = ? AND status = 'pending' AND next_attempt_ms <= ?
		ORDER BY next_attempt_ms, id LIMIT ?%s) RETURNING ` + notificationCols
	updateClaimed = `UPDATE notifications SET status = ?, attempts = ?, next_attempt_ms = ?, last_error = ?, sent_ms = ?,
		claimed_by = '', claim_until_ms = 0 WHERE id = ? AND claimed_by = ?`
)

// ClaimNotificationsTo claims for claimer up to limit pending notifications
// for one destination that are due at now, the most overdue first, before
// they are sent. A claim lasts hold on the database's clock; until then no
// other replica sends them, and a replica that dies mid-send leaves them to
// whoever claims after. One replica at a time sends to a destination: while
// another holds a live claim on any of its notifications, this returns
// none. The claimed rows are due again at now+hold, when the claim ends.
func (s *Store) ClaimNotificationsTo(ctx context.Context, destination string, now time.Time, limit int, claimer string, hold time.Duration) ([]Notification, error) {
	defer s.observe("claim_notifications", clock.Start())
	var out []Notification
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		if s.d.name == enginePostgres {
			// Claimers of one destination take turns; another's turn means it is busy.
			var got bool
			if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1)`, s.destinationKey(destination)).Scan(&got); err != nil || !got {
				return err
			}
		}
		var busy int
		err := tx.QueryRowContext(ctx, s.d.rebind(s.d.now(claimBusy)), destination, claimer).Scan(&busy)
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		q := s.d.rebind(s.d.now(fmt.Sprintf(claimDue, s.d.skipLocked)))
		rows, err := tx.QueryContext(ctx, q, claimer, hold.Milliseconds(), toMS(now.Add(hold)), destination, toMS(now), limit)
		if err != nil {
			return err
		}
		out, err = scanNotifications(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim notifications for %s: %w", destination, err)
	}
	slices.SortFunc(out, func(a, b Notification) int { return int(a.ID - b.ID) })
	return out, nil
}

// UpdateClaimedNotifications records delivery attempts on notifications
// claimer claimed, ending the claims. An outcome for a notification whose
// claim another replica has taken since (this one stalled past it) is
// dropped: the new claimer's outcome stands.
func (s *Store) UpdateClaimedNotifications(ctx context.Context, us []NotificationUpdate, claimer string) error {
	defer s.observe("update_notifications", clock.Start())
	if len(us) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, s.d.rebind(updateClaimed))
		if err != nil {
			return err
		}
		defer st.Close()
		for _, u := range us {
			if _, err := st.ExecContext(ctx, u.Status, u.Attempts, toMS(u.NextAttemptAt), u.LastError, toMS(u.SentAt), u.ID, claimer); err != nil {
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

// destinationKey is the advisory lock key of a destination in this schema.
func (s *Store) destinationKey(destination string) int64 { return s.advisoryKey("notify", destination) }

// advisoryKey is the advisory lock key of name in a kind of lock, in this
// schema (tests share a database, one schema each).
func (s *Store) advisoryKey(kind, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(s.channel + "\x00" + kind + "\x00" + name))
	return int64(h.Sum64())
}

func scanNotifications(rows *sql.Rows) ([]Notification, error) {
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var created, next, sent int64
		var msg string
		if err := rows.Scan(&n.ID, &created, &n.GroupKey, &n.Kind, &n.Destination, &msg, &n.Status, &n.Attempts,
			&next, &n.LastError, &sent); err != nil {
			return nil, err
		}
		n.Message = []byte(msg)
		n.CreatedAt, n.NextAttemptAt, n.SentAt = fromMS(created), fromMS(next), fromMS(sent)
		out = append(out, n)
	}
	return out, rows.Err()
}
