package oncall

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

var businessHours = config.TimeInterval{ID: "business_hours", Weekdays: []string{"monday:friday"}, Times: []string{"09:00-17:00"}}

// layered is a 24/7 weekly layer (thach, john) under a daily business-hours
// layer (susan, glen), both from Monday 2026-11-23 09:00 in Ho Chi Minh City.
func layered(t testing.TB, ti config.TimeInterval, ovs ...config.Override) *Directory {
	business := rot("business", []string{"susan", "glen"}, 24*time.Hour, "2026-11-23T09:00:00")
	business.Active = ti.ID
	return oneSchedule(t, "Asia/Ho_Chi_Minh", []config.Rotation{
		rot("weekly", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00"),
		business,
	}, ovs, ti)
}

func TestOnCallLayers(t *testing.T) {
	berlinHours := businessHours
	berlinHours.ID, berlinHours.Timezone = "berlin_hours", "Europe/Berlin"
	tests := []struct {
		name string
		ti   config.TimeInterval
		at   string // Asia/Ho_Chi_Minh unless it has an offset
		want string
	}{
		{"Wednesday 08:59 is the 24/7 layer", businessHours, "2026-11-25T08:59:59", "thach"},
		{"Wednesday 09:00 is business hours", businessHours, "2026-11-25T09:00:00", "susan"}, // day 2 of business
		{"Wednesday 16:59 is business hours", businessHours, "2026-11-25T16:59:59", "susan"},
		{"Wednesday 17:00 is the 24/7 layer", businessHours, "2026-11-25T17:00:00", "thach"},
		{"Thursday 12:00 business rotates daily", businessHours, "2026-11-26T12:00:00", "glen"},
		{"Saturday noon is the 24/7 layer", businessHours, "2026-11-28T12:00:00", "thach"},
		{"Sunday noon is the 24/7 layer", businessHours, "2026-11-29T12:00:00", "thach"},
		{"next Monday 09:00 both layers hand off", businessHours, "2026-11-30T09:00:00", "glen"},
		{"next Monday 17:00 is the new weekly member", businessHours, "2026-11-30T17:00:00", "john"},
		{"before either layer starts nobody", businessHours, "2026-11-23T08:59:59", ""},
		{"interval in its own zone: 14:59 ICT is 08:59 CET", berlinHours, "2026-11-25T14:59:59", "thach"},
		{"interval in its own zone: 15:00 ICT is 09:00 CET", berlinHours, "2026-11-25T15:00:00", "susan"},
		{"interval in its own zone: 22:59 ICT is 16:59 CET", berlinHours, "2026-11-25T22:59:59", "susan"},
		{"interval in its own zone: 23:00 ICT is 17:00 CET", berlinHours, "2026-11-25T23:00:00", "thach"},
		{"interval in its own zone: Friday 16:00 CET", berlinHours, "2026-11-27T15:00:00Z", "susan"}, // business shift 4, from 09:00 ICT
		{"interval in its own zone: Monday 14:59 ICT is 08:59 CET", berlinHours, "2026-11-30T14:59:59", "john"},
		{"interval in its own zone: Monday 15:00 ICT is 09:00 CET", berlinHours, "2026-11-30T15:00:00", "glen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := layered(t, tt.ti)
			at := local(t, "Asia/Ho_Chi_Minh", tt.at)
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			if got := d.OnCall("s", at); !slices.Equal(got, want) {
				t.Errorf("OnCall(%s) = %v, want %v", at, got, want)
			}
		})
	}
}

// TestOnCallLayerOrder checks that the last covering layer wins even when an
// earlier layer is the part-time one.
func TestOnCallLayerOrder(t *testing.T) {
	business := rot("business", []string{"susan"}, 24*time.Hour, "2026-11-23T09:00:00")
	business.Active = "business_hours"
	d := oneSchedule(t, "UTC", []config.Rotation{business, rot("always", []string{"glen"}, 24*time.Hour, "2026-11-23T09:00:00")}, nil, businessHours)
	if got := d.OnCall("s", utc(t, "2026-11-25T12:00:00Z")); !slices.Equal(got, []string{"glen"}) {
		t.Errorf("OnCall = %v, want [glen]: the 24/7 layer is listed last", got)
	}
}

// TestOnCallLaterLayerNotStarted checks that a top layer covers only from its
// own start; before it the layer below still answers.
func TestOnCallLaterLayerNotStarted(t *testing.T) {
	d := oneSchedule(t, "UTC", []config.Rotation{
		rot("old", []string{"a"}, 168*time.Hour, "2026-01-05T00:00:00"),
		rot("new", []string{"b"}, 168*time.Hour, "2026-06-01T00:00:00"),
	}, nil)
	for at, want := range map[string]string{"2026-05-31T23:59:59Z": "a", "2026-06-01T00:00:00Z": "b", "2027-01-01T00:00:00Z": "b"} {
		if got := d.OnCall("s", utc(t, at)); !slices.Equal(got, []string{want}) {
			t.Errorf("OnCall(%s) = %v, want [%s]", at, got, want)
		}
	}
}

func TestOnCallOverrides(t *testing.T) {
	ovs := []config.Override{
		{Person: "c", From: "2026-11-25T10:00:00", Until: "2026-11-25T12:00:00"},
		{Person: "d", From: "2026-11-25T11:00:00", Until: "2026-11-25T13:00:00"},
		{Person: "c", From: "2026-11-25T11:30:00", Until: "2026-11-25T11:45:00"}, // c twice: listed once
		{Person: "b", From: "2026-11-25T20:00:00", Until: "2026-11-25T21:00:00"},
	}
	d := oneSchedule(t, "America/New_York", []config.Rotation{rot("weekly", []string{"a", "b"}, 168*time.Hour, "2026-11-23T09:00:00")}, ovs)
	tests := []struct {
		at   string
		want []string
	}{
		{"2026-11-25T09:59:59", []string{"a"}},
		{"2026-11-25T10:00:00", []string{"c"}},      // From is inclusive
		{"2026-11-25T10:59:59", []string{"c"}},      // just before the overlap
		{"2026-11-25T11:00:00", []string{"c", "d"}}, // overlapping: both, in listed order
		{"2026-11-25T11:30:00", []string{"c", "d"}}, // c from two overrides, once
		{"2026-11-25T11:59:59", []string{"c", "d"}}, // last instant of c
		{"2026-11-25T12:00:00", []string{"d"}},      // Until is exclusive
		{"2026-11-25T13:00:00", []string{"a"}},      // back to the rotation
		{"2026-11-25T20:30:00", []string{"b"}},      // an override that names a rotation member
		{"2026-11-25T21:00:00", []string{"a"}},      // ...ends like any other
		{"2026-11-22T12:00:00", nil},                // before the rotation starts
		{"2026-11-25T10:00:00.000000001", []string{"c"}},
	}
	for _, tt := range tests {
		at := local(t, "America/New_York", tt.at)
		if got := d.OnCall("s", at); !slices.Equal(got, tt.want) {
			t.Errorf("OnCall(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

// TestOnCallOverrideBeforeStart checks that an override puts someone on call
// even where no rotation covers.
func TestOnCallOverrideBeforeStart(t *testing.T) {
	d := oneSchedule(t, "UTC", []config.Rotation{rot("r", []string{"a"}, 24*time.Hour, "2026-06-01T00:00:00")},
		[]config.Override{{Person: "glen", From: "2026-05-01T00:00:00", Until: "2026-05-02T00:00:00"}})
	if got := d.OnCall("s", utc(t, "2026-05-01T12:00:00Z")); !slices.Equal(got, []string{"glen"}) {
		t.Errorf("OnCall = %v, want [glen]", got)
	}
}

func TestOnCallUnknownSchedule(t *testing.T) {
	d := layered(t, businessHours)
	if got := d.OnCall("nope", utc(t, "2026-11-25T12:00:00Z")); got != nil {
		t.Errorf("OnCall(unknown) = %v, want nil", got)
	}
	if got := d.Shifts("nope", utc(t, "2026-11-25T12:00:00Z"), utc(t, "2026-11-26T12:00:00Z")); got != nil {
		t.Errorf("Shifts(unknown) = %v, want nil", got)
	}
}

// TestNewDirectoryErrors covers what validation should have caught, and the
// interval shapes Alertmanager rejects (as internal/route does).
func TestNewDirectoryErrors(t *testing.T) {
	tests := []struct {
		name string
		ti   config.TimeInterval
		r    config.Rotation
		want string
	}{
		{"bad start", config.TimeInterval{}, rot("r", []string{"a"}, time.Hour, "tomorrow"), `schedule "s": rotation "r": start: invalid time "tomorrow"`},
		{"zero length", config.TimeInterval{}, rot("r", []string{"a"}, 0, "2026-01-01T00:00:00"), "length must be positive"},
		{"no members", config.TimeInterval{}, rot("r", nil, time.Hour, "2026-01-01T00:00:00"), "no members"},
		{"overnight times", config.TimeInterval{ID: "night", Times: []string{"22:00-06:00"}}, rot("r", []string{"a"}, time.Hour, "2026-01-01T00:00:00"), `time interval "night": times[0] "22:00-06:00"`},
		{"backwards weekdays", config.TimeInterval{ID: "wknd", Weekdays: []string{"saturday:sunday"}}, rot("r", []string{"a"}, time.Hour, "2026-01-01T00:00:00"), `time interval "wknd": weekdays[0] "saturday:sunday"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.Active = tt.ti.ID
			cfg := &config.Config{Schedules: []config.Schedule{{ID: "s", Timezone: "UTC", Rotations: []config.Rotation{tt.r}}}}
			if tt.ti.ID != "" {
				cfg.TimeIntervals = []config.TimeInterval{tt.ti}
			}
			_, err := NewDirectory(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestIntervalNext checks the interval edge search, including the days DST
// changes the wall clock and an edge inside the skipped or repeated hour.
func TestIntervalNext(t *testing.T) {
	tests := []struct {
		name  string
		times []string
		at    string // America/New_York
		want  string // RFC 3339
	}{
		{"to the range start", []string{"09:00-17:00"}, "2026-11-25T08:00:00", "2026-11-25T09:00:00-05:00"},
		{"to the range end", []string{"09:00-17:00"}, "2026-11-25T09:00:00", "2026-11-25T17:00:00-05:00"},
		{"to midnight", []string{"09:00-17:00"}, "2026-11-25T17:00:00", "2026-11-26T00:00:00-05:00"},
		{"a range ending at 24:00", []string{"18:00-24:00"}, "2026-11-25T18:00:00", "2026-11-26T00:00:00-05:00"},
		{"spring-forward: to the zone change", []string{"02:15-02:45"}, "2026-03-08T01:00:00", "2026-03-08T03:00:00-04:00"},
		{"spring-forward: 09:00 EDT", []string{"09:00-17:00"}, "2026-03-08T03:00:00", "2026-03-08T09:00:00-04:00"},
		{"fall-back: first 01:30", []string{"01:30-02:00"}, "2026-11-01T01:00:00", "2026-11-01T01:30:00-04:00"},
		{"fall-back: to the zone change", []string{"01:30-02:00"}, "2026-11-01T01:30:00", "2026-11-01T01:00:00-05:00"},
		{"fall-back: second 01:30", []string{"01:30-02:00"}, "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00"},
		{"fall-back: 09:00 EST", []string{"09:00-17:00"}, "2026-11-01T01:30:00-05:00", "2026-11-01T09:00:00-05:00"},
	}
	ny := zone(t, "America/New_York")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv, err := newInterval(config.TimeInterval{ID: "i", Times: tt.times}, ny)
			if err != nil {
				t.Fatal(err)
			}
			at := local(t, "America/New_York", tt.at)
			if got, want := iv.next(at), utc(t, tt.want); !got.Equal(want) {
				t.Errorf("next(%s) = %s, want %s", at, got.In(ny), want.In(ny))
			}
		})
	}
}
