package config

import (
	"regexp"
	"strings"

	"github.com/goccy/go-yaml/token"
)

// envRef matches ${NAME} and ${NAME:-default}; $${ escapes a literal ${.
var envRef = regexp.MustCompile(`\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// expandEnv replaces ${NAME} in a string value with the environment
// variable's value. Values are expanded after parsing, never the raw text, so
// line:col stay exact and a value cannot inject YAML.
func (f *file) expandEnv(s, path string, tk *token.Token) (string, []Problem) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var ps []Problem
	out := envRef.ReplaceAllStringFunc(s, func(ref string) string {
		if ref == "$${" {
			return "${"
		}
		m := envRef.FindStringSubmatch(ref)
		if v, ok := f.lookup(m[1]); ok && v != "" {
			return v
		}
		if m[2] != "" {
			return m[3]
		}
		ps = append(ps, Problem{File: f.name, Line: tk.Position.Line, Column: tk.Position.Column, Field: path,
			Message: "environment variable " + m[1] + " is not set (write ${" + m[1] + ":-default} for a fallback)"})
		return ""
	})
	return out, ps
}
