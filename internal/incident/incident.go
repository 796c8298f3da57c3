// Package incident keeps incidents as they happen: declaration (by hand or
// by a severe alert), status and roles, notes, imported chat, and a
// timeline that also gathers what Vigil itself saw (alerts, pages, runbook
// runs, check changes, deploys), so the postmortem and the on-call log are
// written from the record instead of from memory.
package incident

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/timebound"
)

// Severities, with what they mean (docs/incidents.md).
var Severities = []string{"SEV1", "SEV2", "SEV3", "SEV4"}

// Statuses in the order an incident goes through them.
var Statuses = []string{store.IncidentInvestigating, store.IncidentIdentified, store.IncidentMonitoring, store.IncidentResolved}

// Roles an incident can have.
var Roles = []string{"commander", "communications", "scribe"}

// Announcer tells people; the pager's outbox in Vigil.
type Announcer interface {
	Announce(ctx context.Context, a pager.Announcement) error
}

// Deps are the service's collaborators.
type Deps struct {
	Store *store.Store
	Clock clock.Clock
	Log   *slog.Logger
	Pager Announcer
	URL   func(path string) string
}

// Service manages incidents.
type Service struct {
	d   Deps
	mu  sync.Mutex
	cfg *config.Config
	// auto serialises automatic declarations, so two severe alerts at
	// once make one incident, not two.
	auto sync.Mutex
	// edit serialises changes to incidents (read, change, write back), so
	// two people editing at once both keep their change.
	edit sync.Mutex
	// watch signals the pages that follow an incident live.
	watch watchers
}

// New makes the service; call Apply with the config.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real()
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.URL == nil {
		d.URL = func(p string) string { return p }
	}
	return &Service{d: d}
}

// Apply makes cfg current.
func (s *Service) Apply(cfg *config.Config) {
	s.mu.Lock()
	s.cfg = cfg
	s.mu.Unlock()
}

func (s *Service) config() *config.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Declaration asks for an incident.
type Declaration struct {
	Title     string            `json:"title"`
	Severity  string            `json:"severity"`
	Services  []string          `json:"services"`
	Summary   string            `json:"summary"`
	Roles     map[string]string `json:"roles"`
	StartedAt *time.Time        `json:"started_at"` // when impact began; default now
	AlertIDs  []int64           `json:"alert_ids"`
	By        string            `json:"-"`
}

// WhatChangedWindow is how far before an incident's start Vigil looks for
// deploys, config reloads and runbook runs.
const WhatChangedWindow = 24 * time.Hour

// Declare opens an incident, links its alerts, records what changed on its
// services in the hours before, and tells the services' stakeholders.
func (s *Service) Declare(ctx context.Context, d Declaration) (store.IncidentRow, error) {
	if err := s.validate(d); err != nil {
		return store.IncidentRow{}, err
	}
	now := s.d.Clock.Now()
	in := store.IncidentRow{Title: d.Title, Severity: d.Severity, Status: store.IncidentInvestigating, Services: d.Services,
		Summary: d.Summary, Roles: map[string]string{}, DeclaredBy: d.By, StartedAt: now, DeclaredAt: now, UpdatedAt: now}
	if d.Severity == "" {
		in.Severity = "SEV2"
	}
	for k, v := range d.Roles {
		in.Roles[k] = v
	}
	if d.StartedAt != nil {
		in.StartedAt = *d.StartedAt
	}
	// Impact began no later than the earliest evidence of its alerts (a
	// check's first failing result); detection and acknowledgement come
	// from the alerts too.
	var alerts []store.AlertRow
	for _, id := range d.AlertIDs {
		a, err := s.d.Store.Alert(ctx, id)
		if err != nil {
			return store.IncidentRow{}, errs.E(errs.Invalid, "alert_ids: no alert %d", id)
		}
		alerts = append(alerts, a)
		if start := s.impactStart(ctx, a); d.StartedAt == nil && start.Before(in.StartedAt) {
			in.StartedAt = start
		}
	}
	for _, a := range alerts {
		fromAlert(&in, a)
	}
	if in.DetectedAt.IsZero() {
		in.DetectedAt = now
	}
	if in.AcknowledgedAt.IsZero() && !strings.HasPrefix(d.By, "alert/") {
		in.AcknowledgedAt = now // a person declaring it is on it
	}
	first := []store.TimelineEntry{{At: now, Kind: "declared", Actor: d.By,
		Text: fmt.Sprintf("%s declared: %s (%s)", in.Severity, in.Title, strings.Join(in.Services, ", "))}}
	for _, role := range Roles {
		if p := in.Roles[role]; p != "" {
			first = append(first, store.TimelineEntry{At: now, Kind: "role", Actor: d.By, Text: role + ": " + p})
		}
	}
	changes, err := s.WhatChanged(ctx, in.Services, in.StartedAt)
	if err != nil {
		return store.IncidentRow{}, err
	}
	first = append(first, changes...)
	row, err := s.d.Store.CreateIncident(ctx, in, first)
	if err != nil {
		return store.IncidentRow{}, errs.Wrap(errs.Internal, err, "storing the incident")
	}
	if len(d.AlertIDs) > 0 {
		if err := s.d.Store.LinkAlerts(ctx, row.ID, d.AlertIDs); err != nil {
			return row, errs.Wrap(errs.Internal, err, "linking alerts")
		}
	}
	s.tell(ctx, row, d.AlertIDs, fmt.Sprintf("Incident %d declared: %s", row.ID, row.Title),
		fmt.Sprintf("%s, %s. Services: %s.%s", row.Severity, row.Status, strings.Join(row.Services, ", "), prefixed("\n", row.Summary)))
	return row, nil
}

func (s *Service) validate(d Declaration) error {
	var problems []string
	if d.StartedAt != nil {
		if p := timebound.Past(s.d.Clock.Now()).Problem(*d.StartedAt); p != "" {
			problems = append(problems, "started_at: "+p)
		}
	}
	if strings.TrimSpace(d.Title) == "" {
		problems = append(problems, "title: is required")
	}
	if d.Severity != "" && !slices.Contains(Severities, d.Severity) {
		problems = append(problems, fmt.Sprintf("severity: %q is not one of %s", d.Severity, strings.Join(Severities, ", ")))
	}
	cfg := s.config()
	for i, svc := range d.Services {
		if findService(cfg, svc) == nil {
			problems = append(problems, fmt.Sprintf("services[%d]: unknown service %q", i, svc))
		}
	}
	for _, role := range slices.Sorted(maps.Keys(d.Roles)) {
		if !slices.Contains(Roles, role) {
			problems = append(problems, fmt.Sprintf("roles.%s: not one of %s", role, strings.Join(Roles, ", ")))
		} else if p := personProblem(cfg, "roles."+role, d.Roles[role]); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	return nil
}

func findService(cfg *config.Config, id string) *config.Service {
	if cfg == nil {
		return nil
	}
	for i := range cfg.Services {
		if cfg.Services[i].ID == id {
			return &cfg.Services[i]
		}
	}
	return nil
}

// tell sends a message to the stakeholders of the incident's services. The
// alerts it is about page on-call first if they are still waiting to.
func (s *Service) tell(ctx context.Context, in store.IncidentRow, alertIDs []int64, title, text string) {
	targets := s.Stakeholders(in.Services)
	if len(targets) == 0 || s.d.Pager == nil {
		return
	}
	err := s.d.Pager.Announce(ctx, pager.Announcement{Kind: notify.KindIncident, Targets: targets, Title: title, Text: text, PageFirst: alertIDs,
		URL: s.d.URL(Path(in.ID))})
	if err != nil {
		s.d.Log.Error("incident: telling stakeholders failed", "incident", in.ID, "err", err)
		return
	}
	entry := store.TimelineEntry{IncidentID: in.ID, At: s.d.Clock.Now(), Kind: "notification", Actor: "vigil",
		Text: title + " → " + strings.Join(targets, ", ")}
	if err := s.d.Store.AppendTimeline(ctx, []store.TimelineEntry{entry}); err != nil {
		s.d.Log.Error("incident: recording the notification failed", "incident", in.ID, "err", err)
	}
	s.changed(in.ID)
}

// Stakeholders are who hears about an incident on services: their
// stakeholders (services[].stakeholders), each once, in config order.
func (s *Service) Stakeholders(services []string) []string {
	cfg := s.config()
	var targets []string
	for _, id := range services {
		if svc := findService(cfg, id); svc != nil {
			for _, t := range svc.Stakeholders {
				if !slices.Contains(targets, t) {
					targets = append(targets, t)
				}
			}
		}
	}
	return targets
}

// Path is the incident's page in the web app, which notices link to.
func Path(id int64) string { return "/incidents/" + strconv.FormatInt(id, 10) }

// Get reads an incident, with detection and acknowledgement brought up to
// date from its linked alerts (an alert acknowledged after the incident was
// declared, or linked later, counts).
func (s *Service) Get(ctx context.Context, id int64) (store.IncidentRow, error) {
	in, err := s.d.Store.Incident(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return in, errs.E(errs.NotFound, "no incident %d", id)
	}
	if err != nil {
		return in, errs.Wrap(errs.Internal, err, "reading incident %d", id)
	}
	return in, s.fromAlerts(ctx, &in)
}

// List reads incidents, each as Get does, with their alerts read for all
// at once.
func (s *Service) List(ctx context.Context, f store.IncidentFilter) ([]store.IncidentRow, error) {
	ins, err := s.d.Store.Incidents(ctx, f)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "listing incidents")
	}
	ids := make([]int64, len(ins))
	for i, in := range ins {
		ids[i] = in.ID
	}
	linked, err := s.d.Store.LinkedAlertTimes(ctx, ids)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "reading linked alerts")
	}
	for i := range ins {
		for _, a := range linked[ins[i].ID] {
			fromAlert(&ins[i], store.AlertRow{FirstSeen: a.FirstSeen, AckedAt: a.AckedAt})
		}
	}
	return ins, nil
}

// fromAlerts takes the earliest detection and acknowledgement of the
// incident's alerts when they are earlier than what it has.
func (s *Service) fromAlerts(ctx context.Context, in *store.IncidentRow) error {
	ids, err := s.d.Store.IncidentAlerts(ctx, in.ID)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "reading linked alerts")
	}
	for _, id := range ids {
		if a, err := s.d.Store.Alert(ctx, id); err == nil {
			fromAlert(in, a)
		}
	}
	return nil
}

// fromAlert takes an alert's first firing as the detection and its
// acknowledgement as the incident's, when earlier than what it has.
func fromAlert(in *store.IncidentRow, a store.AlertRow) {
	if !a.FirstSeen.IsZero() && (in.DetectedAt.IsZero() || a.FirstSeen.Before(in.DetectedAt)) && !a.FirstSeen.Before(in.StartedAt) {
		in.DetectedAt = a.FirstSeen
	}
	if !a.AckedAt.IsZero() && (in.AcknowledgedAt.IsZero() || a.AckedAt.Before(in.AcknowledgedAt)) {
		in.AcknowledgedAt = a.AckedAt
	}
}

// SetStatus moves an incident on (or back), stamping when it was
// identified, mitigated (monitoring) and resolved, and tells stakeholders.
func (s *Service) SetStatus(ctx context.Context, id int64, status, note, by string, at *time.Time) (store.IncidentRow, error) {
	if !slices.Contains(Statuses, status) {
		return store.IncidentRow{}, errs.E(errs.Invalid, "status: %q is not one of %s", status, strings.Join(Statuses, ", "))
	}
	s.edit.Lock()
	defer s.edit.Unlock()
	in, err := s.Get(ctx, id)
	if err != nil {
		return in, err
	}
	when := s.d.Clock.Now()
	if at != nil {
		if at.Before(in.StartedAt) || at.After(when) {
			return in, errs.E(errs.Invalid, "at: %s is not between the incident's start (%s) and now", at.Format(time.RFC3339), in.StartedAt.Format(time.RFC3339))
		}
		when = *at
	}
	if in.Status == status {
		return in, errs.E(errs.Conflict, "incident %d is already %s", id, status)
	}
	in.Status, in.UpdatedAt = status, s.d.Clock.Now()
	stamp := func(t *time.Time) {
		if t.IsZero() {
			*t = when
		}
	}
	switch status {
	case store.IncidentIdentified:
		stamp(&in.IdentifiedAt)
	case store.IncidentMonitoring:
		stamp(&in.IdentifiedAt)
		stamp(&in.MitigatedAt)
	case store.IncidentResolved:
		stamp(&in.IdentifiedAt)
		stamp(&in.MitigatedAt)
		stamp(&in.ResolvedAt)
	}
	if status != store.IncidentResolved {
		in.ResolvedAt = time.Time{} // not (or no longer) resolved
	}
	text := "status: " + status + prefixed(": ", note)
	if err := s.d.Store.UpdateIncident(ctx, in, []store.TimelineEntry{{IncidentID: id, At: when, Kind: "status", Actor: by, Text: text}}); err != nil {
		return in, errs.Wrap(errs.Internal, err, "storing incident %d", id)
	}
	s.changed(id)
	s.tell(ctx, in, nil, fmt.Sprintf("Incident %d is %s: %s", in.ID, status, in.Title), note)
	return in, nil
}

// SetRole gives a role to a configured person; an empty person clears it.
func (s *Service) SetRole(ctx context.Context, id int64, role, person, by string) (store.IncidentRow, error) {
	if !slices.Contains(Roles, role) {
		return store.IncidentRow{}, errs.E(errs.Invalid, "role: %q is not one of %s", role, strings.Join(Roles, ", "))
	}
	if p := personProblem(s.config(), "person", person); person != "" && p != "" {
		return store.IncidentRow{}, errs.E(errs.Invalid, "%s", p)
	}
	s.edit.Lock()
	defer s.edit.Unlock()
	in, err := s.Get(ctx, id)
	if err != nil {
		return in, err
	}
	if in.Roles == nil {
		in.Roles = map[string]string{}
	}
	in.Roles[role], in.UpdatedAt = person, s.d.Clock.Now()
	entry := store.TimelineEntry{IncidentID: id, At: s.d.Clock.Now(), Kind: "role", Actor: by, Text: role + ": " + person}
	if err := s.d.Store.UpdateIncident(ctx, in, []store.TimelineEntry{entry}); err != nil {
		return in, errs.Wrap(errs.Internal, err, "storing incident %d", id)
	}
	s.changed(id)
	return in, nil
}

// Note adds a human note, optionally backdated.
func (s *Service) Note(ctx context.Context, id int64, text, by string, at *time.Time) (store.TimelineEntry, error) {
	if strings.TrimSpace(text) == "" {
		return store.TimelineEntry{}, errs.E(errs.Invalid, "text: is required")
	}
	if _, err := s.Get(ctx, id); err != nil {
		return store.TimelineEntry{}, err
	}
	e := store.TimelineEntry{IncidentID: id, At: s.d.Clock.Now(), Kind: "note", Actor: by, Text: text}
	if at != nil {
		if err := timebound.Past(e.At).Check("at", *at); err != nil {
			return store.TimelineEntry{}, err
		}
		e.At = *at
	}
	es := []store.TimelineEntry{e} // AppendTimeline sets the stored entry's id here
	if err := s.d.Store.AppendTimeline(ctx, es); err != nil {
		return e, errs.Wrap(errs.Internal, err, "storing the note")
	}
	s.changed(id)
	return es[0], nil
}

// LinkAlerts links alerts to an incident.
func (s *Service) LinkAlerts(ctx context.Context, id int64, alertIDs []int64) error {
	if _, err := s.Get(ctx, id); err != nil {
		return err
	}
	if err := s.d.Store.LinkAlerts(ctx, id, alertIDs); err != nil {
		return err
	}
	s.changed(id)
	return nil
}

// AlertsFired declares an incident for each new alert at or above its
// service's incident.auto_severity that is not already in an open one.
func (s *Service) AlertsFired(rows []store.AlertRow) {
	cfg := s.config()
	for i := range rows {
		// Only the rows that declare are copied for the goroutine: a range
		// variable it captured would be one allocation per alert fired.
		svc := findService(cfg, rows[i].Service)
		if svc == nil || svc.Incident == nil || svc.Incident.AutoSeverity == "" {
			continue
		}
		min, _ := alert.ParseSeverity(svc.Incident.AutoSeverity)
		if alert.Severity(rows[i].Severity).Rank() < min.Rank() {
			continue
		}
		a := rows[i]
		go func() {
			s.auto.Lock()
			defer s.auto.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			open, err := s.d.Store.Incidents(ctx, store.IncidentFilter{Service: a.Service,
				Status: []string{store.IncidentInvestigating, store.IncidentIdentified, store.IncidentMonitoring}, Limit: 1})
			if err != nil {
				s.d.Log.Error("incident: looking for an open incident failed; not declaring another", "alert", a.ID, "err", err)
				return
			}
			if len(open) > 0 {
				// One incident per service at a time: the alert joins it.
				if err := s.d.Store.LinkAlerts(ctx, open[0].ID, []int64{a.ID}); err != nil {
					s.d.Log.Error("incident: linking an alert failed", "alert", a.ID, "err", err)
				}
				s.changed(open[0].ID)
				return
			}
			sev := svc.Incident.Severity
			if sev == "" {
				sev = "SEV2"
			}
			_, err = s.Declare(ctx, Declaration{Title: a.Summary, Severity: sev, Services: []string{a.Service},
				AlertIDs: []int64{a.ID}, By: "alert/" + strconv.FormatInt(a.ID, 10)})
			if err != nil {
				s.d.Log.Error("incident: declaring from an alert failed", "alert", a.ID, "err", err)
			}
		}()
	}
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}
