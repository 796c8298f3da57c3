package alert

import (
	"encoding/binary"
	"iter"
	"maps"
	"slices"
)

// LabelSet is a set of labels packed into one string, sorted by name: each
// name and value length-prefixed, so any bytes may appear in either. An
// open alert keeps its labels this way. A map of up to eight labels weighs
// about 336 bytes before its strings, and the pager holds one per open
// alert, a million of them at a time; packed, six labels take about 110
// bytes, strings included. The zero value is the empty set. Read-only:
// a change packs a new set.
type LabelSet struct{ packed string }

// PackLabels packs m.
func PackLabels(m map[string]string) LabelSet {
	if len(m) == 0 {
		return LabelSet{}
	}
	names := slices.Sorted(maps.Keys(m))
	n := 0
	for _, k := range names {
		n += 2*binary.MaxVarintLen32 + len(k) + len(m[k])
	}
	b := make([]byte, 0, n)
	for _, k := range names {
		v := m[k]
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return LabelSet{packed: string(b)}
}

// Get returns the value of the label name, "" when the set has none.
func (l LabelSet) Get(name string) string {
	for k, v := range l.All() {
		if k == name {
			return v
		}
		if k > name {
			break // sorted: it is not further on
		}
	}
	return ""
}

// All yields the labels in name order.
func (l LabelSet) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		s := l.packed
		for len(s) > 0 {
			var k, v string
			k, s = cut(s)
			v, s = cut(s)
			if !yield(k, v) {
				return
			}
		}
	}
}

// cut reads one length-prefixed string off the front of s. s is always
// what PackLabels wrote, so the lengths are whole.
func cut(s string) (string, string) {
	var n, shift uint
	i := 0
	for ; ; i++ {
		c := s[i]
		n |= uint(c&0x7f) << shift
		if c < 0x80 {
			break
		}
		shift += 7
	}
	s = s[i+1:]
	return s[:n], s[n:]
}

// Len returns how many labels the set holds.
func (l LabelSet) Len() int {
	n := 0
	for range l.All() {
		n++
	}
	return n
}

// Map returns the labels as a new map; nil for the empty set.
func (l LabelSet) Map() map[string]string {
	if l.packed == "" {
		return nil
	}
	m := make(map[string]string, l.Len())
	for k, v := range l.All() {
		m[k] = v
	}
	return m
}

// With returns the set with the label name set to value.
func (l LabelSet) With(name, value string) LabelSet {
	m := l.Map()
	if m == nil {
		m = map[string]string{}
	}
	m[name] = value
	return PackLabels(m)
}

// Equal reports whether both sets hold the same labels.
func (l LabelSet) Equal(o LabelSet) bool { return l.packed == o.packed }
