package tmpl

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	data := map[string]any{
		"params": map[string]any{"host": "app1; rm -rf /"},
		"steps":  map[string]any{"active": map[string]any{"stdout": " dns1 \nmore\n"}},
		"alert":  map[string]any{"labels": map[string]string{"instance": "web1"}},
	}
	for src, want := range map[string]string{
		"plain text, no actions":                               "plain text, no actions",
		"{{ .params.host }}":                                   "app1; rm -rf /",
		"{{ .steps.active.stdout | firstline | trim }}":        "dns1",
		`{{ index .alert.labels "missing" | default "none" }}`: "none",
		`{{ index .alert.labels "instance" | upper }}`:         "WEB1",
		`{{ replace ";" "" .params.host }}`:                    "app1 rm -rf /",
	} {
		tp, err := Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		got, err := tp.Render(data)
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", src, got, err, want)
		}
	}
	// A typo is an error, never an empty argument.
	tp, _ := Parse("{{ .params.hots }}")
	if _, err := tp.Render(data); err == nil || !strings.Contains(err.Error(), "hots") {
		t.Fatalf("missing key: %v", err)
	}
	if _, err := Parse("{{ .params.host "); err == nil {
		t.Fatal("an unclosed action parsed")
	}
}

func TestCompile(t *testing.T) {
	for _, ok := range []string{`steps.shutdown.ok`, `!steps.shutdown.ok && steps.shutdown.exit_code == 1`, `params.env == "production"`, `alert.severity == "critical"`} {
		if _, err := Compile(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{`env == "production"`, `steps.a.ok &&`, ``} {
		if _, err := Compile(bad); err == nil {
			t.Errorf("%q compiled", bad)
		}
	}
}
