package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// SessionRow is a browser session as stored. IDHash is the hex SHA-256 of
// the session id; the id itself is never stored.
type SessionRow struct {
	IDHash     string
	Person     string
	Method     string
	Groups     []string
	Credential string
	CreatedAt  time.Time
	SeenAt     time.Time
}

const (
	sessionCols   = `id_hash, person, method, oidc_groups, credential, created_ms, seen_ms`
	insertSession = `INSERT INTO sessions (` + sessionCols + `) VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectSession = `SELECT ` + sessionCols + ` FROM sessions WHERE id_hash = ?`
	touchSession  = `UPDATE sessions SET seen_ms = ? WHERE id_hash = ? AND seen_ms < ?`
	deleteSession = `DELETE FROM sessions WHERE id_hash = ?`
	deletePerson  = `DELETE FROM sessions WHERE person = ?`
	pruneSessions = `DELETE FROM sessions WHERE seen_ms < ? OR created_ms < ?`
)

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, r SessionRow) error {
	defer s.observe("create_session", clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.rebind(insertSession), r.IDHash, r.Person, r.Method, jsonText(r.Groups, "[]"),
			r.Credential, toMS(r.CreatedAt), toMS(r.SeenAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// Session returns the session stored under idHash, or ErrNotFound.
func (s *Store) Session(ctx context.Context, idHash string) (SessionRow, error) {
	defer s.observe("session", clock.Start())
	var r SessionRow
	var groups string
	var created, seen int64
	err := s.r.QueryRowContext(ctx, s.d.rebind(selectSession), idHash).Scan(&r.IDHash, &r.Person, &r.Method, &groups,
		&r.Credential, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("store: session: %w", err)
	}
	if err := json.Unmarshal([]byte(groups), &r.Groups); err != nil {
		return r, fmt.Errorf("store: session groups: %w", err)
	}
	r.CreatedAt, r.SeenAt = fromMS(created), fromMS(seen)
	return r, nil
}

// TouchSession records that a session was used at seen, unless a later use
// is already recorded.
func (s *Store) TouchSession(ctx context.Context, idHash string, seen time.Time) error {
	defer s.observe("touch_session", clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.rebind(touchSession), toMS(seen), idHash, toMS(seen))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session; ending one that is gone is no error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.execSessions(ctx, "delete_session", deleteSession, idHash)
}

// DeletePersonSessions ends every session of a person.
func (s *Store) DeletePersonSessions(ctx context.Context, person string) error {
	return s.execSessions(ctx, "delete_person_sessions", deletePerson, person)
}

// PruneSessions removes sessions last used before idle or started before
// created: those no request can use any more.
func (s *Store) PruneSessions(ctx context.Context, idle, created time.Time) error {
	return s.execSessions(ctx, "prune_sessions", pruneSessions, toMS(idle), toMS(created))
}

func (s *Store) execSessions(ctx context.Context, op, q string, args ...any) error {
	defer s.observe(op, clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.rebind(q), args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}
