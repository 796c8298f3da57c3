package app

import (
	"bytes"
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

// BenchmarkDeployVerification measures a deploy's record → verdict on the
// real clock, with its checks probed every second: from just before the
// POST to the verdict's concluded_at. "pass" and "fail_after_1" are
// decided by the probe the deploy starts at once; "fail_after_2" needs
// the next scheduled probe too, so about a second more. The baseline
// records a deploy of a service with no checks to verify it (the POST
// round trip alone).
//
//	go test -run '^$' -bench DeployVerification -benchtime 40x -count 3 ./internal/app/
func BenchmarkDeployVerification(b *testing.B) {
	var status atomic.Int32
	status.Store(200)
	tg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
	}))
	defer tg.Close()
	dir := b.TempDir()
	cfg := fmt.Sprintf(`
tokens: [{id: ci, secret: b3nch-ci-t0ken, scopes: [operate]}]
services:
  - id: pass
    checks: [{id: web, http: {url: %[1]q}, every: 1s, timeout: 1s, acceptance: true}]
  - id: fast
    checks: [{id: web, http: {url: %[1]q}, every: 1s, timeout: 1s, fail_after: 1, acceptance: true}]
  - id: confirm
    checks: [{id: web, http: {url: %[1]q}, every: 1s, timeout: 1s, fail_after: 2, acceptance: true}]
  - id: plain
`, tg.URL)
	path := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	a, err := Start(context.Background(), Options{ConfigPath: path, Listen: "127.0.0.1:0", Store: "sqlite://" + filepath.Join(dir, "vigil.db"),
		Clock: clock.Real(), Log: slog.New(slog.DiscardHandler), LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	call := func(method, path string, body []byte, v any) {
		req, _ := http.NewRequest(method, a.URL()+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer b3nch-ci-t0ken")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		_ = json.Unmarshal(raw, v)
	}
	type verdict struct {
		ID           int64 `json:"id"`
		Verification *struct {
			Status      string    `json:"status"`
			ConcludedAt time.Time `json:"concluded_at"`
		} `json:"verification"`
	}
	for _, c := range []struct {
		name, service string
		code          int32
		want          string
	}{
		{"baseline_no_checks", "plain", 200, ""},
		{"pass", "pass", 200, "passed"},
		{"fail_after_1", "fast", 503, "failed"},
		{"fail_after_2", "confirm", 503, "failed"},
	} {
		b.Run(c.name, func(b *testing.B) {
			status.Store(c.code)
			var lat []time.Duration
			for i := 0; i < b.N; i++ {
				body := []byte(fmt.Sprintf(`{"service":%q,"version":"v%d","environment":"production"}`, c.service, i))
				start := time.Now()
				var d verdict
				call("POST", "/api/v1/deploys", body, &d)
				if c.want == "" {
					lat = append(lat, time.Since(start))
					continue
				}
				deadline := time.Now().Add(30 * time.Second)
				for d.Verification == nil || d.Verification.Status == "pending" {
					if time.Now().After(deadline) {
						b.Fatalf("deploy %d: no verdict", d.ID)
					}
					time.Sleep(2 * time.Millisecond)
					call("GET", fmt.Sprintf("/api/v1/deploys/%d", d.ID), nil, &d)
				}
				if d.Verification.Status != c.want {
					b.Fatalf("deploy %d: %s, want %s", d.ID, d.Verification.Status, c.want)
				}
				// concluded_at is stored to the millisecond.
				lat = append(lat, max(d.Verification.ConcludedAt.Sub(start.Truncate(time.Millisecond)), 0))
			}
			reportLatency(b, lat, true)
		})
	}
}
