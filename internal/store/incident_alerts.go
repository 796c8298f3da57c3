package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// linkChunk bounds the ids one query of LinkedAlertTimes binds, well under
// either engine's limit on variables.
const linkChunk = 500

// AlertTimes are the times of a linked alert that an incident's detection
// and acknowledgement come from.
type AlertTimes struct {
	AlertID   int64
	FirstSeen time.Time
	AckedAt   time.Time // zero until acknowledged
}

// LinkedAlertTimes returns the times of the alerts linked to each of the
// incidents, by incident id, in one query per 500 incidents (a list or a
// metrics page reads hundreds). A link to an alert that is not stored is
// left out.
func (s *Store) LinkedAlertTimes(ctx context.Context, incidentIDs []int64) (map[int64][]AlertTimes, error) {
	defer s.observe("linked_alert_times", clock.Start())
	out := map[int64][]AlertTimes{}
	for ids := range slices.Chunk(incidentIDs, linkChunk) {
		q := `SELECT ia.incident_id, a.id, a.first_seen_ms, a.acked_ms FROM incident_alerts ia JOIN alerts a ON a.id = ia.alert_id
			WHERE ia.incident_id IN (?` + strings.Repeat(",?", len(ids)-1) + `) ORDER BY ia.incident_id, a.id`
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		type row struct {
			incident int64
			times    AlertTimes
		}
		rows, err := queryRows(ctx, s.r, func(sc scanner) (row, error) {
			var r row
			var first, acked int64
			err := sc.Scan(&r.incident, &r.times.AlertID, &first, &acked)
			r.times.FirstSeen, r.times.AckedAt = fromMS(first), fromMS(acked)
			return r, err
		}, s.d.rebind(q), args...)
		if err != nil {
			return nil, fmt.Errorf("store: alerts of incidents: %w", err)
		}
		for _, r := range rows {
			out[r.incident] = append(out[r.incident], r.times)
		}
	}
	return out, nil
}
