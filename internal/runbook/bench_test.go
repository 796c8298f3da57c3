package runbook

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// benchEngine is an engine on a real clock and an SQLite store in a temp dir.
func benchEngine(b *testing.B, yaml string) *Engine {
	return benchEngineOn(b, yaml, "sqlite://"+filepath.Join(b.TempDir(), "vigil.db"), false)
}

// benchEngineOn is an engine on the store at dsn; claimed runs claim their
// rows and fence their writes, as replicas sharing Postgres do.
func benchEngineOn(b *testing.B, yaml, dsn string, claimed bool) *Engine {
	b.Helper()
	cfg, err := config.Parse("vigil.yaml", []byte(yaml), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	d := Deps{Store: st, Clock: clock.Real(), Pager: &fakePager{}}
	if claimed {
		d.Runner, d.RunLease, d.Renew = func() string { return "bench-1" }, 5*time.Second, time.Second
	}
	e := New(d)
	if err := e.Apply(cfg); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	<-e.ready
	b.Cleanup(func() { cancel(); <-done; st.Close() })
	return e
}

// BenchmarkStepTrue: a run of 10 `true` steps, against exec of `true` in
// the same benchmark. The engine's overhead per step is the difference:
// rendering, the if, and storing the step twice (started, ended) durably.
//
//	go test -run '^$' -bench StepTrue -benchtime 200x -count 5 ./internal/runbook/
func BenchmarkStepTrue(b *testing.B) {
	b.Run("baseline-exec", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := exec.Command("true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	steps := make([]string, 10)
	for i := range steps {
		steps[i] = fmt.Sprintf("      - {id: s%d, run: [\"true\"]}", i)
	}
	yaml := "runbooks:\n  - id: t\n    steps:\n" + strings.Join(steps, "\n") + "\n"
	engine := func(b *testing.B, e *Engine) {
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			row, err := e.Start(context.Background(), Request{Runbook: "t"})
			if err != nil {
				b.Fatal(err)
			}
			e.waitRun(context.Background(), row.ID)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10)/1e6, "ms/step")
	}
	b.Run("engine", func(b *testing.B) { engine(b, benchEngine(b, yaml)) })
	// On Postgres, alone and as a replica: claimed runs fence every write
	// of a run or step with a share-locked read of the run's claim.
	if base := os.Getenv("VIGIL_TEST_POSTGRES"); base != "" {
		b.Run("engine-postgres", func(b *testing.B) { engine(b, benchEngineOn(b, yaml, storetest.PostgresSchema(b, base), false)) })
		b.Run("engine-postgres-claimed", func(b *testing.B) { engine(b, benchEngineOn(b, yaml, storetest.PostgresSchema(b, base), true)) })
	}
}

// BenchmarkConcurrentRuns: 200 runs at once, each a `sleep 1` then a
// `true`, on whatever cores the machine has. Reports the wall time for all
// 200 and the p99 delay from Start to each run's first step starting.
//
//	go test -run '^$' -bench ConcurrentRuns -benchtime 3x ./internal/runbook/
func BenchmarkConcurrentRuns(b *testing.B) {
	e := benchEngine(b, `
runbooks:
  - id: c
    steps:
      - {id: nap, run: [sleep, "1"]}
      - {id: done, run: ["true"]}
`)
	const n = 200
	var delays []time.Duration
	var failed int
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		start := time.Now()
		for j := 0; j < n; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				asked := time.Now()
				row, err := e.Start(context.Background(), Request{Runbook: "c"})
				if err != nil {
					b.Error(err)
					return
				}
				e.waitRun(context.Background(), row.ID)
				got, steps, _ := e.Get(context.Background(), row.ID)
				mu.Lock()
				defer mu.Unlock()
				if got.Status != store.RunSucceeded {
					failed++
				}
				if len(steps) > 0 {
					delays = append(delays, steps[0].StartedAt.Sub(asked))
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(time.Since(start).Seconds(), "s/200-runs")
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	if len(delays) > 0 {
		b.ReportMetric(float64(delays[len(delays)*99/100].Microseconds())/1000, "ms-p99-first-step")
	}
	b.ReportMetric(float64(failed), "failed")
}
