package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestServiceEvents: only the services asked for, only the window (from
// included, until not), oldest first, at most limit; on every engine.
func TestServiceEvents(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t, e.Fresh(t), Options{})
			ids := register(t, s, "shop/web", "shop/db", "dns/a", "shop%/x")
			ev := func(key string, at time.Duration, to string) Event {
				return Event{CheckID: ids[key], At: t0.Add(at), From: "ok", To: to, Reason: key}
			}
			write(t, s, Batch{Events: []Event{ev("shop/web", 0, "failing"), ev("dns/a", time.Minute, "failing"), ev("shop/db", 2*time.Minute, "degraded"),
				ev("shop%/x", 2*time.Minute, "failing"), ev("shop/web", 3*time.Minute, "ok"), ev("shop/db", 10*time.Minute, "ok")}}, 10)
			got := func(services []string, from, until time.Duration, limit int) []string {
				t.Helper()
				es, err := s.ServiceEvents(ctx, services, t0.Add(from), t0.Add(until), limit)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, e := range es {
					out = append(out, fmt.Sprintf("%s/%s %s %s", e.Service, e.Name, e.At.Sub(t0), e.To))
				}
				return out
			}
			for _, c := range []struct {
				name        string
				services    []string
				from, until time.Duration
				limit       int
				want        []string
			}{
				{"one service", []string{"shop"}, 0, time.Hour, 0, []string{"shop/web 0s failing", "shop/db 2m0s degraded", "shop/web 3m0s ok", "shop/db 10m0s ok"}},
				{"window", []string{"shop"}, 2 * time.Minute, 10 * time.Minute, 0, []string{"shop/db 2m0s degraded", "shop/web 3m0s ok"}},
				{"two services", []string{"dns", "shop"}, 0, 3 * time.Minute, 0, []string{"shop/web 0s failing", "dns/a 1m0s failing", "shop/db 2m0s degraded"}},
				{"limit", []string{"shop"}, 0, time.Hour, 1, []string{"shop/web 0s failing"}},
				{"not a pattern", []string{"shop%"}, 0, time.Hour, 0, []string{"shop%/x 2m0s failing"}},
				{"none", nil, 0, time.Hour, 0, nil},
			} {
				if g := got(c.services, c.from, c.until, c.limit); !slices.Equal(g, c.want) {
					t.Errorf("%s: %q, want %q", c.name, g, c.want)
				}
			}
		})
	}
}
