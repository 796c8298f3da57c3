package monitor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/monitor"
	"github.com/vigil-sre/vigil/internal/store"
)

// TestOwnLoadsStateAndStopsChecks: a monitor split by shards probes only
// the checks of the shards it is given; a check it gains takes up the
// state stored by its previous owner (soft state, fails, flapping window,
// sequence); a check it lost is neither scheduled nor recorded, even when
// probed on demand.
func TestOwnLoadsStateAndStopsChecks(t *testing.T) {
	ctx := context.Background()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	s, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "v.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg, err := config.Parse("test.yaml", []byte(`
services:
  - id: web
    checks:
      - {id: a, http: {url: "`+target.URL+`/a"}, every: 1m}
      - {id: b, http: {url: "`+target.URL+`/b"}, every: 1m}
`), config.Options{BaseDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	shard := map[string]int{"web/a": 0, "web/b": 1}
	m := monitor.New(monitor.Options{Clock: clock.NewFake(time.Unix(1_700_000_000, 0)), Store: s,
		Shard: func(key string) int { return shard[key] }}, 4)
	if err := m.Apply(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if n := m.Owned(); n != 0 {
		t.Fatalf("%d checks probed before any shard is held", n)
	}
	// Another replica probed b and stored its state.
	idB := m.CheckIDs()["web/b"]
	at := time.Unix(1_700_000_000, 0).UTC()
	stored := store.CheckState{CheckID: idB, Service: "web", Name: "b", Kind: "http", State: "pending",
		Reason: "status 500", Since: at, LastChecked: at, LastStatus: "fail", Fails: 2, History: "fpf", Seq: 41}
	if err := s.WriteBatch(ctx, store.Batch{States: []store.CheckState{stored}}, 10); err != nil {
		t.Fatal(err)
	}

	if gained, err := m.Own(ctx, map[int]store.Fence{0: {}}); err != nil || !slices.Equal(gained, []string{"web/a"}) {
		t.Fatalf("gained %v, %v; want web/a", gained, err)
	}
	gained, err := m.Own(ctx, map[int]store.Fence{0: {}, 1: {}})
	if err != nil || !slices.Equal(gained, []string{"web/b"}) {
		t.Fatalf("gained %v, %v; want web/b alone (web/a was already held)", gained, err)
	}
	sn, _ := m.Snapshot("web/b")
	if sn.State != monitor.Pending || sn.Fails != 2 || sn.History != stored.History || !sn.LastAt.Equal(at) {
		t.Fatalf("web/b after the takeover = %+v; want the stored state", sn.Tracker)
	}
	if n := m.Owned(); n != 2 {
		t.Fatalf("%d checks probed with both shards held, want 2", n)
	}

	// Shard 0 moves away: web/a stops; a probe on demand returns a result
	// but leaves the check's state to its owner.
	if gained, err := m.Own(ctx, map[int]store.Fence{1: {}}); err != nil || len(gained) != 0 {
		t.Fatalf("gained %v, %v; want nothing", gained, err)
	}
	if n := m.Owned(); n != 1 {
		t.Fatalf("%d checks probed after shard 0 moved away, want 1", n)
	}
	r, err := m.ProbeNow(ctx, "web/a")
	if err != nil || r.Status == "" {
		t.Fatalf("probe on demand = %+v, %v", r, err)
	}
	if sn, _ := m.Snapshot("web/a"); !sn.LastAt.IsZero() {
		t.Fatalf("web/a recorded a result after its shard moved away: %+v", sn.Tracker)
	}
}
