package app

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/examples"
)

// TestBundledDemoDryRunSaysWhatWouldBeEvaluated: the dry run the demo's
// comments suggest prints placeholders as written and, for what depends on
// a step that has not run, the condition instead of a branch: nothing ran,
// so it must not say the uname check passes.
func TestBundledDemoDryRunSaysWhatWouldBeEvaluated(t *testing.T) {
	h := start(t, string(examples.Default), "")
	const demoToken = "demo-token"
	req, _ := http.NewRequest("POST", h.url+"/api/v1/runbooks/demo-job-late/runs", strings.NewReader(`{"dry_run": true}`))
	req.Header.Set("Authorization", "Bearer "+demoToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("dry run: %d %s", resp.StatusCode, raw)
	}
	if strings.Contains(string(raw), `\u003c`) {
		t.Fatalf("placeholders are JSON-escaped in the answer: %s", raw)
	}

	code, out, errOut := runCLI(t, "run", "demo-job-late", "--dry-run", "--server", h.url, "--token", demoToken)
	if code != 0 {
		t.Fatalf("vigil run --dry-run: %d %s", code, errOut)
	}
	mustContain(t, "the dry run", out,
		"nothing was executed",
		`{"argv":["uname","-a"]`,
		"run check vigil/uname",
		"notify channel/console: demo-job-late ran on <steps.host.stdout>; the uname check <if steps.recheck.ok: passes | else: fails>")
	for _, claim := range []string{"check passes", "check fails", `\u003c`, "true", "false"} {
		if strings.Contains(out, claim) {
			t.Fatalf("the dry run claims %q:\n%s", claim, out)
		}
	}
}

// TestConfigCheckWarnsAboutUnguardedParams: config check prints a located
// warning for a param alert labels fill with neither pattern nor enum, and
// still passes the config.
func TestConfigCheckWarnsAboutUnguardedParams(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	cfg := `runbooks:
  - id: ssh-uptime
    params:
      - {name: host}
    on:
      - alert: {match: {alertname: InstanceDown}}
        params: {host: '{{ index .alert.labels "instance" }}'}
    steps:
      - {id: up, run: [ssh, -o, BatchMode=yes, "{{ .params.host }}", uptime]}
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "config", "check", path)
	want := path + `:4:9: runbooks[0].params[0]: warning: param "host" is filled from alert labels (on[0].params.host) and has neither pattern nor enum`
	if code != 0 || !strings.HasPrefix(out, want) || !strings.HasSuffix(out, ": ok (0 services, 0 checks, 1 runbooks; 1 warning(s))\n") {
		t.Fatalf("config check: %d\n%s\n%s", code, out, errOut)
	}
}
