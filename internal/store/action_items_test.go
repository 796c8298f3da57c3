package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// testActionItems: insert assigns ids, update replaces the item whole, and
// unknown items or incidents are ErrNotFound.
func testActionItems(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	a := createIncident(t, s, IncidentRow{Title: "a", Status: IncidentResolved, DeclaredAt: t0})
	b := createIncident(t, s, IncidentRow{Title: "b", Status: IncidentResolved, DeclaredAt: t0})
	save := func(it ActionItem) ActionItem {
		t.Helper()
		got, err := s.SaveActionItem(ctx, it)
		if err != nil {
			t.Fatalf("SaveActionItem(%+v): %v", it, err)
		}
		return got
	}
	full := ActionItem{IncidentID: a.ID, Item: "Alert on pool saturation", Type: "prevent", Owner: "person/lee",
		Tracking: "https://tracker/OPS-12", Status: "open", Due: t0.Add(14 * 24 * time.Hour),
		Links: []string{"alert/42", "check/shop/web", "runbook/restart-web"}, CreatedAt: t0, UpdatedAt: t0.Add(time.Second)}
	first := save(full)
	if first.ID <= 0 {
		t.Fatalf("first item id = %d, want > 0", first.ID)
	}
	full.ID = first.ID
	if !reflect.DeepEqual(first, full) {
		t.Errorf("saved item =\n%+v\nwant\n%+v", first, full)
	}
	other := save(ActionItem{IncidentID: b.ID, Item: "elsewhere", Type: "process", Status: "open", CreatedAt: t0})
	bare := save(ActionItem{IncidentID: a.ID, Item: "Write the runbook", Type: "mitigate", Status: "open", CreatedAt: t0})
	if !(first.ID < other.ID && other.ID < bare.ID) {
		t.Errorf("ids %d, %d, %d; want increasing", first.ID, other.ID, bare.ID)
	}
	if !bare.Due.IsZero() || !bare.UpdatedAt.IsZero() || len(bare.Links) != 0 || bare.Owner != "" || bare.Tracking != "" {
		t.Errorf("bare item = %+v; want zero due and updated, no links, owner or tracking", bare)
	}

	updated := full
	updated.Status, updated.Owner, updated.Due, updated.Links, updated.UpdatedAt = "done", "", time.Time{}, []string{"alert/43"}, t0.Add(time.Hour)
	if got := save(updated); !reflect.DeepEqual(got, updated) {
		t.Errorf("updated item =\n%+v\nwant\n%+v", got, updated)
	}
	if got, err := s.ActionItems(ctx, a.ID); err != nil || !reflect.DeepEqual(got, []ActionItem{updated, bare}) {
		t.Errorf("ActionItems(a) =\n%+v (err %v)\nwant\n%+v", got, err, []ActionItem{updated, bare})
	}
	if got, err := s.ActionItems(ctx, b.ID); err != nil || len(got) != 1 || got[0].ID != other.ID {
		t.Errorf("ActionItems(b) = %+v, %v; want only item %d", got, err, other.ID)
	}

	missing := updated
	missing.ID = bare.ID + 10
	if _, err := s.SaveActionItem(ctx, missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("SaveActionItem(missing id) err = %v, want ErrNotFound", err)
	}
	if _, err := s.SaveActionItem(ctx, ActionItem{IncidentID: b.ID + 1, Item: "x", Status: "open"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("SaveActionItem(missing incident) err = %v, want ErrNotFound", err)
	}
	if got, err := s.ActionItems(ctx, b.ID+1); err != nil || len(got) != 0 {
		t.Errorf("ActionItems(unknown) = %+v, %v; want none", got, err)
	}
}
