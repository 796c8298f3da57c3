package app

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// TestServeTunesGC: vigil serve sets GOGC from its live heap, 200 while it
// is small, unless the environment sets GOGC, which it then leaves alone
// (as /metrics reports): 50 and 75 are not what it would choose itself.
func TestServeTunesGC(t *testing.T) {
	if testing.Short() {
		t.Skip("starts vigil serve as a process")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "global: {public: {metrics: true}}\nservices:\n  - {id: shop}\n")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOGC=") {
			env = append(env, kv)
		}
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{nil, "200"},
		{[]string{"GOGC=50"}, "50"},
		{[]string{"GOGC=75"}, "75"},
	} {
		base, _, stop := serveChild(t, append(env, tc.env...), cfg, dir)
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		stop()
		got := regexp.MustCompile(`(?m)^go_gc_gogc_percent (\S+)$`).FindStringSubmatch(string(body))
		if got == nil || got[1] != tc.want {
			t.Fatalf("with %q go_gc_gogc_percent is %v, want %s", tc.env, got, tc.want)
		}
	}
}

// GOGC follows the live heap: 200 while it is small, then room of gcRoom,
// then never under 50.
func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 200}, {10 << 20, 200}, {gcRoom / 2, 200}, {gcRoom * 2 / 3, 150}, {gcRoom, 100}, {gcRoom * 5 / 4, 80},
		{gcRoom * 2, 50}, {4 << 30, 50},
	} {
		if got := gcPercent(tc.live); got != tc.want {
			t.Errorf("gcPercent(%d MiB) = %d, want %d", tc.live>>20, got, tc.want)
		}
	}
}

// The tuner sets GOGC as the live heap grows and shrinks, each change once,
// on its own clock.
func TestGCTunerFollowsTheHeap(t *testing.T) {
	var live atomic.Uint64
	sets := make(chan int, 8)
	tu := gcTuner{live: live.Load, set: func(p int) int { sets <- p; return 0 }}
	tu.tune()
	if got := <-sets; got != 200 {
		t.Fatalf("first set %d, want 200", got)
	}
	clk := clock.NewFake(time.Unix(0, 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tu.run(ctx, clk); close(done) }()
	for _, step := range []struct {
		live uint64
		want int // 0: no change expected
	}{
		{gcRoom * 2, 50}, {gcRoom*2 + 1, 0}, {gcRoom, 100}, {gcRoom * 5 / 4, 80},
	} {
		live.Store(step.live)
		if err := clk.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(gcRetune)
		if step.want == 0 {
			continue
		}
		select {
		case got := <-sets:
			if got != step.want {
				t.Fatalf("live %d MiB: set %d, want %d", step.live>>20, got, step.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("live %d MiB: GOGC not set", step.live>>20)
		}
	}
	cancel()
	<-done
	if len(sets) != 0 {
		t.Fatalf("extra sets: %d", <-sets)
	}
}
