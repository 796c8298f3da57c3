package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"
	js "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/yamldoc"
)

const schemaID = "https://vigil.dev/schema/config.json"

// Schema returns the JSON Schema of the config file. It is reflected from the
// Go types, and it is also what Load validates against, so the schema editors
// use and the rules Vigil enforces cannot drift apart.
func Schema() []byte {
	r := &jsonschema.Reflector{
		FieldNameTag:               "yaml",
		RequiredFromJSONSchemaTags: true,
		Namer:                      schemaName,
	}
	s := r.Reflect(&Config{})
	s.ID = schemaID
	s.Title = "Vigil configuration"
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // the schema is built from static types; failing here is a programming error
	}
	return b
}

// schemaName keeps definitions from different packages apart: every kind has a
// type called Spec.
func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
	if pkg == "config" || pkg == "" || strings.EqualFold(pkg, t.Name()) {
		return t.Name()
	}
	return strings.ToUpper(pkg[:1]) + pkg[1:] + t.Name()
}

// validator checks value trees against the schema.
type validator struct {
	schema *js.Schema
	doc    map[string]any // the schema itself, to suggest field names
}

// compiledValidator is the validator, compiled on first use: the schema is
// reflected from Go types, so it cannot change while the process runs, and
// compiling it was four fifths of loading a config. The compiled schema is
// only read, and validates concurrently.
var compiledValidator = sync.OnceValues(newValidator)

func newValidator() (*validator, error) {
	raw := Schema()
	doc, err := js.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := js.NewCompiler()
	if err := c.AddResource(schemaID, doc); err != nil {
		return nil, err
	}
	s, err := c.Compile(schemaID)
	if err != nil {
		return nil, err
	}
	return &validator{schema: s, doc: doc.(map[string]any)}, nil
}

// validate reports every schema violation in f.
func (v *validator) validate(f *file) []Problem {
	value := f.value
	if value == nil {
		value = map[string]any{}
	}
	err := v.schema.Validate(value)
	if err == nil {
		return nil
	}
	ve, ok := err.(*js.ValidationError)
	if !ok {
		return []Problem{{File: f.name, Line: 1, Column: 1, Message: err.Error()}}
	}
	var out []Problem
	var walk func(e *js.ValidationError, ref string)
	walk = func(e *js.ValidationError, ref string) {
		if r, ok := e.ErrorKind.(*kind.Reference); ok {
			ref = r.URL
		}
		if len(e.Causes) == 0 {
			out = append(out, v.message(f, e, ref)...)
			return
		}
		for _, c := range e.Causes {
			walk(c, ref)
		}
	}
	walk(ve, "")
	return out
}

func (v *validator) message(f *file, e *js.ValidationError, ref string) []Problem {
	path := instancePath(f.value, e.InstanceLocation)
	isDuration := strings.HasSuffix(ref, "/$defs/Duration")
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		var ps []Problem
		allowed := v.properties(e.InstanceLocation, f.value)
		for _, name := range k.Properties {
			msg := fmt.Sprintf("unknown field %q", name)
			if s := suggest(name, allowed); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			ps = append(ps, f.problem(childPath(path, name), true, "%s", msg))
		}
		return ps
	case *kind.Required:
		var ps []Problem
		for _, name := range k.Missing {
			ps = append(ps, f.problem(childPath(path, name), true, "is required"))
		}
		return ps
	case *kind.Type:
		want := strings.Join(k.Want, " or ")
		if isDuration {
			want = "a duration such as 30s, 5m or 14d"
		}
		return []Problem{f.problem(path, false, "expected %s, got %s", article(want), k.Got)}
	case *kind.Pattern:
		if isDuration {
			if _, err := duration.Parse(fmt.Sprint(k.Got)); err != nil {
				return []Problem{f.problem(path, false, "%v", err)}
			}
			return []Problem{f.problem(path, false, "must be a positive duration such as 30s, 5m or 14d")}
		}
		if strings.HasSuffix(path, ".id") || path == "id" {
			return []Problem{f.problem(path, false, "must start with a letter or digit and contain only letters, digits, '.', '_' and '-'")}
		}
		return []Problem{f.problem(path, false, "does not match %s", k.Want)}
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		return []Problem{f.problem(path, false, "%q is not one of %s", fmt.Sprint(k.Got), strings.Join(want, ", "))}
	case *kind.MinItems:
		return []Problem{f.problem(path, false, "needs at least %d item(s)", k.Want)}
	case *kind.MinProperties:
		return []Problem{f.problem(path, false, "needs at least %d entry", k.Want)}
	case *kind.UniqueItems:
		return []Problem{f.problem(path, false, "items must be unique")}
	case *kind.Minimum:
		return []Problem{f.problem(path, false, "must be at least %s", k.Want.RatString())}
	case *kind.Maximum:
		return []Problem{f.problem(path, false, "must be at most %s", k.Want.RatString())}
	case *kind.ExclusiveMinimum:
		return []Problem{f.problem(path, false, "must be more than %s", k.Want.RatString())}
	case *kind.ExclusiveMaximum:
		return []Problem{f.problem(path, false, "must be less than %s", k.Want.RatString())}
	}
	// Other kinds print their limit, never the value.
	return []Problem{f.problem(path, false, "%s", e.ErrorKind.LocalizedString(message.NewPrinter(language.English)))}
}

func article(s string) string {
	switch {
	case strings.HasPrefix(s, "a "), strings.HasPrefix(s, "an "):
		return s
	case strings.HasPrefix(s, "a"), strings.HasPrefix(s, "i"), strings.HasPrefix(s, "o"):
		return "an " + s
	}
	return "a " + s
}

// instancePath turns a JSON pointer's segments into a field path, telling list
// indexes from map keys that happen to be numbers.
func instancePath(root any, loc []string) string {
	path, cur := "", root
	for _, seg := range loc {
		switch c := cur.(type) {
		case []any:
			i, _ := strconv.Atoi(seg)
			path = indexPath(path, i)
			if i < len(c) {
				cur = c[i]
			}
		case map[string]any:
			path = childPath(path, seg)
			cur = c[seg]
		default:
			path = childPath(path, seg)
		}
	}
	return path
}

// properties lists the field names the schema allows at loc, for suggestions.
func (v *validator) properties(loc []string, root any) []string {
	node := v.deref(v.doc)
	cur := root
	for _, seg := range loc {
		if node == nil {
			return nil
		}
		if list, ok := cur.([]any); ok {
			i, _ := strconv.Atoi(seg)
			if i < len(list) {
				cur = list[i]
			}
			items, _ := node["items"].(map[string]any)
			node = v.deref(items)
			continue
		}
		if m, ok := cur.(map[string]any); ok {
			cur = m[seg]
		}
		props, _ := node["properties"].(map[string]any)
		next, _ := props[seg].(map[string]any)
		if next == nil {
			next, _ = node["additionalProperties"].(map[string]any)
		}
		node = v.deref(next)
	}
	if node == nil {
		return nil
	}
	props, _ := node["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (v *validator) deref(n map[string]any) map[string]any {
	for n != nil {
		ref, ok := n["$ref"].(string)
		if !ok {
			return n
		}
		defs, _ := v.doc["$defs"].(map[string]any)
		n, _ = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
	}
	return nil
}

// suggest returns the allowed name closest to name when it is a likely typo.
func suggest(name string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		if d := yamldoc.EditDistance(name, a); d < bestD {
			best, bestD = a, d
		}
	}
	return best
}
