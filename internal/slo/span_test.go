package slo

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestTile(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 37, 20, 0, time.UTC)
	cases := []struct {
		back time.Duration
		want string
	}{
		{5 * time.Minute, "minute 10:32:00-10:33:00 0.6667, minute 10:33:00-10:37:00 1, minute 10:37:00-10:37:20 1"},
		{time.Hour, "minute 09:37:00-09:38:00 0.6667, minute 09:38:00-10:00:00 1, hour 10:00:00-10:37:20 1"},
		{2 * time.Hour, "minute 08:37:00-08:38:00 0.6667, minute 08:38:00-09:00:00 1, hour 09:00:00-10:00:00 1, hour 10:00:00-10:37:20 1"},
		{30 * time.Second, "minute 10:36:00-10:37:00 0.1667, minute 10:37:00-10:37:20 1"},
		{10 * time.Second, "minute 10:37:00-10:38:00 0.1667"},
		// Minutes are kept 3h: the hour holding the old edge counts for its share.
		{6 * time.Hour, "hour 04:00:00-05:00:00 0.3778, hour 05:00:00-10:00:00 1, hour 10:00:00-10:37:20 1"},
		{3 * 24 * time.Hour, "hour 20/10:00:00-20/11:00:00 0.3778, hour 20/11:00:00-21/00:00:00 1, day 21/00:00:00-00:00:00 1, day 00:00:00-10:37:20 1"},
		{30 * 24 * time.Hour, "day 24/00:00:00-25/00:00:00 0.5574, day 25/00:00:00-00:00:00 1, day 00:00:00-10:37:20 1"},
	}
	for _, c := range cases {
		got := tile(now.Add(-c.back), now)
		var parts []string
		var covered time.Duration
		for _, s := range got {
			parts = append(parts, fmt.Sprintf("%s %s-%s %.4g", s.res, short(s.from, now), short(s.to, now), s.weight))
			if s.weight == 1 {
				covered += s.to.Sub(s.from)
			} else {
				covered += time.Duration(s.weight * float64(s.to.Sub(s.from)))
			}
		}
		if g := strings.Join(parts, ", "); g != c.want {
			t.Errorf("%v back:\n got %s\nwant %s", c.back, g, c.want)
		}
		if d := covered - c.back; d < -time.Second || d > time.Second {
			t.Errorf("%v back covers %v", c.back, covered)
		}
	}
}

func short(t, now time.Time) string {
	if t.YearDay() == now.YearDay() {
		return t.Format("15:04:05")
	}
	return t.Format("02/15:04:05")
}
