package route

import (
	"fmt"
	"slices"
	"sort"

	"github.com/prometheus/alertmanager/pkg/labels"
)

// compileMatchers turns an equality map and Alertmanager-syntax matchers into
// one list that must all match, as Alertmanager merges match and matchers.
func compileMatchers(eq map[string]string, ms []string) (labels.Matchers, error) {
	out := make(labels.Matchers, 0, len(eq)+len(ms))
	for _, name := range sortedKeys(eq) {
		m, err := labels.NewMatcher(labels.MatchEqual, name, eq[name])
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	for _, s := range ms {
		m, err := labels.ParseMatcher(s)
		if err != nil {
			return nil, fmt.Errorf("matcher %q: %w", s, err)
		}
		out = append(out, m)
	}
	// Alertmanager sorts route matchers too; it makes String() stable.
	sort.Sort(out)
	return out, nil
}

// labelReader is a set of labels read by name: an open alert's packed
// alert.LabelSet, or an incoming alert's labelMap.
type labelReader interface{ Get(name string) string }

// labelMap reads a plain map as a labelReader.
type labelMap map[string]string

func (m labelMap) Get(name string) string { return m[name] }

// matchAll is labels.Matchers.Matches for alert labels: the same loop, without
// copying every alert's labels into a model.LabelSet first. A missing label
// reads as "", so name="" matches an alert without the label, as in Alertmanager.
func matchAll[L labelReader](ms labels.Matchers, lbls L) bool {
	for _, m := range ms {
		if !m.Matches(lbls.Get(m.Name)) {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
