package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// t0 is when every test's fake clock starts.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// harness is a Vigil started in-process on a fake clock, reached over HTTP.
type harness struct {
	t      *testing.T
	app    *App
	clock  *clock.Fake
	url    string
	cfg    string // path of the config file
	logs   *syncBuffer
	client *http.Client
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

// start writes cfg to a file and starts Vigil with it.
func start(t *testing.T, cfg string, store string) *harness {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if store == "" {
		store = "sqlite://" + filepath.Join(dir, "vigil.db")
	}
	return startAt(t, path, store, clock.NewFake(t0))
}

// harnessReadToken is a read-only token every harness adds to the test's
// config (see readerConfig), so tests read the private API as a user would.
const harnessReadToken = "harness-read-t0ken"

// anonymous, as a harness request's token, sends no credential at all.
const anonymous = "-"

// readerConfig puts the test's config file in a directory of its own next
// to a second file holding the harness's read token, and returns the
// directory: Vigil joins the files' lists, so the test's config stays as
// written and reloads of it still apply.
func readerConfig(t *testing.T, path string) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(path), "conf")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, filepath.Base(path))
	if _, err := os.Lstat(link); err != nil {
		abs, err := filepath.Abs(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, link); err != nil {
			t.Fatal(err)
		}
	}
	reader := "tokens:\n  - {id: harness-reader, secret: " + harnessReadToken + ", scopes: [read]}\n"
	if err := os.WriteFile(filepath.Join(dir, "zz-harness.yaml"), []byte(reader), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func startAt(t *testing.T, path, store string, fc *clock.Fake) *harness {
	t.Helper()
	logs := &syncBuffer{}
	a, err := Start(context.Background(), Options{
		ConfigPath: readerConfig(t, path), Listen: "127.0.0.1:0", Store: store, Clock: fc,
		Log:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		LogOutput: logs, // console pages land with the logs
		LookupEnv: func(string) (string, bool) { return "", false }, Version: "test",
	})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	h := &harness{t: t, app: a, clock: fc, url: a.URL(), cfg: path, logs: logs, client: &http.Client{Timeout: 10 * time.Second}}
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	return h
}

func (h *harness) stop() {
	if h.app != nil {
		h.app.Close()
		h.app = nil
	}
}

// advance moves the fake clock; probes that fall due start at once.
func (h *harness) advance(d time.Duration) { h.clock.Advance(d) }

// do sends a request and decodes a JSON answer into out (when not nil).
// An empty token sends the harness's read token; anonymous sends none.
func (h *harness) do(method, path, token string, body io.Reader, out any) int {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	withToken(req, token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// withToken sets r's credential: the harness's read token for "", none for
// anonymous, else token.
func withToken(r *http.Request, token string) {
	switch token {
	case anonymous:
	case "":
		r.Header.Set("Authorization", "Bearer "+harnessReadToken)
	default:
		r.Header.Set("Authorization", "Bearer "+token)
	}
}

type checkJSON struct {
	Service     string     `json:"service"`
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"`
	Reason      string     `json:"reason"`
	LastChecked *time.Time `json:"last_checked"`
	Uptime      []struct {
		Window  string   `json:"window"`
		Percent *float64 `json:"percent"`
	} `json:"uptime"`
	Results []struct {
		Seq        int64  `json:"seq"`
		Status     string `json:"status"`
		Reason     string `json:"reason"`
		Conditions []struct {
			Expr     string `json:"expr"`
			OK       bool   `json:"ok"`
			Observed string `json:"observed"`
		} `json:"conditions"`
	} `json:"results"`
	Events []struct {
		From, To, Reason string
	} `json:"events"`
}

func (h *harness) check(key string) checkJSON {
	h.t.Helper()
	var c checkJSON
	if code := h.do("GET", "/api/v1/checks/"+key, "", nil, &c); code != 200 {
		h.t.Fatalf("GET check %s: %d", key, code)
	}
	return c
}

// waitChecked waits until the check has a result taken at or after at.
func (h *harness) waitChecked(key string, at time.Time) checkJSON {
	h.t.Helper()
	var c checkJSON
	h.eventually(fmt.Sprintf("%s checked at %v", key, at), func() bool {
		c = h.check(key)
		return c.LastChecked != nil && !c.LastChecked.Before(at)
	})
	return c
}

// waitState waits for a check to reach state.
func (h *harness) waitState(key, state string) checkJSON {
	h.t.Helper()
	var c checkJSON
	h.eventually(key+" "+state, func() bool {
		c = h.check(key)
		return c.State == state
	})
	return c
}

// get sends a GET with the harness's read token and returns the answer;
// the caller closes its body.
func (h *harness) get(path string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest("GET", h.url+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+harnessReadToken)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// eventually polls cond in real time: probes do real I/O after the fake
// clock releases them.
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.t.Fatalf("timed out waiting for %s", what)
}

// advanceUntil moves the fake clock in steps of d, up to limit in all, until
// cond holds. Components re-arm their timers after each step of real work,
// and a single large jump could land before a timer is re-armed.
func (h *harness) advanceUntil(what string, d, limit time.Duration, cond func() bool) {
	h.t.Helper()
	for moved := time.Duration(0); ; moved += d {
		deadline := time.Now().Add(200 * time.Millisecond)
		for time.Now().Before(deadline) {
			if cond() {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		if moved >= limit {
			h.t.Fatalf("%s: not after %v", what, moved)
		}
		h.advance(d)
	}
}

// step advances the clock by d and waits until every key has a result from then.
func (h *harness) step(d time.Duration, keys ...string) {
	h.t.Helper()
	h.advance(d)
	now := h.clock.Now()
	for _, k := range keys {
		h.waitChecked(k, now.Add(-d+time.Nanosecond))
	}
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("%s: %q does not contain %q", what, got, w)
		}
	}
}
