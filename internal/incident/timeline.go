package incident

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// WhatChanged lists the deploys, config reloads and runbook runs on
// services in the WhatChangedWindow before start, up to now: the "when was
// the last deploy?" answered at declaration.
func (s *Service) WhatChanged(ctx context.Context, services []string, start time.Time) ([]store.TimelineEntry, error) {
	since, until := start.Add(-WhatChangedWindow), s.d.Clock.Now().Add(time.Nanosecond)
	var out []store.TimelineEntry
	for _, svc := range services {
		ds, err := s.d.Store.Deploys(ctx, svc, since, until)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "reading deploys")
		}
		for _, d := range ds {
			out = append(out, deployEntry(d))
		}
	}
	audit, err := s.d.Store.Audit(ctx, since, 1000)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "reading the audit log")
	}
	for _, a := range audit {
		switch a.Action {
		case "config.reloaded":
			out = append(out, store.TimelineEntry{At: a.At, Kind: "change", Actor: a.Actor, Text: "config reloaded" + prefixed(": ", a.Detail), Source: "audit/" + strconv.FormatInt(a.ID, 10)})
		case "run.triggered":
			if !s.runOnServices(ctx, a.RunID, services) {
				continue
			}
			out = append(out, store.TimelineEntry{At: a.At, Kind: "run", Actor: a.Actor, Text: "runbook " + a.Runbook + " run " + a.RunID + " started" + prefixed(": ", a.Detail), Source: "run/" + a.RunID})
		}
	}
	sortEntries(out)
	return out, nil
}

// runOnServices reports whether a run concerns the services: started by an
// alert on one of them, or not by an alert at all (by hand, on a schedule).
func (s *Service) runOnServices(ctx context.Context, runID string, services []string) bool {
	r, _, err := s.d.Store.Run(ctx, runID)
	if err != nil {
		return false
	}
	if r.AlertID == 0 {
		return true
	}
	a, err := s.d.Store.Alert(ctx, r.AlertID)
	return err == nil && slices.Contains(services, a.Service)
}

func deployEntry(d store.DeployRow) store.TimelineEntry {
	text := fmt.Sprintf("deploy of %s %s to %s", d.Service, d.Version, d.Environment)
	if d.Artifact != "" {
		text += " (" + d.Artifact + ")"
	}
	return store.TimelineEntry{At: d.At, Kind: "deploy", Actor: d.By, Text: text + prefixed(": ", d.Notes), Source: "deploy/" + strconv.FormatInt(d.ID, 10)}
}

// Timeline is the incident's full record, oldest first: its own entries
// (declaration, notes, chat, status and role changes, what changed) merged
// with what Vigil recorded elsewhere: its alerts' lives and pages, their
// runbook runs, and the state changes of its services' checks while it
// lasted.
func (s *Service) Timeline(ctx context.Context, id int64) ([]store.TimelineEntry, error) {
	return s.timeline(ctx, id, false)
}

// ReadersTimeline is the timeline as a postmortem tells it: the same
// record with what a reader does not need folded away. Each page is one
// row however many contacts it reached, and postmortem edits and checks
// starting up (unknown → ok) are left out.
func (s *Service) ReadersTimeline(ctx context.Context, id int64) ([]store.TimelineEntry, error) {
	return s.timeline(ctx, id, true)
}

func (s *Service) timeline(ctx context.Context, id int64, forReaders bool) ([]store.TimelineEntry, error) {
	in, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	own, err := s.d.Store.IncidentTimeline(ctx, id)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "reading the timeline")
	}
	if forReaders {
		own = slices.DeleteFunc(own, func(e store.TimelineEntry) bool { return e.Kind == "postmortem" })
	}
	seen := map[string]bool{}
	for _, e := range own {
		if e.Source != "" {
			seen[e.Source] = true
		}
	}
	out := own
	add := func(e store.TimelineEntry) {
		if e.Source != "" {
			if seen[e.Source] {
				return
			}
			seen[e.Source] = true
		}
		e.IncidentID = id
		out = append(out, e)
	}
	alerts, err := s.d.Store.IncidentAlerts(ctx, id)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "reading linked alerts")
	}
	for _, aid := range alerts {
		logs, err := s.d.Store.AlertLogs(ctx, aid)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "reading alert %d", aid)
		}
		for _, l := range logs {
			if l.Kind == "notified" || l.Kind == "runbook" {
				continue // the notifications and runs below say it better
			}
			add(store.TimelineEntry{At: l.At, Kind: "alert." + l.Kind, Actor: l.Actor, Text: fmt.Sprintf("alert %d %s%s", aid, l.Kind, prefixed(": ", l.Detail)),
				Source: "alertlog/" + strconv.FormatInt(l.ID, 10)})
		}
		notes, err := s.d.Store.AlertNotifications(ctx, aid)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "reading alert %d's notifications", aid)
		}
		if forReaders {
			for _, e := range pageRows(notes) {
				add(e)
			}
		} else {
			for _, n := range notes {
				add(deliveryRow(n))
			}
		}
		runs, err := s.d.Store.Runs(ctx, store.RunFilter{AlertID: aid, Limit: 100})
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "reading runs")
		}
		for _, r := range runs {
			s.addRun(ctx, r, add)
		}
	}
	end := in.ResolvedAt
	if end.IsZero() {
		end = s.d.Clock.Now()
	}
	// Its services' checks from an hour before it began until it ended
	// (times are stored to the millisecond), through the store's index.
	events, err := s.d.Store.ServiceEvents(ctx, in.Services, in.StartedAt.Add(-time.Hour), end.Add(time.Millisecond), 10000)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "reading check events")
	}
	for _, ev := range events {
		if !slices.Contains(in.Services, ev.Service) || ev.At.Before(in.StartedAt.Add(-time.Hour)) || ev.At.After(end) {
			continue
		}
		if forReaders && ev.From == "unknown" && ev.To == "ok" {
			continue // a check starting up says nothing about the incident
		}
		add(store.TimelineEntry{At: ev.At, Kind: "check", Actor: "vigil", Text: fmt.Sprintf("check %s/%s %s → %s%s", ev.Service, ev.Name, ev.From, ev.To, prefixed(": ", ev.Reason)),
			Source: "event/" + strconv.FormatInt(ev.ID, 10)})
	}
	for _, svc := range in.Services {
		ds, err := s.d.Store.Deploys(ctx, svc, in.StartedAt.Add(-WhatChangedWindow), end.Add(time.Nanosecond))
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "reading deploys")
		}
		for _, d := range ds {
			add(deployEntry(d))
		}
	}
	sortEntries(out)
	return out, nil
}

// addRun adds a runbook run and its steps.
func (s *Service) addRun(ctx context.Context, r store.RunRow, add func(store.TimelineEntry)) {
	add(store.TimelineEntry{At: r.CreatedAt, Kind: "run", Actor: r.TriggeredBy, Text: "runbook " + r.Runbook + " run " + r.ID + " started (" + r.Trigger + ")", Source: "run/" + r.ID})
	_, steps, err := s.d.Store.Run(ctx, r.ID)
	if err != nil {
		return
	}
	for _, st := range steps {
		if st.EndedAt.IsZero() {
			continue
		}
		add(store.TimelineEntry{At: st.EndedAt, Kind: "step", Actor: "runbook/" + r.Runbook, Text: fmt.Sprintf("step %s (%s) %s%s", st.StepID, st.Kind, st.Status, prefixed(": ", st.Error)),
			Source: "step/" + r.ID + "/" + strconv.Itoa(st.Seq)})
	}
	if !r.EndedAt.IsZero() {
		add(store.TimelineEntry{At: r.EndedAt, Kind: "run", Actor: "runbook/" + r.Runbook, Text: "runbook " + r.Runbook + " run " + r.ID + " " + r.Status + prefixed(": ", r.Reason), Source: "run-end/" + r.ID})
	}
}

func sortEntries(es []store.TimelineEntry) {
	sort.SliceStable(es, func(i, j int) bool { return es[i].At.Before(es[j].At) })
}

// Metrics are an incident's durations, measured from when impact began.
type Metrics struct {
	ID         int64          `json:"id"`
	Severity   string         `json:"severity"`
	Services   []string       `json:"services"`
	StartedAt  time.Time      `json:"started_at"`
	ToDetect   *time.Duration `json:"time_to_detect,omitempty"`
	ToAck      *time.Duration `json:"time_to_acknowledge,omitempty"`
	ToMitigate *time.Duration `json:"time_to_mitigate,omitempty"`
	ToResolve  *time.Duration `json:"time_to_resolve,omitempty"`
	Resolved   bool           `json:"resolved"`
}

// MetricsOf computes an incident's durations.
func MetricsOf(in store.IncidentRow) Metrics {
	since := func(t time.Time) *time.Duration {
		if t.IsZero() {
			return nil
		}
		d := t.Sub(in.StartedAt)
		return &d
	}
	return Metrics{ID: in.ID, Severity: in.Severity, Services: in.Services, StartedAt: in.StartedAt,
		ToDetect: since(in.DetectedAt), ToAck: since(in.AcknowledgedAt), ToMitigate: since(in.MitigatedAt), ToResolve: since(in.ResolvedAt),
		Resolved: !in.ResolvedAt.IsZero()}
}

// Summary is MTTA and MTTR over a set of incidents.
type Summary struct {
	Service   string `json:"service,omitempty"`
	Incidents int    `json:"incidents"`
	// Acknowledged and Resolved count the incidents MTTA and MTTR are
	// means of: 0s over none means no data, not an instant answer.
	Acknowledged int           `json:"acknowledged"`
	Resolved     int           `json:"resolved"`
	MTTA         time.Duration `json:"mtta"`
	MTTR         time.Duration `json:"mttr"`
}

// Summarize computes MTTA (mean time to acknowledge) and MTTR (mean time to
// resolve) per service, and over all ("" service).
func Summarize(ins []store.IncidentRow) []Summary {
	type acc struct {
		n, acked, resolved int
		ack, res           time.Duration
	}
	by := map[string]*acc{"": {}}
	for _, in := range ins {
		m := MetricsOf(in)
		keys := append([]string{""}, in.Services...)
		for _, k := range keys {
			a := by[k]
			if a == nil {
				a = &acc{}
				by[k] = a
			}
			a.n++
			if m.ToAck != nil {
				a.acked++
				a.ack += *m.ToAck
			}
			if m.ToResolve != nil {
				a.resolved++
				a.res += *m.ToResolve
			}
		}
	}
	var out []Summary
	for k, a := range by {
		s := Summary{Service: k, Incidents: a.n, Acknowledged: a.acked, Resolved: a.resolved}
		if a.acked > 0 {
			s.MTTA = a.ack / time.Duration(a.acked)
		}
		if a.resolved > 0 {
			s.MTTR = a.res / time.Duration(a.resolved)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Service < out[j].Service })
	return out
}
