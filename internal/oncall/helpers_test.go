package oncall

import (
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("zone %s: %v", name, err)
	}
	return loc
}

// local reads "2006-01-02T15:04[:05]" in zone tz, or an RFC 3339 time.
func local(t testing.TB, tz, s string) time.Time {
	t.Helper()
	v, err := config.ParseLocalTime(s, zone(t, tz))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func dur(d time.Duration) duration.Duration { return duration.Duration(d) }

// people makes a config person for each id.
func people(ids ...string) []config.Person {
	var out []config.Person
	for _, id := range ids {
		out = append(out, config.Person{ID: id, Name: id})
	}
	return out
}

var everyone = []string{"a", "b", "c", "d", "thach", "john", "susan", "glen"}

func rot(id string, members []string, length time.Duration, start string) config.Rotation {
	return config.Rotation{ID: id, Members: members, Length: dur(length), Start: start}
}

// oneSchedule is a directory whose only schedule "s" has the given zone,
// rotations and overrides.
func oneSchedule(t testing.TB, tz string, rs []config.Rotation, ovs []config.Override, tis ...config.TimeInterval) *Directory {
	t.Helper()
	return mustDirectory(t, &config.Config{
		People:        people(everyone...),
		Schedules:     []config.Schedule{{ID: "s", Timezone: tz, Rotations: rs, Overrides: ovs}},
		TimeIntervals: tis,
	})
}

func mustDirectory(t testing.TB, cfg *config.Config) *Directory {
	t.Helper()
	d, err := NewDirectory(cfg)
	if err != nil {
		t.Fatalf("NewDirectory: %v", err)
	}
	return d
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
