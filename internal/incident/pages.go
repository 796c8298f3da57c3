package incident

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

// deliveryRow is one notification, one destination, as the full timeline
// keeps it.
func deliveryRow(n store.Notification) store.TimelineEntry {
	at := n.CreatedAt
	what := n.Kind + " page to " + n.Destination + " (" + n.Status + ")"
	if !n.SentAt.IsZero() {
		at, what = n.SentAt, n.Kind+" page delivered to "+n.Destination
	}
	return store.TimelineEntry{At: at, Kind: "notification", Actor: "vigil", Text: what, Source: "notification/" + strconv.FormatInt(n.ID, 10)}
}

// pageRows folds an alert's notifications into one row per page: the
// notifications of one kind written at the same moment are one page to
// several contacts. The row is at the first delivery (or when the page was
// written, if none arrived) and says where it went and, when not every
// contact got it, what became of each.
func pageRows(notes []store.Notification) []store.TimelineEntry {
	type key struct {
		kind string
		at   time.Time
	}
	byPage := map[key][]store.Notification{}
	var order []key
	for _, n := range notes {
		k := key{n.Kind, n.CreatedAt}
		if _, ok := byPage[k]; !ok {
			order = append(order, k)
		}
		byPage[k] = append(byPage[k], n)
	}
	out := make([]store.TimelineEntry, 0, len(order))
	for _, k := range order {
		ns := byPage[k]
		sort.SliceStable(ns, func(i, j int) bool { return ns[i].Destination < ns[j].Destination })
		at, delivered := k.at, 0
		var dests, each []string
		for _, n := range ns {
			dests = append(dests, n.Destination)
			each = append(each, n.Destination+" ("+statusWord(n)+")")
			if !n.SentAt.IsZero() {
				if delivered == 0 || n.SentAt.Before(at) {
					at = n.SentAt
				}
				delivered++
			}
		}
		text := k.kind + " page delivered to " + strings.Join(dests, ", ")
		if delivered < len(ns) {
			text = k.kind + " page to " + strings.Join(each, ", ")
		}
		// The source names the page's first notification, so the row is
		// recognisable and never repeats.
		out = append(out, store.TimelineEntry{At: at, Kind: "notification", Actor: "vigil", Text: text,
			Source: "page/" + strconv.FormatInt(ns[0].ID, 10)})
	}
	return out
}

func statusWord(n store.Notification) string {
	if !n.SentAt.IsZero() {
		return "delivered"
	}
	return n.Status
}
