package store

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// ReportActionItem is an action item with its incident's title and
// services, as reports list them.
type ReportActionItem struct {
	ActionItem
	IncidentTitle string   `json:"incident_title"`
	Services      []string `json:"services"`
}

// Open items of every incident, and items closed (done or won't fix) in
// [from, to): the follow-ups a week finished and those still ahead.
const selectReportActions = `SELECT a.id, a.incident_id, a.item, a.item_type, a.owner, a.tracking, a.status, a.due_ms,
		a.links, a.created_ms, a.updated_ms, i.title, i.services
	FROM action_items a JOIN incidents i ON i.id = a.incident_id
	WHERE a.status = 'open' OR (a.updated_ms >= ? AND a.updated_ms < ?)
	ORDER BY a.incident_id, a.id LIMIT ?`

// ReportActionItems returns every open action item and those closed in
// [from, to), by incident, at most limit (1 to 1000, 100 when 0).
func (s *Store) ReportActionItems(ctx context.Context, from, to time.Time, limit int) ([]ReportActionItem, error) {
	defer s.observe("report_action_items", clock.Start())
	rows, err := queryRows(ctx, s.r, func(row scanner) (ReportActionItem, error) {
		var r ReportActionItem
		var links, services string
		var due, created, updated int64
		a := &r.ActionItem
		if err := row.Scan(&a.ID, &a.IncidentID, &a.Item, &a.Type, &a.Owner, &a.Tracking, &a.Status, &due, &links,
			&created, &updated, &r.IncidentTitle, &services); err != nil {
			return r, err
		}
		if err := decodeJSONs(&a.Links, links); err != nil {
			return r, fmt.Errorf("links of action item %d: %w", a.ID, err)
		}
		if err := decodeJSONs(&r.Services, services); err != nil {
			return r, fmt.Errorf("services of incident %d: %w", a.IncidentID, err)
		}
		a.Due, a.CreatedAt, a.UpdatedAt = fromMS(due), fromMS(created), fromMS(updated)
		return r, nil
	}, s.d.rebind(selectReportActions), toMS(from), toMS(to), pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: action items for a report: %w", err)
	}
	return rows, nil
}
