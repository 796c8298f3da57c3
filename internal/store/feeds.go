package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

const (
	selectFeed = `SELECT secret FROM calendar_feeds WHERE person = ?`
	insertFeed = `INSERT INTO calendar_feeds (person, secret, rotated_ms) VALUES (?, ?, ?) ON CONFLICT (person) DO NOTHING`
	rotateFeed = `INSERT INTO calendar_feeds (person, secret, rotated_ms) VALUES (?, ?, ?)
		ON CONFLICT (person) DO UPDATE SET secret = excluded.secret, rotated_ms = excluded.rotated_ms`
)

// FeedSecret returns the secret behind a person's calendar feed link,
// storing newSecret() the first time, so every replica signs alike.
func (s *Store) FeedSecret(ctx context.Context, person string, at time.Time, newSecret func() string) (string, error) {
	defer s.observe("feed_secret", clock.Start())
	var v string
	err := s.w.QueryRowContext(ctx, s.d.rebind(selectFeed), person).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: feed secret: %w", err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.rebind(insertFeed), person, newSecret(), toMS(at))
		return err
	})
	if err == nil {
		// Another replica may have won the race; read what is stored.
		err = s.w.QueryRowContext(ctx, s.d.rebind(selectFeed), person).Scan(&v)
	}
	if err != nil {
		return "", fmt.Errorf("store: feed secret: %w", err)
	}
	return v, nil
}

// RotateFeedSecret replaces a person's feed secret, and appends audit in the
// same transaction: the old link stops working.
func (s *Store) RotateFeedSecret(ctx context.Context, person, secret string, at time.Time, audit AuditRow) error {
	defer s.observe("rotate_feed_secret", clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(rotateFeed), person, secret, toMS(at)); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("store: rotate feed secret: %w", err)
	}
	return nil
}
