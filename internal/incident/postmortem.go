package incident

import (
	"context"
	"fmt"
	"maps"
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
	return s.PostmortemDraft(ctx, id, loc, nil)
}

// PostmortemDraft is Postmortem with the sections in edit as
// EditPostmortem would set them, without storing them: the editor's
// preview.
func (s *Service) PostmortemDraft(ctx context.Context, id int64, loc *time.Location, edit map[string]string) (postmortem.Data, error) {
	if err := checkSections(edit); err != nil {
		return postmortem.Data{}, err
	}
	in, err := s.Get(ctx, id)
	if err != nil {
		return postmortem.Data{}, err
	}
	if len(edit) > 0 {
		in.Postmortem = maps.Clone(in.Postmortem)
		if in.Postmortem == nil {
			in.Postmortem = map[string]string{}
		}
		maps.Copy(in.Postmortem, edit)
	}
	tl, err := s.ReadersTimeline(ctx, id)
	if err != nil {
		return postmortem.Data{}, err
	}
	// Action items have a section of their own.
	tl = slices.DeleteFunc(tl, func(e store.TimelineEntry) bool { return e.Kind == "action_item" })
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
// Only sections whose text changes are written and named on the timeline;
// an edit that changes nothing records nothing.
func (s *Service) EditPostmortem(ctx context.Context, id int64, fields map[string]string, by string) (store.IncidentRow, error) {
	if err := checkSections(fields); err != nil {
		return store.IncidentRow{}, err
	}
	s.edit.Lock()
	defer s.edit.Unlock()
	in, err := s.Get(ctx, id)
	if err != nil {
		return in, err
	}
	if in.Postmortem == nil {
		in.Postmortem = map[string]string{}
	}
	var changed []string
	for k, v := range fields {
		if in.Postmortem[k] == v {
			continue
		}
		in.Postmortem[k] = v
		changed = append(changed, k)
	}
	if len(changed) == 0 {
		return in, nil
	}
	slices.Sort(changed)
	in.UpdatedAt = s.d.Clock.Now()
	entry := store.TimelineEntry{IncidentID: id, At: in.UpdatedAt, Kind: "postmortem", Actor: by, Text: "postmortem edited: " + strings.Join(changed, ", ")}
	if err := s.d.Store.UpdateIncident(ctx, in, []store.TimelineEntry{entry}); err != nil {
		return in, errs.Wrap(errs.Internal, err, "storing incident %d", id)
	}
	s.changed(id)
	return in, nil
}

// checkSections refuses keys that are not editable postmortem sections,
// naming them all.
func checkSections(fields map[string]string) error {
	var unknown []string
	for k := range fields {
		if !slices.Contains(postmortem.Fields, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return errs.E(errs.Invalid, "%s: not a postmortem field (one of %s)", strings.Join(unknown, ", "), strings.Join(postmortem.Fields, ", "))
	}
	return nil
}

// ActionTypes are the kinds of action item, as in the SRE template.
var ActionTypes = []string{"mitigate", "prevent", "process"}

// SaveActionItem adds (ID 0) or updates an action item; the timeline
// records who did.
func (s *Service) SaveActionItem(ctx context.Context, a store.ActionItem, by string) (store.ActionItem, error) {
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
	text := fmt.Sprintf("action item #%d added: %s", out.ID, out.Item)
	if a.ID != 0 {
		text = fmt.Sprintf("action item #%d is %s: %s", out.ID, out.Status, out.Item)
	}
	entry := store.TimelineEntry{IncidentID: a.IncidentID, At: now, Kind: "action_item", Actor: by, Text: text}
	if err := s.d.Store.AppendTimeline(ctx, []store.TimelineEntry{entry}); err != nil {
		s.d.Log.Error("incident: recording the action item failed", "incident", a.IncidentID, "err", err)
	}
	s.changed(a.IncidentID)
	return out, nil
}
