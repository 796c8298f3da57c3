package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const (
	selectSetting = `SELECT value FROM settings WHERE name = ?`
	insertSetting = `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`
)

// Setting returns a stored setting, creating it with make's value the first
// time, so every replica agrees on values such as the link-signing secret.
func (s *Store) Setting(ctx context.Context, name string, make func() (string, error)) (string, error) {
	var v string
	err := s.w.QueryRowContext(ctx, s.d.rebind(selectSetting), name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: setting %s: %w", name, err)
	}
	v, err = make()
	if err != nil {
		return "", err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.rebind(insertSetting), name, v)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", name, err)
	}
	// Another replica may have won the race; read what is stored.
	if err := s.w.QueryRowContext(ctx, s.d.rebind(selectSetting), name).Scan(&v); err != nil {
		return "", fmt.Errorf("store: setting %s: %w", name, err)
	}
	return v, nil
}
