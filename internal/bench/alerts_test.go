package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestListLatencyByQuery: every list query is asked rounds times and has
// its own figures, in the order of listPaths; a failed read is an error.
func TestListLatencyByQuery(t *testing.T) {
	var mu sync.Mutex
	asked := map[string]int{}
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		asked[r.URL.RequestURI()]++
		w.WriteHeader(status)
		w.Write([]byte("[]"))
	}))
	defer srv.Close()

	p50, p99, each, err := listLatency(srv.Client(), srv.URL, 3)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, q := range each {
		paths = append(paths, q.Path)
		if q.Samples != 3 || asked[q.Path] != 3 {
			t.Errorf("%s: %d samples, asked %d times; want 3", q.Path, q.Samples, asked[q.Path])
		}
		if q.P50Ms <= 0 || q.P99Ms < q.P50Ms {
			t.Errorf("%s: p50 %v p99 %v", q.Path, q.P50Ms, q.P99Ms)
		}
	}
	if !slices.Equal(paths, listPaths()) || len(asked) != len(listPaths()) {
		t.Errorf("queries %v, asked %v; want %v", paths, asked, listPaths())
	}
	if p50 <= 0 || p99 < p50 {
		t.Errorf("all: p50 %v p99 %v", p50, p99)
	}

	mu.Lock()
	status = http.StatusInternalServerError
	mu.Unlock()
	if _, _, _, err := listLatency(srv.Client(), srv.URL, 1); err == nil {
		t.Error("a 500 was not an error")
	}
}

// TestVersusMeasuresPostgresOnce: a second run on one Postgres store would
// resend the first run's alerts instead of opening new ones, so it is
// refused before anything starts.
func TestVersusMeasuresPostgresOnce(t *testing.T) {
	pg := "postgres://vigil@127.0.0.1/vigil?search_path=fresh"
	for _, opt := range []VersusOptions{
		{Stores: []string{"", pg}, Rounds: 3},
		{Stores: []string{pg}, Rounds: 1, Baseline: "./vigil-before"},
	} {
		if _, err := RunVersus(context.Background(), opt); err == nil || !strings.Contains(err.Error(), "measured once") {
			t.Errorf("%+v: err %v, want a refusal", opt, err)
		}
	}
}
