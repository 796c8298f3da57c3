package pager

import (
	"context"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/route"
	"github.com/vigil-sre/vigil/internal/store"
)

// recover loads what was in flight when Vigil stopped: open alerts, alerts
// whose resolution is still to be announced, groups and their timers, who
// was paged about what, and the silences. It fills empty state; after an
// error the state is partial and must be emptied before another attempt.
func (p *Pager) recover(ctx context.Context) error {
	p.alerts, p.open, p.groups, p.timers = map[int64]*alertState{}, map[string]*alertState{}, map[string]*group{}, nil
	s := p.opt.Store
	var err error
	if p.ids.alert, p.ids.log, p.ids.note, err = s.MaxIDs(ctx); err != nil {
		return err
	}
	rows, err := s.LiveAlerts(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		a := &alertState{row: rowOf(r), labels: alert.PackLabels(r.Labels)}
		p.unload(a, nil)
		p.alerts[r.ID] = a
		if alert.Status(r.Status).Open() {
			if old := p.open[r.DedupKey]; old != nil {
				// The pager opens an alert only for a key with none open
				// and no index holds the store to that, so two mean a
				// store written by something else. Rows come in id order:
				// the newer takes the key's events, the older stays open
				// until it is resolved through the API.
				p.opt.Log.Error("pager: two open alerts share a dedup key; the newer receives its events",
					"dedup_key", r.DedupKey, "older", old.row.ID, "newer", r.ID)
			}
			p.open[r.DedupKey] = a
		}
	}
	groups, err := s.Groups(ctx)
	if err != nil {
		return err
	}
	for _, g := range groups {
		p.groups[g.Key] = &group{row: g, members: map[int64]*alertState{}}
		p.timers.add(timer{at: g.NextFlushAt, kind: flushTimer, group: g.Key})
	}
	members, err := s.Members(ctx)
	if err != nil {
		return err
	}
	for _, m := range members {
		a, g := p.alerts[m.AlertID], p.groups[m.GroupKey]
		if a == nil || g == nil {
			continue
		}
		mem := &member{row: m}
		for _, d := range m.Paged {
			if mem.notified == nil {
				mem.notified = map[string]bool{}
			}
			mem.notified[d] = true
		}
		a.members.add(mem)
		g.members[a.row.ID] = a
		p.timers.add(timer{at: m.NextEscAt, kind: escalateTimer, group: m.GroupKey, alert: m.AlertID})
	}
	sil, err := s.Silences(ctx, p.opt.Clock.Now())
	if err != nil {
		return err
	}
	p.silences = SilencesFrom(sil)
	p.opt.Log.Info("pager ready", "open_alerts", len(p.open), "groups", len(p.groups))
	return nil
}

// SilencesFrom converts stored silences for matching.
func SilencesFrom(rows []store.SilenceRow) route.Silences {
	out := make(route.Silences, 0, len(rows))
	for _, r := range rows {
		out = append(out, route.Silence{ID: r.ID, Matchers: r.Matchers, StartsAt: r.StartsAt, EndsAt: r.EndsAt,
			CreatedBy: r.CreatedBy, Comment: r.Comment, CreatedAt: r.CreatedAt})
	}
	return out
}
