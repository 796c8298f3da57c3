package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-sre/vigil/internal/config"
)

// runField is one field of a runbook's run form, built from a declared
// param: its type picks the input, an enum makes a select, a default fills
// it in, a pattern becomes the input's pattern attribute when the browser
// can read it. The server checks every value again (config.CheckParam),
// whatever the browser let through.
type runField struct {
	Name        string // the param's name; the form field is "p." + Name
	Type        string // string, int, bool, duration, list
	Description string
	Input       string // text, number, checkbox, select
	Value       string
	Checked     bool     // a bool that is true
	Options     []string // an enum's values
	Pattern     string   // for the pattern attribute; "" when none fits
	Required    bool
	Hint        string // how to write the value
	Problem     string // why the value was refused
}

// Field is the name of the form field.
func (f runField) Field() string { return paramField + f.Name }

// ID is the field's element id.
func (f runField) ID() string { return "param-" + f.Name }

// paramField prefixes the form fields that carry params, so that a param
// named csrf or confirm cannot clash with the form's own fields.
const paramField = "p."

// runFields builds the run form of params, filled with values (a param
// missing from values shows its default).
func runFields(params []config.Param, values map[string]string) []runField {
	out := make([]runField, 0, len(params))
	for _, p := range params {
		f := runField{Name: p.Name, Type: p.Type, Description: p.Description, Input: "text", Required: p.Default == nil}
		if f.Type == "" {
			f.Type = "string"
		}
		if p.Default != nil {
			f.Value = *p.Default
		}
		if v, ok := values[p.Name]; ok {
			f.Value = v
		}
		switch {
		case len(p.Enum) > 0:
			f.Input, f.Options = "select", p.Enum
			if f.Value != "" && !slices.Contains(f.Options, f.Value) {
				f.Options = append([]string{f.Value}, f.Options...) // keep what was posted, to show it refused
			}
		case f.Type == "bool":
			f.Input, f.Required = "checkbox", false
			f.Checked, _ = strconv.ParseBool(f.Value)
		case f.Type == "int":
			f.Input, f.Hint = "number", "a whole number"
		case f.Type == "duration":
			f.Hint = "a duration, such as 30s, 5m, 1h30m or 14d"
		case f.Type == "list":
			f.Hint = "items separated by commas"
			f.Required = f.Required && !p.AllowEmpty
		}
		if p.Pattern != "" && f.Input == "text" {
			if js := jsPattern(p.Pattern); js != "" {
				if f.Type == "list" {
					js = `\s*(?:` + js + `)?\s*(?:,\s*(?:` + js + `)?\s*)*`
				}
				f.Pattern = js
			}
			if f.Hint == "" {
				f.Hint = "must match " + p.Pattern
			} else {
				f.Hint += "; each must match " + p.Pattern
			}
		}
		out = append(out, f)
	}
	return out
}

// readRunForm reads the params of a posted run form. A field left blank
// means the param's default; a param without one is then missing. It
// returns the params to pass, the fields to show again (with what was
// typed and why it was refused) and whether every value passed.
func readRunForm(params []config.Param, form url.Values) (map[string]string, []runField, bool) {
	given := map[string]string{}
	for _, p := range params {
		vs := form[paramField+p.Name]
		if len(vs) == 0 {
			if p.Type == "bool" {
				given[p.Name] = "false" // an unticked box sends nothing
			}
			continue
		}
		// A checkbox follows a hidden "false" of the same name: the last
		// value is the box's when it is ticked.
		v := strings.TrimSpace(vs[len(vs)-1])
		if v == "" && p.Default != nil {
			continue
		}
		given[p.Name] = v
	}
	fields := runFields(params, given)
	ok := true
	for i, p := range params {
		v, has := given[p.Name]
		switch {
		case !has && p.Default == nil:
			fields[i].Problem = "Required: give a value."
		case has && v == "" && p.Default == nil && !(p.Type == "list" && p.AllowEmpty):
			fields[i].Problem = "Required: give a value."
		case has:
			if err := config.CheckParam(p, v); err != nil {
				fields[i].Problem = capitalize(err.Error()) + "."
			}
		}
		if fields[i].Problem != "" {
			ok = false
		}
	}
	return given, fields, ok
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
