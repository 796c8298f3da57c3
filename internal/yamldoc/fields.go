package yamldoc

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	yamlUnmarshaler = reflect.TypeFor[yaml.BytesUnmarshaler]()
	yamlIface       = reflect.TypeFor[yaml.InterfaceUnmarshaler]()
)

// Unknown returns a problem for every key under n that type t (followed
// through pointers, slices, maps and structs, matching struct fields by the
// name in tag, "yaml" or "json") has no field for. Types that decode
// themselves are not looked into.
func Unknown(d *Doc, n ast.Node, path string, t reflect.Type, tag string) Problems {
	var ps Problems
	var walk func(n ast.Node, path string, t reflect.Type)
	walk = func(n ast.Node, path string, t reflect.Type) {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if n == nil || t == nil || selfDecoding(t) {
			return
		}
		switch n := n.(type) {
		case *ast.AnchorNode:
			walk(n.Value, path, t)
			return
		case *ast.TagNode:
			walk(n.Value, path, t)
			return
		}
		switch t.Kind() {
		case reflect.Struct:
			fields := FieldsOf(t, tag)
			for _, mv := range pairs(n) {
				key := KeyOf(mv)
				p := Child(path, key)
				ft, ok := fields[key]
				if !ok {
					at := d.KeyAt(p)
					ps = append(ps, Problem{File: d.Name, Line: at.Line, Column: at.Col, Field: p, Message: unknownMessage(key, fields)})
					continue
				}
				walk(mv.Value, p, ft)
			}
		case reflect.Map:
			for _, mv := range pairs(n) {
				walk(mv.Value, Child(path, KeyOf(mv)), t.Elem())
			}
		case reflect.Slice, reflect.Array:
			if seq, ok := n.(*ast.SequenceNode); ok {
				for i, v := range seq.Values {
					walk(v, Index(path, i), t.Elem())
				}
			}
		}
	}
	walk(n, path, t)
	return ps
}

func pairs(n ast.Node) []*ast.MappingValueNode {
	switch n := n.(type) {
	case *ast.MappingNode:
		return n.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}
	}
	return nil
}

func selfDecoding(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	for _, i := range []reflect.Type{jsonUnmarshaler, textUnmarshaler, yamlUnmarshaler, yamlIface} {
		if t.Implements(i) || pt.Implements(i) {
			return true
		}
	}
	return false
}

// FieldsOf maps the names of t's fields under tag to their types, following
// embedded and ",inline" structs as encoding/json and the YAML library do.
func FieldsOf(t reflect.Type, tag string) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get(tag), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		if (f.Anonymous && name == "") || strings.Contains(opts, "inline") {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range FieldsOf(ft, tag) {
					out[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
			if tag == "yaml" {
				name = strings.ToLower(name)
			}
		}
		out[name] = ft
	}
	return out
}

// unknownMessage says a key is unknown and suggests the field meant: one
// that differs only in case, or by at most two letters.
func unknownMessage(key string, fields map[string]reflect.Type) string {
	if s := Suggest(key, keys(fields)); s != "" {
		return fmt.Sprintf("unknown field %q; did you mean %q?", key, s)
	}
	return fmt.Sprintf("unknown field %q", key)
}

func keys(m map[string]reflect.Type) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Suggest returns the name in names that key most likely meant, or "".
func Suggest(key string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if strings.EqualFold(n, key) {
			return n
		}
		if len(key) < 4 {
			continue
		}
		if dist := EditDistance(strings.ToLower(key), strings.ToLower(n)); dist < bestDist || (dist == bestDist && n < best) {
			best, bestDist = n, dist
		}
	}
	return best
}

// EditDistance is the Levenshtein distance between a and b.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
