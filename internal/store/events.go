package store

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/vigil-sre/vigil/internal/clock"
	"math"
	"time"
)

// Event is a check's state change. ID, Service and Name are filled on read and
// ignored on write.
type Event struct {
	ID            int64
	CheckID       int64
	Service, Name string
	At            time.Time
	From, To      string
	Reason        string
}

const (
	insertEventsHead = `INSERT INTO events (check_id, at_ms, from_state, to_state, reason)`
	insertEventsCols = 5

	selectEvents = `SELECT e.id, e.check_id, c.service, c.name, e.at_ms, e.from_state, e.to_state, e.reason
		FROM events e JOIN checks c ON c.id = e.check_id`
	// Two queries rather than "? = 0 OR check_id = ?", which would keep either from using its index.
	selectEventsAll   = selectEvents + ` ORDER BY e.at_ms DESC, e.id DESC LIMIT ?`
	selectEventsCheck = selectEvents + ` WHERE e.check_id = ? ORDER BY e.at_ms DESC, e.id DESC LIMIT ?`
	selectEventsNamed = selectEvents + ` WHERE c.service = ? AND c.name = ? AND e.at_ms <= ? ORDER BY e.at_ms DESC, e.id DESC LIMIT ?`
)

// Events returns up to limit state-change events, newest first (by time, then
// by insertion), for one check or, with checkID 0, for all checks; limit <= 0
// means no limit. It returns a wrapped error if the query fails.
func (s *Store) Events(ctx context.Context, checkID int64, limit int) ([]Event, error) {
	defer s.observe("events", clock.Start())
	if limit <= 0 {
		limit = math.MaxInt32
	}
	var rows *sql.Rows
	var err error
	if checkID == 0 {
		rows, err = s.r.QueryContext(ctx, s.q.eventsAll, limit)
	} else {
		rows, err = s.r.QueryContext(ctx, s.q.eventsCheck, checkID, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	out, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return out, nil
}

// CheckEvents returns up to limit state changes of the check named
// service/name at or before until, newest first: what led up to a moment,
// such as the failures before an alert fired. An unknown check has none.
func (s *Store) CheckEvents(ctx context.Context, service, name string, until time.Time, limit int) ([]Event, error) {
	defer s.observe("check_events", clock.Start())
	if limit <= 0 {
		limit = math.MaxInt32
	}
	rows, err := s.r.QueryContext(ctx, s.d.rebind(selectEventsNamed), service, name, toMS(until), limit)
	if err != nil {
		return nil, fmt.Errorf("store: events of %s/%s: %w", service, name, err)
	}
	out, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("store: events of %s/%s: %w", service, name, err)
	}
	return out, nil
}

func scanEvents(rows *sql.Rows) ([]Event, error) {
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.ID, &e.CheckID, &e.Service, &e.Name, &at, &e.From, &e.To, &e.Reason); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// writeEvents appends events in slice order, so ids follow it.
func (s *Store) writeEvents(ctx context.Context, tx *sql.Tx, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	args := make([]any, 0, insertEventsCols*len(events))
	for _, e := range events {
		args = append(args, e.CheckID, toMS(e.At), e.From, e.To, e.Reason)
	}
	return s.q.addEvents.exec(ctx, tx, args)
}
