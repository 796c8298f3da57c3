package oncall

import (
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

func TestExpand(t *testing.T) {
	d := mustDirectory(t, &config.Config{
		People: people(everyone...),
		Teams:  []config.Team{{ID: "sre", Members: []string{"thach", "john"}}, {ID: "ops", Members: []string{"glen", "susan"}}},
		Schedules: []config.Schedule{primary(), {ID: "later", Timezone: hcm,
			Rotations: []config.Rotation{rot("r", []string{"a"}, 168*time.Hour, "2030-01-01T00:00:00")}}},
		Channels: []config.Channel{{ID: "sre-slack", Type: "slack"}, {ID: "audit", Type: "webhook"}},
	})
	at := local(t, hcm, "2026-11-25T12:00:00") // thach's week
	p := func(id, via string) Recipient { return Recipient{Person: id, Via: via} }
	c := func(id, via string) Recipient { return Recipient{Channel: id, Via: via} }
	tests := []struct {
		name    string
		targets []string
		want    []Recipient
	}{
		{"schedule", []string{"schedule/sre-primary"}, []Recipient{p("thach", "schedule/sre-primary")}},
		{"team", []string{"team/sre"}, []Recipient{p("thach", "team/sre"), p("john", "team/sre")}},
		{"person", []string{"person/glen"}, []Recipient{p("glen", "person/glen")}},
		{"channel", []string{"channel/sre-slack"}, []Recipient{c("sre-slack", "channel/sre-slack")}},
		{"first via wins", []string{"schedule/sre-primary", "team/sre", "person/thach", "team/ops", "person/glen"}, []Recipient{
			p("thach", "schedule/sre-primary"), p("john", "team/sre"), p("glen", "team/ops"), p("susan", "team/ops"),
		}},
		{"channels dedup too", []string{"channel/audit", "person/john", "channel/audit", "channel/sre-slack"}, []Recipient{
			c("audit", "channel/audit"), p("john", "person/john"), c("sre-slack", "channel/sre-slack"),
		}},
		{"a person and a channel with one id are different", []string{"person/audit", "channel/audit"}, []Recipient{c("audit", "channel/audit")}},
		{"schedule with nobody on call adds nobody", []string{"schedule/later", "person/glen"}, []Recipient{p("glen", "person/glen")}},
		{"unknown targets are skipped", []string{"schedule/nope", "team/nope", "person/nope", "channel/nope", "bogus", "pager/x"}, nil},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.Expand(tt.targets, at); !slices.Equal(got, tt.want) {
				t.Errorf("Expand(%v) = %v, want %v", tt.targets, got, tt.want)
			}
		})
	}
}

// TestExpandFollowsTheSchedule checks that the schedule is read at the time
// asked about, not at some fixed time.
func TestExpandFollowsTheSchedule(t *testing.T) {
	d := mustDirectory(t, &config.Config{People: people(everyone...), Schedules: []config.Schedule{primary()}})
	for at, want := range map[string]string{
		"2026-11-30T08:59:59": "thach",
		"2026-11-30T09:00:00": "john",
		"2026-12-03T12:00:00": "susan",
	} {
		got := d.Expand([]string{"schedule/sre-primary"}, local(t, hcm, at))
		if len(got) != 1 || got[0].Person != want {
			t.Errorf("Expand at %s = %v, want %s", at, got, want)
		}
	}
}
