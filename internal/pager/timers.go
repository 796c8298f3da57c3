package pager

import (
	"container/heap"
	"time"
)

// timerKind is what a timer does when it fires.
type timerKind int

const (
	flushTimer    timerKind = iota // a group's group_wait or group_interval ended
	escalateTimer                  // an alert's next escalation step is due
	handoffTimer                   // a schedule hands over
)

// timer is one entry of the pager's agenda. Entries are not removed when
// plans change; one that no longer matches its group or member is skipped.
type timer struct {
	at    time.Time
	kind  timerKind
	group string
	alert int64
}

type agenda []timer

func (a agenda) Len() int           { return len(a) }
func (a agenda) Less(i, j int) bool { return a[i].at.Before(a[j].at) }
func (a agenda) Swap(i, j int)      { a[i], a[j] = a[j], a[i] }
func (a *agenda) Push(x any)        { *a = append(*a, x.(timer)) }
func (a *agenda) Pop() any {
	old := *a
	t := old[len(old)-1]
	*a = old[:len(old)-1]
	return t
}

func (a *agenda) add(t timer) {
	if !t.at.IsZero() {
		heap.Push(a, t)
	}
}

// due pops every timer at or before now.
func (a *agenda) due(now time.Time) []timer {
	var out []timer
	for a.Len() > 0 && !(*a)[0].at.After(now) {
		out = append(out, heap.Pop(a).(timer))
	}
	return out
}

// next is when the earliest timer fires; zero when there is none.
func (a agenda) next() time.Time {
	if len(a) == 0 {
		return time.Time{}
	}
	return a[0].at
}
