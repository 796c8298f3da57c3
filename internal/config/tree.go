package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// file is one parsed config file: its AST, a plain value tree for schema
// validation, and the position of every field so any problem can be reported
// at file:line:col. Only name and dir outlive loading (see release).
type file struct {
	name  string
	dir   string
	body  ast.Node
	value any
	vals  map[string]pos // path -> where the value starts
	keys  map[string]pos // path -> where the key is

	lookup func(string) (string, bool) // resolves ${NAME} in values
}

// pos is where something is written. Positions are copied out of the YAML
// tokens because a token links to its neighbours and would keep every token
// of the file alive.
type pos struct {
	line, col int
	quoted    bool // the scalar is in quotes: its text starts one column later
	multiline bool
}

func posOf(tk *token.Token) pos {
	if tk == nil {
		return pos{}
	}
	return pos{
		line: tk.Position.Line, col: tk.Position.Column,
		quoted:    tk.Type == token.DoubleQuoteType || tk.Type == token.SingleQuoteType,
		multiline: strings.Contains(tk.Value, "\n"),
	}
}

// release drops what only loading needs, so a running config keeps no parse
// tree (about 10 KB per check) alive.
func (f *file) release() {
	f.body, f.value, f.vals, f.keys, f.lookup = nil, nil, nil, nil, nil
}

// maxNodes bounds how many values a file may expand to.
const maxNodes = 1_000_000

// childPath and indexPath build the field paths used in problems, e.g.
// services[0].checks[1].http.url.
func childPath(parent, key string) string {
	if parent == "" {
		return key
	}
	if key == "" {
		return parent
	}
	return parent + "." + key
}

func indexPath(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }

// pos finds where path is written, or its nearest written ancestor (a missing
// required field is reported where its parent is).
func (f *file) pos(path string, preferKey bool) (line, col int) {
	for p := path; ; p = parentPath(p) {
		if preferKey {
			if at, ok := f.keys[p]; ok {
				return at.line, at.col
			}
		}
		if at, ok := f.vals[p]; ok {
			return at.line, at.col
		}
		if at, ok := f.keys[p]; ok {
			return at.line, at.col
		}
		if p == "" {
			return 1, 1
		}
	}
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func (f *file) problem(path string, preferKey bool, format string, args ...any) Problem {
	line, col := f.pos(path, preferKey)
	return Problem{File: f.name, Line: line, Column: col, Field: path, Message: fmt.Sprintf(format, args...)}
}

// index walks the AST once, expanding ${NAME} in values and building the
// value tree and the position maps.
func (f *file) index() []Problem {
	f.vals = map[string]pos{}
	f.keys = map[string]pos{}
	anchors := map[string]ast.Node{}
	var problems []Problem
	visited := 0
	var walk func(n ast.Node, path string) any
	walk = func(n ast.Node, path string) any {
		if n == nil {
			return nil
		}
		// Aliases can nest into exponential growth ("billion laughs").
		if visited++; visited > maxNodes {
			if visited == maxNodes+1 {
				problems = append(problems, f.problem(path, false, "the document expands to more than %d values; are aliases nested too deeply?", maxNodes))
			}
			return nil
		}
		if _, seen := f.vals[path]; !seen {
			f.vals[path] = posOf(n.GetToken())
		}
		switch n := n.(type) {
		case *ast.AnchorNode:
			anchors[n.Name.String()] = n.Value
			return walk(n.Value, path)
		case *ast.AliasNode:
			target, ok := anchors[n.Value.String()]
			if !ok {
				problems = append(problems, f.problem(path, false, "unknown alias *%s", n.Value.String()))
				return nil
			}
			return walk(target, path)
		case *ast.TagNode:
			return walk(n.Value, path)
		case *ast.MappingNode:
			m := map[string]any{}
			for _, mv := range n.Values {
				f.mappingValue(mv, path, m, anchors, walk)
			}
			return m
		case *ast.MappingValueNode:
			m := map[string]any{}
			f.mappingValue(n, path, m, anchors, walk)
			return m
		case *ast.SequenceNode:
			out := make([]any, len(n.Values))
			for i, v := range n.Values {
				out[i] = walk(v, indexPath(path, i))
			}
			return out
		case *ast.StringNode:
			s, ps := f.expandEnv(n.Value, path, n.GetToken())
			problems = append(problems, ps...)
			return s
		case *ast.LiteralNode:
			s, ps := f.expandEnv(n.Value.Value, path, n.GetToken())
			problems = append(problems, ps...)
			return s
		case *ast.IntegerNode:
			return n.Value
		case *ast.FloatNode:
			return n.Value
		case *ast.BoolNode:
			return n.Value
		case *ast.NullNode:
			return nil
		case *ast.InfinityNode:
			return n.Value
		case *ast.NanNode:
			return n.String()
		case *ast.CommentGroupNode:
			return nil
		}
		return n.String()
	}
	f.value = walk(f.body, "")
	f.body = nil // the tree and positions hold all that is needed from here
	return problems
}

func (f *file) mappingValue(mv *ast.MappingValueNode, path string, m map[string]any, anchors map[string]ast.Node, walk func(ast.Node, string) any) {
	if _, merge := mv.Key.(*ast.MergeKeyNode); merge {
		// `<<: *base` copies the keys of base that the mapping does not set itself.
		if base, ok := walk(mv.Value, path).(map[string]any); ok {
			for k, v := range base {
				if _, set := m[k]; !set {
					m[k] = v
				}
			}
		}
		return
	}
	key := mv.Key.String()
	if s, ok := mv.Key.(*ast.StringNode); ok {
		key = s.Value
	}
	p := childPath(path, key)
	f.keys[p] = posOf(mv.Key.GetToken())
	m[key] = walk(mv.Value, p)
}
