package monitor

import (
	"context"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

// Window is a span uptime is reported for, with the rollup resolution that
// answers it. Windows are aligned to bucket boundaries: "24h" is the current
// hour and the 24 before it.
type Window struct {
	Name string
	Span time.Duration
	Res  store.Resolution
}

// Windows are the uptime windows Vigil reports.
func Windows() []Window {
	return []Window{
		{"1h", time.Hour, store.Minute},
		{"24h", 24 * time.Hour, store.Hour},
		{"7d", 7 * 24 * time.Hour, store.Hour},
		{"30d", 30 * 24 * time.Hour, store.Day},
		{"90d", 90 * 24 * time.Hour, store.Day},
	}
}

// retention says how long each resolution is kept: long enough for the
// longest window it answers.
func retention() map[store.Resolution]time.Duration {
	return map[store.Resolution]time.Duration{
		store.Minute: 3 * time.Hour,
		store.Hour:   8 * 24 * time.Hour,
		store.Day:    400 * 24 * time.Hour,
	}
}

// Uptime is the time-weighted availability in one window.
type Uptime struct {
	Window  string   `json:"window"`
	Percent *float64 `json:"percent"` // nil when there is no data in the window
	UpMs    int64    `json:"up_ms"`
	DownMs  int64    `json:"down_ms"`
}

// Uptimes returns, per check id, its uptime in every window. ok and degraded
// time count as up.
func (m *Monitor) Uptimes(ctx context.Context, ids []int64) (map[int64][]Uptime, error) {
	now := m.opt.Clock.Now().UTC()
	out := make(map[int64][]Uptime, len(ids))
	for _, w := range Windows() {
		size := map[store.Resolution]time.Duration{store.Minute: time.Minute, store.Hour: time.Hour, store.Day: 24 * time.Hour}[w.Res]
		from := now.Add(-w.Span).Truncate(size)
		totals, err := m.opt.Store.SumBuckets(ctx, ids, w.Res, from, now.Add(size))
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			t := totals[id]
			out[id] = append(out[id], MakeUptime(w.Name, t.UpMs, t.DownMs))
		}
	}
	return out, nil
}

// MakeUptime computes the percentage for up and down time.
func MakeUptime(window string, up, down int64) Uptime {
	u := Uptime{Window: window, UpMs: up, DownMs: down}
	if up+down > 0 {
		p := 100 * float64(up) / float64(up+down)
		u.Percent = &p
	}
	return u
}

// housekeep prunes rollups past their retention every ten minutes.
func (m *Monitor) housekeep(ctx context.Context) {
	tick := m.opt.Clock.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.Chan():
		}
		now := m.opt.Clock.Now()
		for res, keep := range retention() {
			if _, err := m.opt.Store.Prune(ctx, res, now.Add(-keep)); err != nil && ctx.Err() == nil {
				m.opt.Log.Warn("pruning rollups failed", "resolution", res, "err", err)
			}
		}
	}
}
