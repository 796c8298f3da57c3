// Package promtest starts a real Prometheus server for tests: the Debian
// package's binary on a loopback port, with a temporary config and data
// directory, scraping the targets a test gives it every second. Tests skip
// with a clear message when the binary is missing, unless
// VIGIL_REQUIRE_PROMETHEUS=1 (CI sets it) makes that a failure.
package promtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// Binary is where the Debian package installs Prometheus.
const Binary = "/usr/bin/prometheus"

// Target is something Prometheus scrapes: host:port, and a bearer token
// when the endpoint needs one (Vigil's own /metrics).
type Target struct {
	Job, Address, Path, Token string
}

// Server is a running Prometheus.
type Server struct {
	URL string
}

// Start runs Prometheus scraping targets every second and waits until it
// is ready; it is stopped when the test ends.
func Start(tb testing.TB, targets ...Target) *Server {
	tb.Helper()
	bin := Binary
	if p := os.Getenv("VIGIL_PROMETHEUS"); p != "" {
		bin = p
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("VIGIL_REQUIRE_PROMETHEUS") == "1" {
			tb.Fatalf("Prometheus is required (VIGIL_REQUIRE_PROMETHEUS=1) but %s is missing: apt-get install prometheus", bin)
		}
		tb.Skipf("%s is missing; install the prometheus package (or set VIGIL_PROMETHEUS) to run this test", bin)
	}
	dir := tb.TempDir()
	var cfg strings.Builder
	cfg.WriteString("global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n")
	for i, t := range targets {
		path := t.Path
		if path == "" {
			path = "/metrics"
		}
		fmt.Fprintf(&cfg, "  - job_name: %q\n    metrics_path: %q\n    static_configs: [{targets: [%q]}]\n", t.Job, path, t.Address)
		if t.Token != "" {
			tokenFile := filepath.Join(dir, fmt.Sprintf("token%d", i))
			if err := os.WriteFile(tokenFile, []byte(t.Token), 0o600); err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintf(&cfg, "    authorization: {credentials_file: %q}\n", tokenFile)
		}
	}
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	addr := freeAddr(tb)
	out := &syncBuffer{}
	cmd := exec.Command(bin, "--config.file="+cfgFile, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting Prometheus: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if tb.Failed() {
			tb.Logf("prometheus output:\n%s", out.String())
		}
	})
	s := &Server{URL: "http://" + addr}
	// Prometheus runs on wall time: waiting for it is measured on a stopwatch.
	sw := clock.Start()
	for {
		select {
		case err := <-exited:
			tb.Fatalf("Prometheus exited at start (%v):\n%s", err, out.String())
		default:
		}
		if ready(s.URL) {
			return s
		}
		if sw.Elapsed() > 30*time.Second {
			tb.Fatalf("Prometheus not ready after 30s:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func ready(base string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/-/ready", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// WaitScrapes waits until Prometheus has scraped job at least n times, so
// rate() and increase() have the two samples they need.
func (s *Server) WaitScrapes(tb testing.TB, job string, n int) {
	tb.Helper()
	sw := clock.Start()
	q := url.QueryEscape(fmt.Sprintf(`count_over_time(up{job=%q}[5m])`, job))
	for sw.Elapsed() < 30*time.Second {
		if got, err := s.scalar(q); err == nil && got >= float64(n) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("Prometheus did not scrape %s %d times within 30s", job, n)
}

// scalar reads the first value of an instant query.
func (s *Server) scalar(escaped string) (float64, error) {
	resp, err := http.Get(s.URL + "/api/v1/query?query=" + escaped)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, err
	}
	if len(body.Data.Result) == 0 {
		return 0, fmt.Errorf("no result")
	}
	str, _ := body.Data.Result[0].Value[1].(string)
	return strconv.ParseFloat(str, 64)
}

func freeAddr(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
