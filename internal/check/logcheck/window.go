package logcheck

import "time"

// window sums the matches of recent probes, so `matches < 5` with window: 10m
// means "fewer than five matching lines read in the last ten minutes".
type window struct {
	span time.Duration
	hits []hit // oldest first; only probes that found matches
	last string
}

type hit struct {
	at time.Time
	n  int
}

// add records n matches read at now, the last of them being line, and returns
// the matches within the window and the most recent matching line among them.
func (w *window) add(now time.Time, n int, line string) (total int, last string) {
	if n > 0 {
		w.last = line
	}
	if w.span <= 0 {
		if n == 0 {
			return 0, ""
		}
		return n, w.last
	}
	if n > 0 {
		w.hits = append(w.hits, hit{at: now, n: n})
	}
	cutoff := now.Add(-w.span)
	drop := 0
	for drop < len(w.hits) && !w.hits[drop].at.After(cutoff) {
		drop++
	}
	w.hits = append(w.hits[:0], w.hits[drop:]...)
	for _, h := range w.hits {
		total += h.n
	}
	// The newest match belongs to the newest hit, which expires last.
	if total == 0 {
		w.last = ""
	}
	return total, w.last
}
