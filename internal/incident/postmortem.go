package incident

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/report/postmortem"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/timebound"
)

// Postmortem gathers what the postmortem is written from.
func (s *Service) Postmortem(ctx context.Context, id int64, loc *time.Location) (postmortem.Data, error) {
	in, err := s.Get(ctx, id)
	if err != nil {
		return postmortem.Data{}, err
	}
	tl, err := s.ReadersTimeline(ctx, id)
	if err != nil {
		return postmortem.Data{}, err
	}
	ids, err := s.d.Store.IncidentAlerts(ctx, id)
	if err != nil {
		return postmortem.Data{}, errs.Wrap(errs.Internal, err, "reading linked alerts")
	}
	var alerts []store.AlertRow
	var paged []string
	var runs []store.RunRow
	for _, aid := range ids {
		a, err := s.d.Store.Alert(ctx, aid)
		if err != nil {
			continue
		}
		alerts = append(alerts, a)
		notes, err := s.d.Store.AlertNotifications(ctx, aid)
		if err == nil {
			for _, n := range notes {
				if !slices.Contains(paged, n.Destination) {
					paged = append(paged, n.Destination)
				}
			}
		}
		rs, err := s.d.Store.Runs(ctx, store.RunFilter{AlertID: aid, Limit: 100})
		if err == nil {
			runs = append(runs, rs...)
		}
	}
	for _, e := range tl {
		if e.Kind == "notification" && e.Actor == "vigil" && strings.Contains(e.Text, " → ") {
			_, to, _ := strings.Cut(e.Text, " → ")
			for _, t := range strings.Split(to, ", ") {
				if !slices.Contains(paged, t) {
					paged = append(paged, t)
				}
			}
		}
	}
	end := in.ResolvedAt
	if end.IsZero() {
		end = s.d.Clock.Now()
	}
	var deploys []store.DeployRow
	for _, svc := range in.Services {
		ds, err := s.d.Store.Deploys(ctx, svc, in.StartedAt.Add(-WhatChangedWindow), end.Add(time.Nanosecond))
		if err != nil {
			return postmortem.Data{}, errs.Wrap(errs.Internal, err, "reading deploys")
		}
		deploys = append(deploys, ds...)
	}
	items, err := s.d.Store.ActionItems(ctx, id)
	if err != nil {
		return postmortem.Data{}, errs.Wrap(errs.Internal, err, "reading action items")
	}
	return postmortem.Build(postmortem.Record{Incident: in, Timeline: tl, Alerts: alerts, Paged: paged, Runs: runs,
		Deploys: deploys, ActionItems: items}, loc), nil
}

// EditPostmortem sets the sections people write (root causes, lessons...).
func (s *Service) EditPostmortem(ctx context.Context, id int64, fields map[string]string, by string) (store.IncidentRow, error) {
	s.edit.Lock()
	defer s.edit.Unlock()
	in, err := s.Get(ctx, id)
	if err != nil {
		return in, err
	}
	var unknown []string
	for k := range fields {
		if !slices.Contains(postmortem.Fields, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return in, errs.E(errs.Invalid, "%s: not a postmortem field (one of %s)", strings.Join(unknown, ", "), strings.Join(postmortem.Fields, ", "))
	}
	if in.Postmortem == nil {
		in.Postmortem = map[string]string{}
	}
	var changed []string
	for k, v := range fields {
		in.Postmortem[k] = v
		changed = append(changed, k)
	}
	slices.Sort(changed)
	in.UpdatedAt = s.d.Clock.Now()
	entry := store.TimelineEntry{IncidentID: id, At: in.UpdatedAt, Kind: "postmortem", Actor: by, Text: "postmortem edited: " + strings.Join(changed, ", ")}
	if err := s.d.Store.UpdateIncident(ctx, in, []store.TimelineEntry{entry}); err != nil {
		return in, errs.Wrap(errs.Internal, err, "storing incident %d", id)
	}
	return in, nil
}

// ActionTypes are the kinds of action item, as in the SRE template.
var ActionTypes = []string{"mitigate", "prevent", "process"}

// SaveActionItem adds (ID 0) or updates an action item.
func (s *Service) SaveActionItem(ctx context.Context, a store.ActionItem) (store.ActionItem, error) {
	if _, err := s.Get(ctx, a.IncidentID); err != nil {
		return a, err
	}
	var problems []string
	if strings.TrimSpace(a.Item) == "" {
		problems = append(problems, "item: is required")
	}
	if !slices.Contains(ActionTypes, a.Type) {
		problems = append(problems, "type: must be one of "+strings.Join(ActionTypes, ", "))
	}
	if a.Owner != "" {
		if p := ownerProblem(s.config(), a.Owner); p != "" {
			problems = append(problems, p)
		}
	}
	if a.Status == "" {
		a.Status = "open"
	}
	if !slices.Contains([]string{"open", "done", "wontfix"}, a.Status) {
		problems = append(problems, "status: must be one of open, done, wontfix")
	}
	now := s.d.Clock.Now()
	if !a.Due.IsZero() {
		if p := timebound.Ahead(now).Problem(a.Due); p != "" {
			problems = append(problems, "due: "+p)
		}
	}
	for i, l := range a.Links {
		kind, _, ok := strings.Cut(l, "/")
		if !ok || !slices.Contains([]string{"alert", "check", "runbook"}, kind) {
			problems = append(problems, "links["+strconv.Itoa(i)+"]: write alert/ID, check/SERVICE/CHECK or runbook/ID")
		}
	}
	if len(problems) > 0 {
		return a, errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	if a.ID == 0 {
		a.CreatedAt = now
	}
	a.UpdatedAt = now
	out, err := s.d.Store.SaveActionItem(ctx, a)
	if err != nil {
		return out, errs.Wrap(errs.Internal, err, "storing the action item")
	}
	return out, nil
}
