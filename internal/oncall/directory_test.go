package oncall

import (
	"slices"
	"testing"

	"github.com/vigil-sre/vigil/internal/config"
)

func TestDirectoryLookups(t *testing.T) {
	members := []string{"thach", "john"}
	cfg := &config.Config{
		People:    people(everyone...),
		Teams:     []config.Team{{ID: "sre", Members: members}},
		Channels:  []config.Channel{{ID: "sre-slack", Type: "slack"}},
		Schedules: []config.Schedule{primary(), {ID: "other", Timezone: "UTC"}},
	}
	d := mustDirectory(t, cfg)
	if p, ok := d.Person("glen"); !ok || p.ID != "glen" {
		t.Errorf("Person(glen) = %v, %v", p, ok)
	}
	if _, ok := d.Person("nope"); ok {
		t.Error("Person(nope) found")
	}
	members[0] = "changed" // the directory keeps its own copy
	if tm, ok := d.Team("sre"); !ok || !slices.Equal(tm.Members, []string{"thach", "john"}) {
		t.Errorf("Team(sre) = %v, %v", tm, ok)
	}
	if c, ok := d.Channel("sre-slack"); !ok || c.Type != "slack" {
		t.Errorf("Channel(sre-slack) = %v, %v", c, ok)
	}
	if got := d.Schedules(); !slices.Equal(got, []string{"sre-primary", "other"}) {
		t.Errorf("Schedules = %v", got)
	}
	if loc, ok := d.Location("sre-primary"); !ok || loc.String() != hcm {
		t.Errorf("Location = %v, %v", loc, ok)
	}
	if _, ok := d.Location("nope"); ok {
		t.Error("Location(nope) found")
	}
}

// TestNewDirectoryNil checks that an empty directory answers without
// panicking.
func TestNewDirectoryNil(t *testing.T) {
	d := mustDirectory(t, nil)
	at := local(t, "UTC", "2026-01-01T00:00:00")
	if d.OnCall("x", at) != nil || d.Handoffs(at, at.AddDate(0, 1, 0)) != nil || d.Expand([]string{"team/x"}, at) != nil {
		t.Error("empty directory answered something")
	}
}
