package slo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/store"
)

// benchWorld is 10,000 checks with the rollups 90 days of running leave
// (day buckets for 90 days, hour buckets for the 8 days they are kept,
// minute buckets for 3 hours) and 1,000 availability SLOs over 10 checks each.
type benchWorld struct {
	st   *store.Store
	slos []*SLO
	ids  map[string]int64
	now  time.Time
}

// world is built once per test binary: seeding 4.6 million buckets takes
// minutes, and the benchmarks only read them.
var world = sync.OnceValues(func() (*benchWorld, error) {
	dir, err := os.MkdirTemp("", "vigil-slo-bench")
	if err != nil {
		return nil, err
	}
	return seedWorld(filepath.Join(dir, "bench.db"))
})

func newBenchWorld(b *testing.B) *benchWorld {
	b.Helper()
	w, err := world()
	if err != nil {
		b.Fatal(err)
	}
	return w
}

func seedWorld(path string) (*benchWorld, error) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+path, store.Options{})
	if err != nil {
		return nil, err
	}
	var cfg strings.Builder
	cfg.WriteString("services:\n")
	var refs []store.CheckRef
	for s := range 1000 {
		fmt.Fprintf(&cfg, "  - id: s%d\n    slos: [{id: availability, objective: 99.9, availability: {}}]\n    checks:\n", s)
		for c := range 10 {
			fmt.Fprintf(&cfg, "      - {id: c%d, tcp: {address: '127.0.0.1:1'}}\n", c)
			refs = append(refs, store.CheckRef{Service: fmt.Sprintf("s%d", s), Name: fmt.Sprintf("c%d", c), Kind: "tcp"})
		}
	}
	parsed, err := config.Parse("bench.yaml", []byte(cfg.String()), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		return nil, err
	}
	ids, err := st.RegisterChecks(ctx, refs)
	if err != nil {
		return nil, err
	}
	now := time.Date(2026, 11, 23, 10, 37, 0, 0, time.UTC)
	var batch []store.Bucket
	flush := func() error {
		err := st.WriteBatch(ctx, store.Batch{Buckets: batch}, 1)
		batch = batch[:0]
		return err
	}
	for _, id := range ids {
		add := func(res store.Resolution, size time.Duration, n int) {
			for i := range n {
				start := now.Truncate(size).Add(-time.Duration(i) * size)
				up := size.Milliseconds() * 999 / 1000
				batch = append(batch, store.Bucket{CheckID: id, Res: res, Start: start, N: int64(size / time.Minute), UpMs: up, DownMs: size.Milliseconds() - up})
			}
		}
		add(store.Day, 24*time.Hour, 90)
		add(store.Hour, time.Hour, 8*24)
		add(store.Minute, time.Minute, 180)
		if len(batch) > 50000 {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return &benchWorld{st: st, slos: FromConfig(parsed), ids: ids, now: now}, nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEvaluate judges 1,000 SLOs over 10,000 checks with 90 days of
// rollups, one evaluation cycle per op, 30 seconds apart as the service
// runs them: the SLO windows and the seven alert windows, read from SQLite
// (complete hour and day ranges come from the segment cache after the first
// cycle; cold-cpu-ms is that first cycle). The baseline is the read the
// status page makes for the same checks' uptime (five windows), same run.
//
//	go test -run '^$' -bench 'Evaluate|UptimeBaseline' -benchtime 20x ./internal/slo/
func BenchmarkEvaluate(b *testing.B) {
	w := newBenchWorld(b)
	e := &Evaluator{Sources: map[string]Source{"availability": &checkSource{store: w.st, ids: func() map[string]int64 { return w.ids }}}}
	ctx := context.Background()
	cpu := cpuTime()
	sts := e.Evaluate(ctx, w.slos, w.now)
	cold := cpuTime() - cpu
	if sts[0].SLI == nil || *sts[0].SLI != 99.9 {
		b.Fatalf("first SLO: %+v", sts[0])
	}
	now := w.now
	b.ResetTimer()
	cpu = cpuTime()
	for b.Loop() {
		now = now.Add(DefaultInterval)
		e.Evaluate(ctx, w.slos, now)
	}
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/cycle")
	b.ReportMetric(float64(cold.Milliseconds()), "cold-cpu-ms")
}

func BenchmarkUptimeBaseline(b *testing.B) {
	w := newBenchWorld(b)
	ctx := context.Background()
	windows := []struct {
		res  store.Resolution
		span time.Duration
		size time.Duration
	}{{store.Minute, time.Hour, time.Minute}, {store.Hour, 24 * time.Hour, time.Hour}, {store.Hour, 7 * 24 * time.Hour, time.Hour},
		{store.Day, 30 * 24 * time.Hour, 24 * time.Hour}, {store.Day, 90 * 24 * time.Hour, 24 * time.Hour}}
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		for _, win := range windows {
			if _, err := w.st.SumBuckets(ctx, nil, win.res, w.now.Add(-win.span).Truncate(win.size), w.now.Add(win.size)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/cycle")
}
