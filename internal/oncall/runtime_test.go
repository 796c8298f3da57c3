package oncall

import (
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// rt is a run-time override on schedule "sre-primary", times local to hcm.
func rt(t *testing.T, id int64, person, replacing, from, until string) Override {
	return Override{ID: id, Schedule: "sre-primary", Person: person, Replacing: replacing,
		From: local(t, hcm, from), Until: local(t, hcm, until)}
}

func primaryDirectory(t *testing.T) *Directory {
	return mustDirectory(t, &config.Config{People: people(everyone...), Schedules: []config.Schedule{primary()}})
}

func TestRuntimeOverridesOnTopOfConfig(t *testing.T) {
	base := primaryDirectory(t)
	tests := []struct {
		name     string
		ovs      []Override
		from, to string
		want     string
	}{
		{
			name: "a run-time override beats the layers and the config's override",
			ovs:  []Override{rt(t, 7, "glen", "", "2026-12-01T21:00:00", "2026-12-02T03:00:00")},
			from: "2026-12-01T00:00:00", to: "2026-12-02T12:00:00",
			want: `john 12-01T00:00 12-01T09:00 rotation/weekly
john 12-01T09:00 12-01T21:00 override
glen 12-01T21:00 12-02T03:00 override/7
john 12-02T03:00 12-02T09:00 override
john 12-02T09:00 12-02T12:00 rotation/weekly
`,
		},
		{
			name: "standing in for one person takes only that person's time",
			ovs:  []Override{rt(t, 3, "glen", "thach", "2026-11-29T00:00:00", "2026-12-01T00:00:00")},
			from: "2026-11-29T00:00:00", to: "2026-12-01T00:00:00",
			want: `glen 11-29T00:00 11-30T09:00 override/3
john 11-30T09:00 12-01T00:00 rotation/weekly
`,
		},
		{
			name: "standing in for someone who is not on call changes nothing",
			ovs:  []Override{rt(t, 3, "glen", "susan", "2026-11-29T00:00:00", "2026-11-30T00:00:00")},
			from: "2026-11-29T00:00:00", to: "2026-11-30T00:00:00",
			want: "thach 11-29T00:00 11-30T00:00 rotation/weekly\n",
		},
		{
			name: "of two overlapping overrides the more recent wins, whatever the order given",
			ovs: []Override{
				rt(t, 9, "susan", "", "2026-11-29T12:00:00", "2026-11-29T18:00:00"),
				rt(t, 4, "glen", "", "2026-11-29T06:00:00", "2026-11-29T20:00:00"),
			},
			from: "2026-11-29T00:00:00", to: "2026-11-30T00:00:00",
			want: `thach 11-29T00:00 11-29T06:00 rotation/weekly
glen 11-29T06:00 11-29T12:00 override/4
susan 11-29T12:00 11-29T18:00 override/9
glen 11-29T18:00 11-29T20:00 override/4
thach 11-29T20:00 11-30T00:00 rotation/weekly
`,
		},
		{
			name: "a later stand-in for the stand-in: a chain",
			ovs: []Override{
				rt(t, 1, "glen", "thach", "2026-11-29T00:00:00", "2026-11-29T12:00:00"),
				rt(t, 2, "susan", "glen", "2026-11-29T06:00:00", "2026-11-29T12:00:00"),
			},
			from: "2026-11-29T00:00:00", to: "2026-11-29T12:00:00",
			want: `glen 11-29T00:00 11-29T06:00 override/1
susan 11-29T06:00 11-29T12:00 override/2
`,
		},
		{
			name: "an override made before a more recent one loses the overlap only",
			ovs: []Override{
				rt(t, 5, "glen", "", "2026-11-29T06:00:00", "2026-11-29T08:00:00"),
				rt(t, 2, "susan", "", "2026-11-29T00:00:00", "2026-11-29T12:00:00"),
			},
			from: "2026-11-29T00:00:00", to: "2026-11-29T12:00:00",
			want: `susan 11-29T00:00 11-29T06:00 override/2
glen 11-29T06:00 11-29T08:00 override/5
susan 11-29T08:00 11-29T12:00 override/2
`,
		},
		{
			name: "unknown people and schedules, and empty overrides, are left out",
			ovs: []Override{
				rt(t, 1, "zed", "", "2026-11-29T00:00:00", "2026-11-30T00:00:00"),
				{ID: 2, Schedule: "gone", Person: "glen", From: local(t, hcm, "2026-11-29T00:00:00"), Until: local(t, hcm, "2026-11-30T00:00:00")},
				rt(t, 3, "glen", "", "2026-11-29T10:00:00", "2026-11-29T10:00:00"),
			},
			from: "2026-11-29T00:00:00", to: "2026-11-30T00:00:00",
			want: "thach 11-29T00:00 11-30T00:00 rotation/weekly\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base.WithOverrides(tt.ovs)
			got := fmtShifts(t, hcm, d.Shifts("sre-primary", local(t, hcm, tt.from), local(t, hcm, tt.to)))
			if got != tt.want {
				t.Errorf("shifts:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestRuntimeOverrideStandsInAmongSeveral: with two people on call (config
// overrides overlapping), standing in for one keeps the other.
func TestRuntimeOverrideStandsInAmongSeveral(t *testing.T) {
	sc := primary()
	sc.Overrides = []config.Override{
		{Person: "john", From: "2026-12-01T09:00:00", Until: "2026-12-02T09:00:00"},
		{Person: "susan", From: "2026-12-01T09:00:00", Until: "2026-12-02T09:00:00"},
	}
	base := mustDirectory(t, &config.Config{People: people(everyone...), Schedules: []config.Schedule{sc}})
	at := local(t, hcm, "2026-12-01T12:00:00")
	if got := base.OnCall("sre-primary", at); !slices.Equal(got, []string{"john", "susan"}) {
		t.Fatalf("before: %v", got)
	}
	d := base.WithOverrides([]Override{rt(t, 1, "glen", "john", "2026-12-01T10:00:00", "2026-12-01T14:00:00")})
	if got := d.OnCall("sre-primary", at); !slices.Equal(got, []string{"glen", "susan"}) {
		t.Errorf("glen standing in for john: %v, want [glen susan]", got)
	}
	// Standing in for someone who is on call already leaves one of each.
	d = base.WithOverrides([]Override{rt(t, 1, "susan", "john", "2026-12-01T10:00:00", "2026-12-01T14:00:00")})
	if got := d.OnCall("sre-primary", at); !slices.Equal(got, []string{"susan"}) {
		t.Errorf("susan standing in for john while on call herself: %v, want [susan]", got)
	}
	// The directory overrides were added to is unchanged.
	if got := base.OnCall("sre-primary", at); !slices.Equal(got, []string{"john", "susan"}) {
		t.Errorf("the base directory changed: %v", got)
	}
}

// TestRuntimeOverridesReachEveryAnswer: escalation targets, handoffs and
// the end of a shift all count run-time overrides.
func TestRuntimeOverridesReachEveryAnswer(t *testing.T) {
	d := primaryDirectory(t).WithOverrides([]Override{rt(t, 1, "glen", "thach", "2026-11-25T09:00:00", "2026-11-26T09:00:00")})
	at := local(t, hcm, "2026-11-25T12:00:00")
	if got := d.Expand([]string{"schedule/sre-primary"}, at); len(got) != 1 || got[0].Person != "glen" || got[0].Via != "schedule/sre-primary" {
		t.Errorf("Expand: %+v", got)
	}
	if end, ok := d.OffCall("sre-primary", "glen", at); !ok || !end.Equal(local(t, hcm, "2026-11-26T09:00:00")) {
		t.Errorf("glen off call at %v %v", end, ok)
	}
	hs := d.Handoffs(local(t, hcm, "2026-11-25T00:00:00"), local(t, hcm, "2026-11-27T00:00:00"))
	var got []string
	for _, h := range hs {
		got = append(got, h.Person+" "+h.At.In(zone(t, hcm)).Format("01-02T15:04")+" until "+h.Until.In(zone(t, hcm)).Format("01-02T15:04"))
	}
	want := []string{"glen 11-25T09:00 until 11-26T09:00", "thach 11-26T09:00 until 11-30T09:00"}
	if !slices.Equal(got, want) {
		t.Errorf("handoffs %q, want %q", got, want)
	}
	if got := d.Shifts("sre-primary", at, at.Add(time.Hour)); len(got) != 1 || got[0].Source != "override/1" {
		t.Errorf("source: %+v", got)
	}
}

func TestLayers(t *testing.T) {
	biz := rot("business", []string{"susan", "glen"}, 24*time.Hour, "2026-11-23T09:00:00")
	biz.Active = "business_hours"
	d := mustDirectory(t, &config.Config{
		People: people(everyone...),
		Schedules: []config.Schedule{{ID: "s", Timezone: hcm,
			Rotations: []config.Rotation{rot("weekly", []string{"thach", "john"}, 168*time.Hour, "2026-11-23T09:00:00"), biz},
			Overrides: []config.Override{{Person: "john", From: "2026-11-24T20:00:00", Until: "2026-11-25T02:00:00"}}}},
		TimeIntervals: []config.TimeInterval{{ID: "business_hours", Weekdays: []string{"monday:friday"}, Times: []string{"09:00-17:00"}}},
	})
	ls := d.Layers("s", local(t, hcm, "2026-11-24T00:00:00"), local(t, hcm, "2026-11-26T00:00:00"))
	if len(ls) != 3 {
		t.Fatalf("%d layers: %+v", len(ls), ls)
	}
	want := []string{
		"thach 11-24T00:00 11-26T00:00 rotation/weekly\n",
		"glen 11-24T09:00 11-24T17:00 rotation/business\nsusan 11-25T09:00 11-25T17:00 rotation/business\n",
		"john 11-24T20:00 11-25T02:00 override\n",
	}
	for i, l := range ls {
		if got := fmtShifts(t, hcm, l.Shifts); got != want[i] {
			t.Errorf("layer %s:\n%s\nwant:\n%s", l.Source, got, want[i])
		}
	}
	if ls := d.Layers("nope", time.Time{}, time.Now()); ls != nil {
		t.Errorf("unknown schedule: %+v", ls)
	}
}
