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

func TestLead(t *testing.T) {
	for _, c := range []struct {
		src   string
		lead  Lead
		param string
	}{
		{"-o", LeadText, ""},
		{"BatchMode=yes", LeadText, ""},
		{"{{ .params.host }}", LeadParam, "host"},
		{"{{ .params.host | trim | lower }}", LeadParam, "host"},
		{"{{ .params.host }}.example", LeadParam, "host"},
		{"user@{{ .params.host }}", LeadText, ""},
		{`{{ index .alert.labels "instance" }}`, LeadData, ""},
		{"{{ .steps.active.stdout | trim }}", LeadData, ""},
		// default could put a label where the param was: not the param.
		{`{{ .params.host | default .alert.summary }}`, LeadData, ""},
		{"{{ if .params.x }}-v{{ end }}", LeadData, ""},
		{"{{ .params }}", LeadData, ""},
	} {
		lead, param := MustParse(c.src).Lead()
		if lead != c.lead || param != c.param {
			t.Errorf("%s: lead %d %q, want %d %q", c.src, lead, param, c.lead, c.param)
		}
	}
}

// TestPlan: a dry run's rendering describes what depends on earlier steps
// and decides only what is known (params, the alert).
func TestPlan(t *testing.T) {
	ph := func(id string) map[string]any {
		return map[string]any{"ok": "<steps." + id + ".ok>", "stdout": "<steps." + id + ".stdout>", "exit_code": "<steps." + id + ".exit_code>"}
	}
	data := map[string]any{
		"params": map[string]any{"env": "staging", "hosts": []string{"a", "b"}},
		"alert":  map[string]any{"labels": map[string]string{"instance": "web1"}},
		"steps":  map[string]any{"host": ph("host"), "recheck": ph("recheck")},
	}
	for src, want := range map[string]string{
		"plain":                                  "plain",
		"ran on {{ .steps.host.stdout | trim }}": "ran on <steps.host.stdout>",
		"the check {{ if .steps.recheck.ok }}passes{{ else }}fails{{ end }}":                    "the check <if steps.recheck.ok: passes | else: fails>",
		"{{ if eq .steps.host.exit_code 0 }}up{{ else if .params.env }}env{{ end }}":            "<if eq steps.host.exit_code 0: up | else: env>",
		"{{ if not .steps.recheck.ok }}page {{ .alert.labels.instance }}{{ end }}":              "<if not steps.recheck.ok: page web1>",
		`{{ if eq .params.env "production" }}careful{{ else }}go on {{ .params.env }}{{ end }}`: "go on staging",
		"{{ range .params.hosts }}[{{ . }}]{{ end }}":                                           "[a][b]",
		"{{ range .steps.host.stdout }}x{{ end }}":                                              "<depends on for each of steps.host.stdout>",
		"{{ with .params.env }}in {{ . }}{{ end }}; {{ with .steps.recheck.ok }}ok{{ end }}":    "in staging; <depends on with steps.recheck.ok>",
		"{{ $h := .steps.host.stdout }}{{ $h }}":                                                "<steps.host.stdout>",
	} {
		got, err := MustParse(src).Plan(data)
		if err != nil || got != want {
			t.Errorf("%s\n got %q, %v\nwant %q", src, got, err, want)
		}
	}
	if _, err := MustParse("{{ if .params.nope }}x{{ end }}").Plan(data); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("a missing key in a known condition: %v", err)
	}
}
