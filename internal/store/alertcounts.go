package store

import (
	"context"
	"fmt"

	"github.com/vigil-sre/vigil/internal/clock"
)

// OpenAlertCount is how many open alerts a service has of one severity,
// apart for those something holds back (Held) and those that page.
type OpenAlertCount struct {
	Service  string
	Severity string
	Held     bool
	N        int
}

const selectOpenAlertCounts = `SELECT service, severity, suppression <> '', COUNT(*) FROM alerts
	WHERE status <> 'resolved' GROUP BY service, severity, suppression <> '' ORDER BY 1, 2, 3`

// OpenAlertCounts counts the open (firing or acknowledged) alerts by
// service, severity and whether they are held back: what a status page
// needs without reading every open alert.
func (s *Store) OpenAlertCounts(ctx context.Context) ([]OpenAlertCount, error) {
	defer s.observe("open_alert_counts", clock.Start())
	rows, err := s.r.QueryContext(ctx, s.d.rebind(selectOpenAlertCounts))
	if err != nil {
		return nil, fmt.Errorf("store: open alert counts: %w", err)
	}
	defer rows.Close()
	var out []OpenAlertCount
	for rows.Next() {
		var c OpenAlertCount
		if err := rows.Scan(&c.Service, &c.Severity, &c.Held, &c.N); err != nil {
			return nil, fmt.Errorf("store: open alert counts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: open alert counts: %w", err)
	}
	return out, nil
}
