package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// startBench starts Vigil on the real clock with cfg, storing in dir.
func startBench(b *testing.B, dir, cfg string) *App {
	b.Helper()
	path := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	a, err := Start(context.Background(), Options{ConfigPath: path, Listen: "127.0.0.1:0", Store: "sqlite://" + filepath.Join(dir, "vigil.db"),
		Clock: clock.Real(), Log: slog.New(slog.DiscardHandler), LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkCheckFailureToRunbook: a check turns failing; its alert starts
// a runbook. Measured from the failing result (the alert's first_seen) to
// the runbook's first step starting, on the real clock, through the whole
// path: state change, check feed, pager commit, trigger, guards, run.
//
//	go test -run '^$' -bench CheckFailureToRunbook -benchtime 30x ./internal/app/
func BenchmarkCheckFailureToRunbook(b *testing.B) {
	var status atomic.Int32
	status.Store(200)
	tg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
	}))
	defer tg.Close()
	dir := b.TempDir()
	cfg := fmt.Sprintf(`
services:
  - id: shop
    checks:
      - {id: web, http: {url: %q}, every: 1s, timeout: 1s, fail_after: 1, recover_after: 1}
runbooks:
  - id: app-down
    on: [{alert: {check: shop/web}}]
    steps: [{id: first, run: ["true"]}]
`, tg.URL)
	a := startBench(b, dir, cfg)
	defer a.Close()
	get := func(path string, v any) {
		resp, err := http.Get(a.URL() + path)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(body, v)
	}
	waitFor := func(cond func() bool) {
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				b.Fatal("timed out")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		status.Store(500)
		var runs []runJSONT
		waitFor(func() bool {
			runs = nil
			get("/api/v1/runs?runbook=app-down&limit=1", &runs)
			// Each failure opens a new alert: the i-th is alert i+1.
			return len(runs) == 1 && runs[0].AlertID == int64(i+1) && runs[0].Status == "succeeded"
		})
		var run struct {
			Steps []struct {
				StartedAt time.Time `json:"started_at"`
			} `json:"steps"`
		}
		get("/api/v1/runs/"+runs[0].ID, &run)
		var al struct {
			FirstSeen time.Time `json:"first_seen"`
		}
		get(fmt.Sprintf("/api/v1/alerts/%d", runs[0].AlertID), &al)
		lat = append(lat, run.Steps[0].StartedAt.Sub(al.FirstSeen))
		status.Store(200)
		waitFor(func() bool {
			var c checkJSON
			get("/api/v1/checks/shop/web", &c)
			return c.State == "ok"
		})
	}
	b.StopTimer()
	reportLatency(b, lat, true)
}
