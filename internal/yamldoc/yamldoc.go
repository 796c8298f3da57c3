// Package yamldoc reads one YAML document strictly and remembers where every
// field is written, so that every problem with it, found while decoding or
// later by validation, is reported as file:line:col with the field's path.
// Release files, capacity plans and Kubernetes manifests are read with it.
package yamldoc

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Problem is one thing wrong with a document, located in it when it can be.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", p.Line, p.Column)
		}
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found, in document order; it is an error.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders problems by file and position, then field, keeping equal ones in order.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Field < b.Field
	})
}

// Pos is where something is written.
type Pos struct{ Line, Col int }

// Doc is one parsed YAML document with the position of every key and value.
type Doc struct {
	Name string
	Body ast.Node // nil for an empty document
	keys map[string]Pos
	vals map[string]Pos
}

// MaxNodes bounds how many values a document may hold, aliases expanded.
const MaxNodes = 200_000

// Parse parses data, named name in problems, as one document. A syntax
// error, several documents or too many values are Problems.
func Parse(name string, data []byte) (*Doc, error) {
	docs, err := ParseAll(name, data)
	if err != nil {
		return nil, err
	}
	switch len(docs) {
	case 0:
		return &Doc{Name: name, keys: map[string]Pos{}, vals: map[string]Pos{}}, nil
	case 1:
		return docs[0], nil
	}
	at := docs[1].At("")
	return nil, Problems{{File: name, Line: at.Line, Column: at.Col, Message: "only one YAML document is expected here"}}
}

// ParseAll parses every non-empty document of data (a stream separated by ---).
func ParseAll(name string, data []byte) ([]*Doc, error) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, Problems{syntaxProblem(name, err)}
	}
	var out []*Doc
	total := 0
	for _, doc := range f.Docs {
		if doc.Body == nil {
			continue
		}
		if _, empty := doc.Body.(*ast.CommentGroupNode); empty {
			continue
		}
		d := &Doc{Name: name, Body: doc.Body, keys: map[string]Pos{}, vals: map[string]Pos{}}
		if total += d.index(d.Body, "", 0); total > MaxNodes {
			return nil, Problems{{File: name, Line: 1, Column: 1, Message: fmt.Sprintf("the file has more than %d values", MaxNodes)}}
		}
		out = append(out, d)
	}
	return out, nil
}

// syntaxProblem locates an error from the YAML library; only its message is
// kept, not the library's excerpt of the source.
func syntaxProblem(name string, err error) Problem {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		tk := ye.GetToken()
		return Problem{File: name, Line: tk.Position.Line, Column: tk.Position.Column, Message: "YAML: " + ye.GetMessage()}
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return Problem{File: name, Line: 1, Column: 1, Message: msg}
}

// Child and Index build field paths such as components[0].memory.request.
func Child(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// Index is the path of the i-th item of parent.
func Index(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }

func (d *Doc) index(n ast.Node, path string, count int) int {
	if n == nil || count > MaxNodes {
		return count + 1
	}
	count++
	tk := n.GetToken()
	// A block mapping's own token is the first entry's colon; its first key
	// is where a reader sees it start.
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 {
		tk = m.Values[0].Key.GetToken()
	}
	if mv, ok := n.(*ast.MappingValueNode); ok {
		tk = mv.Key.GetToken()
	}
	if tk != nil {
		if _, seen := d.vals[path]; !seen {
			d.vals[path] = Pos{tk.Position.Line, tk.Position.Column}
		}
	}
	switch n := n.(type) {
	case *ast.AnchorNode:
		return d.index(n.Value, path, count)
	case *ast.TagNode:
		return d.index(n.Value, path, count)
	case *ast.MappingNode:
		for _, mv := range n.Values {
			count = d.indexPair(mv, path, count)
		}
	case *ast.MappingValueNode:
		count = d.indexPair(n, path, count)
	case *ast.SequenceNode:
		for i, v := range n.Values {
			count = d.index(v, Index(path, i), count)
		}
	}
	return count
}

func (d *Doc) indexPair(mv *ast.MappingValueNode, path string, count int) int {
	p := Child(path, KeyOf(mv))
	if tk := mv.Key.GetToken(); tk != nil {
		d.keys[p] = Pos{tk.Position.Line, tk.Position.Column}
	}
	return d.index(mv.Value, p, count)
}

// KeyOf is the text of a mapping entry's key.
func KeyOf(mv *ast.MappingValueNode) string {
	if s, ok := mv.Key.(*ast.StringNode); ok {
		return s.Value
	}
	return mv.Key.String()
}

// At is where path's value is written (its key, for a block below the key)
// or, when it is not written, its key or the
// nearest written ancestor (a missing field is reported at its parent).
func (d *Doc) At(path string) Pos {
	for p := path; ; p = parent(p) {
		if at, ok := d.vals[p]; ok {
			// A block value under its key: the key is where it is seen.
			if key, ok := d.keys[p]; ok && key.Line < at.Line {
				return key
			}
			return at
		}
		if at, ok := d.keys[p]; ok {
			return at
		}
		if p == "" {
			return Pos{1, 1}
		}
	}
}

// KeyAt is where path's key is written, falling back to At.
func (d *Doc) KeyAt(path string) Pos {
	if at, ok := d.keys[path]; ok {
		return at
	}
	return d.At(path)
}

// Has reports whether path is written in the document.
func (d *Doc) Has(path string) bool {
	_, ok := d.keys[path]
	if !ok {
		_, ok = d.vals[path]
	}
	return ok
}

func parent(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// Problem makes a problem located at path's value.
func (d *Doc) Problem(path, format string, args ...any) Problem {
	at := d.At(path)
	return Problem{File: d.Name, Line: at.Line, Column: at.Col, Field: path, Message: fmt.Sprintf(format, args...)}
}

// Locate fills in the position of problems that name a field but no line,
// such as those from validation that does not know about files.
func (d *Doc) Locate(ps Problems) Problems {
	out := make(Problems, len(ps))
	for i, p := range ps {
		if p.Line == 0 {
			at := d.At(p.Field)
			p.File, p.Line, p.Column = d.Name, at.Line, at.Col
		}
		out[i] = p
	}
	out.Sort()
	return out
}

// Decode fills v (a pointer to a struct) from the document strictly: every
// key that v has no field for is a problem (with a suggestion when the key
// differs only in case or by a letter or two), and so is a value of the wrong
// type. Fields are matched by their yaml tag.
func (d *Doc) Decode(v any) error {
	ps := Unknown(d, d.Body, "", reflect.TypeOf(v), "yaml")
	if len(ps) > 0 {
		ps.Sort()
		return ps
	}
	if d.Body == nil {
		return nil
	}
	if err := yaml.NodeToValue(d.Body, v, yaml.DisallowUnknownField()); err != nil {
		return Problems{d.decodeProblem(err)}
	}
	return nil
}

func (d *Doc) decodeProblem(err error) Problem {
	p := syntaxProblem(d.Name, err)
	p.Message = strings.TrimPrefix(p.Message, "YAML: ")
	for path, at := range d.vals { // name the field the library stopped at
		if at.Line == p.Line && at.Col == p.Column && (p.Field == "" || len(path) > len(p.Field)) {
			p.Field = path
		}
	}
	return p
}
