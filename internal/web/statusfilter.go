package web

import (
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/internal/errs"
)

// StatusFilter reads a list filter such as ?status=firing,acknowledged
// against the statuses a list knows. Every item must be a known status or
// an alias (e.g. open for firing and acknowledged); repeats collapse, so the
// result never holds more than the known statuses however long the query
// is, and a store query built from it stays small. Anything else is a 400
// that names the parameter and the allowed values, so a typo is never a
// silent empty list.
//
// Use one per list endpoint:
//
//	f := StatusFilter{Param: "status", Known: []string{"firing", "resolved"},
//		Aliases: map[string][]string{"open": {"firing"}}}
//	statuses, err := f.Parse(r.URL.Query().Get("status"))
type StatusFilter struct {
	// Param is the query parameter, named in errors.
	Param string
	// Known are the statuses, in the order errors list them.
	Known []string
	// Aliases are words that stand for several known statuses.
	Aliases map[string][]string
}

// Parse reads a comma-separated value. Items are trimmed and empty items
// ignored; an empty value means no filter and returns nil. The result keeps
// the order of first mention, each status once.
func (f StatusFilter) Parse(v string) ([]string, error) {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		statuses := []string{item}
		if alias, ok := f.Aliases[item]; ok {
			statuses = alias
		} else if !slices.Contains(f.Known, item) {
			return nil, errs.E(errs.Invalid, "%s: %q is not one of %s", f.Param, clipValue(item), f.allowed())
		}
		for _, s := range statuses {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// allowed lists the known statuses and then the aliases, sorted.
func (f StatusFilter) allowed() string {
	words := slices.Clone(f.Known)
	aliases := make([]string, 0, len(f.Aliases))
	for a := range f.Aliases {
		aliases = append(aliases, a)
	}
	slices.Sort(aliases)
	return strings.Join(append(words, aliases...), ", ")
}

// clipValue keeps an echoed query value short: it is the caller's text.
func clipValue(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
