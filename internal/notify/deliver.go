package notify

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/store"
)

// deliver sends one destination what is due for it, as one message. It
// reads the destination's notifications itself, so that a backlog for one
// destination never hides another's. It leaves out those in skip: they
// went, and their outcomes are on their way to the store.
func (o *Outbox) deliver(ctx context.Context, name string, skip map[int64]bool) delivery {
	d := delivery{dest: name}
	now := o.opt.Clock.Now()
	ns, full, err := o.readDue(ctx, name, now, skip)
	d.full = full
	if err == nil && len(ns) == 0 && o.opt.Claimer != "" {
		// Due, yet another replica holds it (or a claim on its
		// destination): look again soon, for that replica may die.
		d.later = now.Add(claimRecheck)
	}
	if err != nil || len(ns) == 0 {
		if err != nil && ctx.Err() == nil {
			o.opt.Log.Error("outbox: reading due notifications failed", "destination", name, "err", err)
		}
		return d
	}
	if one := unbundled(ns); len(one) < len(ns) {
		if o.opt.Claimer != "" {
			// Claimed with the rest: let them go, due now, for the next send.
			for _, n := range ns {
				if !slices.ContainsFunc(one, func(x store.Notification) bool { return x.ID == n.ID }) {
					d.updates = append(d.updates, store.NotificationUpdate{ID: n.ID, Status: store.NotifyPending, Attempts: n.Attempts, NextAttemptAt: now, LastError: n.LastError})
				}
			}
		}
		ns, d.full = one, true // the rest go next: the destination stays due
	}
	dest, limit, ok := o.opt.Resolve(name)
	if !ok {
		d.updates = append(d.updates, outcome(ns, store.NotifyFailed, now, time.Time{}, "destination "+name+" is no longer configured")...)
		return d
	}
	if at, held := o.held(name, limit, now); held {
		// Over its limit: wait for a free slot; what piles up goes as one message.
		d.later = at
		for _, n := range ns {
			d.updates = append(d.updates, store.NotificationUpdate{ID: n.ID, Status: store.NotifyPending, Attempts: n.Attempts, NextAttemptAt: at, LastError: n.LastError})
		}
		return d
	}
	msgs := make([]Message, 0, len(ns))
	for _, n := range ns {
		var m Message
		if err := json.Unmarshal(n.Message, &m); err != nil {
			d.updates = append(d.updates, outcome(ns, store.NotifyFailed, now, time.Time{}, "unreadable message: "+err.Error())...)
			return d
		}
		msgs = append(msgs, m)
	}
	var superseded []store.NotificationUpdate
	ns, msgs, superseded = o.current(ctx, ns, msgs)
	d.updates = append(d.updates, superseded...)
	if len(ns) == 0 {
		return d
	}

	// A send once begun runs to its end, within its timeout, even when Run
	// is stopped meanwhile: cut off, the receiver may have the page while
	// its outcome says pending, and it would go again after the restart.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.opt.Timeout)
	sw := clock.Start()
	msg := Bundle(msgs).In(dest.Zone)
	msg.Delivery = deliveryKey(ns)
	err = o.opt.Sender.Send(sctx, dest, msg)
	cancel()
	o.m.observe(dest.Type, err, sw.Elapsed())
	now = o.opt.Clock.Now()
	if err == nil {
		o.noteSent(name, now)
		for _, n := range ns {
			o.m.latency.Observe(now.Sub(n.CreatedAt).Seconds())
		}
		d.result = resultSent
		d.updates = append(d.updates, outcome(ns, store.NotifySent, now, time.Time{}, "")...)
		return d
	}
	retry, after := Retry(err)
	if !retry {
		o.opt.Log.Error("outbox: destination refused a notification", "destination", name, "err", err)
		d.result = resultFailed
		d.updates = append(d.updates, outcome(ns, store.NotifyFailed, now, time.Time{}, err.Error())...)
		return d
	}
	attempts := 0
	for _, n := range ns {
		attempts = max(attempts, n.Attempts+1)
	}
	d.result, d.retryAt = resultRetry, now.Add(max(after, o.backoff(attempts)))
	d.later = d.retryAt
	o.opt.Log.Warn("outbox: delivery failed; will retry", "destination", name, "attempt", attempts, "retry_at", d.retryAt, "err", err)
	for _, n := range ns {
		u := store.NotificationUpdate{ID: n.ID, Status: store.NotifyPending, Attempts: n.Attempts + 1, NextAttemptAt: d.retryAt, LastError: err.Error()}
		if now.Sub(n.CreatedAt) >= o.opt.MaxRetryAge {
			// A page that could not be delivered in a day is history, not news.
			u.Status, u.NextAttemptAt = store.NotifyFailed, time.Time{}
			u.LastError = "gave up after retrying for " + duration.Format(o.opt.MaxRetryAge) + ": " + err.Error()
		}
		d.updates = append(d.updates, u)
	}
	return d
}

// claimRecheck is how soon a destination whose notifications another
// replica holds is looked at again.
const claimRecheck = 500 * time.Millisecond

// readDue reads up to a bundle of what is due for a destination, but for
// the notifications in skip; among replicas, it claims it. full says more
// may be due.
func (o *Outbox) readDue(ctx context.Context, name string, now time.Time, skip map[int64]bool) (ns []store.Notification, full bool, err error) {
	if o.opt.Claimer == "" {
		// Read past the skipped ones, so that a bundle's worth of them
		// cannot stall the destination.
		ns, err = o.opt.Store.DueNotificationsTo(ctx, name, now, maxBundle+len(skip))
	} else {
		// A claim pushes its rows' next attempt past the sending deadline,
		// so rows whose outcomes are unstored are due again only if writing
		// them outlasts it; claimed again then, they are skipped, and the
		// claim keeps other replicas off them until the outcome is written.
		sw := clock.Start()
		ns, err = o.opt.Store.ClaimNotificationsTo(ctx, name, now, maxBundle, o.opt.Claimer, o.opt.ClaimHold)
		if o.opt.Claims != nil && err == nil {
			o.opt.Claims.Observe(sw.Elapsed().Seconds())
		}
		full = len(ns) == maxBundle
	}
	if err != nil {
		return nil, false, err
	}
	ns = slices.DeleteFunc(ns, func(n store.Notification) bool { return skip[n.ID] })
	if len(ns) >= maxBundle {
		ns, full = ns[:maxBundle], true
	}
	return ns, full, nil
}

// deliveryKey names the notifications a message carries.
func deliveryKey(ns []store.Notification) string {
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = strconv.FormatInt(n.ID, 10)
	}
	return strings.Join(ids, ",")
}

// unbundled picks what one send may carry: a report is a whole document
// and goes on its own; anything else goes together, without the reports.
func unbundled(ns []store.Notification) []store.Notification {
	if ns[0].Kind == string(KindReport) {
		return ns[:1]
	}
	return slices.DeleteFunc(slices.Clone(ns), func(n store.Notification) bool { return n.Kind == string(KindReport) })
}

// current brings messages about alerts up to date before they are sent: a
// page (firing, escalation, reminder) whose alerts have all resolved since it
// was written is superseded, not sent (the resolved notice says it is over;
// a page re-sent after a restart must not announce a resolved alert as
// firing); in the others each alert shows its status now. It returns what
// is still to be sent, and the updates for what was superseded. When the
// store cannot say, messages go as written: delivery is at least once.
func (o *Outbox) current(ctx context.Context, ns []store.Notification, msgs []Message) ([]store.Notification, []Message, []store.NotificationUpdate) {
	now := o.opt.Clock.Now()
	var ids []int64
	for i, m := range msgs {
		if ns[i].Attempts == 0 && now.Sub(ns[i].CreatedAt) < time.Second {
			continue // written just now: its alerts are as it says
		}
		for _, a := range m.Alerts {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return ns, msgs, nil
	}
	status, err := o.opt.Store.AlertStatuses(ctx, ids)
	if err != nil {
		return ns, msgs, nil
	}
	var (
		keepN   []store.Notification
		keepM   []Message
		updates []store.NotificationUpdate
	)
	for i, m := range msgs {
		resolved := 0
		m.Alerts = append([]Alert(nil), m.Alerts...)
		for j := range m.Alerts {
			a := &m.Alerts[j]
			st, known := status[a.ID]
			if !known {
				continue
			}
			switch st {
			case "resolved":
				a.Status, a.AckURL, a.ResolveURL = st, "", ""
				resolved++
			case "acknowledged":
				if a.Status == "firing" {
					a.Status, a.AckURL = st, ""
				}
			}
		}
		if page(m.Kind) && len(m.Alerts) > 0 && resolved == len(m.Alerts) {
			updates = append(updates, store.NotificationUpdate{ID: ns[i].ID, Status: store.NotifySuperseded, Attempts: ns[i].Attempts,
				LastError: "not sent: its alerts resolved before it could be delivered"})
			continue
		}
		keepN, keepM = append(keepN, ns[i]), append(keepM, m)
	}
	return keepN, keepM, updates
}

// page reports whether a kind asks someone to act on open alerts.
func page(k Kind) bool {
	return k == KindFiring || k == KindEscalation || k == KindReminder
}

// backoff doubles from one second to MaxDelay, with jitter so that many
// notifications to one recovering destination do not all retry at once.
func (o *Outbox) backoff(attempts int) time.Duration {
	d := time.Second << min(attempts-1, 20)
	d = min(d, o.opt.MaxDelay)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

func outcome(ns []store.Notification, status string, now, next time.Time, errText string) []store.NotificationUpdate {
	out := make([]store.NotificationUpdate, len(ns))
	for i, n := range ns {
		u := store.NotificationUpdate{ID: n.ID, Status: status, Attempts: n.Attempts + 1, NextAttemptAt: next, LastError: errText}
		if status == store.NotifySent {
			u.SentAt = now
		}
		out[i] = u
	}
	return out
}
