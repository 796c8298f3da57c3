package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestAlertVolume: alerts are counted by service and by the day they were
// first seen, days beginning at midnight in the zone asked for, and only
// inside the window.
func TestAlertVolume(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	for _, e := range engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t, e.Fresh(t), Options{})
			// t0 is 2026-11-27 22:00 UTC, 23:00 in Berlin: +90m is the
			// 27th in UTC and the 28th in Berlin.
			var rows []AlertRow
			for i, at := range []time.Duration{-25 * time.Hour, 0, 90 * time.Minute, 2 * time.Hour, 3 * time.Hour} {
				r := alertRow(int64(i+1), fmt.Sprint("k", i), "firing", at)
				if i == 3 {
					r.Service = "search"
				}
				rows = append(rows, r)
			}
			writeAlerts(t, s, AlertBatch{Alerts: rows})

			got, err := s.AlertVolume(ctx, t0.Add(-24*time.Hour), t0.Add(24*time.Hour), berlin)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"2026-11-27 shop 1", "2026-11-28 search 1", "2026-11-28 shop 2"}
			if len(got) != len(want) {
				t.Fatalf("got %+v, want %v", got, want)
			}
			for i, d := range got {
				if s := fmt.Sprintf("%s %s %d", d.Day.Format("2006-01-02"), d.Service, d.Alerts); s != want[i] || d.Day.Hour() != 0 {
					t.Errorf("day %d: %s at %s, want %s at midnight", i, s, d.Day, want[i])
				}
			}

			// Across the change to summer time: a winter day is still that
			// day, at its own midnight.
			spring := time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC)
			r := alertRow(10, "spring", "firing", spring.Sub(t0))
			writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{r}})
			got, err = s.AlertVolume(ctx, spring.Add(-time.Hour), spring.Add(6*24*time.Hour), berlin)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Day.Format(time.DateOnly) != "2026-03-27" || got[0].Day.Hour() != 0 {
				t.Errorf("across summer time: %+v", got)
			}
		})
	}
}
