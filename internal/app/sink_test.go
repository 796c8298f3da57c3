package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// sink is a webhook receiver on loopback: it records every delivery and can
// be told to fail.
type sink struct {
	*httptest.Server
	mu       sync.Mutex
	got      []delivery
	failWith []int       // status codes to answer before succeeding
	header   http.Header // sent with a 429
	// stall counts, per path, deliveries that are recorded and then never
	// answered: the receiver got the message, the sender never hears so.
	stall map[string]int
}

type delivery struct {
	At      time.Time // when it arrived, in real time
	Path    string
	Header  http.Header
	Body    []byte
	Message struct {
		Kind   string    `json:"kind"`
		Title  string    `json:"title"`
		Text   string    `json:"text"`
		URL    string    `json:"url"`
		Step   int       `json:"escalation_step"`
		At     time.Time `json:"at"`
		Alerts []struct {
			ID         int64  `json:"id"`
			Status     string `json:"status"`
			Summary    string `json:"summary"`
			Severity   string `json:"severity"`
			State      string `json:"state"`
			Reason     string `json:"reason"`
			AckURL     string `json:"ack_url"`
			ResolveURL string `json:"resolve_url"`
			Runbook    *struct {
				ID    string `json:"id"`
				Title string `json:"title"`
				Doc   string `json:"doc"`
			} `json:"runbook"`
		} `json:"alerts"`
		Handoff *struct {
			Schedule string    `json:"schedule"`
			Person   string    `json:"person"`
			From     time.Time `json:"from"`
			Until    time.Time `json:"until"`
		} `json:"handoff"`
	}
}

func newSink(t *testing.T) *sink {
	s := &sink{stall: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		if len(s.failWith) > 0 {
			code := s.failWith[0]
			s.failWith = s.failWith[1:]
			if code == http.StatusTooManyRequests {
				for k, v := range s.header {
					w.Header()[k] = v
				}
			}
			w.WriteHeader(code)
			return
		}
		d := delivery{At: time.Now(), Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
		if err := json.Unmarshal(body, &d.Message); err != nil {
			t.Errorf("sink %s: not JSON: %v", r.URL.Path, err)
		}
		s.got = append(s.got, d)
		if s.stall[r.URL.Path] > 0 {
			s.stall[r.URL.Path]--
			s.mu.Unlock()
			<-r.Context().Done()
			s.mu.Lock()
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(s.Close)
	return s
}

// deliveries returns what arrived at path so far.
func (s *sink) deliveries(path string) []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []delivery
	for _, d := range s.got {
		if d.Path == path {
			out = append(out, d)
		}
	}
	return out
}

// wait waits (in real time) until path has n deliveries.
func (s *sink) wait(t *testing.T, path string, n int) []delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if got := s.deliveries(path); len(got) >= n {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s: %d deliveries, want %d", path, len(s.deliveries(path)), n)
	return nil
}

func (s *sink) fail(codes []int, header http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failWith, s.header = codes, header
}
