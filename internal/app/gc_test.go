package app

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
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
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, os.Args[0], "serve", "--config", cfg, "--listen", "127.0.0.1:0",
			"--store", "sqlite://"+filepath.Join(dir, "vigil.db"))
		cmd.Env = append(append(env, "VIGIL_TEST_EXEC=1"), tc.env...)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		base := regexp.MustCompile(`http://\S+`).FindString(line)
		if err != nil || base == "" {
			t.Fatalf("serve printed %q: %v", line, err)
		}
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		cmd.Wait()
		got := regexp.MustCompile(`(?m)^go_gc_gogc_percent (\S+)$`).FindStringSubmatch(string(body))
		if got == nil || got[1] != tc.want {
			t.Fatalf("with %q go_gc_gogc_percent is %v, want %s", tc.env, got, tc.want)
		}
	}
}
