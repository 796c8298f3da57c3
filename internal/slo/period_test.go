package slo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
)

// TestPeriodCountsOnlyThePeriod: a past week is read as [from, now) less
// [to, now), so what happened before it, and after it up to now, does not
// count; a check is judged as its own availability SLI; a source that
// cannot answer says so instead of reporting 100%.
func TestPeriodCountsOnlyThePeriod(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	from, to := start.Add(7*24*time.Hour), start.Add(14*24*time.Hour)
	now := start.Add(21 * 24 * time.Hour)
	// 100 requests a minute; the week before and the week after fail half,
	// the week itself fails one in a hundred.
	src := newSeries(start, 21*24*60, func(m int) (float64, float64) {
		at := start.Add(time.Duration(m) * time.Minute)
		if at.Before(from) || !at.Before(to) {
			return 50, 100
		}
		return 99, 100
	})
	cfg, err := config.Parse("slo.yaml", []byte(`
services:
  - id: shop
    slos:
      - {id: orders, objective: 99.5, window: 30d, events: {}}
    checks:
      - {id: web, http: {url: "http://127.0.0.1:1/"}}
  - id: cart
    slos:
      - {id: pay, objective: 90, window: 7d, prometheus: {good: 'sum(rate(ok[5m]))', total: 'sum(rate(all[5m]))', url: "http://127.0.0.1:1"}}
`), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	svc := New(Options{Clock: clock.NewFake(now)})
	svc.eval.Sources["events"], svc.eval.Sources["availability"] = src, src
	svc.eval.Sources["prometheus"] = down{}

	slos, uptime := svc.Period(context.Background(), cfg, nil, from, to)
	if len(slos) != 2 || len(uptime) != 1 {
		t.Fatalf("slos %+v uptime %+v", slos, uptime)
	}
	orders := slos[0]
	if orders.ID != "orders" || orders.SLI == nil || *orders.SLI != 99 || orders.Met || orders.Total != 7*24*60*100 {
		t.Errorf("orders over the week: %+v (SLI %v)", orders, ptrText(orders.SLI))
	}
	if web := uptime[0]; web.ID != "web" || web.Kind != "availability" || web.SLI == nil || *web.SLI != 99 {
		t.Errorf("web's uptime: %+v", web)
	}
	if pay := slos[1]; pay.SLI != nil || pay.Error == "" {
		t.Errorf("a source that cannot answer: %+v", pay)
	}

	// One service only; a period that is still running ends now.
	slos, _ = svc.Period(context.Background(), cfg, []string{"shop"}, to, now.Add(time.Hour))
	if len(slos) != 1 || slos[0].SLI == nil || *slos[0].SLI != 50 {
		t.Errorf("the week after, up to now: %+v", slos)
	}
}

type down struct{}

func (down) Read(_ context.Context, reqs []Request, _ time.Time) []Reading {
	out := make([]Reading, len(reqs))
	for i := range out {
		out[i].Err = errors.New("prometheus is down")
	}
	return out
}
