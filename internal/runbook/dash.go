package runbook

import (
	"fmt"
	"strings"

	"github.com/vigil-sre/vigil/internal/runbook/tmpl"
)

// An argv element that begins with "-" is an option to the program it
// reaches: `ssh "-oProxyCommand=sh -c ..." host` runs code although no shell
// is involved. Params are checked when a run starts (config.CheckParam);
// here the other data a template can pull in (labels, annotations, step
// outputs) is held to the same rule where it lands in an argv or a path.

// renderArgv renders an argv (a run step's, or an ssh step's remote
// command). An element whose leading "-" came from data rather than the
// config's own text is refused, unless it follows a literal "--" (end of
// options), after which the program reads no more options.
func (r *run) renderArgv(field string, ts []*tmpl.Template) ([]string, error) {
	out := make([]string, 0, len(ts))
	data := r.data()
	endOfOptions := false
	for i, t := range ts {
		v, err := r.render(t, data)
		if err != nil {
			return nil, err
		}
		if !endOfOptions {
			if err := dashFromData(fmt.Sprintf("%s[%d]", field, i), t, v); err != nil {
				return nil, err
			}
		}
		if lead, _ := t.Lead(); lead == tmpl.LeadText && t.Source() == "--" {
			endOfOptions = true
		}
		out = append(out, v)
	}
	return out, nil
}

// renderPath renders a path or host field of step s under the same rule.
func (r *run) renderPath(s *step, name string) (string, error) {
	v, err := r.renderText(s, name)
	if err != nil || s.text[name] == nil {
		return v, err
	}
	return v, dashFromData(name, s.text[name], v)
}

// dashFromData refuses v, rendered from t, when it begins with "-" that
// neither the config's text nor a checked param put there.
func dashFromData(field string, t *tmpl.Template, v string) error {
	if !strings.HasPrefix(v, "-") {
		return nil
	}
	if lead, _ := t.Lead(); lead != tmpl.LeadData {
		return nil
	}
	return fmt.Errorf(`%s: %q (from %s) begins with "-" and would be read as an option; `+
		`pass it through a param with a pattern, or put a literal "--" before it`, field, clip(v, 120), t.Source())
}

// clip shortens untrusted text quoted in an error.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
