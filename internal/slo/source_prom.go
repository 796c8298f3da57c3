package slo

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/check/promcheck"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
)

// promSource reads ratio SLIs from Prometheus: the good (or bad) and total
// queries, each with {{.window}} set to the span, evaluated at Prometheus'
// own current time. An unreachable Prometheus or a failing query is an
// error, so the SLI has no data and says why; it is never read as zero.
type promSource struct {
	mu    sync.Mutex
	conns map[string]*promcheck.Conn // by SLO key
	// timeout bounds each query; parallel bounds queries in flight.
	timeout  time.Duration
	parallel int
}

func newPromSource() *promSource {
	return &promSource{conns: map[string]*promcheck.Conn{}, timeout: 10 * time.Second, parallel: 4}
}

func (s *promSource) conn(l *SLO) (*promcheck.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.conns[l.Key()]; ok {
		return c, nil
	}
	p := l.Cfg.Prometheus
	c, err := promcheck.Dial(p.URL, p.Headers, p.Token)
	if err != nil {
		return nil, err
	}
	s.conns[l.Key()] = c
	return c, nil
}

// forget drops connections so a reload's new URL or token is used.
func (s *promSource) forget() {
	s.mu.Lock()
	s.conns = map[string]*promcheck.Conn{}
	s.mu.Unlock()
}

func (s *promSource) Read(ctx context.Context, reqs []Request, now time.Time) []Reading {
	out := make([]Reading, len(reqs))
	sem := make(chan struct{}, s.parallel)
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = s.read(ctx, r, now)
		}()
	}
	wg.Wait()
	return out
}

func (s *promSource) read(ctx context.Context, r Request, now time.Time) Reading {
	c, err := s.conn(r.SLO)
	if err != nil {
		return Reading{Err: err}
	}
	span := now.Sub(r.From).Truncate(time.Second)
	if span < time.Second {
		return Reading{}
	}
	win := duration.Format(span)
	p := r.SLO.Cfg.Prometheus
	total, err := s.scalar(ctx, c, promcheck.WithWindow(p.Total, win))
	if err != nil {
		return Reading{Err: err}
	}
	q := p.Good
	if q == "" {
		q = p.Bad
	}
	v, err := s.scalar(ctx, c, promcheck.WithWindow(q, win))
	if err != nil {
		return Reading{Err: err}
	}
	if math.IsNaN(v) || math.IsNaN(total) || math.IsInf(v, 0) || math.IsInf(total, 0) {
		return Reading{Err: fmt.Errorf("prometheus %s: the queries answered %g of %g, not counts", c.URL(), v, total)}
	}
	good := v
	if p.Good == "" {
		good = total - v
	}
	return Reading{Counts: Counts{Good: max(0, min(good, total)), Total: total, Events: total}}
}

// scalar runs q and sums its samples: an SLI query answers one number, and
// an empty answer (no such series yet) is zero events.
func (s *promSource) scalar(ctx context.Context, c *promcheck.Conn, q string) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := c.Query(ctx, q, time.Time{})
	if err != nil {
		return 0, err
	}
	samples, err := promcheck.Samples(v)
	if err != nil {
		return 0, fmt.Errorf("prometheus %s: %w", c.URL(), err)
	}
	var sum float64
	for _, smp := range samples {
		sum += smp.Value
	}
	return sum, nil
}

// promQueries are an SLI's queries, for history.
func promQueries(p *config.PrometheusSLI) (good, total string, isBad bool) {
	if p.Good != "" {
		return p.Good, p.Total, false
	}
	return p.Bad, p.Total, true
}
