package store

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// AlertDay is how many alerts a service opened on one day.
type AlertDay struct {
	Service string
	Day     time.Time // midnight in the zone asked for
	Alerts  int
}

// AlertVolume counts the alerts first seen in [from, to] by service and by
// day, days beginning at midnight in loc (at the offset loc has at to, so a
// daylight-saving change inside the window moves one boundary by an hour).
// The database does the counting; no alert row is read into Vigil.
func (s *Store) AlertVolume(ctx context.Context, from, to time.Time, loc *time.Location) ([]AlertDay, error) {
	defer s.observe("alert_volume", clock.Start())
	_, off := to.In(loc).Zone()
	offMS := int64(off) * 1000
	const dayMS = int64(24 * time.Hour / time.Millisecond)
	q := s.d.rebind(`SELECT service, (first_seen_ms + ?) / ? AS day, COUNT(*) FROM alerts
		WHERE first_seen_ms >= ? AND first_seen_ms <= ? GROUP BY service, day ORDER BY day, service`)
	rows, err := s.r.QueryContext(ctx, q, offMS, dayMS, toMS(from), toMS(to))
	if err != nil {
		return nil, fmt.Errorf("store: alert volume: %w", err)
	}
	defer rows.Close()
	var out []AlertDay
	for rows.Next() {
		var d AlertDay
		var day int64
		if err := rows.Scan(&d.Service, &day, &d.Alerts); err != nil {
			return nil, fmt.Errorf("store: alert volume: %w", err)
		}
		// The day number counts local dates; its midnight is taken in loc,
		// so a date before a daylight-saving change keeps its own offset.
		y, m, dd := time.UnixMilli(day * dayMS).UTC().Date()
		d.Day = time.Date(y, m, dd, 0, 0, 0, 0, loc)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: alert volume: %w", err)
	}
	return out, nil
}
