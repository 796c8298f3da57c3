package oncall

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

const hcm = "Asia/Ho_Chi_Minh"

// primary is the design doc's sre-primary: a weekly thach/john rotation from
// Monday 2026-11-23 09:00, with john overriding his own week on December 1
// and susan taking twelve hours of it on December 3.
func primary() config.Schedule {
	return config.Schedule{
		ID:        "sre-primary",
		Timezone:  hcm,
		Rotations: []config.Rotation{rot("weekly", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00")},
		Overrides: []config.Override{
			{Person: "john", From: "2026-12-01T09:00:00", Until: "2026-12-02T09:00:00"},
			{Person: "susan", From: "2026-12-03T09:00:00", Until: "2026-12-03T21:00:00"},
		},
	}
}

// fmtShifts prints shifts one a line as "person start end source", local to tz.
func fmtShifts(t testing.TB, tz string, shifts []Shift) string {
	loc := zone(t, tz)
	var b strings.Builder
	for _, s := range shifts {
		fmt.Fprintf(&b, "%s %s %s %s\n", s.Person, s.Start.In(loc).Format("01-02T15:04"), s.End.In(loc).Format("01-02T15:04"), s.Source)
	}
	return b.String()
}

func TestShifts(t *testing.T) {
	biz := rot("business", []string{"susan", "glen"}, 24*time.Hour, "2026-11-23T09:00:00")
	biz.Active = "business_hours"
	tests := []struct {
		name     string
		sc       config.Schedule
		from, to string // local to the schedule
		want     string
	}{
		{
			name: "override splits a weekly shift; same person from another source is its own shift",
			sc:   primary(),
			from: "2026-11-30T00:00:00", to: "2026-12-08T00:00:00",
			want: `thach 11-30T00:00 11-30T09:00 rotation/weekly
john 11-30T09:00 12-01T09:00 rotation/weekly
john 12-01T09:00 12-02T09:00 override
john 12-02T09:00 12-03T09:00 rotation/weekly
susan 12-03T09:00 12-03T21:00 override
john 12-03T21:00 12-07T09:00 rotation/weekly
thach 12-07T09:00 12-08T00:00 rotation/weekly
`,
		},
		{
			name: "window inside one shift is clipped to it",
			sc:   primary(),
			from: "2026-12-04T10:00:00", to: "2026-12-04T11:00:00",
			want: "john 12-04T10:00 12-04T11:00 rotation/weekly\n",
		},
		{
			name: "window ending at a handoff has no empty shift",
			sc:   primary(),
			from: "2026-12-06T09:00:00", to: "2026-12-07T09:00:00",
			want: "john 12-06T09:00 12-07T09:00 rotation/weekly\n",
		},
		{
			name: "window starting at a handoff",
			sc:   primary(),
			from: "2026-12-07T09:00:00", to: "2026-12-07T10:00:00",
			want: "thach 12-07T09:00 12-07T10:00 rotation/weekly\n",
		},
		{
			name: "before start is a gap",
			sc:   primary(),
			from: "2026-11-22T00:00:00", to: "2026-11-24T00:00:00",
			want: "thach 11-23T09:00 11-24T00:00 rotation/weekly\n",
		},
		{
			name: "single member's daily shifts merge",
			sc:   config.Schedule{ID: "s", Timezone: hcm, Rotations: []config.Rotation{rot("r", []string{"glen"}, 24*time.Hour, "2026-11-01T09:00:00")}},
			from: "2026-11-23T00:00:00", to: "2026-11-30T00:00:00",
			want: "glen 11-23T00:00 11-30T00:00 rotation/r\n",
		},
		{
			name: "business-hours layer over 24/7",
			sc: config.Schedule{ID: "s", Timezone: hcm, Rotations: []config.Rotation{
				rot("weekly", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00"), biz,
			}},
			from: "2026-11-27T00:00:00", to: "2026-11-30T12:00:00",
			want: `thach 11-27T00:00 11-27T09:00 rotation/weekly
susan 11-27T09:00 11-27T17:00 rotation/business
thach 11-27T17:00 11-30T09:00 rotation/weekly
glen 11-30T09:00 11-30T12:00 rotation/business
`,
		},
		{
			name: "overlapping overrides overlap, adjacent ones of one person merge",
			sc: config.Schedule{ID: "s", Timezone: hcm,
				Rotations: []config.Rotation{rot("r", []string{"a"}, 24*time.Hour, "2026-11-01T00:00:00")},
				Overrides: []config.Override{
					{Person: "c", From: "2026-11-25T10:00:00", Until: "2026-11-25T12:00:00"},
					{Person: "d", From: "2026-11-25T11:00:00", Until: "2026-11-25T13:00:00"},
					{Person: "d", From: "2026-11-25T13:00:00", Until: "2026-11-25T14:00:00"},
				}},
			from: "2026-11-25T09:00:00", to: "2026-11-25T15:00:00",
			want: `a 11-25T09:00 11-25T10:00 rotation/r
c 11-25T10:00 11-25T12:00 override
d 11-25T11:00 11-25T14:00 override
a 11-25T14:00 11-25T15:00 rotation/r
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDirectory(t, &config.Config{People: people(everyone...), Schedules: []config.Schedule{tt.sc}, TimeIntervals: []config.TimeInterval{businessHours}})
			got := d.Shifts(tt.sc.ID, local(t, hcm, tt.from), local(t, hcm, tt.to))
			if s := fmtShifts(t, hcm, got); s != tt.want {
				t.Errorf("Shifts =\n%s\nwant\n%s", s, tt.want)
			}
			for _, s := range got {
				if s.Start.Location().String() != hcm {
					t.Errorf("shift %v is not in the schedule's zone", s)
				}
			}
		})
	}
}

func TestShiftsEmptyWindow(t *testing.T) {
	d := mustDirectory(t, &config.Config{People: people(everyone...), Schedules: []config.Schedule{primary()}})
	at := local(t, hcm, "2026-12-01T00:00:00")
	for _, to := range []time.Time{at, at.Add(-time.Hour)} {
		if got := d.Shifts("sre-primary", at, to); got != nil {
			t.Errorf("Shifts(%s, %s) = %v, want nil", at, to, got)
		}
	}
}

func TestHandoffs(t *testing.T) {
	cfg := &config.Config{
		People: people(everyone...),
		Schedules: []config.Schedule{
			primary(),
			{ID: "secondary", Timezone: "UTC", Rotations: []config.Rotation{rot("daily", []string{"a", "b"}, 24*time.Hour, "2026-11-30T00:00:00")}},
			{ID: "solo", Timezone: "UTC", Rotations: []config.Rotation{rot("r", []string{"glen"}, 24*time.Hour, "2026-11-30T12:00:00")}},
		},
	}
	d := mustDirectory(t, cfg)
	tests := []struct {
		name     string
		from, to string // RFC 3339
		only     string // schedule to keep, or all
		want     string
	}{
		{
			name: "a week: nobody is handed their own shift when an override only changes its source",
			only: "sre-primary",
			from: "2026-11-30T00:00:00+07:00", to: "2026-12-08T00:00:00+07:00",
			want: `sre-primary john 11-30T09:00 12-03T09:00
sre-primary susan 12-03T09:00 12-03T21:00
sre-primary john 12-03T21:00 12-07T09:00
sre-primary thach 12-07T09:00 12-14T09:00
`,
		},
		{
			name: "ordered by time across schedules; a rotation's start is a handoff; an endless shift has no Until",
			from: "2026-11-29T17:00:00Z", to: "2026-11-30T17:00:00Z",
			want: `secondary a 11-30T07:00 12-01T07:00
sre-primary john 11-30T09:00 12-03T09:00
solo glen 11-30T19:00 -
`,
		},
		{
			name: "from is inclusive",
			from: "2026-12-07T02:00:00Z", to: "2026-12-07T02:00:01Z",
			want: "sre-primary thach 12-07T09:00 12-14T09:00\n",
		},
		{
			name: "to is exclusive",
			from: "2026-12-07T01:00:00Z", to: "2026-12-07T02:00:00Z",
			want: "",
		},
		{
			name: "just after a handoff is not one",
			from: "2026-12-07T02:00:00.000000001Z", to: "2026-12-07T03:00:00Z",
			want: "",
		},
	}
	loc := zone(t, hcm)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for _, h := range d.Handoffs(utc(t, tt.from), utc(t, tt.to)) {
				if tt.only != "" && h.Schedule != tt.only {
					continue
				}
				until := "-"
				if !h.Until.IsZero() {
					until = h.Until.In(loc).Format("01-02T15:04")
				}
				fmt.Fprintf(&b, "%s %s %s %s\n", h.Schedule, h.Person, h.At.In(loc).Format("01-02T15:04"), until)
			}
			if b.String() != tt.want {
				t.Errorf("Handoffs =\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

// TestHandoffsAgreeWithShifts checks that every handoff starts a shift and
// its Until ends the person's run of shifts.
func TestHandoffsAgreeWithShifts(t *testing.T) {
	d := mustDirectory(t, &config.Config{People: people(everyone...), Schedules: []config.Schedule{primary()}})
	from, to := local(t, hcm, "2026-11-20T00:00:00"), local(t, hcm, "2026-12-20T00:00:00")
	shifts := d.Shifts("sre-primary", from, to.AddDate(0, 0, 14))
	for _, h := range d.Handoffs(from, to) {
		i := slices.IndexFunc(shifts, func(s Shift) bool { return s.Person == h.Person && s.Start.Equal(h.At) })
		if i < 0 {
			t.Fatalf("handoff %+v starts no shift", h)
		}
		end := shifts[i].End
		for _, s := range shifts[i+1:] {
			if s.Person == h.Person && s.Start.Equal(end) {
				end = s.End
			}
		}
		if !end.Equal(h.Until) {
			t.Errorf("handoff %+v: shifts run until %s", h, end)
		}
	}
}

func TestOffCall(t *testing.T) {
	p := primary()
	d := oneSchedule(t, hcm, p.Rotations, p.Overrides)
	solo := oneSchedule(t, hcm, []config.Rotation{rot("solo", []string{"thach"}, 168*time.Hour, "2026-11-23T09:00:00")}, nil)
	tests := []struct {
		name   string
		d      *Directory
		person string
		at     string // local
		want   string // local; "" for not ok
	}{
		{"weekly shift ends at the handoff", d, "thach", "2026-11-24T12:00:00", "2026-11-30T09:00:00"},
		{"a shift running into the person's own override lasts through it", d, "john", "2026-11-30T10:00:00", "2026-12-03T09:00:00"},
		{"an override ends when the rotation hands to someone else", d, "susan", "2026-12-03T10:00:00", "2026-12-03T21:00:00"},
		{"not on call", d, "john", "2026-11-24T12:00:00", ""},
		{"the only member is on call for good", solo, "thach", "2026-11-24T12:00:00", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.d.Schedules()[0]
			got, ok := tc.d.OffCall(id, tc.person, local(t, hcm, tc.at))
			if tc.want == "" {
				if ok {
					t.Fatalf("OffCall = %v, true; want not ok", got)
				}
				return
			}
			if want := local(t, hcm, tc.want); !ok || !got.Equal(want) {
				t.Fatalf("OffCall = %v, %v; want %v", got, ok, want)
			}
		})
	}
}
