package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// BenchmarkSLOListAPI: latency of GET /api/v1/slos with 1,000 SLOs over
// 10,000 checks (heartbeat checks, so nothing probes during the run), each
// with an hour of rollups so every SLO has an SLI, budget and burn rates.
// Sequential requests with a read token on the real clock; the baseline is
// GET /healthz in the same run.
//
//	go test -run '^$' -bench SLOListAPI -benchtime 2000x ./internal/app/
func BenchmarkSLOListAPI(b *testing.B) {
	dir := b.TempDir()
	dsn := "sqlite://" + filepath.Join(dir, "vigil.db")
	var cfg strings.Builder
	cfg.WriteString("tokens:\n  - {id: r, secret: bench-t0ken, scopes: [read]}\nservices:\n")
	var refs []store.CheckRef
	for s := range 1000 {
		fmt.Fprintf(&cfg, "  - id: s%d\n    slos: [{id: availability, objective: 99.9, availability: {}}]\n    checks:\n", s)
		for c := range 10 {
			fmt.Fprintf(&cfg, "      - {id: c%d, heartbeat: {}, every: 1h}\n", c)
			refs = append(refs, store.CheckRef{Service: fmt.Sprintf("s%d", s), Name: fmt.Sprintf("c%d", c), Kind: "heartbeat"})
		}
	}
	path := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ids, err := st.RegisterChecks(ctx, refs)
	if err != nil {
		b.Fatal(err)
	}
	now := clock.Real().Now()
	var buckets []store.Bucket
	for _, id := range ids {
		for _, r := range []struct {
			res  store.Resolution
			size time.Duration
		}{{store.Minute, time.Minute}, {store.Hour, time.Hour}, {store.Day, 24 * time.Hour}} {
			buckets = append(buckets, store.Bucket{CheckID: id, Res: r.res, Start: now.Truncate(r.size), N: 60, UpMs: 3590000, DownMs: 10000})
		}
	}
	if err := st.WriteBatch(ctx, store.Batch{Buckets: buckets}, 1); err != nil {
		b.Fatal(err)
	}
	st.Close()
	a, err := Start(ctx, Options{ConfigPath: path, Listen: "127.0.0.1:0", Store: dsn, Clock: clock.Real(),
		Log: slog.New(slog.DiscardHandler), LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	client := &http.Client{Timeout: 30 * time.Second}
	get := func(path string) (time.Duration, int) {
		req, _ := http.NewRequest("GET", a.URL()+path, nil)
		req.Header.Set("Authorization", "Bearer bench-t0ken")
		sw := clock.Start()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return sw.Elapsed(), int(n)
	}
	_, size := get("/api/v1/slos") // the first evaluation
	measure := func(path string, n int) (p50, p99 time.Duration) {
		lat := make([]time.Duration, 0, n)
		for range n {
			d, _ := get(path)
			lat = append(lat, d)
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		return lat[len(lat)/2], lat[len(lat)*99/100]
	}
	b.ResetTimer()
	p50, p99 := measure("/api/v1/slos", b.N)
	b.StopTimer()
	h50, h99 := measure("/healthz", max(b.N, 100))
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(h50.Microseconds())/1000, "healthz-p50-ms")
	b.ReportMetric(float64(h99.Microseconds())/1000, "healthz-p99-ms")
	b.ReportMetric(float64(size)/1024, "KiB/answer")
}
