package route

import "github.com/vigil-sre/vigil/internal/alert"

// pack and packAll give test labels the form the pager keeps them in.
func pack(m map[string]string) alert.LabelSet { return alert.PackLabels(m) }

func packAll(ms []map[string]string) []alert.LabelSet {
	out := make([]alert.LabelSet, len(ms))
	for i, m := range ms {
		out[i] = pack(m)
	}
	return out
}
