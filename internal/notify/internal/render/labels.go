package render

import "sort"

// Label is one label as shown.
type Label struct{ Key, Value string }

// KeyLabels picks up to max labels worth showing: the identifying ones first,
// then the rest by name, leaving out those shown elsewhere (skip). more is how
// many were left out for room.
func KeyLabels(labels map[string]string, max int, skip ...string) (shown []Label, more int) {
	// The labels that tell a responder which thing is broken come first.
	identifying := [...]string{"alertname", "check", "instance", "job", "host", "pod", "namespace", "cluster", "env", "environment", "region"}
	omit := make(map[string]bool, len(skip)+len(identifying))
	for _, k := range skip {
		omit[k] = true
	}
	var picked []Label
	for _, k := range identifying {
		if v, ok := labels[k]; ok && !omit[k] && v != "" {
			picked = append(picked, Label{k, v})
			omit[k] = true
		}
	}
	rest := make([]string, 0, len(labels))
	for k, v := range labels {
		if !omit[k] && v != "" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		picked = append(picked, Label{k, labels[k]})
	}
	if len(picked) > max {
		return picked[:max], len(picked) - max
	}
	return picked, 0
}
