package pager

import (
	"maps"
	"slices"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/store"
)

// alertState is an alert the pager is still delivering: open, or resolved
// with its resolution not yet announced.
type alertState struct {
	row alertRow
	// labels are the alert's labels, packed: the row's map is kept only
	// until the row is stored (row.LabelsUnloaded; see annotations.go).
	labels  alert.LabelSet
	members memberships
	// inhibited are the labels this alert is counted with in the
	// inhibition index of build inhibitGen, as a firing source; inhibitGen
	// is 0 when it is not counted (builds count from 1).
	inhibited  alert.LabelSet
	inhibitGen int
	// annSum and linkSum are the hashes of the stored annotations and
	// links while they are not in memory (row.AnnotationsUnloaded,
	// row.LinksUnloaded; see annotations.go).
	annSum, linkSum uint64
}

// memberships are an alert's places in notification groups. Most alerts are
// in one group: a short list weighs far less than a map per alert.
type memberships []*member

// of returns the alert's place in a group, nil when it is not in it.
func (ms memberships) of(group string) *member {
	for _, m := range ms {
		if m.row.GroupKey == group {
			return m
		}
	}
	return nil
}

func (ms *memberships) add(m *member) { *ms = append(*ms, m) }

// holdFirstIdle marks the first idle membership as held in the alert's
// row (store.AlertRow.FirstGroup) and returns its group, "" when there is
// none. The alert must be one the change opened: its row is being
// inserted, and no membership row of it is stored.
func (ms memberships) holdFirstIdle() string {
	for _, m := range ms {
		if m.idle() {
			m.row.InAlertRow = true
			return m.row.GroupKey
		}
	}
	return ""
}

func (ms *memberships) remove(group string) {
	*ms = slices.DeleteFunc(*ms, func(m *member) bool { return m.row.GroupKey == group })
}

// member is an alert's place in one notification group, with the
// escalation state of that group's route.
type member struct {
	row      store.MemberRow
	notified map[string]bool // destinations paged about the alert through this group; nil until one is
}

// idle reports whether nobody was notified through the membership and its
// escalation has not started.
func (m *member) idle() bool { return m.row.Idle() && len(m.notified) == 0 }

// group is a notification group: alerts of one service and route sharing
// their group_by labels.
type group struct {
	row     store.GroupRow
	members map[int64]*alertState
}

// change collects what one batch of work changed, to be written in one
// transaction, and how to put memory back if that write fails.
type change struct {
	alerts map[int64]*alertState
	before map[int64]alertRow // touched alerts as they were
	// fresh are the alerts the change opened, with the first entry of
	// each one's log, written in its row; they are told to Options.Fired
	// after the commit.
	fresh   map[int64]freshAlert
	members map[store.MemberKey]*member
	deleted map[store.MemberKey]bool
	groups  map[string]*group
	dropped map[string]bool
	log     []store.AlertLog
	notes   []store.Notification
	reopen  []store.AlertRow     // check alerts resolved by hand while failing, told to Options.Reopen
	inbox   []store.InboxOutcome // inbox messages applied, marked done in the same commit
	undo    []func()
	// err is a failure met while making the change: it is not written.
	err error
	// rows and memberRows are the room of the last batch's alert and
	// membership rows, kept for the next (see reuse).
	rows       []store.AlertRow
	memberRows []store.MemberRow
}

func newChange() *change {
	return &change{
		alerts: map[int64]*alertState{}, before: map[int64]alertRow{}, fresh: map[int64]freshAlert{}, members: map[store.MemberKey]*member{}, deleted: map[store.MemberKey]bool{},
		groups: map[string]*group{}, dropped: map[string]bool{},
	}
}

// nextChange returns an empty change, the last one's when it was kept.
func (p *Pager) nextChange() *change {
	if c := p.spare; c != nil {
		p.spare = nil
		return c
	}
	return newChange()
}

// maxSpare bounds the alerts of a change whose maps are kept for the next.
const maxSpare = 4096

// reuse keeps c, committed or rolled back and no longer referred to, for
// the next change: its maps are emptied and keep their room, so batch after
// batch of new alerts does not grow them again, as do its lists of alert
// rows, membership rows and log entries, which only the store's write
// read; the other lists, which may have been handed on, are dropped.
func (p *Pager) reuse(c *change) {
	if len(c.alerts) > maxSpare || len(c.members) > maxSpare {
		return // a huge batch's maps go to the collector
	}
	clear(c.alerts)
	clear(c.before)
	clear(c.fresh)
	clear(c.members)
	clear(c.deleted)
	clear(c.groups)
	clear(c.dropped)
	rows, log, memberRows := c.rows[:cap(c.rows)], c.log[:cap(c.log)], c.memberRows[:cap(c.memberRows)]
	clear(rows) // keep nothing they pointed to
	clear(log)
	clear(memberRows)
	*c = change{alerts: c.alerts, before: c.before, fresh: c.fresh, members: c.members, deleted: c.deleted,
		groups: c.groups, dropped: c.dropped, rows: rows[:0], log: log[:0], memberRows: memberRows[:0]}
	p.spare = c
}

func (c *change) empty() bool {
	return len(c.alerts)+len(c.members)+len(c.deleted)+len(c.groups)+len(c.dropped)+len(c.log)+len(c.notes)+len(c.inbox) == 0
}

// touchAlert marks an alert dirty and remembers its row as it was.
func (c *change) touchAlert(a *alertState) {
	if _, ok := c.alerts[a.row.ID]; ok {
		return
	}
	c.alerts[a.row.ID] = a
	prev := a.row
	c.before[a.row.ID] = prev
	c.undo = append(c.undo, func() { a.row = prev })
}

// freshAlert is an alert the change opened: the entry that starts its log,
// and the text of its row when it was encoded ahead (see prepare).
type freshAlert struct {
	fired store.AlertLog
	text  *encoded
}

// touchFresh marks an alert the change opened dirty, with the entry that
// starts its log and the text of its row, if any. It has no row to put
// back: undoing its opening forgets it.
func (c *change) touchFresh(a *alertState, fired store.AlertLog, text *encoded) {
	c.alerts[a.row.ID] = a
	c.fresh[a.row.ID] = freshAlert{fired: fired, text: text}
}

// touchFreshMember marks a membership the change made dirty; undoing the
// change forgets its alert.
func (c *change) touchFreshMember(m *member) {
	c.members[store.MemberKey{AlertID: m.row.AlertID, GroupKey: m.row.GroupKey}] = m
}

func (c *change) touchMember(m *member) {
	k := store.MemberKey{AlertID: m.row.AlertID, GroupKey: m.row.GroupKey}
	delete(c.deleted, k)
	if _, ok := c.members[k]; ok {
		return
	}
	c.members[k] = m
	prev := m.row
	prevNotified := maps.Clone(m.notified)
	c.undo = append(c.undo, func() { m.row, m.notified = prev, prevNotified })
}

func (c *change) touchGroup(g *group) {
	delete(c.dropped, g.row.Key)
	if _, ok := c.groups[g.row.Key]; ok {
		return
	}
	c.groups[g.row.Key] = g
	prev := g.row
	c.undo = append(c.undo, func() { g.row = prev })
}

// batch is what gets written.
func (c *change) batch() store.AlertBatch {
	b := store.AlertBatch{Alerts: c.rows[:0], Members: c.memberRows[:0]}
	// In id order, as the store writes them: sorting the ids is cheaper
	// than sorting the rows.
	for _, id := range slices.Sorted(maps.Keys(c.alerts)) {
		a := c.alerts[id]
		f, fresh := c.fresh[id]
		if !fresh && onlyRepeated(c.before[id], a.row) {
			b.Repeats = append(b.Repeats, store.AlertRepeat{ID: id, Occurrences: a.row.Occurrences,
				LastSeen: a.row.LastSeen, UpdatedAt: a.row.UpdatedAt})
			continue
		}
		row := a.row.storeRow()
		row.Fired, row.Text = f.fired, f.text.still(a.row)
		if fresh {
			row.FirstGroup = a.members.holdFirstIdle()
		}
		b.Alerts = append(b.Alerts, row)
	}
	for k, m := range c.members {
		if c.deleted[k] {
			continue
		}
		if m.row.InAlertRow {
			if m.idle() {
				continue // its alert's row holds it as it is
			}
			m.row.InAlertRow = false // its own row holds it from now on; undone with the rest of m.row
		}
		row := m.row
		row.Paged = slices.Sorted(maps.Keys(m.notified))
		b.Members = append(b.Members, row)
	}
	for k := range c.deleted {
		b.DeleteMembers = append(b.DeleteMembers, k)
	}
	for key, g := range c.groups {
		if !c.dropped[key] {
			b.Groups = append(b.Groups, g.row)
		}
	}
	for key := range c.dropped {
		b.DeleteGroups = append(b.DeleteGroups, key)
	}
	b.Log = c.log
	b.Notifications = c.notes
	return b
}

// rollback puts memory back as it was before the change.
func (c *change) rollback() {
	for i := len(c.undo) - 1; i >= 0; i-- {
		c.undo[i]()
	}
}

// onlyRepeated reports whether now differs from was only in what a resend
// changes: its count and times. Such an alert is written as a repeat, which
// touches none of the indexed columns.
func onlyRepeated(was, now alertRow) bool {
	return was.DedupKey == now.DedupKey && was.Source == now.Source && was.Integration == now.Integration &&
		was.Status == now.Status && was.Severity == now.Severity && was.Summary == now.Summary &&
		was.Service == now.Service && was.Runbook == now.Runbook && was.FirstSeen.Equal(now.FirstSeen) &&
		(was.handled == now.handled || was.held().equal(now.held())) &&
		was.LabelsUnloaded == now.LabelsUnloaded && maps.Equal(was.Labels, now.Labels) &&
		was.AnnotationsUnloaded == now.AnnotationsUnloaded && maps.Equal(was.Annotations, now.Annotations) &&
		was.LinksUnloaded == now.LinksUnloaded && slices.Equal(was.Links, now.Links)
}
