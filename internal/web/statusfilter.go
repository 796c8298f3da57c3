package web

import (
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/internal/errs"
)

// StatusFilter checks a list endpoint's ?status= against the statuses the
// list has. Each comma-separated item is a known status or an alias (open,
// all); repeats collapse, so the store's query has at most one variable per
// known status however long the query string is. An unknown item is a 400
// that lists what is allowed, never a silent empty list.
type StatusFilter struct {
	Param   string              // the query parameter, as errors name it
	Known   []string            // the statuses, in the order errors list them
	Aliases map[string][]string // words that stand for several statuses
}

// Parse reads v. Empty means no filter (nil), and so does a list that
// covers every known status.
func (f StatusFilter) Parse(v string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		add, ok := f.Aliases[item]
		if !ok {
			if !slices.Contains(f.Known, item) {
				return nil, errs.E(errs.Invalid, "%s: %q is not one of %s", f.Param, shortValue(item), f.words())
			}
			add = []string{item}
		}
		for _, st := range add {
			if !slices.Contains(out, st) {
				out = append(out, st)
			}
		}
	}
	if len(out) == len(f.Known) {
		return nil, nil
	}
	return out, nil
}

// words lists the allowed values: the statuses, then the aliases in order.
func (f StatusFilter) words() string {
	aliases := make([]string, 0, len(f.Aliases))
	for a := range f.Aliases {
		aliases = append(aliases, a)
	}
	slices.Sort(aliases)
	return strings.Join(append(slices.Clone(f.Known), aliases...), ", ")
}

// shortValue keeps a value echoed back in an error short.
func shortValue(s string) string {
	if len(s) <= 64 {
		return s
	}
	return strings.ToValidUTF8(s[:64], "") + "…"
}
