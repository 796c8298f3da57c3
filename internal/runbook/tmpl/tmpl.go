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
	"text/template/parse"

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

// Lead is where the first character of a template's output comes from.
type Lead int

// Leads.
const (
	LeadText  Lead = iota // the template's own text, as the config wrote it
	LeadParam             // a param's value, checked when the run started
	LeadData              // anything else: labels, annotations, step outputs
)

// Lead says where the start of the rendered text comes from, and for
// LeadParam which param. Only a lone .params.NAME, perhaps piped through
// helpers that add no text, counts as the param: anything richer is data,
// since a helper such as default could put a label in its place.
func (t *Template) Lead() (Lead, string) {
	if t.t == nil || t.t.Tree == nil {
		return LeadText, ""
	}
	for _, n := range t.t.Tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if len(n.Text) == 0 {
				continue
			}
			return LeadText, ""
		case *parse.ActionNode:
			if name, ok := paramPipe(n.Pipe); ok {
				return LeadParam, name
			}
		}
		return LeadData, ""
	}
	return LeadText, ""
}

// paramPipe reports whether p is .params.NAME, optionally followed by
// helpers that only transform it.
func paramPipe(p *parse.PipeNode) (string, bool) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) == 0 || len(p.Cmds[0].Args) != 1 {
		return "", false
	}
	f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 2 || f.Ident[0] != "params" {
		return "", false
	}
	for _, c := range p.Cmds[1:] {
		id, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok || len(c.Args) != 1 || !transforms(id.Ident) {
			return "", false
		}
	}
	return f.Ident[1], true
}

// transforms reports whether a helper changes a value without adding to it.
func transforms(name string) bool {
	switch name {
	case "trim", "lower", "upper", "firstline":
		return true
	}
	return false
}
