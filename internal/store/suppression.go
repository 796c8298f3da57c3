package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigil-sre/vigil/internal/clock"
)

// What AlertFilter.Suppressed selects.
const (
	SuppressedSilenced  = "silenced"  // by a silence or a maintenance window
	SuppressedInhibited = "inhibited" // by another alert, through an inhibit rule
)

// latestSuppression is, for the alert a of the outer query, why the pager
// last held it back ("silenced by ...", "in maintenance window ...",
// "inhibited"), or "" once it let it go: the pager logs each change.
const latestSuppression = `SELECT l.detail FROM alert_log l WHERE l.alert_id = alerts.id AND l.kind IN ('suppressed', 'unsuppressed') ORDER BY l.id DESC LIMIT 1`

// caseless is the operator matching a pattern in any case: SQLite's LIKE
// already ignores ASCII case; Postgres needs ILIKE. Neither lower-cases
// every row first.
func (d dialect) caseless() string {
	if d.name == enginePostgres {
		return "ILIKE"
	}
	return "LIKE"
}

// likeEscaper keeps % and _ typed into a search literal.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// AlertSuppressions says, for each open alert of ids that the pager holds
// back now, why: "silenced by ...", "in maintenance window ..." or
// "inhibited". Alerts not held back are absent.
func (s *Store) AlertSuppressions(ctx context.Context, ids []int64) (map[int64]string, error) {
	defer s.observe("alert_suppressions", clock.Start())
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT id, (` + latestSuppression + `) FROM alerts WHERE status <> 'resolved' AND id IN (?` + strings.Repeat(",?", len(ids)-1) + `)`
	rows, err := s.r.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: alert suppressions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var why *string
		if err := rows.Scan(&id, &why); err != nil {
			return nil, fmt.Errorf("store: alert suppressions: %w", err)
		}
		if why != nil && *why != "" {
			out[id] = *why
		}
	}
	return out, rows.Err()
}
