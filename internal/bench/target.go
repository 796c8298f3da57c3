package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ServeTarget answers every GET with 200 and {"status":"UP"}: the check
// target of the benchmarks, run in a process of its own so its CPU is not
// counted as Vigil's. POSTs are webhook notifications from Vigil: it records
// which alerts arrived and, from the sent_ns annotation the load generator
// puts on each alert, how long after it was sent. GET /stats reports that.
// POST /down?on=1 makes it answer notifications with 503 and Retry-After
// (a channel that is down) until POST /down?on=0.
// It prints its address, then serves until ctx ends.
func ServeTarget(ctx context.Context, listen string, out io.Writer) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	s := &sinkStats{seen: map[string]bool{}, firing: map[string]bool{}, notes: map[string]bool{}}
	var down atomic.Bool
	srv := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == http.MethodPost && r.URL.Path == "/down":
				down.Store(r.URL.Query().Get("on") == "1")
			case r.Method == http.MethodPost && down.Load():
				w.Header().Set("Retry-After", "1")
				http.Error(w, "down for the benchmark", http.StatusServiceUnavailable)
			case r.Method == http.MethodPost:
				s.record(r)
				w.WriteHeader(http.StatusOK)
			case r.URL.Path == "/stats":
				w.Header().Set("Content-Type", "application/json")
				q := r.URL.Query()
				json.NewEncoder(w).Encode(s.report(q.Get("reset") == "1", q.Get("keys") == "1"))
			default:
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"status":"UP"}`)
			}
		}),
	}
	fmt.Fprintf(out, "target listening on http://%s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// SinkReport is what the target saw of notifications.
type SinkReport struct {
	Deliveries int     `json:"deliveries"`
	Alerts     int     `json:"alerts"` // distinct alert keys seen
	P50Ms      float64 `json:"p50_ms"`
	P99Ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	Samples    int     `json:"samples"`
	// Duplicates counts firing pages of an alert already paged.
	Duplicates int `json:"duplicates"`
	// Redelivered counts notifications delivered again (their ids in
	// X-Vigil-Delivery seen before): a message carries every alert of a
	// pager batch, so one notification can hold many pages.
	Redelivered int `json:"redelivered_notifications"`
	// Repaged counts firing pages of an alert already paged in a message
	// that is not a redelivery: the pager paging twice, not at-least-once
	// delivery.
	Repaged int `json:"repaged"`
	// Keys are the alert keys seen, when asked for with ?keys=1.
	Keys []string `json:"keys,omitempty"`
}

type sinkStats struct {
	mu                   sync.Mutex
	deliveries           int
	seen                 map[string]bool
	lat                  []time.Duration
	firing               map[string]bool
	duplicates           int
	notes                map[string]bool // notification ids delivered
	redelivered, repaged int
}

func (s *sinkStats) record(r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return
	}
	now := wall.Now()
	var msg struct {
		Kind   string `json:"kind"`
		Alerts []struct {
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"alerts"`
	}
	if json.Unmarshal(body, &msg) != nil || msg.Kind == "" {
		return // not a notification: the baseline's batches are only parsed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliveries++
	again := false
	for id := range strings.SplitSeq(r.Header.Get("X-Vigil-Delivery"), ",") {
		if id == "" {
			continue
		}
		if s.notes[id] {
			s.redelivered++
			again = true
		}
		s.notes[id] = true
	}
	for _, a := range msg.Alerts {
		key := a.Labels["instance"]
		first := !s.seen[key]
		s.seen[key] = true
		if msg.Kind == "firing" {
			if s.firing[key] {
				s.duplicates++
				if !again {
					s.repaged++
				}
			}
			s.firing[key] = true
		}
		if ns, err := strconv.ParseInt(a.Annotations["sent_ns"], 10, 64); err == nil && first && msg.Kind == "firing" {
			s.lat = append(s.lat, now.Sub(time.Unix(0, ns)))
		}
	}
}

func (s *sinkStats) report(reset, keys bool) SinkReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := SinkReport{Deliveries: s.deliveries, Alerts: len(s.seen), Samples: len(s.lat), Duplicates: s.duplicates,
		Redelivered: s.redelivered, Repaged: s.repaged}
	if len(s.lat) > 0 {
		l := append([]time.Duration(nil), s.lat...)
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		r.P50Ms, r.P99Ms, r.MaxMs = ms(l[len(l)/2]), ms(l[len(l)*99/100]), ms(l[len(l)-1])
	}
	if keys {
		for k := range s.seen {
			r.Keys = append(r.Keys, k)
		}
	}
	if reset {
		s.deliveries, s.seen, s.lat, s.firing, s.duplicates = 0, map[string]bool{}, nil, map[string]bool{}, 0
		s.notes, s.redelivered, s.repaged = map[string]bool{}, 0, 0
	}
	return r
}
