package runbook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/internal/store"
)

// TestDashFromDataIsNotAnOption: a value that begins with "-" reaches no
// argv or path as an option, whether it comes in as a param or from an
// alert's labels; a literal "--" ends the options, and params that opt in
// pass.
func TestDashFromDataIsNotAnOption(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: sorter
    params:
      - {name: file}
      - {name: level, type: int, default: "1"}
      - {name: flag, default: "-r", allow_dash: true}
      - {name: offset, default: "0", pattern: "-?[0-9]+"}
    steps:
      - {id: s, run: [sort, "{{ .params.flag }}", "{{ .params.file }}"]}
  - id: labels
    steps:
      - {id: s, run: [sort, "{{ index .alert.labels \"file\" }}"]}
  - id: after-dashes
    steps:
      - {id: s, run: [printf, "%s|", --, "{{ index .alert.labels \"file\" }}"]}
  - id: paths
    steps:
      - {id: d, run: ["true"], dir: "{{ index .alert.labels \"file\" }}"}
  - id: clean
    steps:
      - {id: c, cleanup: {path: "{{ index .alert.labels \"file\" }}"}}
  - id: remote
    steps:
      - {id: r, ssh: {host: "{{ index .alert.labels \"file\" }}", user: ops, key_file: /nonexistent, known_hosts: /nonexistent, command: [uptime]}}
  - id: remote-args
    steps:
      - {id: r, ssh: {host: 127.0.0.1, user: ops, key_file: /nonexistent, known_hosts: /nonexistent, command: [ls, "{{ index .alert.labels \"file\" }}"]}}
`)
	evil := "-o" + filepath.Join(h.dir, "pwned")
	ctx := context.Background()

	// As a param: refused before anything is stored or run.
	for _, p := range []map[string]string{{"file": evil}, {"file": "x", "level": "-1"}} {
		_, err := h.start1("sorter", p)
		if err == nil || !strings.Contains(err.Error(), `begins with "-" and would be read as an option`) {
			t.Fatalf("param %v: %v", p, err)
		}
	}
	// Params that opt in, by allow_dash or a pattern, pass.
	row, err := h.start1("sorter", map[string]string{"file": "/dev/null", "offset": "-3"})
	if err != nil {
		t.Fatal(err)
	}
	if row, _ = h.wait(row.ID); row.Status != store.RunSucceeded {
		t.Fatalf("allowed dashes: %s %s", row.Status, row.Reason)
	}

	// From a label: the step fails before it runs, naming the element.
	alert := &store.AlertRow{ID: 7, Labels: map[string]string{"file": evil}}
	for book, field := range map[string]string{"labels": "run[1]", "paths": "dir", "clean": "cleanup.path", "remote": "ssh.host", "remote-args": "ssh.command[1]"} {
		row, err := h.e.Start(ctx, Request{Runbook: book, Trigger: TriggerAlert, TriggeredBy: "alert/7", Alert: alert})
		if err != nil {
			t.Fatalf("%s: %v", book, err)
		}
		row, steps := h.wait(row.ID)
		if row.Status != store.RunFailed || len(steps) != 1 || !strings.HasPrefix(steps[0].Error, field+": ") ||
			!strings.Contains(steps[0].Error, `begins with "-"`) {
			t.Fatalf("%s: %s %q %+v", book, row.Status, row.Reason, steps)
		}
		if steps[0].HasExit {
			t.Fatalf("%s: the command ran", book)
		}
	}
	// After a literal "--" it is data, passed as is.
	row, err = h.e.Start(ctx, Request{Runbook: "after-dashes", Trigger: TriggerAlert, TriggeredBy: "alert/7", Alert: alert})
	if err != nil {
		t.Fatal(err)
	}
	row, steps := h.wait(row.ID)
	if row.Status != store.RunSucceeded || steps[0].Stdout != "--|"+evil+"|" {
		t.Fatalf("after --: %s %+v", row.Status, steps)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "pwned")); err == nil {
		t.Fatal("a value became an option: sort wrote its output file")
	}
}
