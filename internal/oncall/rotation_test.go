package oncall

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// TestOnCallRotation checks one rotation layer around its handoffs. Times are
// local to the schedule's zone unless they carry an offset; the UTC cases
// tell wall-clock handoffs (day lengths) from elapsed ones (12h).
func TestOnCallRotation(t *testing.T) {
	const (
		ny     = "America/New_York"
		berlin = "Europe/Berlin"
		hcm    = "Asia/Ho_Chi_Minh"
	)
	abc := []string{"a", "b", "c"}
	ab := []string{"a", "b"}
	tests := []struct {
		name   string
		tz     string
		r      config.Rotation
		at     string
		want   []string
		reason string
	}{
		{"weekly first shift", hcm, rot("w", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00"), "2026-11-23T09:00:00", []string{"thach"}, ""},
		{"weekly last instant of first shift", hcm, rot("w", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00"), "2026-11-30T08:59:59", []string{"thach"}, ""},
		{"weekly second shift", hcm, rot("w", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00"), "2026-11-30T09:00:00", []string{"john"}, ""},
		{"weekly wraps to first member", hcm, rot("w", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00"), "2026-12-07T09:00:00", []string{"thach"}, ""},
		{"weekly a year on", hcm, rot("w", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00"), "2027-11-22T09:00:00", []string{"thach"}, "52 weeks later: an even shift"},
		{"before start nobody", hcm, rot("w", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00"), "2026-11-23T08:59:59", nil, "the first member starts at Start"},
		{"long before start nobody", hcm, rot("w", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00"), "2020-01-01T00:00:00", nil, ""},

		{"NY daily before spring-forward handoff", ny, rot("d", abc, 24*time.Hour, "2026-03-07T09:00:00"), "2026-03-08T08:59:59", []string{"a"}, "the 23h shift"},
		{"NY daily spring-forward handoff at 09:00 EDT", ny, rot("d", abc, 24*time.Hour, "2026-03-08T09:00:00"), "2026-03-08T09:00:00", []string{"a"}, "a rotation starting that day"},
		{"NY daily at 09:00 local after spring-forward", ny, rot("d", abc, 24*time.Hour, "2026-03-07T09:00:00"), "2026-03-08T09:00:00", []string{"b"}, ""},
		{"NY daily 13:30Z is after the 09:00 EDT handoff", ny, rot("d", abc, 24*time.Hour, "2026-03-07T09:00:00"), "2026-03-08T13:30:00Z", []string{"b"}, "24 elapsed hours would still be a"},
		{"NY daily next day", ny, rot("d", abc, 24*time.Hour, "2026-03-07T09:00:00"), "2026-03-09T09:00:00", []string{"c"}, ""},
		{"NY daily a year on, before handoff", ny, rot("d", abc, 24*time.Hour, "2026-03-07T09:00:00"), "2027-03-14T08:59:59", []string{"c"}, "day 371"},
		{"NY daily a year on, at handoff", ny, rot("d", abc, 24*time.Hour, "2026-03-07T09:00:00"), "2027-03-14T09:00:00", []string{"a"}, "day 372, across two DST changes"},
		{"NY daily before fall-back handoff", ny, rot("d", ab, 24*time.Hour, "2026-10-31T09:00:00"), "2026-11-01T08:59:59", []string{"a"}, "the 25h shift"},
		{"NY daily fall-back handoff at 09:00 EST", ny, rot("d", ab, 24*time.Hour, "2026-10-31T09:00:00"), "2026-11-01T09:00:00", []string{"b"}, ""},
		{"NY daily 13:30Z is before the 09:00 EST handoff", ny, rot("d", ab, 24*time.Hour, "2026-10-31T09:00:00"), "2026-11-01T13:30:00Z", []string{"a"}, "24 elapsed hours would be b"},
		{"NY two-day across spring-forward", ny, rot("d2", ab, 48*time.Hour, "2026-03-07T09:00:00"), "2026-03-09T08:59:00", []string{"a"}, ""},
		{"NY two-day handoff", ny, rot("d2", ab, 48*time.Hour, "2026-03-07T09:00:00"), "2026-03-09T09:00:00", []string{"b"}, ""},
		{"NY handoff in the gap moves to 03:30 EDT", ny, rot("g", ab, 24*time.Hour, "2026-03-07T02:30:00"), "2026-03-08T03:29:59", []string{"a"}, "02:30 does not exist on March 8"},
		{"NY handoff in the gap, after", ny, rot("g", ab, 24*time.Hour, "2026-03-07T02:30:00"), "2026-03-08T03:30:00", []string{"b"}, ""},
		{"NY handoff after the gap is back at 02:30", ny, rot("g", ab, 24*time.Hour, "2026-03-07T02:30:00"), "2026-03-09T02:30:00", []string{"a"}, "not 03:30"},
		{"Santiago midnight handoff skipped by DST, before", "America/Santiago", rot("m", ab, 24*time.Hour, "2026-09-05T00:00:00"), "2026-09-06T03:59:59Z", []string{"a"}, "Chile springs forward at 00:00"},
		{"Santiago midnight handoff skipped by DST moves to 01:00", "America/Santiago", rot("m", ab, 24*time.Hour, "2026-09-05T00:00:00"), "2026-09-06T04:00:00Z", []string{"b"}, "01:00 -03"},
		{"Santiago midnight handoff the next day", "America/Santiago", rot("m", ab, 24*time.Hour, "2026-09-05T00:00:00"), "2026-09-07T00:00:00", []string{"a"}, ""},
		{"NY start in the gap starts at 03:30 EDT", ny, rot("g", ab, 24*time.Hour, "2026-03-08T02:30:00"), "2026-03-08T07:29:59Z", nil, "not 01:30 EST"},
		{"NY start in the gap, on call from 03:30 EDT", ny, rot("g", ab, 24*time.Hour, "2026-03-08T02:30:00"), "2026-03-08T07:30:00Z", []string{"a"}, ""},
		{"NY start in the gap, next handoff at 02:30 EDT", ny, rot("g", ab, 24*time.Hour, "2026-03-08T02:30:00"), "2026-03-09T02:30:00", []string{"b"}, ""},
		{"NY start at the ambiguous 01:30 is the first one", ny, rot("f", ab, 24*time.Hour, "2026-11-01T01:30:00"), "2026-11-01T05:29:59Z", nil, "01:30 EDT"},
		{"NY start at the ambiguous 01:30, on call", ny, rot("f", ab, 24*time.Hour, "2026-11-01T01:30:00"), "2026-11-01T05:30:00Z", []string{"a"}, ""},
		{"NY start at the second 01:30 by offset", ny, rot("f", ab, 24*time.Hour, "2026-11-01T01:30:00-05:00"), "2026-11-01T06:29:59Z", nil, "RFC 3339 picks the EST one"},
		{"NY start at the second 01:30 by offset, on call", ny, rot("f", ab, 24*time.Hour, "2026-11-01T01:30:00-05:00"), "2026-11-01T06:30:00Z", []string{"a"}, ""},
		{"NY start at the second 01:30, next day 01:30 EST", ny, rot("f", ab, 24*time.Hour, "2026-11-01T01:30:00-05:00"), "2026-11-02T01:30:00", []string{"b"}, ""},
		{"NY start with an offset", ny, rot("o", ab, 24*time.Hour, "2026-03-07T14:00:00Z"), "2026-03-08T09:00:00", []string{"b"}, "RFC 3339 start = 09:00 EST"},

		{"Berlin daily before spring-forward handoff", berlin, rot("d", ab, 24*time.Hour, "2026-03-28T08:00:00"), "2026-03-29T07:59:59", []string{"a"}, ""},
		{"Berlin daily spring-forward handoff", berlin, rot("d", ab, 24*time.Hour, "2026-03-28T08:00:00"), "2026-03-29T08:00:00", []string{"b"}, ""},
		{"Berlin daily 06:30Z is 08:30 CEST", berlin, rot("d", ab, 24*time.Hour, "2026-03-28T08:00:00"), "2026-03-29T06:30:00Z", []string{"b"}, ""},
		{"Berlin daily before fall-back handoff", berlin, rot("d", ab, 24*time.Hour, "2026-10-24T08:00:00"), "2026-10-25T07:59:59", []string{"a"}, ""},
		{"Berlin daily fall-back handoff", berlin, rot("d", ab, 24*time.Hour, "2026-10-24T08:00:00"), "2026-10-25T08:00:00", []string{"b"}, ""},
		{"Berlin daily 06:30Z is 07:30 CET", berlin, rot("d", ab, 24*time.Hour, "2026-10-24T08:00:00"), "2026-10-25T06:30:00Z", []string{"a"}, ""},

		{"HCM daily", hcm, rot("d", abc, 24*time.Hour, "2026-03-07T09:00:00"), "2026-03-08T08:59:59", []string{"a"}, "no DST"},
		{"HCM daily handoff", hcm, rot("d", abc, 24*time.Hour, "2026-03-07T09:00:00"), "2026-03-08T09:00:00", []string{"b"}, ""},
		{"HCM daily 02:00Z is 09:00 ICT", hcm, rot("d", abc, 24*time.Hour, "2026-03-07T09:00:00"), "2026-11-01T02:00:00Z", []string{"c"}, "day 239"},

		{"NY 12h before spring-forward", ny, rot("h", ab, 12*time.Hour, "2026-03-07T09:00:00"), "2026-03-07T20:59:59", []string{"a"}, ""},
		{"NY 12h at 21:00 EST", ny, rot("h", ab, 12*time.Hour, "2026-03-07T09:00:00"), "2026-03-07T21:00:00", []string{"b"}, ""},
		{"NY 12h elapsed: 09:59 EDT still b", ny, rot("h", ab, 12*time.Hour, "2026-03-07T09:00:00"), "2026-03-08T09:59:59", []string{"b"}, "12 elapsed hours after 21:00 EST is 10:00 EDT"},
		{"NY 12h elapsed: 10:00 EDT a", ny, rot("h", ab, 12*time.Hour, "2026-03-07T09:00:00"), "2026-03-08T10:00:00", []string{"a"}, ""},
		{"NY 12h fall-back: 07:59 EST b", ny, rot("h", ab, 12*time.Hour, "2026-10-31T09:00:00"), "2026-11-01T07:59:59", []string{"b"}, ""},
		{"NY 12h fall-back: 08:00 EST a", ny, rot("h", ab, 12*time.Hour, "2026-10-31T09:00:00"), "2026-11-01T08:00:00", []string{"a"}, ""},
		{"NY 8h fixed", ny, rot("h", abc, 8*time.Hour, "2026-03-08T00:00:00"), "2026-03-08T09:00:00", []string{"b"}, "00:00 EST + 8h = 09:00 EDT"},
		{"NY 8h fixed just before", ny, rot("h", abc, 8*time.Hour, "2026-03-08T00:00:00"), "2026-03-08T08:59:59", []string{"a"}, ""},
		{"sub-second length", "UTC", rot("x", ab, 1500*time.Millisecond, "2026-01-01T00:00:00"), "2026-01-01T00:00:03Z", []string{"a"}, "shift 2 starts at 3s"},
		{"single member", "UTC", rot("x", []string{"glen"}, 24*time.Hour, "2026-01-01T00:00:00"), "2031-06-01T12:00:00Z", []string{"glen"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := oneSchedule(t, tt.tz, []config.Rotation{tt.r}, nil)
			at := local(t, tt.tz, tt.at)
			if got := d.OnCall("s", at); !slices.Equal(got, tt.want) {
				t.Errorf("OnCall(%s) = %v, want %v %s", at, got, tt.want, tt.reason)
			}
		})
	}
}

// TestShiftLengthsAcrossDST checks the elapsed length of day-based shifts
// that hold a DST change: 23h in spring, 25h in autumn, 24h otherwise.
func TestShiftLengthsAcrossDST(t *testing.T) {
	tests := []struct {
		tz, start, from string
		want            []time.Duration
	}{
		{"America/New_York", "2026-03-06T09:00:00", "2026-03-06T09:00:00", []time.Duration{24 * time.Hour, 23 * time.Hour, 24 * time.Hour}},
		{"America/New_York", "2026-10-30T09:00:00", "2026-10-30T09:00:00", []time.Duration{24 * time.Hour, 25 * time.Hour, 24 * time.Hour}},
		{"Europe/Berlin", "2026-03-27T08:00:00", "2026-03-27T08:00:00", []time.Duration{24 * time.Hour, 23 * time.Hour, 24 * time.Hour}},
		{"Europe/Berlin", "2026-10-23T08:00:00", "2026-10-23T08:00:00", []time.Duration{24 * time.Hour, 25 * time.Hour, 24 * time.Hour}},
		{"Asia/Ho_Chi_Minh", "2026-03-06T09:00:00", "2026-03-06T09:00:00", []time.Duration{24 * time.Hour, 24 * time.Hour, 24 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.tz+" "+tt.start, func(t *testing.T) {
			d := oneSchedule(t, tt.tz, []config.Rotation{rot("d", []string{"a", "b", "c"}, 24*time.Hour, tt.start)}, nil)
			from := local(t, tt.tz, tt.from)
			shifts := d.Shifts("s", from, from.AddDate(0, 0, 3))
			var got []time.Duration
			for _, s := range shifts {
				got = append(got, s.End.Sub(s.Start))
				if h, m, _ := s.Start.Clock(); h != from.Hour() || m != 0 {
					t.Errorf("shift %v starts at %s, want %02d:00 local", s, s.Start, from.Hour())
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lengths = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRotationMatchesWalk compares the arithmetic shift index with a walk
// from Start one handoff at a time, for many zones, lengths and times,
// including Lord Howe's half-hour DST and a handoff in Berlin's DST hour.
func TestRotationMatchesWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zones := []string{"America/New_York", "Europe/Berlin", "Asia/Ho_Chi_Minh", "Australia/Lord_Howe", "America/Santiago", "UTC"}
	lengths := []time.Duration{24 * time.Hour, 48 * time.Hour, 72 * time.Hour, 168 * time.Hour, 336 * time.Hour, 12 * time.Hour, 8 * time.Hour, 7*time.Hour + 30*time.Minute, 25 * time.Hour}
	starts := []string{"2025-12-29T09:00:00", "2026-02-01T00:00:00", "2026-03-07T23:30:00", "2026-06-15T17:45:10.5"}
	for _, tz := range zones {
		loc := zone(t, tz)
		for _, length := range lengths {
			for _, start := range starts {
				r, err := newRotation(rot("r", []string{"a", "b", "c"}, length, start), loc, nil)
				if err != nil {
					t.Fatal(err)
				}
				// Walk 2 years of handoffs the slow way.
				// Day-based handoffs repeat the start's wall clock (moved
				// forward where DST skips it); others add elapsed time.
				var walk []time.Time
				wall := r.wall
				for h := r.start; h.Before(r.start.AddDate(2, 0, 0)); {
					walk = append(walk, h)
					if r.days > 0 {
						wall = wall.AddDate(0, 0, int(r.days))
						h = inZone(wall, loc)
					} else {
						h = h.Add(length)
					}
				}
				for range 200 {
					at := r.start.Add(time.Duration(rng.Int64N(int64(700 * 24 * time.Hour))))
					want := -1
					for i, h := range walk {
						if !h.After(at) {
							want = i
						}
					}
					k, ok := r.shift(at)
					if !ok || int(k) != want {
						t.Fatalf("%s %s start %s: shift(%s) = %d, %v; walk says %d", tz, length, start, at.In(loc), k, ok, want)
					}
					if next := r.next(at); !next.Equal(walk[want+1]) {
						t.Fatalf("%s %s start %s: next(%s) = %s; walk says %s", tz, length, start, at.In(loc), next, walk[want+1])
					}
				}
			}
		}
	}
}
