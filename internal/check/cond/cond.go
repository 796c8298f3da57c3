// Package cond compiles and evaluates the expect and warn conditions of checks.
// Conditions are expr-lang expressions over a kind's typed variables, extended
// with duration literals (500ms, 14d). Compilation happens when config loads, so
// a typo is reported at its line; a condition that does not hold can name the
// values it read, which is how a result says exactly why it failed.
package cond

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Expr is a compiled condition.
type Expr struct {
	src      string
	prog     *vm.Program
	idents   []string
	operands []operand
}

type operand struct {
	name string // as the user wrote it
	prog *vm.Program
}

// Error is a compile error; Column is 1-based within the expression as written.
type Error struct {
	Column int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

func durOption() expr.Option {
	return expr.Function(durFunc, func(p ...any) (any, error) {
		return time.Duration(p[0].(int)), nil
	}, new(func(int) time.Duration))
}

// Compile type-checks src against env, the zero value of a kind's variables
// struct, and requires a boolean result.
func Compile(src string, env any) (*Expr, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &Error{Column: 1, Msg: "empty condition"}
	}
	rewritten, spans, err := rewrite(src)
	if err != nil {
		return nil, err
	}
	prog, err := expr.Compile(rewritten, expr.Env(env), expr.AsBool(), durOption())
	if err != nil {
		return nil, compileError(err, spans)
	}
	tree, err := parser.Parse(rewritten)
	if err != nil {
		return nil, compileError(err, spans)
	}
	e := &Expr{src: src, prog: prog}
	e.idents, e.operands = collect(tree.Node, env)
	return e, nil
}

func compileError(err error, spans []span) error {
	var fe *file.Error
	if errors.As(err, &fe) {
		msg := strings.ReplaceAll(fe.Message, durFunc+"(", "duration(")
		return &Error{Column: originalOffset(spans, fe.From) + 1, Msg: msg}
	}
	return &Error{Column: 1, Msg: firstLine(err.Error())}
}

// Source is the expression as written.
func (e *Expr) Source() string { return e.src }

// Idents lists the variables the expression reads, sorted.
func (e *Expr) Idents() []string { return e.idents }

// Eval runs the expression against vars, a value of the kind's variables struct.
func (e *Expr) Eval(vars any) (bool, error) {
	out, err := vm.Run(e.prog, vars)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return false, errors.New(fe.Message)
		}
		return false, errors.New(firstLine(err.Error()))
	}
	b, _ := out.(bool)
	return b, nil
}

// Explain names the values the expression read, e.g. `status=503, duration=712ms`.
func (e *Expr) Explain(vars any) string {
	parts := make([]string, 0, len(e.operands))
	for _, op := range e.operands {
		v, err := vm.Run(op.prog, vars)
		if err != nil {
			continue
		}
		parts = append(parts, op.name+"="+Format(v))
	}
	return strings.Join(parts, ", ")
}

// collect finds the variables an expression reads and the longest member
// chains rooted at them (json.status, headers["x"]), which Explain reports.
func collect(root ast.Node, env any) ([]string, []operand) {
	callees := map[string]bool{}
	var idents, members []string
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		switch n := n.(type) {
		case *ast.CallNode:
			if id, ok := n.Callee.(*ast.IdentifierNode); ok {
				callees[id.Value] = true
			}
		case *ast.IdentifierNode:
			idents = append(idents, n.Value)
		case *ast.MemberNode:
			if id, ok := n.Node.(*ast.IdentifierNode); ok && id.Value == "$env" {
				if p, ok := n.Property.(*ast.StringNode); ok {
					idents = append(idents, `$env["`+p.Value+`"]`)
					return
				}
			}
			members = append(members, n.String())
		}
	}
	ast.Walk(&root, visitor(walk))

	seen := map[string]bool{}
	var refs []string // identifiers as they appear in the rewritten text
	for _, id := range idents {
		if !callees[id] && id != "$env" && !seen[id] {
			seen[id] = true
			refs = append(refs, id)
		}
	}
	sort.Strings(refs)

	vars := make([]string, 0, len(refs))
	candidates := append(append([]string{}, refs...), members...)
	var ops []operand
	done := map[string]bool{}
	for _, c := range candidates {
		name := c
		if v, ok := envLookup(c); ok {
			name = v
		}
		if c == name && seen[c] || name != c {
			vars = append(vars, name)
		}
		if done[c] || extendedBy(c, candidates) {
			continue
		}
		done[c] = true
		prog, err := expr.Compile(c, expr.Env(env), durOption())
		if err != nil {
			continue
		}
		ops = append(ops, operand{name: name, prog: prog})
	}
	sort.Strings(vars)
	return vars, ops
}

// extendedBy reports whether some other candidate is a member chain that starts with c.
func extendedBy(c string, all []string) bool {
	for _, o := range all {
		if len(o) > len(c) && strings.HasPrefix(o, c) {
			switch o[len(c)] {
			case '.', '[', '?':
				return true
			}
		}
	}
	return false
}

type visitor func(ast.Node)

func (v visitor) Visit(n *ast.Node) { v(*n) }

// Format prints a variable's value compactly for reasons and the UI.
func Format(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case string:
		return strconv.Quote(truncate(x, 80))
	case time.Duration:
		if x >= time.Second {
			return x.Round(time.Millisecond).String()
		}
		return x.Round(10 * time.Microsecond).String()
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
	case float32:
		return Format(float64(x))
	case bool, int, int64, int32, uint, uint64:
		return fmt.Sprint(x)
	}
	rv := reflect.ValueOf(v)
	if k := rv.Kind(); k == reflect.Map || k == reflect.Slice || k == reflect.Struct {
		b, err := json.Marshal(v)
		if err == nil {
			return truncate(string(b), 120)
		}
	}
	return truncate(fmt.Sprint(v), 80)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
