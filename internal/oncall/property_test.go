package oncall

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// busy is a schedule with everything at once, in a zone with DST: a weekly
// 24/7 layer, a daily business-hours layer, a 12h layer active on Berlin
// weekend nights, and overrides scattered over the year, some overlapping,
// some on DST days.
func busy(t testing.TB, rng *rand.Rand) *Directory {
	const ny = "America/New_York"
	biz := rot("business", []string{"c", "d"}, 24*time.Hour, "2026-01-05T09:00:00")
	biz.Active = "business_hours"
	nights := rot("nights", []string{"thach", "john", "glen"}, 12*time.Hour, "2026-01-02T19:00:00")
	nights.Active = "berlin_weekend_nights"
	var ovs []config.Override
	loc := zone(t, ny)
	for i := range 40 {
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Minute)
		if i < 4 { // on the DST days
			from = time.Date(2026, []time.Month{3, 3, 11, 11}[i], []int{8, 7, 1, 1}[i], 1+i%2, 15, 0, 0, loc)
		}
		until := from.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
		ovs = append(ovs, config.Override{
			Person: everyone[rng.IntN(len(everyone))],
			From:   from.Format(time.RFC3339),
			Until:  until.Format(time.RFC3339),
		})
	}
	return mustDirectory(t, &config.Config{
		People: people(everyone...),
		Schedules: []config.Schedule{{ID: "s", Timezone: ny, Overrides: ovs, Rotations: []config.Rotation{
			rot("weekly", []string{"a", "b"}, 168*time.Hour, "2026-01-05T09:00:00"), biz, nights,
		}}},
		TimeIntervals: []config.TimeInterval{
			businessHours,
			{ID: "berlin_weekend_nights", Weekdays: []string{"saturday", "sunday"}, Times: []string{"00:00-06:00", "18:00-24:00"}, Timezone: "Europe/Berlin"},
		},
	})
}

// TestOnCallMatchesShifts checks, for random times over a year and times
// right at DST changes, that OnCall(t) is exactly the people whose shift from
// Shifts(t-1w, t+1w) holds t, and that each shift's first and last instants
// are on call.
func TestOnCallMatchesShifts(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	d := busy(t, rng)
	var times []time.Time
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 400 {
		times = append(times, year.Add(time.Duration(rng.Int64N(int64(365*24*time.Hour)))))
	}
	for _, dst := range []string{"2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z", "2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z"} {
		at := utc(t, dst)
		times = append(times, at, at.Add(-time.Nanosecond), at.Add(time.Hour), at.Add(-time.Hour))
	}
	for _, at := range times {
		shifts := d.Shifts("s", at.Add(-7*24*time.Hour), at.Add(7*24*time.Hour))
		var want []string
		for _, s := range shifts {
			if !s.Start.Before(s.End) {
				t.Fatalf("empty shift %+v", s)
			}
			if !s.Start.After(at) && at.Before(s.End) && !slices.Contains(want, s.Person) {
				want = append(want, s.Person)
			}
		}
		if got := d.OnCall("s", at); !sameSet(got, want) {
			t.Fatalf("OnCall(%s) = %v; Shifts say %v\n%s", at, got, want, fmtShifts(t, "America/New_York", shifts))
		}
	}
	// Every edge of every shift over the whole year is exact.
	shifts := d.Shifts("s", year, year.AddDate(1, 0, 0))
	if len(shifts) < 365 {
		t.Fatalf("only %d shifts in a year", len(shifts))
	}
	for i, s := range shifts {
		if !slices.Contains(d.OnCall("s", s.Start), s.Person) {
			t.Fatalf("shift %d %+v: %s is not on call at its start", i, s, s.Person)
		}
		if !slices.Contains(d.OnCall("s", s.End.Add(-time.Nanosecond)), s.Person) {
			t.Fatalf("shift %d %+v: %s is not on call at its last instant", i, s, s.Person)
		}
		if s.End.Before(year.AddDate(1, 0, 0)) && slices.Contains(personSources(d, s.End), fmt.Sprint(s.Person, s.Source)) {
			t.Fatalf("shift %d %+v: still on call from the same source at its end", i, s)
		}
	}
}

// personSources is who is on call at t and why, as "person source" strings.
func personSources(d *Directory, t time.Time) []string {
	var out []string
	for _, e := range d.schedules["s"].at(t) {
		out = append(out, fmt.Sprint(e.person, e.source))
	}
	return out
}

// BenchmarkOnCall shows that a far-future time costs what tomorrow does.
func BenchmarkOnCall(b *testing.B) {
	d := busy(b, rand.New(rand.NewPCG(5, 6)))
	at := time.Date(2046, 7, 1, 12, 0, 0, 0, time.UTC)
	for b.Loop() {
		d.OnCall("s", at)
	}
}

func BenchmarkShiftsWeek(b *testing.B) {
	d := busy(b, rand.New(rand.NewPCG(5, 6)))
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	for b.Loop() {
		d.Shifts("s", at, at.AddDate(0, 0, 7))
	}
}
