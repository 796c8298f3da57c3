package zone

import (
	"testing"

	"github.com/vigil-sre/vigil/internal/config"
)

func TestPersonThenGlobalThenUTC(t *testing.T) {
	cfg := &config.Config{Global: config.Global{Timezone: "Europe/Berlin"},
		People: []config.Person{{ID: "thach", Timezone: "Asia/Ho_Chi_Minh"}, {ID: "john"}}}
	z := New(cfg)
	for person, want := range map[string]string{"thach": "Asia/Ho_Chi_Minh", "john": "Europe/Berlin", "nobody": "Europe/Berlin", "": "Europe/Berlin"} {
		if got := Of(cfg, person).String(); got != want {
			t.Errorf("Of(%q) = %s, want %s", person, got, want)
		}
		if got := z.Person(person).String(); got != want {
			t.Errorf("Zones.Person(%q) = %s, want %s", person, got, want)
		}
	}
	if got := Default(&config.Config{}).String(); got != "UTC" {
		t.Errorf("no global zone: %s", got)
	}
	if got := Of(nil, "x").String(); got != "UTC" {
		t.Errorf("no config: %s", got)
	}
}
