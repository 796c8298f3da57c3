package route

import (
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
)

func TestMaintenanceIn(t *testing.T) {
	cfg := &config.Config{
		Global: config.Global{Timezone: "Asia/Ho_Chi_Minh"},
		Maintenance: []config.Maintenance{
			{ID: "release-night", Match: map[string]string{"service": "shop"}, Start: "2026-11-27T22:00:00", Duration: duration.Duration(2 * time.Hour)},
			{ID: "db-upgrade", Match: map[string]string{"service": "shop", "component": "db"}, Start: "2026-11-27T23:00:00", Duration: duration.Duration(4 * time.Hour)},
			{ID: "no-team", Match: map[string]string{"team": ""}, Start: "2026-12-01T00:00:00", Duration: duration.Duration(time.Hour)},
		},
	}
	m, err := NewMaintenance(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hcm := mustLoc(t, "Asia/Ho_Chi_Minh")
	local := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, hcm) }
	shop := map[string]string{"service": "shop", "team": "sre"}
	shopDB := map[string]string{"service": "shop", "component": "db", "team": "sre"}
	tests := []struct {
		name   string
		lbls   map[string]string
		t      time.Time
		wantID string
	}{
		{"before start", shop, local(27, 21, 59), ""},
		{"at start, in global.timezone", shop, local(27, 22, 0), "release-night"},
		{"same instant in UTC", shop, local(27, 22, 0).UTC(), "release-night"},
		{"22:00 UTC is not 22:00 local", shop, time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC), ""},
		{"last instant", shop, local(28, 0, 0).Add(-time.Nanosecond), "release-night"},
		{"end is exclusive", shop, local(28, 0, 0), ""},
		{"first window in config order", shopDB, local(27, 23, 30), "release-night"},
		{"second window once the first ends", shopDB, local(28, 1, 0), "db-upgrade"},
		{"labels must match", map[string]string{"service": "web"}, local(27, 22, 30), ""},
		{"empty match value means the label is absent", map[string]string{"service": "web"}, time.Date(2026, 12, 1, 0, 30, 0, 0, hcm), "no-team"},
		{"and not present", shop, time.Date(2026, 12, 1, 0, 30, 0, 0, hcm), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := m.In(pack(tt.lbls), tt.t)
			if id != tt.wantID || ok != (tt.wantID != "") {
				t.Errorf("In = %q, %v; want %q", id, ok, tt.wantID)
			}
		})
	}
}

func TestMaintenanceAcrossDST(t *testing.T) {
	// Berlin leaves summer time at 03:00 on 2026-10-25: the night is an hour
	// longer, and a 4h window from 00:00 ends at 03:00 winter time.
	m, err := NewMaintenance(&config.Config{
		Global:      config.Global{Timezone: "Europe/Berlin"},
		Maintenance: []config.Maintenance{{ID: "w", Match: map[string]string{"a": "b"}, Start: "2026-10-25T00:00:00", Duration: duration.Duration(4 * time.Hour)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ber := mustLoc(t, "Europe/Berlin")
	lbls := map[string]string{"a": "b"}
	if _, ok := m.In(pack(lbls), time.Date(2026, 10, 25, 2, 59, 0, 0, ber)); !ok {
		t.Error("02:59 is inside")
	}
	if _, ok := m.In(pack(lbls), time.Date(2026, 10, 25, 3, 0, 0, 0, ber)); ok {
		t.Error("03:00 winter time is four hours after midnight summer time")
	}
}
