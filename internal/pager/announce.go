package pager

import (
	"context"
	"encoding/json"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/store"
)

// Announcement is a message that is not about an alert's state: a runbook's
// notify step, a request to approve a run, an incident's news. It goes
// through the outbox like a page, so it is retried and never dropped.
type Announcement struct {
	Kind    notify.Kind // notify.KindRunbook when empty
	Targets []string    // person/ID, team/ID, schedule/ID, channel/ID
	Title   string
	Text    string
	URL     string
	AlertID int64 // when set, the notifications join that alert's delivery history
	// PageFirst lists alerts the announcement is about that must reach
	// on-call no later than it: any of them still waiting for its group's
	// first flush pages now, in the same transaction, ahead of the
	// announcement (stakeholders never hear of an incident before on-call).
	PageFirst []int64
	// Report is a scheduled report's document (Kind notify.KindReport).
	Report *notify.Report
}

// Announce writes one notification per destination of the targets and
// returns once they are stored.
func (p *Pager) Announce(ctx context.Context, a Announcement) error {
	if len(a.Targets) == 0 {
		return errs.E(errs.Invalid, "nobody to notify")
	}
	return p.call(ctx, &request{op: &opRequest{announce: &a}}).err
}

// Note adds an entry to an alert's timeline, e.g. a runbook run it started.
func (p *Pager) Note(ctx context.Context, alertID int64, kind, actor, detail string) error {
	return p.call(ctx, &request{op: &opRequest{note: &store.AlertLog{AlertID: alertID, Kind: kind, Actor: actor, Detail: detail}}}).err
}

func (p *Pager) announce(c *change, a Announcement, now time.Time) {
	if len(a.PageFirst) > 0 {
		out := newOutgoing()
		for _, id := range a.PageFirst {
			if st := p.alerts[id]; st != nil {
				p.pageNow(c, out, st, now)
			}
		}
		p.send(c, out, now)
	}
	kind := a.Kind
	if kind == "" {
		kind = notify.KindRunbook
	}
	msg := notify.Message{Kind: kind, Title: a.Title, Text: a.Text, URL: a.URL, Report: a.Report, At: now}
	if msg.URL == "" {
		msg.URL = p.w.url("/")
	}
	body, err := json.Marshal(msg)
	if err != nil {
		p.opt.Log.Error("pager: encoding an announcement failed", "err", err)
		return
	}
	for _, dest := range p.w.destinations(a.Targets, now) {
		p.ids.note++
		n := store.Notification{ID: p.ids.note, CreatedAt: now, Kind: string(kind), Destination: dest,
			Message: body, Status: store.NotifyPending, NextAttemptAt: now}
		if a.AlertID != 0 {
			n.AlertIDs = []int64{a.AlertID}
		}
		c.notes = append(c.notes, n)
	}
}
