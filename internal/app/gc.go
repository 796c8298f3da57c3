package app

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// Unless the GOGC environment variable is set, `vigil serve` sets how far the
// heap may grow past its live size before Go's collector runs again (GOGC,
// in percent) from the live heap itself:
//
//   - up to half of gcRoom live, by twice the live heap (GOGC=200);
//   - past that by gcRoom, so the percentage falls as the heap grows,
//   - and never by less than half: GOGC=50 from twice gcRoom up.
//
// Most of what Vigil holds live is open alerts, kept for hours, while what it
// allocates to take a request is gone within milliseconds. Every collection
// marks all that is live, so under a stream of new alerts the fewer
// collections the better: with up to a few hundred thousand open, 200 takes
// about 4% more alerts a second than Go's default 100, for 0.70×
// Alertmanager's peak memory per open alert instead of 0.61× (BENCHMARKS.md,
// "Twelfth round"). A big heap would hold mostly short-lived garbage in its
// room: a million open alerts peaked at 2.0 GiB at 100 and 1.6 GiB at 50.
// Prometheus, which holds its series the same way, lowered its default to
// 75 in 2.53 for the same reason. GOMEMLIMIT works as in any Go program.
const (
	gcRoom       = 512 << 20
	gcMinPercent = 50
	gcMaxPercent = 200
	// gcRetune is how often the live heap is read again.
	gcRetune = 250 * time.Millisecond
)

// gcPercent is the GOGC for a live heap of live bytes.
func gcPercent(live uint64) int {
	if live == 0 {
		return gcMaxPercent
	}
	return int(max(gcMinPercent, min(gcMaxPercent, uint64(gcRoom)*100/live)))
}

// tuneGC keeps GOGC at gcPercent of the live heap until ctx ends, unless the
// environment sets GOGC.
func tuneGC(ctx context.Context) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	t := gcTuner{live: liveHeap, set: debug.SetGCPercent}
	t.tune()
	go t.run(ctx, clock.Real())
}

// gcTuner sets GOGC from the live heap.
type gcTuner struct {
	live    func() uint64
	set     func(percent int) int
	percent int // as last set; 0 before
}

func (t *gcTuner) tune() {
	if p := gcPercent(t.live()); p != t.percent {
		t.percent = p
		t.set(p)
	}
}

// run tunes every gcRetune until ctx ends.
func (t *gcTuner) run(ctx context.Context, clk clock.Clock) {
	tick := clk.NewTicker(gcRetune)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.Chan():
			t.tune()
		}
	}
}

// liveHeap is the heap the last collection found live, in bytes.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
