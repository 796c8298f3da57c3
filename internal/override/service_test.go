package override

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/store"
)

// t0 is a Monday 09:00 UTC, when thach's week on sre-primary begins; john
// has the next week.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

const h = time.Hour

type fixture struct {
	svc       *Service
	clock     *clock.Fake
	store     *store.Store
	published [][]oncall.Override
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{clock: clock.NewFake(t0), store: st}
	f.svc = New(Deps{Store: st, Clock: f.clock, Publish: func(_ context.Context, ovs []oncall.Override) error {
		f.published = append(f.published, ovs)
		return nil
	}})
	dir, err := oncall.NewDirectory(&config.Config{
		People: []config.Person{{ID: "thach"}, {ID: "john"}, {ID: "glen"}, {ID: "susan"}},
		Schedules: []config.Schedule{{ID: "sre-primary", Rotations: []config.Rotation{
			{ID: "weekly", Members: []string{"thach", "john"}, Length: duration.Duration(7 * 24 * h), Start: "2026-11-23T09:00:00"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Apply(dir)
	if err := f.svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

var (
	glen     = auth.Principal{Person: "glen", Name: "Glen", Method: auth.MethodPassword, Scope: auth.Respond}
	susan    = auth.Principal{Person: "susan", Name: "Susan", Method: auth.MethodPassword, Scope: auth.Read}
	lead     = auth.Principal{Token: "lead", Name: "lead", Method: auth.MethodToken, Scope: auth.Operate}
	ownToken = auth.Principal{Token: "glen-cli", Person: "glen", Method: auth.MethodToken, Scope: auth.Respond}
)

func (f *fixture) onCall(at time.Time) []string {
	return f.svc.Directory().OnCall("sre-primary", at)
}

func TestAddValidatesEveryFieldAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		name string
		r    Request
		want string
	}{
		{"everything wrong", Request{Schedule: "nope", Person: "zed", Replacing: "zed2", From: t0.Add(2 * h), Until: t0.Add(h), Note: strings.Repeat("n", MaxNote+1)},
			`note: at most 500 characters, not 501; person: unknown person "zed"; replacing: unknown person "zed2"; schedule: unknown schedule "nope"; until: 2026-11-23T10:00:00Z must be after from (2026-11-23T11:00:00Z)`},
		{"nobody", Request{Schedule: "sre-primary", From: t0, Until: t0.Add(h)}, "person: is required"},
		{"over already", Request{Schedule: "sre-primary", Person: "glen", From: t0.Add(-2 * h), Until: t0.Add(-h)},
			"until: 2026-11-23T08:00:00Z is past; an override must end after now (2026-11-23T09:00:00Z)"},
		{"too long", Request{Schedule: "sre-primary", Person: "glen", From: t0, Until: t0.Add(91 * 24 * h)},
			"until: an override lasts at most 90 days; this one lasts 91 days"},
		{"too far", Request{Schedule: "sre-primary", Person: "glen", From: t0.Add(400 * 24 * h), Until: t0.Add(401 * 24 * h)},
			"until: 2027-12-29T09:00:00Z is more than a year ahead"},
		{"standing in for oneself", Request{Schedule: "sre-primary", Person: "glen", Replacing: "glen", From: t0, Until: t0.Add(h)},
			"replacing: glen cannot stand in for themselves"},
		{"standing in for someone off call", Request{Schedule: "sre-primary", Person: "glen", Replacing: "john", From: t0, Until: t0.Add(h)},
			"replacing: john is not on call on sre-primary at any time from 2026-11-23T09:00:00Z until 2026-11-23T10:00:00Z"},
	}
	for _, c := range cases {
		_, err := f.svc.Add(ctx, lead, c.r)
		if errs.CodeOf(err) != errs.Invalid || errs.Message(err) != c.want {
			t.Errorf("%s: %v\nwant %s", c.name, err, c.want)
		}
	}
	if rows, _ := f.store.Overrides(ctx, store.OverrideFilter{}); len(rows) != 0 || len(f.published) != 0 {
		t.Errorf("refused overrides left %d rows and %d publishes", len(rows), len(f.published))
	}
}

func TestWhoMayPutWhomOnCall(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	night := Request{Schedule: "sre-primary", From: t0.Add(12 * h), Until: t0.Add(20 * h)}
	for _, c := range []struct {
		name   string
		p      auth.Principal
		person string
		want   errs.Code
	}{
		{"respond, someone else", glen, "susan", errs.Forbidden},
		{"read, oneself", susan, "susan", errs.Forbidden},
		{"a token without a person", auth.Principal{Token: "ci", Method: auth.MethodToken, Scope: auth.Respond}, "glen", errs.Forbidden},
		{"respond, oneself", glen, "glen", ""},
		{"a person's own token, oneself", ownToken, "glen", ""},
		{"operate, anyone", lead, "susan", ""},
	} {
		r := night
		r.Person = c.person
		_, err := f.svc.Add(ctx, c.p, r)
		if got := errs.Code(""); err != nil {
			got = errs.CodeOf(err)
			if got != c.want {
				t.Errorf("%s: %v, want %q", c.name, err, c.want)
			}
		} else if c.want != "" {
			t.Errorf("%s: allowed, want %s", c.name, c.want)
		}
	}
	// The latest made wins the overlap: susan, by the lead.
	if got := f.onCall(t0.Add(13 * h)); !slices.Equal(got, []string{"susan"}) {
		t.Errorf("on call: %v, want the most recent override's susan", got)
	}
	if n := len(f.published); n != 3 || len(f.published[2]) != 3 {
		t.Errorf("published %d times, the last with %d overrides", n, len(f.published[n-1]))
	}
	audit, _ := f.store.Audit(ctx, time.Time{}, 0)
	if len(audit) != 3 || audit[0].Actor != "person/glen" || audit[1].Actor != "token/glen-cli" ||
		!strings.Contains(audit[2].Detail, "sre-primary: susan on call from 2026-11-23T21:00:00Z until 2026-11-24T05:00:00Z (override 3)") {
		t.Errorf("audit %+v", audit)
	}
}

func TestSwapAndRemove(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// thach gives john Tuesday and takes john's Wednesday next week.
	tue, nextWed := t0.Add(24*h), t0.Add(9*24*h)
	sw := SwapRequest{Schedule: "sre-primary", Person: "thach", With: "john", From: nextWed, Until: nextWed.Add(24 * h),
		BackFrom: tue, BackUntil: tue.Add(24 * h), Note: "dentist"}
	if _, err := f.svc.Swap(ctx, glen, sw); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("glen swapping two others: %v", err)
	}
	bad := sw
	bad.BackFrom, bad.BackUntil = nextWed, nextWed.Add(2*h)
	if _, err := f.svc.Swap(ctx, lead, bad); errs.Message(err) != "back_from: the two shifts of a swap must not overlap" {
		t.Fatalf("overlapping halves: %v", err)
	}
	thach := auth.Principal{Person: "thach", Method: auth.MethodOIDC, Scope: auth.Respond}
	halves, err := f.svc.Swap(ctx, thach, sw)
	if err != nil {
		t.Fatal(err)
	}
	if len(halves) != 2 || halves[0].SwapID != halves[0].ID || halves[1].SwapID != halves[0].ID {
		t.Fatalf("halves %+v", halves)
	}
	for at, want := range map[time.Time]string{tue.Add(h): "john", nextWed.Add(h): "thach", t0.Add(h): "thach", nextWed.Add(25 * h): "john"} {
		if got := f.onCall(at); !slices.Equal(got, []string{want}) {
			t.Errorf("at %v: %v, want %s", at, got, want)
		}
	}

	// glen may not remove it: it is not his.
	if _, err := f.svc.Remove(ctx, glen, "sre-primary", halves[1].ID); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("glen removing another's swap: %v", err)
	}
	if _, err := f.svc.Remove(ctx, thach, "other", halves[1].ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("on the wrong schedule: %v", err)
	}
	// Tuesday is under way when john removes the swap: it ends now, and
	// next Wednesday's half, not begun, is removed.
	f.clock.Advance(26 * h)
	john := auth.Principal{Person: "john", Method: auth.MethodPassword, Scope: auth.Respond}
	got, err := f.svc.Remove(ctx, john, "sre-primary", halves[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[int64]string{}
	for _, r := range got {
		outcomes[r.ID] = r.Outcome
	}
	if outcomes[halves[0].ID] != "removed" || outcomes[halves[1].ID] != "ended" {
		t.Fatalf("outcomes %v", outcomes)
	}
	if who := f.onCall(f.clock.Now()); !slices.Equal(who, []string{"thach"}) {
		t.Errorf("after removal: %v, want thach back", who)
	}
	if who := f.onCall(tue.Add(h)); !slices.Equal(who, []string{"john"}) {
		t.Errorf("the past half still counts for its past: %v", who)
	}
	if _, err := f.svc.Remove(ctx, john, "sre-primary", halves[1].ID); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("removing again: %v", err)
	}
}

// TestOverridesOutliveReloadAndRestart: a new config keeps the overrides on
// top, and a new service reads them back from the store.
func TestOverridesOutliveReloadAndRestart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Add(ctx, glen, Request{Schedule: "sre-primary", Person: "glen", From: t0, Until: t0.Add(8 * h)}); err != nil {
		t.Fatal(err)
	}
	dir, _ := oncall.NewDirectory(&config.Config{
		People: []config.Person{{ID: "thach"}, {ID: "glen"}},
		Schedules: []config.Schedule{{ID: "sre-primary", Rotations: []config.Rotation{
			{ID: "daily", Members: []string{"thach"}, Length: duration.Duration(24 * h), Start: "2026-11-20T09:00:00"}}}},
	})
	f.svc.Apply(dir)
	if got := f.onCall(t0.Add(h)); !slices.Equal(got, []string{"glen"}) {
		t.Errorf("after a reload: %v", got)
	}
	again := New(Deps{Store: f.store, Clock: f.clock})
	again.Apply(dir)
	if err := again.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := again.Directory().OnCall("sre-primary", t0.Add(h)); !slices.Equal(got, []string{"glen"}) {
		t.Errorf("after a restart: %v", got)
	}
	if ovs := again.Overrides(); len(ovs) != 1 || ovs[0].Person != "glen" {
		t.Errorf("overrides for the pager: %+v", ovs)
	}
}
