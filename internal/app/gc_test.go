package app

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeTunesGC: vigil serve runs its collector at GOGC=50 unless the
// environment sets GOGC, which it then leaves alone (as /metrics reports).
func TestServeTunesGC(t *testing.T) {
	if testing.Short() {
		t.Skip("starts vigil serve as a process")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "global: {public: {metrics: true}}\nservices:\n  - {id: shop}\n")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOGC=") {
			env = append(env, kv)
		}
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{nil, "50"},
		{[]string{"GOGC=100"}, "100"},
		{[]string{"GOGC=75"}, "75"},
	} {
		base, _, stop := serveChild(t, append(env, tc.env...), cfg, dir)
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		stop()
		got := regexp.MustCompile(`(?m)^go_gc_gogc_percent (\S+)$`).FindStringSubmatch(string(body))
		if got == nil || got[1] != tc.want {
			t.Fatalf("with %q go_gc_gogc_percent is %v, want %s", tc.env, got, tc.want)
		}
	}
}
