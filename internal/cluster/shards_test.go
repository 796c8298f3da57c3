package cluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-sre/vigil/internal/cluster"
)

// TestShardsSplitAndMove: three replicas split 16 shards, each holding
// some and no shard held twice; a replica that joins gets its share from
// the others, and the shards of one that stops are taken by the survivors
// at a newer epoch. (A replica killed without releasing is
// TestHAKillCheckOwner's, in internal/app.)
func TestShardsSplitAndMove(t *testing.T) {
	s := postgres(t)
	const count = 16
	type replica struct {
		n    *cluster.Node
		sh   *cluster.Shards
		stop context.CancelFunc
	}
	start := func(name string) *replica {
		n := node(s, name)
		sh := n.Shards("checks", count, 1)
		if err := n.Join(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, stop := context.WithCancel(context.Background())
		go n.Run(ctx)
		t.Cleanup(stop)
		return &replica{n, sh, stop}
	}
	// split reports whether the live replicas hold every shard once, each
	// some; it says what it saw otherwise.
	split := func(rs ...*replica) (bool, string) {
		owner := map[int]string{}
		for _, r := range rs {
			held := r.sh.Held()
			if len(held) == 0 {
				return false, r.n.ID() + " holds no shard"
			}
			for i := range held {
				if o, dup := owner[i]; dup {
					return false, fmt.Sprintf("shard %d held by %s and %s", i, o, r.n.ID())
				}
				owner[i] = r.n.ID()
			}
		}
		return len(owner) == count, fmt.Sprintf("%d of %d shards held", len(owner), count)
	}
	a := start("a")
	if held := a.sh.Held(); len(held) != count {
		t.Fatalf("a replica alone holds %d of %d shards after joining", len(held), count)
	}
	b := start("b")
	c := start("c")
	eventually(t, 5*time.Second, "three replicas split the shards", func() bool { ok, _ := split(a, b, c); return ok })

	// c stops: a and b take its shards, at the next epoch.
	epochs := c.sh.Held()
	c.stop()
	eventually(t, 5*time.Second, "two replicas hold every shard", func() bool { ok, _ := split(a, b); return ok })
	for i, f := range epochs {
		for _, r := range []*replica{a, b} {
			if g, ok := r.sh.Held()[i]; ok && g.Epoch <= f.Epoch {
				t.Fatalf("shard %d taken over at epoch %d, want > %d", i, g.Epoch, f.Epoch)
			}
		}
	}
	if ok, why := split(a, b); !ok {
		t.Fatal(why)
	}
	// Metrics sum the shards rather than listing 16 leases.
	if got, want := shardsHeld(t, a.n), float64(len(a.sh.Held())); got != want {
		t.Fatalf("vigil_cluster_check_shards_held = %v, want %v", got, want)
	}
}

// shardsHeld reads vigil_cluster_check_shards_held from n's collector, and
// fails if a shard lease is exported one by one.
func shardsHeld(t *testing.T, n *cluster.Node) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(n.Collector())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	v := -1.0
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "module" && strings.HasPrefix(l.GetValue(), "checks/") {
					t.Fatalf("%s exported for shard %s", mf.GetName(), l.GetValue())
				}
			}
			if mf.GetName() == "vigil_cluster_check_shards_held" {
				v = m.GetGauge().GetValue()
			}
		}
	}
	return v
}

// TestNoShardsUnderAnOldLeader: while the leader lease is held by a
// replica that does not split the checks (an older version probing every
// check), a new replica takes no shard; once the old one stops, the new one
// leads and takes them all.
func TestNoShardsUnderAnOldLeader(t *testing.T) {
	s := postgres(t)
	ctx := context.Background()
	old := node(s, "old")
	old.Lease("leader", 1)
	if err := old.Join(ctx); err != nil {
		t.Fatal(err)
	}
	octx, stopOld := context.WithCancel(ctx)
	oldDone := make(chan struct{})
	go func() { old.Run(octx); close(oldDone) }()
	defer stopOld()

	n := node(s, "new")
	lead := n.Lease("leader", 2)
	sh := n.Shards("checks", 8, 1)
	sh.Follow(lead)
	if err := n.Join(ctx); err != nil {
		t.Fatal(err)
	}
	nctx, stopNew := context.WithCancel(ctx)
	defer stopNew()
	go n.Run(nctx)
	// A few heartbeats: the new replica must not take a shard meanwhile.
	for range 5 {
		if held := sh.Held(); len(held) != 0 {
			t.Fatalf("the new replica took shards %v while an old one leads", held)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stopOld()
	<-oldDone
	eventually(t, 5*time.Second, "the new replica leads and holds every shard", func() bool {
		_, leads := lead.Held()
		return leads && len(sh.Held()) == 8
	})
}
