package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// Incident statuses, in order.
const (
	IncidentInvestigating = "investigating"
	IncidentIdentified    = "identified"
	IncidentMonitoring    = "monitoring"
	IncidentResolved      = "resolved"
)

// IncidentRow is an incident as stored. The store keeps what it is given:
// times, statuses and roles are the incident package's to decide.
type IncidentRow struct {
	ID             int64             `json:"id"` // assigned by CreateIncident, never reused
	Title          string            `json:"title"`
	Severity       string            `json:"severity"` // SEV1..SEV4
	Status         string            `json:"status"`
	Services       []string          `json:"services"`
	Summary        string            `json:"summary,omitempty"`
	Roles          map[string]string `json:"roles"` // commander, communications, scribe -> person id
	DeclaredBy     string            `json:"declared_by"`
	StartedAt      time.Time         `json:"started_at"` // impact began (may be backdated)
	DetectedAt     time.Time         `json:"detected_at,omitzero"`
	DeclaredAt     time.Time         `json:"declared_at"`
	AcknowledgedAt time.Time         `json:"acknowledged_at,omitzero"`
	IdentifiedAt   time.Time         `json:"identified_at,omitzero"`
	MitigatedAt    time.Time         `json:"mitigated_at,omitzero"` // entered monitoring
	ResolvedAt     time.Time         `json:"resolved_at,omitzero"`
	Postmortem     map[string]string `json:"postmortem,omitempty"` // editable sections (root_causes, trigger, ...)
	UpdatedAt      time.Time         `json:"updated_at"`
}

// TimelineEntry is one entry of an incident's timeline.
type TimelineEntry struct {
	ID         int64     `json:"id"` // assigned on append
	IncidentID int64     `json:"incident_id"`
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"` // note, chat, alert.fired, alert.acknowledged, alert.resolved, notification, run, step, check, deploy, status, role, declared, ...
	Actor      string    `json:"actor,omitempty"`
	Text       string    `json:"text"`
	Source     string    `json:"source,omitempty"` // e.g. "alert/42", "run/r_x", "chat:slack", "chat:log"
}

// IncidentFilter selects incidents for Incidents; zero fields select everything.
type IncidentFilter struct {
	Status   []string  // empty: any
	Severity []string  // empty: any
	Service  string    // incidents whose Services contain it
	Since    time.Time // declared at or after
	Until    time.Time // declared before (zero: no bound)
	Limit    int       // default 100, max 1000
}

const (
	incidentCols = `id, title, severity, status, services, summary, roles, declared_by, started_ms, detected_ms,
		declared_ms, acknowledged_ms, identified_ms, mitigated_ms, resolved_ms, postmortem, updated_ms`
	insertIncident = `INSERT INTO incidents (title, severity, status, services, summary, roles, declared_by,
		started_ms, detected_ms, declared_ms, acknowledged_ms, identified_ms, mitigated_ms, resolved_ms, postmortem,
		updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + incidentCols
	updateIncident = `UPDATE incidents SET title = ?, severity = ?, status = ?, services = ?, summary = ?, roles = ?,
		declared_by = ?, started_ms = ?, detected_ms = ?, declared_ms = ?, acknowledged_ms = ?, identified_ms = ?,
		mitigated_ms = ?, resolved_ms = ?, postmortem = ?, updated_ms = ? WHERE id = ?`
	selectIncidents    = `SELECT ` + incidentCols + ` FROM incidents`
	selectIncidentID   = `SELECT id FROM incidents WHERE id = ?`
	deleteServices     = `DELETE FROM incident_services WHERE incident_id = ?`
	insertService      = `INSERT INTO incident_services (incident_id, service) VALUES (?, ?) ON CONFLICT DO NOTHING`
	withService        = `id IN (SELECT incident_id FROM incident_services WHERE service = ?)`
	insertTimeline     = `INSERT INTO incident_timeline (incident_id, at_ms, kind, actor, text, source) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
	selectTimeline     = `SELECT id, incident_id, at_ms, kind, actor, text, source FROM incident_timeline WHERE incident_id = ? ORDER BY at_ms, id`
	insertLink         = `INSERT INTO incident_alerts (incident_id, alert_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	selectLinkedAlerts = `SELECT alert_id FROM incident_alerts WHERE incident_id = ? ORDER BY alert_id`
	selectAlertLinks   = `SELECT incident_id FROM incident_alerts WHERE alert_id = ? ORDER BY incident_id`
)

// CreateIncident stores a new incident with the id the store gives it (in.ID
// is ignored) and, in the same transaction, its first timeline entries. It
// returns the incident as stored. Once committed, each entry of first gets
// its ID and IncidentID filled in place. Title, Summary and each entry's
// Actor and Text are stored as storable text (see SaveStep).
func (s *Store) CreateIncident(ctx context.Context, in IncidentRow, first []TimelineEntry) (IncidentRow, error) {
	defer s.observe("create_incident", clock.Start())
	var out IncidentRow
	var ids []int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = scanIncident(tx.QueryRowContext(ctx, s.d.rebind(insertIncident), incidentArgs(in)...)); err != nil {
			return err
		}
		if err := s.saveServices(ctx, tx, out.ID, in.Services); err != nil {
			return err
		}
		ids, err = s.appendTimeline(ctx, tx, ofIncident(first, out.ID))
		return err
	})
	if err != nil {
		return IncidentRow{}, fmt.Errorf("store: create incident: %w", err)
	}
	assignIDs(first, out.ID, ids)
	return out, nil
}

// UpdateIncident replaces the stored incident with in.ID by in, whole, and
// appends add to its timeline, in one transaction. Once committed, each
// entry of add gets its ID filled in place, and IncidentID set to in.ID. It
// returns ErrNotFound when there is no such incident.
func (s *Store) UpdateIncident(ctx context.Context, in IncidentRow, add []TimelineEntry) error {
	defer s.observe("update_incident", clock.Start())
	var ids []int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(updateIncident), append(incidentArgs(in), in.ID)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(deleteServices), in.ID); err != nil {
			return err
		}
		if err := s.saveServices(ctx, tx, in.ID, in.Services); err != nil {
			return err
		}
		ids, err = s.appendTimeline(ctx, tx, ofIncident(add, in.ID))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update incident %d: %w", in.ID, err)
	}
	assignIDs(add, in.ID, ids)
	return nil
}

func incidentArgs(in IncidentRow) []any {
	return []any{storableText(in.Title), in.Severity, in.Status, jsonText(in.Services, "[]"), storableText(in.Summary),
		jsonText(in.Roles, "{}"), in.DeclaredBy, toMS(in.StartedAt), toMS(in.DetectedAt), toMS(in.DeclaredAt),
		toMS(in.AcknowledgedAt), toMS(in.IdentifiedAt), toMS(in.MitigatedAt), toMS(in.ResolvedAt),
		jsonText(in.Postmortem, "{}"), toMS(in.UpdatedAt)}
}

// saveServices indexes an incident's services, one row each, so that a
// filter matches a service exactly rather than a substring of the JSON list.
func (s *Store) saveServices(ctx context.Context, tx *sql.Tx, id int64, services []string) error {
	q := s.d.rebind(insertService)
	for _, svc := range services {
		if _, err := tx.ExecContext(ctx, q, id, storableText(svc)); err != nil {
			return fmt.Errorf("service %q: %w", svc, err)
		}
	}
	return nil
}

// Incident returns one incident. It returns ErrNotFound when there is none.
func (s *Store) Incident(ctx context.Context, id int64) (IncidentRow, error) {
	defer s.observe("incident", clock.Start())
	in, err := scanIncident(s.r.QueryRowContext(ctx, s.d.rebind(selectIncidents+` WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return IncidentRow{}, fmt.Errorf("store: incident %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return IncidentRow{}, fmt.Errorf("store: incident %d: %w", id, err)
	}
	return in, nil
}

// Incidents returns the incidents the filter selects, the latest impact
// start first (the later id first among those that started at the same
// time): a backdated incident sorts by when it began, not when it was
// declared.
func (s *Store) Incidents(ctx context.Context, f IncidentFilter) ([]IncidentRow, error) {
	defer s.observe("incidents", clock.Start())
	var w conds
	w.in(`status`, f.Status)
	w.in(`severity`, f.Severity)
	if f.Service != "" {
		w.add(withService, f.Service)
	}
	w.at(`declared_ms`, `>=`, f.Since)
	w.at(`declared_ms`, `<`, f.Until)
	q := selectIncidents + w.sql() + ` ORDER BY started_ms DESC, id DESC LIMIT ?`
	rows, err := queryRows(ctx, s.r, scanIncident, s.d.rebind(q), append(w.args, pageLimit(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("store: incidents: %w", err)
	}
	return rows, nil
}

// AppendTimeline appends entries, which may belong to different incidents,
// in one transaction. Once committed, each entry gets its ID filled in place;
// ids only grow. It returns ErrNotFound, and appends nothing, when an entry's
// incident does not exist. Actor and Text are stored as storable text.
func (s *Store) AppendTimeline(ctx context.Context, entries []TimelineEntry) error {
	defer s.observe("append_timeline", clock.Start())
	if len(entries) == 0 {
		return nil
	}
	var ids []int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		checked := map[int64]bool{}
		for _, e := range entries {
			if !checked[e.IncidentID] {
				if err := s.incidentExists(ctx, tx, e.IncidentID); err != nil {
					return err
				}
				checked[e.IncidentID] = true
			}
		}
		var err error
		ids, err = s.appendTimeline(ctx, tx, entries)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: append timeline: %w", err)
	}
	assignIDs(entries, 0, ids)
	return nil
}

// appendTimeline inserts entries and returns their ids, in order.
func (s *Store) appendTimeline(ctx context.Context, tx *sql.Tx, entries []TimelineEntry) ([]int64, error) {
	q := s.d.rebind(insertTimeline)
	ids := make([]int64, len(entries))
	for i, e := range entries {
		if err := tx.QueryRowContext(ctx, q, e.IncidentID, toMS(e.At), e.Kind, storableText(e.Actor),
			storableText(e.Text), e.Source).Scan(&ids[i]); err != nil {
			return nil, fmt.Errorf("timeline entry %d: %w", i, err)
		}
	}
	return ids, nil
}

// ofIncident returns a copy of entries that all belong to incident id.
func ofIncident(entries []TimelineEntry, id int64) []TimelineEntry {
	out := slices.Clone(entries)
	for i := range out {
		out[i].IncidentID = id
	}
	return out
}

// assignIDs fills in the ids the store gave entries and, when incidentID is
// not zero, the incident they were written to.
func assignIDs(entries []TimelineEntry, incidentID int64, ids []int64) {
	for i := range entries {
		entries[i].ID = ids[i]
		if incidentID != 0 {
			entries[i].IncidentID = incidentID
		}
	}
}

func (s *Store) incidentExists(ctx context.Context, tx *sql.Tx, id int64) error {
	var got int64
	err := tx.QueryRowContext(ctx, s.d.rebind(selectIncidentID), id).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("incident %d: %w", id, ErrNotFound)
	}
	return err
}

// IncidentTimeline returns an incident's timeline ordered by At, then by
// append order; an unknown incident has an empty one. (Timeline is the uptime
// bars of rollups.go.)
func (s *Store) IncidentTimeline(ctx context.Context, incidentID int64) ([]TimelineEntry, error) {
	defer s.observe("incident_timeline", clock.Start())
	rows, err := queryRows(ctx, s.r, scanTimeline, s.d.rebind(selectTimeline), incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: timeline of incident %d: %w", incidentID, err)
	}
	return rows, nil
}

// LinkAlerts links alerts to an incident; linking one again changes nothing.
// Alert ids are not checked against the alerts table. It returns ErrNotFound
// when there is no such incident.
func (s *Store) LinkAlerts(ctx context.Context, incidentID int64, alertIDs []int64) error {
	defer s.observe("link_alerts", clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.incidentExists(ctx, tx, incidentID); err != nil {
			return err
		}
		q := s.d.rebind(insertLink)
		for _, id := range alertIDs {
			if _, err := tx.ExecContext(ctx, q, incidentID, id); err != nil {
				return fmt.Errorf("alert %d: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: link alerts to incident %d: %w", incidentID, err)
	}
	return nil
}

// IncidentAlerts returns the ids of the alerts linked to an incident, ascending.
func (s *Store) IncidentAlerts(ctx context.Context, incidentID int64) ([]int64, error) {
	defer s.observe("incident_alerts", clock.Start())
	ids, err := queryRows(ctx, s.r, scanID, s.d.rebind(selectLinkedAlerts), incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: alerts of incident %d: %w", incidentID, err)
	}
	return ids, nil
}

// IncidentsForAlert returns the ids of the incidents an alert is linked to,
// resolved or not, ascending.
func (s *Store) IncidentsForAlert(ctx context.Context, alertID int64) ([]int64, error) {
	defer s.observe("incidents_for_alert", clock.Start())
	ids, err := queryRows(ctx, s.r, scanID, s.d.rebind(selectAlertLinks), alertID)
	if err != nil {
		return nil, fmt.Errorf("store: incidents of alert %d: %w", alertID, err)
	}
	return ids, nil
}

func scanIncident(row scanner) (IncidentRow, error) {
	var in IncidentRow
	var services, roles, postmortem string
	var started, detected, declared, acked, identified, mitigated, resolved, updated int64
	if err := row.Scan(&in.ID, &in.Title, &in.Severity, &in.Status, &services, &in.Summary, &roles, &in.DeclaredBy,
		&started, &detected, &declared, &acked, &identified, &mitigated, &resolved, &postmortem, &updated); err != nil {
		return IncidentRow{}, err
	}
	if err := decodeJSONs(&in.Services, services, &in.Roles, roles, &in.Postmortem, postmortem); err != nil {
		return IncidentRow{}, fmt.Errorf("incident %d: %w", in.ID, err)
	}
	in.StartedAt, in.DetectedAt, in.DeclaredAt = fromMS(started), fromMS(detected), fromMS(declared)
	in.AcknowledgedAt, in.IdentifiedAt, in.MitigatedAt = fromMS(acked), fromMS(identified), fromMS(mitigated)
	in.ResolvedAt, in.UpdatedAt = fromMS(resolved), fromMS(updated)
	return in, nil
}

func scanTimeline(row scanner) (TimelineEntry, error) {
	var e TimelineEntry
	var at int64
	err := row.Scan(&e.ID, &e.IncidentID, &at, &e.Kind, &e.Actor, &e.Text, &e.Source)
	e.At = fromMS(at)
	return e, err
}

func scanID(row scanner) (int64, error) {
	var id int64
	err := row.Scan(&id)
	return id, err
}
