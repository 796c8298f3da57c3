package toil

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/store"
)

// Query selects ledger entries; zero fields select everything but the
// period, which is required.
type Query struct {
	From, To time.Time // entries that started in [From, To)
	Service  string
	Item     string // "-" selects the entries no item claims
	Person   string
	Source   string
	Limit    int // 0: all
}

// Unclassified is Query.Item's value for entries no item claims.
const Unclassified = "-"

// Entries returns the ledger's entries q selects, oldest first.
func (l *Ledger) Entries(ctx context.Context, q Query) ([]Entry, error) {
	cfg := l.d.Config()
	all, err := l.collect(ctx, newWorld(cfg, l.d.Directory(), l.d.Clock.Now()), q.From, q.To)
	if err != nil {
		return nil, err
	}
	out := []Entry{}
	for _, e := range all {
		if q.selects(e) {
			out = append(out, e)
			if q.Limit > 0 && len(out) == q.Limit {
				break
			}
		}
	}
	return out, nil
}

func (q Query) selects(e Entry) bool {
	switch {
	case q.Service != "" && e.Service != q.Service,
		q.Person != "" && e.Person != q.Person,
		q.Source != "" && e.Source != q.Source,
		q.Item == Unclassified && e.Item != "",
		q.Item != "" && q.Item != Unclassified && e.Item != q.Item:
		return false
	}
	return true
}

// collect is every entry that started in [from, to): derived from the
// record and logged by people, attached to items, with each person's
// overlapping derived time counted once.
func (l *Ledger) collect(ctx context.Context, w *world, from, to time.Time) ([]Entry, error) {
	// Time on a page that began before from can cover a run after it.
	derived, err := l.derive(ctx, w, from.Add(-config.MaxToilEntry), to)
	if err != nil {
		return nil, err
	}
	m := newMatcher(w.cfg)
	kept := derived[:0]
	for i := range derived {
		e := &derived[i]
		m.attach(e)
		if e.Source == SourceAlert && e.Item == "" {
			continue // nobody was paged and no item claims it: not toil
		}
		kept = append(kept, *e)
	}
	joinOccurrences(kept)
	countOnce(kept)
	logged, err := l.d.Store.ToilEntries(ctx, store.ToilFilter{From: from, To: to, Limit: 100000})
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(kept)+len(logged))
	for _, e := range kept {
		if !e.At.Before(from) && e.At.Before(to) {
			out = append(out, e)
		}
	}
	for _, r := range logged {
		id := "manual/" + strconv.FormatInt(r.ID, 10)
		out = append(out, Entry{ID: id, At: r.At, Minutes: r.Minutes, Person: r.Person, Service: r.Service, Item: r.Item,
			Source: SourceManual, Text: r.Text, occurrence: id})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// joinOccurrences makes a run or approval done while its person was on a
// page of the same item part of that page's occurrence: restarting the
// processor during its alert is one occurrence of the toil, not two.
func joinOccurrences(es []Entry) {
	type page struct {
		item, occurrence string
		start, end       time.Time
	}
	pages := map[string][]page{}
	for _, e := range es {
		if e.Source == SourcePage && e.Item != "" {
			pages[e.Person] = append(pages[e.Person], page{e.Item, e.occurrence, e.At, e.At.Add(e.span)})
		}
	}
	for i := range es {
		e := &es[i]
		if (e.Source != SourceRun && e.Source != SourceApproval) || e.Item == "" || !strings.HasPrefix(e.occurrence, "run/") {
			continue
		}
		for _, p := range pages[e.Person] {
			if p.item == e.Item && !e.At.Before(p.start) && e.At.Before(p.end) {
				e.occurrence = p.occurrence
				break
			}
		}
	}
}

// countOnce sets each derived entry's minutes: its measured span less the
// time an entry of the same person with a higher priority already counts
// (a run during a page is part of the page's time), rounded up to whole
// minutes. An entry with nothing left is 0 minutes; a sliver is a minute.
func countOnce(es []Entry) {
	byPerson := map[string][]int{}
	for i, e := range es {
		if e.Person == "" {
			es[i].Minutes = minutesOf(e.span)
			continue
		}
		byPerson[e.Person] = append(byPerson[e.Person], i)
	}
	for _, idx := range byPerson {
		sort.SliceStable(idx, func(a, b int) bool {
			ea, eb := es[idx[a]], es[idx[b]]
			if ea.priority != eb.priority {
				return ea.priority < eb.priority
			}
			return ea.At.Before(eb.At)
		})
		var covered spans
		for _, i := range idx {
			e := &es[i]
			start, end := e.At, e.At.Add(e.span)
			overlap := covered.overlap(start, end)
			e.Minutes = minutesOf(e.span - overlap)
			covered = covered.add(start, end)
		}
	}
}

// spans is a sorted list of disjoint time intervals.
type spans []span

type span struct{ start, end time.Time }

// first is the index of the first span that ends after t.
func (s spans) first(t time.Time) int {
	return sort.Search(len(s), func(i int) bool { return s[i].end.After(t) })
}

// overlap is how much of [start, end) the spans cover.
func (s spans) overlap(start, end time.Time) time.Duration {
	var d time.Duration
	for i := s.first(start); i < len(s) && s[i].start.Before(end); i++ {
		lo, hi := maxTime(s[i].start, start), minTime(s[i].end, end)
		if hi.After(lo) {
			d += hi.Sub(lo)
		}
	}
	return d
}

// add merges [start, end) into the spans.
func (s spans) add(start, end time.Time) spans {
	if !end.After(start) {
		return s
	}
	// Spans that touch or overlap [start, end) merge into one.
	i := sort.Search(len(s), func(i int) bool { return !s[i].end.Before(start) })
	j := i
	for j < len(s) && !s[j].start.After(end) {
		start, end = minTime(start, s[j].start), maxTime(end, s[j].end)
		j++
	}
	return slices.Replace(s, i, j, span{start, end})
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
