package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// testReportActionItems: a report gets every open item, those closed in
// its period but not before or after, with their incident's title and
// services.
func testReportActionItems(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	in, err := s.CreateIncident(ctx, IncidentRow{Title: "Outage", Severity: "SEV1", Status: IncidentResolved, Services: []string{"shop", "cart"},
		StartedAt: t0, DeclaredAt: t0, UpdatedAt: t0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		item, status string
		at           time.Duration
	}{
		{"still open", "open", -30 * 24 * time.Hour},
		{"closed before", "done", -8 * 24 * time.Hour},
		{"closed in the week", "done", 2 * 24 * time.Hour},
		{"dropped in the week", "wontfix", 3 * 24 * time.Hour},
		{"closed after", "done", 8 * 24 * time.Hour},
	} {
		if _, err := s.SaveActionItem(ctx, ActionItem{IncidentID: in.ID, Item: a.item, Type: "prevent", Status: a.status,
			CreatedAt: t0.Add(-40 * 24 * time.Hour), UpdatedAt: t0.Add(a.at)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ReportActionItems(ctx, t0, t0.Add(7*24*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	for _, a := range got {
		items = append(items, a.Item)
		if a.IncidentTitle != "Outage" || len(a.Services) != 2 || a.Services[0] != "shop" {
			t.Errorf("item %q: incident %q %v", a.Item, a.IncidentTitle, a.Services)
		}
	}
	if want := "[still open closed in the week dropped in the week]"; fmt.Sprint(items) != want {
		t.Errorf("items %v, want %s", items, want)
	}
}
