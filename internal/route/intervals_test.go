package route

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestIntervalsContains(t *testing.T) {
	cfg := &config.Config{
		Global: config.Global{Timezone: "Europe/Berlin"},
		TimeIntervals: []config.TimeInterval{
			{ID: "office", Weekdays: []string{"monday:friday"}, Times: []string{"09:00-17:00"}, Timezone: "Asia/Ho_Chi_Minh"},
			{ID: "late", Times: []string{"22:00-24:00"}},
			{ID: "wednesday", Weekdays: []string{"Wednesday"}},
			{ID: "weekend", Weekdays: []string{"saturday", "sunday"}},
			{ID: "split", Times: []string{"00:00-06:00", "22:00-24:00"}},
			{ID: "always"},
			{ID: "ny-morning", Times: []string{"09:00-10:00"}, Timezone: "America/New_York"},
		},
	}
	iv, err := NewIntervals(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hcm, ber, ny := mustLoc(t, "Asia/Ho_Chi_Minh"), mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/New_York")
	// 2026-11-23 is a Monday.
	at := func(loc *time.Location, day, hour, min int) time.Time {
		return time.Date(2026, 11, day, hour, min, 0, 0, loc)
	}
	tests := []struct {
		id   string
		t    time.Time
		want bool
	}{
		{"office", at(hcm, 23, 9, 0), true},   // start is inclusive
		{"office", at(hcm, 23, 16, 59), true}, // last minute
		{"office", at(hcm, 23, 17, 0), false}, // end is exclusive
		{"office", at(hcm, 23, 8, 59), false},
		{"office", at(hcm, 27, 12, 0), true},  // Friday
		{"office", at(hcm, 28, 12, 0), false}, // Saturday
		{"office", at(hcm, 23, 9, 0).UTC(), true},
		{"office", at(ber, 23, 9, 0), true},   // 15:00 in Ho Chi Minh
		{"office", at(ber, 23, 11, 0), false}, // 17:00 there
		{"late", at(ber, 23, 22, 0), true},    // global time zone applies
		{"late", at(ber, 23, 23, 59), true},   // 24:00 covers the last minute
		{"late", at(ber, 24, 0, 0), false},    // and ends at midnight
		{"late", at(ber, 23, 21, 59), false},
		{"late", at(ber, 23, 22, 0).UTC(), true},
		{"late", at(time.UTC, 23, 21, 0), true},  // 22:00 in Berlin
		{"late", at(time.UTC, 23, 23, 0), false}, // midnight in Berlin
		{"wednesday", at(ber, 25, 0, 0), true},
		{"wednesday", at(ber, 25, 23, 59), true},
		{"wednesday", at(ber, 26, 0, 0), false},
		{"weekend", at(ber, 28, 12, 0), true},
		{"weekend", at(ber, 29, 12, 0), true},
		{"weekend", at(ber, 30, 12, 0), false},
		{"split", at(ber, 23, 5, 59), true},
		{"split", at(ber, 23, 6, 0), false},
		{"split", at(ber, 23, 22, 30), true},
		{"always", at(ber, 23, 3, 0), true},
		{"ny-morning", time.Date(2026, 1, 5, 9, 30, 0, 0, ny), true}, // EST
		{"ny-morning", time.Date(2026, 7, 6, 9, 30, 0, 0, ny), true}, // EDT: local time, not a fixed offset
		{"ny-morning", time.Date(2026, 7, 6, 14, 30, 0, 0, time.UTC), false},
		{"ny-morning", time.Date(2026, 7, 6, 13, 30, 0, 0, time.UTC), true},
		{"unknown", at(ber, 23, 12, 0), false},
	}
	for _, tt := range tests {
		if got := iv.Contains(tt.id, tt.t); got != tt.want {
			t.Errorf("Contains(%s, %s) = %v, want %v", tt.id, tt.t.Format(time.RFC3339+" Mon"), got, tt.want)
		}
	}
}

// TestIntervalsRejects: what Alertmanager's timeinterval refuses, we refuse,
// with its reasons, though our schema's patterns let it through.
func TestIntervalsRejects(t *testing.T) {
	tests := []struct {
		name string
		ti   config.TimeInterval
		want string
	}{
		{"range across midnight", config.TimeInterval{ID: "night", Times: []string{"22:00-06:00"}}, "start time cannot be equal or greater than end time"},
		{"empty range", config.TimeInterval{ID: "x", Times: []string{"09:00-09:00"}}, "start time cannot be equal or greater than end time"},
		{"backwards weekdays", config.TimeInterval{ID: "x", Weekdays: []string{"friday:monday"}}, "start day cannot be before end day"},
		// Alertmanager numbers Sunday 0, so a weekend is two entries.
		{"saturday:sunday", config.TimeInterval{ID: "x", Weekdays: []string{"saturday:sunday"}}, "start day cannot be before end day"},
		{"unknown day", config.TimeInterval{ID: "x", Weekdays: []string{"funday"}}, "funday is not a valid weekday"},
		{"not a range", config.TimeInterval{ID: "x", Times: []string{"09:00"}}, "must be HH:MM-HH:MM"},
		{"bad zone", config.TimeInterval{ID: "x", Timezone: "Mars/Olympus"}, "timezone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewIntervals(&config.Config{TimeIntervals: []config.TimeInterval{tt.ti}})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"`+tt.ti.ID+`"`) {
				t.Fatalf("err = %v, want it to name %q and say %q", err, tt.ti.ID, tt.want)
			}
		})
	}
	_, err := NewIntervals(&config.Config{TimeIntervals: []config.TimeInterval{
		{ID: "a", Times: []string{"22:00-06:00"}},
		{ID: "b", Weekdays: []string{"friday:monday"}},
	}})
	if err == nil || !strings.Contains(err.Error(), `"a"`) || !strings.Contains(err.Error(), `"b"`) {
		t.Errorf("every problem at once: err = %v", err)
	}
}

func TestMuted(t *testing.T) {
	iv, err := NewIntervals(&config.Config{TimeIntervals: []config.TimeInterval{
		{ID: "office", Weekdays: []string{"monday:friday"}, Times: []string{"09:00-17:00"}},
		{ID: "lunch", Times: []string{"12:00-13:00"}},
		{ID: "nights", Times: []string{"00:00-06:00"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	monday := func(h int) time.Time { return time.Date(2026, 11, 23, h, 30, 0, 0, time.UTC) }
	tests := []struct {
		name         string
		mute, active []string
		t            time.Time
		want         bool
	}{
		{"no intervals", nil, nil, monday(3), false},
		{"inside a mute interval", []string{"nights"}, nil, monday(3), true},
		{"outside mute intervals", []string{"nights", "lunch"}, nil, monday(10), false},
		{"inside an active interval", nil, []string{"office"}, monday(10), false},
		{"outside every active interval", nil, []string{"office", "nights"}, monday(20), true},
		{"in the second active interval", nil, []string{"office", "nights"}, monday(3), false},
		{"mute wins over active", []string{"lunch"}, []string{"office"}, monday(12), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Route{MuteTimeIntervals: tt.mute, ActiveTimeIntervals: tt.active}
			if got := r.Muted(iv, tt.t); got != tt.want {
				t.Errorf("Muted = %v, want %v", got, tt.want)
			}
		})
	}
}
