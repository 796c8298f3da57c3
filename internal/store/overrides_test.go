package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func testOverrides(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	h := time.Hour
	one := OverrideRow{Schedule: "sre-primary", Person: "glen", StartsAt: t0, EndsAt: t0.Add(8 * h), Note: "covering\x00 the night",
		CreatedBy: "person/glen", CreatedAt: t0.Add(-h)}
	got, err := s.AddOverrides(ctx, []OverrideRow{one}, func(rows []OverrideRow) AuditRow {
		return AuditRow{At: t0.Add(-h), Actor: "person/glen", Action: "oncall.override.added", Detail: fmt.Sprint(rows[0].ID)}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID <= 0 || got[0].SwapID != 0 {
		t.Fatalf("added %+v", got)
	}
	one.ID, one.Note = got[0].ID, "covering\uFFFD the night"
	if back, err := s.Override(ctx, one.ID); err != nil || back != one {
		t.Fatalf("Override(%d) = %+v, %v; want %+v", one.ID, back, err, one)
	}
	if _, err := s.Override(ctx, one.ID+100); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown override: %v", err)
	}

	// A swap: two halves, both carrying the first one's id.
	a := OverrideRow{Schedule: "sre-primary", Person: "thach", Replacing: "john", StartsAt: t0.Add(24 * h), EndsAt: t0.Add(48 * h),
		CreatedBy: "token/ops", CreatedAt: t0}
	b := OverrideRow{Schedule: "sre-primary", Person: "john", Replacing: "thach", StartsAt: t0.Add(72 * h), EndsAt: t0.Add(96 * h),
		CreatedBy: "token/ops", CreatedAt: t0}
	swap, err := s.AddOverrides(ctx, []OverrideRow{a, b}, func([]OverrideRow) AuditRow {
		return AuditRow{At: t0, Actor: "token/ops", Action: "oncall.swap.added"}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(swap) != 2 || swap[0].ID <= one.ID || swap[1].ID <= swap[0].ID || swap[0].SwapID != swap[0].ID || swap[1].SwapID != swap[0].ID {
		t.Fatalf("swap %+v", swap)
	}
	halves, err := s.SwapHalves(ctx, swap[0].ID)
	if err != nil || len(halves) != 2 || halves[0] != swap[0] || halves[1] != swap[1] {
		t.Fatalf("SwapHalves = %+v, %v", halves, err)
	}
	other := OverrideRow{Schedule: "dba", Person: "susan", StartsAt: t0.Add(2 * h), EndsAt: t0.Add(3 * h), CreatedAt: t0}
	if _, err := s.AddOverrides(ctx, []OverrideRow{other}, func([]OverrideRow) AuditRow { return AuditRow{} }); err != nil {
		t.Fatal(err)
	}

	ids := func(f OverrideFilter) []int64 {
		t.Helper()
		rows, err := s.Overrides(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    OverrideFilter
		want []int64
	}{
		{"all, by start", OverrideFilter{}, []int64{one.ID, swap[0].ID + 2, swap[0].ID, swap[1].ID}},
		{"one schedule", OverrideFilter{Schedule: "sre-primary"}, []int64{one.ID, swap[0].ID, swap[1].ID}},
		{"overlapping a window (ends are exclusive)", OverrideFilter{EndsAfter: t0.Add(8 * h), StartsBefore: t0.Add(73 * h)}, []int64{swap[0].ID, swap[1].ID}},
		{"limit", OverrideFilter{Limit: 1}, []int64{one.ID}},
	} {
		if got := ids(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}

	// Ending: one under way is cut short, one to come is removed, one over
	// is left alone; the audit entry is written with them.
	ends := []OverrideEnd{{ID: one.ID, At: t0.Add(2 * h)}, {ID: swap[0].ID, At: t0.Add(2 * h)}, {ID: swap[0].ID + 2, At: t0.Add(5 * h)}}
	if err := s.EndOverrides(ctx, ends, AuditRow{At: t0.Add(2 * h), Actor: "person/glen", Action: "oncall.override.removed"}); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.Override(ctx, one.ID); !o.EndsAt.Equal(t0.Add(2 * h)) {
		t.Errorf("under way: ends %v, want cut short at %v", o.EndsAt, t0.Add(2*h))
	}
	if _, err := s.Override(ctx, swap[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("to come: %v, want removed", err)
	}
	if o, _ := s.Override(ctx, swap[0].ID+2); !o.EndsAt.Equal(t0.Add(3 * h)) {
		t.Errorf("over: ends %v, want untouched", o.EndsAt)
	}
	audit, err := s.Audit(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action)
	}
	if audit[0].Detail != fmt.Sprint(one.ID) {
		t.Errorf("the audit entry of an added override knows its id: %q, want %d", audit[0].Detail, one.ID)
	}
	if want := []string{"oncall.override.added", "oncall.swap.added", "oncall.override.removed"}; !slices.Equal(actions, want) {
		t.Errorf("audit %v, want %v", actions, want)
	}
}

func testFeedSecrets(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	n := 0
	mk := func() string { n++; return "secret-" + string(rune('0'+n)) }
	first, err := s.FeedSecret(ctx, "glen", t0, mk)
	if err != nil || first != "secret-1" {
		t.Fatalf("first: %q %v", first, err)
	}
	if again, err := s.FeedSecret(ctx, "glen", t0, mk); err != nil || again != first || n != 1 {
		t.Fatalf("again: %q %v (made %d)", again, err, n)
	}
	if err := s.RotateFeedSecret(ctx, "glen", "rotated", t0.Add(time.Hour), AuditRow{At: t0, Actor: "person/glen", Action: "oncall.feed.rotated"}); err != nil {
		t.Fatal(err)
	}
	if now, _ := s.FeedSecret(ctx, "glen", t0, mk); now != "rotated" {
		t.Fatalf("after rotation: %q", now)
	}
	if susan, _ := s.FeedSecret(ctx, "susan", t0, mk); susan != "secret-2" {
		t.Fatalf("another person: %q", susan)
	}
	if err := s.RotateFeedSecret(ctx, "viktor", "fresh", t0, AuditRow{}); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.FeedSecret(ctx, "viktor", t0, mk); v != "fresh" {
		t.Fatalf("rotated before first use: %q", v)
	}
}
