package web

import (
	"net/url"
	"testing"

	"github.com/vigil-sre/vigil/internal/config"
)

// TestReadRunForm: a blank field means the default, or a missing value
// when there is none; a ticked box wins over its hidden "false"; each
// refused value is named at its field and the rest stay as typed.
func TestReadRunForm(t *testing.T) {
	def := func(s string) *string { return &s }
	params := []config.Param{
		{Name: "host", Pattern: "[a-z0-9.-]+"},
		{Name: "days", Type: "int", Default: def("14")},
		{Name: "force", Type: "bool", Default: def("false")},
		{Name: "dry", Type: "bool", Default: def("true")},
		{Name: "hosts", Type: "list", AllowEmpty: true},
		{Name: "env", Enum: []string{"staging", "production"}},
	}
	got, fields, ok := readRunForm(params, url.Values{"p.host": {" web-1 "}, "p.days": {""}, "p.force": {"false", "true"},
		"p.dry": {"false"}, "p.hosts": {""}, "p.env": {"staging"}, "p.other": {"x"}})
	if !ok {
		t.Fatalf("refused: %+v", fields)
	}
	want := map[string]string{"host": "web-1", "force": "true", "dry": "false", "hosts": "", "env": "staging"}
	if len(got) != len(want) {
		t.Fatalf("params %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("params.%s = %q, want %q", k, got[k], v)
		}
	}
	if fields[1].Value != "14" || !fields[2].Checked || fields[3].Checked || fields[5].Input != "select" {
		t.Errorf("fields: %+v", fields)
	}

	_, fields, ok = readRunForm(params, url.Values{"p.host": {"Web 1"}, "p.days": {"x"}, "p.env": {""}})
	if ok {
		t.Fatal("bad values passed")
	}
	problems := map[string]string{}
	for _, f := range fields {
		problems[f.Name] = f.Problem
	}
	for name, want := range map[string]string{"host": `"Web 1" does not match [a-z0-9.-]+.`, "days": `"x" is not an integer.`,
		"env": "Required: give a value.", "hosts": "Required: give a value.", "force": ""} {
		if problems[name] != want {
			t.Errorf("%s: %q, want %q", name, problems[name], want)
		}
	}
	if fields[0].Value != "Web 1" || fields[1].Value != "x" {
		t.Errorf("the form forgot what was typed: %+v", fields[:2])
	}
}
