package slo

import (
	"context"
	"time"
)

// Counts are an SLI's good and total over a span: milliseconds of check
// time for availability, events otherwise. Events is how many observations
// (results, requests) they came from, for the low-traffic guard.
type Counts struct {
	Good, Total, Events float64
}

func (c Counts) add(o Counts, w float64) Counts {
	return Counts{c.Good + w*o.Good, c.Total + w*o.Total, c.Events + w*o.Events}
}

// Ratio is good/total, and false when there is nothing to divide.
func (c Counts) Ratio() (float64, bool) {
	if c.Total <= 0 {
		return 0, false
	}
	return c.Good / c.Total, true
}

// Reading is what a source could say about one span: counts, or why it
// could not read them (a Prometheus that is down), which is never zero.
type Reading struct {
	Counts
	Err error
}

// Request asks for an SLO's counts over [From, now).
type Request struct {
	SLO  *SLO
	From time.Time
}

// Source reads the SLIs of one kind; it answers every request, in order,
// and batches as it can (one query per rollup range for all checks).
type Source interface {
	Read(ctx context.Context, reqs []Request, now time.Time) []Reading
}
