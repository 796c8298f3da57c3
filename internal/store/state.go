package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/vigil-sre/vigil/internal/clock"
	"maps"
	"slices"
	"time"
)

// CheckState is a check's current, derived state as the monitor last wrote it.
type CheckState struct {
	CheckID             int64
	Service, Name, Kind string // filled on read; ignored on write
	State               string // unknown|ok|degraded|pending|failing|flapping
	Reason              string
	Since               time.Time // when State began
	LastChecked         time.Time
	LastStatus          string // pass|warn|fail
	LastDuration        time.Duration
	Fails, Passes       int    // consecutive
	History             string // last 21 result statuses, one char each, oldest first
	Flapping            bool
	Seq                 int64 // results recorded so far
}

const (
	upsertStatesHead = `INSERT INTO check_state (check_id, state, reason, since_ms, last_checked_ms,
		last_status, last_dur_us, fails, passes, history, flapping, seq)`
	upsertStatesTail = `ON CONFLICT (check_id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
		since_ms = excluded.since_ms, last_checked_ms = excluded.last_checked_ms, last_status = excluded.last_status,
		last_dur_us = excluded.last_dur_us, fails = excluded.fails, passes = excluded.passes,
		history = excluded.history, flapping = excluded.flapping, seq = excluded.seq`
	upsertStatesCols = 12

	selectStates = `SELECT c.id, c.service, c.name, c.kind, s.state, s.reason, s.since_ms, s.last_checked_ms,
		s.last_status, s.last_dur_us, s.fails, s.passes, s.history, s.flapping, s.seq
		FROM check_state s JOIN checks c ON c.id = s.check_id`
	selectAllStates = selectStates + ` ORDER BY c.service, c.name`
	selectOneState  = selectStates + ` WHERE s.check_id = ?`
)

// CheckStates returns the state of every registered check that has one, with
// Service, Name and Kind filled, ordered by service then name. It returns a
// wrapped error if the query fails.
func (s *Store) CheckStates(ctx context.Context) ([]CheckState, error) {
	defer s.observe("check_states", clock.Start())
	rows, err := s.r.QueryContext(ctx, s.q.allStates)
	if err != nil {
		return nil, fmt.Errorf("store: check states: %w", err)
	}
	defer rows.Close()
	var out []CheckState
	for rows.Next() {
		st, err := scanState(rows)
		if err != nil {
			return nil, fmt.Errorf("store: check states: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: check states: %w", err)
	}
	return out, nil
}

// CheckState returns one check's state. It returns ErrNotFound when the check
// does not exist or has no state yet, a wrapped error if the query fails.
func (s *Store) CheckState(ctx context.Context, checkID int64) (CheckState, error) {
	defer s.observe("check_state", clock.Start())
	st, err := scanState(s.r.QueryRowContext(ctx, s.q.oneState, checkID))
	if errors.Is(err, sql.ErrNoRows) {
		return CheckState{}, fmt.Errorf("store: check state %d: %w", checkID, ErrNotFound)
	}
	if err != nil {
		return CheckState{}, fmt.Errorf("store: check state %d: %w", checkID, err)
	}
	return st, nil
}

func scanState(row interface{ Scan(...any) error }) (CheckState, error) {
	var st CheckState
	var since, last, dur int64
	err := row.Scan(&st.CheckID, &st.Service, &st.Name, &st.Kind, &st.State, &st.Reason, &since, &last,
		&st.LastStatus, &dur, &st.Fails, &st.Passes, &st.History, &st.Flapping, &st.Seq)
	st.Since, st.LastChecked, st.LastDuration = fromMS(since), fromMS(last), fromUS(dur)
	return st, err
}

// writeStates upserts states; the last state per check in the slice wins.
func (s *Store) writeStates(ctx context.Context, tx *sql.Tx, states []CheckState) error {
	if len(states) == 0 {
		return nil
	}
	last := make(map[int64]int, len(states))
	for i, st := range states {
		last[st.CheckID] = i
	}
	args := make([]any, 0, upsertStatesCols*len(last))
	for _, id := range slices.Sorted(maps.Keys(last)) {
		st := states[last[id]]
		args = append(args, st.CheckID, st.State, st.Reason, toMS(st.Since), toMS(st.LastChecked),
			st.LastStatus, toUS(st.LastDuration), st.Fails, st.Passes, st.History, st.Flapping, st.Seq)
	}
	return s.q.upStates.exec(ctx, tx, args)
}
