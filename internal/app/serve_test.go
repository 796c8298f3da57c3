package app

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// served is `vigil serve` run through Run, as main runs it.
type served struct {
	t      *testing.T
	url    string
	cfg    string
	token  string // sent on every read
	stderr *syncBuffer
}

func runServe(t *testing.T, cfg string, extra ...string) *served {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	args := append([]string{"serve", "--config", readerConfig(t, path), "--listen", "127.0.0.1:0", "--store", "sqlite://" + filepath.Join(dir, "v.db")}, extra...)
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, pw, stderr); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed nothing: %v %s", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`http://\S+`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}
	return &served{t: t, url: url, cfg: path, token: harnessReadToken, stderr: stderr}
}

func (s *served) writeConfig(cfg string) { writeFile(s.t, s.cfg, cfg) }

func (s *served) hup() {
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		s.t.Fatal(err)
	}
}

func (s *served) getJSON(path string, v any) {
	s.t.Helper()
	req, err := http.NewRequest("GET", s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		s.t.Fatal(err)
	}
}

// eventually waits in real time; serve runs on the real clock, and the
// example's first probes land anywhere within their first interval (15s).
func (s *served) eventually(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(25 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("timed out waiting for %s", what)
}

// TestServeBuiltinExample runs `vigil serve` with no config, as the README's
// first command does, and finds the example's checks running.
func TestServeBuiltinExample(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, []string{"serve", "--listen", addr}, pw, stderr); pw.Close() }()
	line, _ := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	if want := "is watching 5 checks: http://" + addr; !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(line) {
		t.Fatalf("banner %q, want it to contain %q (stderr: %s)", line, want, stderr.String())
	}
	s := &served{t: t, url: "http://" + addr, token: "demo-token", stderr: stderr}
	// The self-check of the health endpoint passes within its first interval.
	s.eventually("the example's health check passes", func() bool {
		var c checkJSON
		s.getJSON("/api/v1/checks/vigil/health", &c)
		return c.State == "ok"
	})
	if _, err := os.Stat(filepath.Join(dir, "vigil.db")); err != nil {
		t.Fatalf("the SQLite store is not in the working directory: %v", err)
	}
	// The demo person signs in with the password the hint prints.
	if hint := demoHint(s.url); !strings.Contains(hint, `sign in at `+s.url+`/login as "you" with the password demo-password`) ||
		!strings.Contains(hint, "export VIGIL_SERVER="+s.url) {
		t.Fatalf("the demo hint does not say where and how to sign in: %s", hint)
	}
	jar, _ := cookiejar.New(nil)
	resp, page := formSignIn(t, &http.Client{Jar: jar}, s.url, "you", "demo-password", "/alerts")
	if resp.Request.URL.Path != "/alerts" || !strings.Contains(page, "Sign out") {
		t.Fatalf("signing in as the demo person ended at %s: %d", resp.Request.URL, resp.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}
