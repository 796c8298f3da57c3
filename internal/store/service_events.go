package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// ServiceEvents returns the state changes of the checks of services at or
// after from and before until, oldest first (by time, then insertion), at
// most limit (1 to 10,000; 10,000 when 0): the checks' story during an
// incident, read through the events' (check, time) index whatever the
// history of other services.
func (s *Store) ServiceEvents(ctx context.Context, services []string, from, until time.Time, limit int) ([]Event, error) {
	defer s.observe("service_events", clock.Start())
	if len(services) == 0 {
		return nil, nil
	}
	if limit <= 0 || limit > 10_000 {
		limit = 10_000
	}
	q := selectEvents + ` WHERE c.service IN (?` + strings.Repeat(",?", len(services)-1) + `) AND e.at_ms >= ? AND e.at_ms < ?
		ORDER BY e.at_ms, e.id LIMIT ?`
	args := make([]any, 0, len(services)+3)
	for _, svc := range services {
		args = append(args, svc)
	}
	args = append(args, toMS(from), toMS(until), limit)
	out, err := queryRows(ctx, s.r, scanEvent, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: events of %s: %w", strings.Join(services, ", "), err)
	}
	return out, nil
}

func scanEvent(row scanner) (Event, error) {
	var e Event
	var at int64
	err := row.Scan(&e.ID, &e.CheckID, &e.Service, &e.Name, &at, &e.From, &e.To, &e.Reason)
	e.At = fromMS(at)
	return e, err
}
