//go:build linux

package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHeldConnectionsDoNotStarveChecks runs vigil serve in a child process
// allowed 256 open files and holds 400 connections to it, as a client
// leaking keep-alive connections or an attacker would: idle ones, ones
// that dribble a request header or body a byte at a time (more of those
// than the cap), kept-alive ones, and clients that reconnect as soon as
// they are cut off. Vigil's own HTTP
// check keeps probing and passing (it would fail with "too many open
// files" and page falsely if clients could take every descriptor), and
// alert ingestion still answers.
func TestHeldConnectionsDoNotStarveChecks(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process and holds hundreds of connections")
	}
	tg := newTarget(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
tokens:
  - {id: viewer, secret: v1ew-t0ken, scopes: [read]}
integrations:
  - {id: scripts, type: generic, key: gen-k3y, service: shop}
services:
  - id: shop
    checks:
      - {id: web, http: {url: %q}, every: 1s, timeout: 1s, fail_after: 1}
`, tg.URL))
	base, stderr, _ := serveChild(t, append(os.Environ(), "VIGIL_TEST_NOFILE=256"), cfg, dir)
	addr := strings.TrimPrefix(base, "http://")
	for start := time.Now(); !strings.Contains(stderr.String(), "open_file_limit=256"); time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 10*time.Second { // its log reaches us through a pipe of its own
			t.Fatalf("the child does not run with 256 files:\n%s", stderr.String())
		}
	}

	// Hold the connections.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	defer func() { close(stop); wg.Wait() }()
	hold := func(c net.Conn) {
		defer c.Close()
		<-stop
	}
	for i := range 400 {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		wg.Add(1)
		switch i % 5 {
		case 0: // connects and says nothing
			go func() { defer wg.Done(); hold(c) }()
		case 1, 2, 3: // dribbles a request header, or a body before anyone knows who sends it
			head := "GET /healthz HTTP/1.1\r\nHost: x\r\n"
			if i%5 != 1 {
				head = "POST /v2/enqueue HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
			}
			go func() {
				defer wg.Done()
				defer c.Close()
				fmt.Fprint(c, head)
				tick := time.NewTicker(200 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						if _, err := c.Write([]byte("X")); err != nil {
							return
						}
					}
				}
			}()
		case 4: // reconnects whenever it is cut off
			go func() {
				defer wg.Done()
				for {
					done := make(chan struct{})
					go func() { io.Copy(io.Discard, c); close(done) }()
					select {
					case <-stop:
						c.Close()
						return
					case <-done:
					}
					c.Close()
					if c, err = net.DialTimeout("tcp", addr, 5*time.Second); err != nil {
						return
					}
				}
			}()
		}
	}
	held := time.Now()

	// The check keeps probing, and passing, while they are held.
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(path string, v any) error {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer v1ew-t0ken")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(v)
	}
	var results []struct {
		At     time.Time `json:"at"`
		Status string    `json:"status"`
		Reason string    `json:"reason"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		results = nil
		if err := get("/api/v1/checks/shop/web/results?limit=50", &results); err != nil {
			t.Fatalf("reading the check's results while connections are held: %v", err)
		}
		n := 0
		for _, r := range results {
			if r.At.After(held) {
				n++
				if r.Status != "pass" {
					t.Fatalf("a probe failed while connections were held: %+v", r)
				}
			}
		}
		if n >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d probes in 30s while connections were held", n)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Ingestion answers.
	req, _ := http.NewRequest("POST", base+"/api/v1/events", strings.NewReader(`{"key":"db","summary":"DB down","severity":"critical"}`))
	req.Header.Set("Authorization", "Bearer gen-k3y")
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("ingestion while connections are held: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("ingestion: %s", resp.Status)
	}
	if strings.Contains(stderr.String(), "too many open files") {
		t.Fatalf("vigil ran out of file descriptors:\n%s", stderr.String())
	}
}
