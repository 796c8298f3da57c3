package route

import (
	"slices"
	"strconv"
	"strings"
)

// GroupLabels returns the labels that decide an alert's group on this route:
// the group_by labels it has, or all of them for '...'. A label with an empty
// value counts as absent, as it does in Prometheus and Alertmanager.
func (r *Route) GroupLabels(lbls map[string]string) map[string]string {
	out := make(map[string]string, len(r.GroupBy))
	for _, name := range r.groupNames(lbls) {
		out[name] = lbls[name]
	}
	return out
}

// GroupKey names the notification group an alert joins on this route: the
// route ID and the group labels, as Alertmanager's "<route>:<labelset>", for
// example `0.1:{cluster="eu", service="db"}`. Labels are sorted by name and
// values quoted, so different groups never share a key.
func (r *Route) GroupKey(lbls map[string]string) string {
	var buf [128]byte
	b := append(buf[:0], r.id...)
	b = append(b, ":{"...)
	for i, name := range r.groupNames(lbls) {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, name...)
		b = append(b, '=')
		b = strconv.AppendQuote(b, lbls[name])
	}
	b = append(b, '}')
	return string(b)
}

// groupNames lists, sorted, the group label names present in lbls.
func (r *Route) groupNames(lbls map[string]string) []string {
	if r.GroupByAll {
		names := make([]string, 0, len(lbls))
		for k, v := range lbls {
			if v != "" {
				names = append(names, k)
			}
		}
		slices.SortFunc(names, strings.Compare)
		return names
	}
	names := make([]string, 0, len(r.GroupBy))
	for _, name := range r.GroupBy {
		if lbls[name] != "" {
			names = append(names, name)
		}
	}
	return names
}
