package pager

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// The inbox carries requests from replicas that do not hold the pager's
// lease to the one that does. The taker commits the request to
// cluster_inbox (so its 2xx means the request is in Postgres), then waits a
// little for the holder's outcome. The holder reads pending messages and
// applies them in a batch whose commit also marks them done, under its
// fence: a message is applied exactly once, by whichever replica holds the
// lease when it is read, whatever fails in between.

const (
	inboxModule = "pager"
	inboxFormat = 1
	// inboxPoll is how often the holder looks at the inbox without a hint.
	inboxPoll = 200 * time.Millisecond
	// DefaultInboxWait is how long a request waits for its outcome.
	DefaultInboxWait = 3 * time.Second
	// inboxKeep is how long applied messages stay, for senders still
	// waiting for their outcome; inboxPrune how often the holder deletes
	// older ones.
	inboxKeep  = time.Hour
	inboxPrune = time.Minute
)

type inboxPayload struct {
	Events []alert.Event `json:"events,omitempty"`
	Op     *inboxOp      `json:"op,omitempty"`
}

type inboxOp struct {
	ID       int64           `json:"id,omitempty"`
	Action   alert.Action    `json:"action,omitempty"`
	By       string          `json:"by,omitempty"`
	Note     *store.AlertLog `json:"note,omitempty"`
	Announce *Announcement   `json:"announce,omitempty"`
}

type inboxOutcome struct {
	Outcomes []Outcome `json:"outcomes,omitempty"`
	Code     errs.Code `json:"code,omitempty"`
	Error    string    `json:"error,omitempty"`
}

func encodeOutcome(r reply) []byte {
	o := inboxOutcome{Outcomes: r.outcomes}
	if r.err != nil {
		o.Code, o.Error = errs.CodeOf(r.err), errs.Message(r.err)
	}
	b, _ := json.Marshal(o)
	return b
}

func decodeOutcome(b []byte) reply {
	var o inboxOutcome
	if err := json.Unmarshal(b, &o); err != nil {
		return reply{err: errs.Wrap(errs.Internal, err, "reading the pager's outcome")}
	}
	r := reply{outcomes: o.Outcomes}
	if o.Error != "" {
		r.err = errs.E(o.Code, "%s", o.Error)
	}
	return r
}

// WakeInbox tells the holder that the inbox has a message (a NOTIFY).
func (p *Pager) WakeInbox() {
	select {
	case p.inboxWake <- struct{}{}:
	default:
	}
}

// WakeDone tells waiting requests that outcomes were written (a NOTIFY).
func (p *Pager) WakeDone() {
	p.doneMu.Lock()
	close(p.doneWake)
	p.doneWake = make(chan struct{})
	p.doneMu.Unlock()
}

func (p *Pager) doneHint() <-chan struct{} {
	p.doneMu.Lock()
	defer p.doneMu.Unlock()
	return p.doneWake
}

// viaInbox commits r to the inbox and waits for its outcome.
func (p *Pager) viaInbox(ctx context.Context, r *request) reply {
	var in inboxPayload
	switch {
	case r.op != nil:
		in.Op = &inboxOp{ID: r.op.id, Action: r.op.action, By: r.op.by, Note: r.op.note, Announce: r.op.announce}
	default:
		in.Events = r.events
	}
	payload, err := json.Marshal(in)
	if err != nil {
		return reply{err: errs.Wrap(errs.Internal, err, "encoding the request")}
	}
	id, err := p.opt.Store.AddInbox(ctx, store.InboxMessage{Module: inboxModule, Format: inboxFormat, Payload: payload, Sender: p.opt.Sender})
	if err != nil {
		return reply{err: errs.Wrap(errs.Unavailable, err, "could not store the request; nothing was recorded")}
	}
	p.opt.Metrics.observeInbox()
	wait := p.opt.InboxWait
	if wait <= 0 {
		wait = DefaultInboxWait
	}
	deadline := p.rt.NewTimer(wait)
	defer deadline.Stop()
	for {
		hint := p.doneHint()
		outs, err := p.opt.Store.InboxOutcomes(ctx, []int64{id})
		if err == nil {
			if b, ok := outs[id]; ok {
				return decodeOutcome(b)
			}
		}
		select {
		case <-ctx.Done():
			return queued(r)
		case <-deadline.Chan():
			return queued(r)
		case <-hint:
		case <-p.rt.After(50 * time.Millisecond):
		}
	}
}

// queued answers a request that is stored in the inbox but not applied yet:
// it will be, by whichever replica holds the pager's lease next.
func queued(r *request) reply {
	if r.op != nil {
		return reply{outcomes: []Outcome{{AlertID: r.op.id, Queued: true}}}
	}
	out := make([]Outcome, len(r.events))
	for i, ev := range r.events {
		out[i] = Outcome{DedupKey: ev.Key, Queued: true}
	}
	return reply{outcomes: out}
}

// serveInbox applies pending inbox messages as one batch.
func (p *Pager) serveInbox(ctx context.Context) {
	if p.fenced || ctx.Err() != nil {
		return
	}
	now := p.opt.Clock.Now()
	if now.Before(p.retryAt) {
		return
	}
	sw := p.rt.Now()
	if sw.Sub(p.pruned) >= inboxPrune {
		p.pruned = sw
		if _, err := p.opt.Store.PruneInbox(ctx, inboxKeep); err != nil {
			p.opt.Log.Warn("pager: pruning the inbox failed", "err", err)
		}
	}
	msgs, err := p.opt.Store.PendingInbox(ctx, inboxModule, nil, maxBatch)
	p.opt.Metrics.observeClaim(p.rt.Since(sw))
	if err != nil {
		p.opt.Log.Warn("pager: reading the inbox failed; retrying", "err", err)
		return
	}
	if len(msgs) == 0 {
		return
	}
	batch := make([]*request, 0, len(msgs))
	for _, m := range msgs {
		r, err := decodeInbox(m)
		if err != nil {
			// A format from a newer version: leave it for a replica that
			// reads it (the lease's module version keeps older ones off
			// once a newer one held it).
			p.opt.Log.Warn("pager: an inbox message this version cannot read waits", "id", m.ID, "err", err)
			continue
		}
		r.ctx, r.reply, r.inbox = context.Background(), make(chan reply, 1), m.ID
		batch = append(batch, r)
	}
	if len(batch) > 0 {
		p.serve(batch)
	}
}

func decodeInbox(m store.InboxMessage) (*request, error) {
	if m.Format != inboxFormat {
		return nil, fmt.Errorf("format %d", m.Format)
	}
	var in inboxPayload
	if err := json.Unmarshal(m.Payload, &in); err != nil {
		return nil, err
	}
	if in.Op != nil {
		return &request{op: &opRequest{id: in.Op.ID, action: in.Op.Action, by: in.Op.By, note: in.Op.Note, announce: in.Op.Announce}}, nil
	}
	return &request{events: in.Events}, nil
}
