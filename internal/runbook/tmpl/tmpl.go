// Package tmpl renders the templates and compiles the expressions of runbook
// steps. A template renders to exactly one string, so an argv element stays
// one argument whatever a label or param holds: `x; rm -rf /` is passed as
// that literal text, never split or interpreted by a shell.
package tmpl

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/vigil-sre/vigil/internal/check/cond"
)

// funcs are the helpers templates may call.
var funcs = template.FuncMap{
	"trim":  strings.TrimSpace,
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"firstline": func(s string) string {
		line, _, _ := strings.Cut(s, "\n")
		return strings.TrimRight(line, "\r")
	},
	"join":    strings.Join,
	"replace": func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
	"default": func(def string, v any) string {
		if s := fmt.Sprint(v); v != nil && s != "" {
			return s
		}
		return def
	},
}

// Template is a parsed template.
type Template struct {
	src string
	t   *template.Template // nil for text without actions
}

// Parse parses src. A key that is missing at render time is an error rather
// than "<no value>", so a typo never reaches a command.
func Parse(src string) (*Template, error) {
	if !strings.Contains(src, "{{") {
		return &Template{src: src}, nil
	}
	t, err := template.New("").Option("missingkey=error").Funcs(funcs).Parse(src)
	if err != nil {
		return nil, fmt.Errorf("template: %s", strings.TrimPrefix(err.Error(), "template: :"))
	}
	return &Template{src: src, t: t}, nil
}

// MustParse is Parse for templates known to be valid.
func MustParse(src string) *Template {
	t, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return t
}

// Source is the template as written.
func (t *Template) Source() string { return t.src }

// Render executes the template against data (see Data).
func (t *Template) Render(data map[string]any) (string, error) {
	if t.t == nil {
		return t.src, nil
	}
	var b bytes.Buffer
	if err := t.t.Execute(&b, data); err != nil {
		msg := err.Error()
		if i := strings.Index(msg, ": executing \"\" at "); i >= 0 {
			msg = msg[i+len(": executing \"\" at "):]
		}
		return "", fmt.Errorf("template %q: %s", t.src, strings.TrimPrefix(msg, "template: :"))
	}
	return b.String(), nil
}

// Env is the shape of the variables expressions read: params, the alert
// that triggered the run, earlier steps' outcomes (steps.ID.ok,
// steps.ID.exit_code, steps.ID.stdout) and SLOs by service/id
// (slo["shop/availability"].burn_rates["5m"]). Compile checks roots against it.
func Env() map[string]any {
	return map[string]any{"params": map[string]any{}, "alert": map[string]any{}, "steps": map[string]any{}, "slo": map[string]any{}}
}

// Compile compiles a boolean expression over Env.
func Compile(src string) (*cond.Expr, error) { return cond.Compile(src, Env()) }
