package alert

import (
	"encoding/binary"
	"iter"
	"slices"
	"strings"
)

// LabelSet is a set of labels packed into one string, sorted by name: each
// name and value length-prefixed, so any bytes may appear in either. An
// open alert keeps its labels this way. A map of up to eight labels weighs
// about 336 bytes before its strings, and the pager holds one per open
// alert, a million of them at a time; packed, six labels take about 100
// bytes, strings included. The zero value is the empty set. Read-only:
// a change packs a new set.
type LabelSet struct{ packed string }

// PackLabels packs m.
func PackLabels(m map[string]string) LabelSet {
	if len(m) == 0 {
		return LabelSet{}
	}
	// Sorted on the stack for the usual handful of labels.
	var arr [16][2]string
	pairs := arr[:0]
	n := 0
	for k, v := range m {
		pairs = append(pairs, [2]string{k, v})
		n += uvarintLen(len(k)) + len(k) + uvarintLen(len(v)) + len(v) // exact: the set is kept
	}
	slices.SortFunc(pairs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	var b strings.Builder
	b.Grow(n)
	var num [binary.MaxVarintLen64]byte
	for _, p := range pairs {
		for _, s := range p {
			b.Write(binary.AppendUvarint(num[:0], uint64(len(s))))
			b.WriteString(s)
		}
	}
	return LabelSet{packed: b.String()}
}

func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
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
