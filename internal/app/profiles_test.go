package app

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vigil serve records what it was asked to of its run, and has it complete
// once stopped: a CPU profile and a live heap (pprof's gzipped protobuf),
// and an execution trace (go tool trace's format, which opens with its Go
// version).
func TestServeRecordsProfilesAndTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("starts vigil serve as a process")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "services:\n  - {id: shop}\n")
	cpu, heap, trace := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "heap.pprof"), filepath.Join(dir, "run.trace")
	base, _, stop := serveChild(t, os.Environ(), cfg, dir, "--cpu-profile", cpu, "--heap-profile", heap, "--trace", trace)
	for range 20 {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	stop()
	for _, f := range []struct{ path, head string }{
		{cpu, "\x1f\x8b"}, {heap, "\x1f\x8b"}, {trace, "go 1."},
	} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte(f.head)) || len(b) < 64 {
			t.Errorf("%s: %d bytes starting %q; want a complete file starting %q", filepath.Base(f.path), len(b), b[:min(len(b), 16)], f.head)
		}
	}
}

// A trace that cannot be written is refused before anything starts.
func TestServeRefusesAnUnwritableTrace(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "services:\n  - {id: shop}\n")
	code, _, errOut := runCLI(t, "serve", "--config", cfg, "--listen", "127.0.0.1:0",
		"--store", "sqlite://"+filepath.Join(dir, "vigil.db"), "--trace", filepath.Join(dir, "missing", "run.trace"))
	if code == 0 || !strings.Contains(errOut, "--trace") || !strings.Contains(errOut, "no such file or directory") {
		t.Fatalf("serve with a trace in a missing directory: exit %d, stderr %q; want a failure naming --trace and why", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "vigil.db")); err == nil {
		t.Fatal("the store was opened although serve refused to start")
	}
}
