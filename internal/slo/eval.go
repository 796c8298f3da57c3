package slo

import (
	"context"
	"sort"
	"time"
)

// Evaluator judges SLOs at a moment from their sources, one source per SLI
// kind; it batches every SLO's reads so a cycle costs a few queries per
// window, not per SLO.
type Evaluator struct {
	Sources map[string]Source
}

// Evaluate returns the status of every SLO at now, in the order given.
func (e *Evaluator) Evaluate(ctx context.Context, slos []*SLO, now time.Time) []Status {
	type ask struct {
		slo  int
		span time.Duration // 0: the SLO's window
	}
	byKind := map[string][]Request{}
	asks := map[string][]ask{}
	for i, s := range slos {
		start, _ := Bounds(s.Cfg, now)
		k := s.Kind()
		byKind[k] = append(byKind[k], Request{SLO: s, From: start})
		asks[k] = append(asks[k], ask{slo: i})
		for _, d := range spans(s) {
			byKind[k] = append(byKind[k], Request{SLO: s, From: now.Add(-d)})
			asks[k] = append(asks[k], ask{slo: i, span: d})
		}
	}
	windows := make([]Reading, len(slos))
	spanReads := make([]map[time.Duration]Reading, len(slos))
	for i := range spanReads {
		spanReads[i] = map[time.Duration]Reading{}
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		src := e.Sources[k]
		var got []Reading
		if src == nil {
			got = make([]Reading, len(byKind[k]))
			for i := range got {
				got[i].Err = errNoSource(k)
			}
		} else {
			got = src.Read(ctx, byKind[k], now)
		}
		for i, a := range asks[k] {
			if a.span == 0 {
				windows[a.slo] = got[i]
			} else {
				spanReads[a.slo][a.span] = got[i]
			}
		}
	}
	out := make([]Status, len(slos))
	for i, s := range slos {
		out[i] = judge(s, now, windows[i], spanReads[i])
	}
	return out
}

// spans are the distinct alert windows of an SLO, shortest first.
func spans(s *SLO) []time.Duration {
	seen := map[time.Duration]bool{}
	var out []time.Duration
	for _, r := range s.Cfg.BurnRules() {
		for _, d := range []time.Duration{r.Short, r.Long} {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

type errNoSource string

func (e errNoSource) Error() string { return "no source reads " + string(e) + " SLIs" }
