package slo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
)

// series is synthetic traffic, one entry per minute from start: good and
// total requests. Reads sum whole minutes through prefix sums, so a month of
// evaluations every minute takes milliseconds.
type series struct {
	start       time.Time
	good, total []float64 // prefix sums; [i] is the sum of minutes < i
	down        func(now time.Time) error
}

func newSeries(start time.Time, minutes int, traffic func(m int) (good, total float64)) *series {
	s := &series{start: start, good: make([]float64, minutes+1), total: make([]float64, minutes+1)}
	for m := 0; m < minutes; m++ {
		g, t := traffic(m)
		s.good[m+1] = s.good[m] + g
		s.total[m+1] = s.total[m] + t
	}
	return s
}

func (s *series) idx(t time.Time) int {
	i := int(t.Sub(s.start) / time.Minute)
	return max(0, min(i, len(s.good)-1))
}

func (s *series) Read(_ context.Context, reqs []Request, now time.Time) []Reading {
	out := make([]Reading, len(reqs))
	for i, r := range reqs {
		if s.down != nil {
			if err := s.down(now); err != nil {
				out[i].Err = err
				continue
			}
		}
		a, b := s.idx(r.From), s.idx(now)
		out[i].Counts = Counts{Good: s.good[b] - s.good[a], Total: s.total[b] - s.total[a], Events: s.total[b] - s.total[a]}
	}
	return out
}

func loadSLOs(t *testing.T, yaml string) []*SLO {
	t.Helper()
	cfg, err := config.Parse("slo.yaml", []byte(yaml), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	return FromConfig(cfg)
}

const shop999 = `
services:
  - id: shop
    labels: {team: sre}
    slos:
      - {id: checkout, objective: 99.9, window: 30d, events: {}}
`

// run evaluates every step on a fake clock from start to end, feeding the
// alerter as the service does, and returns the alert events in order with
// the time they were raised.
type raised struct {
	at time.Time
	ev alert.Event
}

func simulate(t *testing.T, slos []*SLO, src Source, start time.Time, d, step time.Duration, each func(time.Time, Status)) []raised {
	t.Helper()
	fc := clock.NewFake(start)
	e := &Evaluator{Sources: map[string]Source{"events": src}}
	var a alerter
	var out []raised
	for fc.Now().Before(start.Add(d)) {
		fc.Advance(step)
		now := fc.Now()
		sts := e.Evaluate(context.Background(), slos, now)
		evs, commit := a.events(slos, sts, "http://vigil")
		primed := a.primed
		commit()
		if primed {
			for _, ev := range evs {
				out = append(out, raised{now, ev})
			}
		}
		if each != nil {
			each(now, sts[0])
		}
	}
	return out
}

// describe lists the events, only those for the given rules when any are named.
func describe(rs []raised, start time.Time, rules ...string) []string {
	var out []string
	for _, r := range rs {
		if len(rules) > 0 && !slices.Contains(rules, r.ev.Labels["slo_severity"]+"-"+r.ev.Labels["window"]) &&
			!(slices.Contains(rules, NoDataRule) && r.ev.Labels["window"] == NoDataRule) {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s", r.at.Sub(start), r.ev.Action, r.ev.Key))
	}
	return out
}

var day0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const month = 30 * 24 * time.Hour

// A month at a steady 0.05% errors spends half the budget and never alerts.
func TestSimQuietMonth(t *testing.T) {
	slos := loadSLOs(t, shop999)
	src := newSeries(day0, 31*1440, func(int) (float64, float64) { return 1999, 2000 })
	var last Status
	rs := simulate(t, slos, src, day0, month, 10*time.Minute, func(_ time.Time, st Status) { last = st })
	if len(rs) != 0 {
		t.Fatalf("alerts in a quiet month: %v", describe(rs, day0))
	}
	if last.Budget.RemainingPercent == nil || *last.Budget.RemainingPercent != 50 || *last.SLI != 99.95 {
		t.Fatalf("after a month: SLI %v, remaining %v; want 99.95 and 50", ptrText(last.SLI), ptrText(last.Budget.RemainingPercent))
	}
	if *last.BurnRate != 0.5 || last.Budget.Text != "43m12s" || last.Budget.RemainingText != "21m36s" {
		t.Errorf("burn %v, budget %s, remaining %s", *last.BurnRate, last.Budget.Text, last.Budget.RemainingText)
	}
	// At 0.5× the remaining half lasts another 30 days.
	if p := last.ProjectedExhaustion; p == nil || p.Sub(last.At) != month {
		t.Errorf("projected exhaustion %v, want 30 days after %v", p, last.At)
	}
}

// The workbook's worked examples for a 99.9% SLO over 30 days, replayed a
// minute at a time after 20 clean days:
//   - a full outage (1000×) pages on 1h/5m after 14.4/1000 of an hour (52s);
//   - 6× (0.6% errors) pages on 6h/30m once the 6h window is full of it,
//     and opens both tickets after 12h;
//   - the page resolves within the short window once the burn stops.
func TestSimWorkbookExamples(t *testing.T) {
	slos := loadSLOs(t, shop999)
	outage := day0.Add(20 * 24 * time.Hour)
	t.Run("full outage pages within a minute", func(t *testing.T) {
		src := newSeries(day0, 31*1440, func(m int) (float64, float64) {
			at := day0.Add(time.Duration(m) * time.Minute)
			if !at.Before(outage) && at.Before(outage.Add(20*time.Minute)) {
				return 0, 1000
			}
			return 1000, 1000
		})
		rs := simulate(t, slos, src, outage.Add(-time.Hour), 2*time.Hour, time.Minute, nil)
		got := describe(rs, outage)
		want := []string{"1m0s trigger shop/checkout/page-1h", "3m0s trigger shop/checkout/page-6h",
			"5m0s trigger shop/checkout/ticket-1d", "5m0s trigger shop/checkout/ticket-3d",
			"25m0s resolve shop/checkout/page-1h", "50m0s resolve shop/checkout/page-6h"}
		// 1m: the first minute of outage is 1000 errors in 60000 requests over
		// 1h (1.67% > 1.44%): 1000× crosses 14.4× over 1h in 52s. Every rule
		// fires in turn; the page resolves once the outage has left its 5m
		// window (5 minutes after 20 minutes of outage), the 6h page once it
		// has left 30m; the tickets' 2h and 6h windows still hold it.
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("events:\n%v\nwant\n%v", got, want)
		}
		if rs[0].ev.Labels["slo"] != "checkout" || rs[0].ev.Labels["window"] != "1h" || rs[0].ev.Labels["slo_severity"] != "page" ||
			rs[0].ev.Labels["severity"] != "critical" ||
			rs[0].ev.Severity != alert.Critical || rs[0].ev.Service != "shop" || rs[0].ev.Labels["team"] != "sre" {
			t.Errorf("page event = %+v", rs[0].ev)
		}
	})
	t.Run("6x pages after six hours and opens tickets after twelve", func(t *testing.T) {
		src := newSeries(day0, 31*1440, func(m int) (float64, float64) {
			if !day0.Add(time.Duration(m) * time.Minute).Before(outage) {
				return 994, 1000
			}
			return 1000, 1000
		})
		rs := simulate(t, slos, src, outage.Add(-10*time.Minute), 13*time.Hour, 10*time.Minute, nil)
		got := describe(rs, outage)
		want := []string{"6h0m0s trigger shop/checkout/page-6h", "12h0m0s trigger shop/checkout/ticket-1d", "12h0m0s trigger shop/checkout/ticket-3d"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("events:\n%v\nwant\n%v", got, want)
		}
	})
}

// 14.4× for an hour spends 2% of the month's budget, as the workbook says.
func TestSimHourAt14xSpendsTwoPercent(t *testing.T) {
	slos := loadSLOs(t, shop999)
	burst := day0.Add(10 * 24 * time.Hour)
	src := newSeries(day0, 31*1440, func(m int) (float64, float64) {
		at := day0.Add(time.Duration(m) * time.Minute)
		if !at.Before(burst) && at.Before(burst.Add(time.Hour)) {
			return 10000 - 144, 10000
		}
		return 10000, 10000
	})
	var before, after Status
	simulate(t, slos, src, burst.Add(-time.Minute), time.Hour+2*time.Minute, time.Minute, func(now time.Time, st Status) {
		switch now {
		case burst:
			before = st
		case burst.Add(time.Hour):
			after = st
		}
	})
	// The window holds 10 days of traffic, so the share spent is of those.
	spentBurst := *after.Budget.SpentPercent - *before.Budget.SpentPercent
	want := 2.0 * 30 / (10 + 1.0/24)
	if d := spentBurst - want; d < -0.01 || d > 0.01 {
		t.Errorf("an hour at 14.4× spent %.4g%% of the budget, want %.4g%%", spentBurst, want)
	}
	if b := after.BurnRates["1h"]; b == nil || *b != 14.4 {
		t.Errorf("1h burn rate %v, want 14.4", ptrText(b))
	}
}

// Low traffic: one request in ten minutes failing is a 100% error rate, but
// fewer events than min_events is not judged, so nothing pages.
func TestSimLowTrafficGuard(t *testing.T) {
	slos := loadSLOs(t, shop999)
	src := newSeries(day0, 31*1440, func(m int) (float64, float64) {
		if m%10 == 0 {
			if m >= 20*1440 && m < 20*1440+60 {
				return 0, 1
			}
			return 1, 1
		}
		return 0, 0
	})
	rs := simulate(t, slos, src, day0.Add(20*24*time.Hour-time.Hour), 3*time.Hour, time.Minute, nil)
	if pages := describe(rs, day0, "page-1h", "page-6h"); len(pages) != 0 {
		t.Fatalf("low traffic paged: %v", pages)
	}
	loose := loadSLOs(t, `
services:
  - id: shop
    slos:
      - {id: checkout, objective: 99.9, events: {}, alerting: {min_events: 1}}
`)
	rs = simulate(t, loose, src, day0.Add(20*24*time.Hour-time.Hour), 3*time.Hour, time.Minute, nil)
	if len(describe(rs, day0, "page-1h")) == 0 {
		t.Fatal("without the guard the same traffic should page")
	}
}

// A source that cannot be read is no data, never zero: an open alert stays
// open (neither fires anew nor resolves), and no_data raises a ticket.
func TestSimSourceDown(t *testing.T) {
	slos := loadSLOs(t, `
services:
  - id: shop
    slos:
      - {id: checkout, objective: 99.9, events: {}, alerting: {no_data: true}}
`)
	outage := day0.Add(20 * 24 * time.Hour)
	down := outage.Add(10 * time.Minute)
	src := newSeries(day0, 31*1440, func(m int) (float64, float64) {
		if m >= 20*1440 {
			return 0, 1000
		}
		return 1000, 1000
	})
	src.down = func(now time.Time) error {
		if !now.Before(down) && now.Before(down.Add(30*time.Minute)) {
			return errors.New("prometheus http://127.0.0.1:9: connection refused")
		}
		return nil
	}
	var during Status
	rs := simulate(t, slos, src, outage.Add(-time.Minute), time.Hour, time.Minute, func(now time.Time, st Status) {
		if now == down.Add(time.Minute) {
			during = st
		}
	})
	got := describe(rs, outage, "page-1h", NoDataRule)
	// The page neither resolves nor fires again while the source is down.
	want := []string{"1m0s trigger shop/checkout/page-1h", "10m0s trigger shop/checkout/no-data", "40m0s resolve shop/checkout/no-data"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events:\n%v\nwant\n%v", got, want)
	}
	if during.SLI != nil || during.NoData != "prometheus http://127.0.0.1:9: connection refused" || during.Alerts[0].Unknown == "" {
		t.Errorf("while down: SLI %v, no data %q, rule %+v", ptrText(during.SLI), during.NoData, during.Alerts[0])
	}
}

// Calendar windows start at the month's first midnight in their time zone,
// and the budget is the whole month's.
func TestCalendarBounds(t *testing.T) {
	slos := loadSLOs(t, `
global: {timezone: Asia/Ho_Chi_Minh}
services:
  - id: shop
    slos:
      - {id: m, objective: 99.9, calendar: month, events: {}}
      - {id: w, objective: 99.9, calendar: week, timezone: UTC, events: {}}
`)
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC) // Dec 1, 01:00 in Ho Chi Minh City
	s, e := Bounds(slos[0].Cfg, now)
	if got := s.Format(time.RFC3339) + " " + e.Format(time.RFC3339); got != "2026-12-01T00:00:00+07:00 2027-01-01T00:00:00+07:00" {
		t.Errorf("month = %s", got)
	}
	s, e = Bounds(slos[1].Cfg, now) // a Monday
	if got := s.Format(time.RFC3339) + " " + e.Format(time.RFC3339); got != "2026-11-30T00:00:00Z 2026-12-07T00:00:00Z" {
		t.Errorf("week = %s", got)
	}
	st := judge(slos[0], now, Reading{Counts: Counts{999, 1000, 1000}}, nil)
	if st.Budget.Text != "44m38s" || st.WindowEnd.Sub(st.WindowStart) != 31*24*time.Hour {
		t.Errorf("December's budget = %s", st.Budget.Text)
	}
}

func ptrText(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}
