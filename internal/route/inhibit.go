package route

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/config"
)

// Inhibitor holds the inhibition rules: a firing source alert mutes target
// alerts that share its values for the rule's equal labels. Immutable.
type Inhibitor struct {
	rules []inhibitRule
}

type inhibitRule struct {
	source, target labels.Matchers
	equal          []string // sorted, unique
}

// NewInhibitor compiles the config's inhibition rules.
func NewInhibitor(cfg *config.Config) (*Inhibitor, error) {
	in := &Inhibitor{rules: make([]inhibitRule, 0, len(cfg.Inhibit))}
	var errs []error
	for i, cr := range cfg.Inhibit {
		src, err1 := compileMatchers(cr.Source, cr.SourceMatchers)
		tgt, err2 := compileMatchers(cr.Target, cr.TargetMatchers)
		if err := errors.Join(err1, err2); err != nil {
			errs = append(errs, fmt.Errorf("inhibit[%d]: %w", i, err))
			continue
		}
		eq := slices.Clone(cr.Equal)
		slices.Sort(eq)
		in.rules = append(in.rules, inhibitRule{source: src, target: tgt, equal: slices.Compact(eq)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return in, nil
}

// Inhibited reports whether target is inhibited by one of the firing alerts,
// with Alertmanager's semantics (inhibit/inhibit.go, Inhibitor.Mutes): some
// rule's target side matches it, and some firing alert matches the rule's
// source side with the same value for every equal label (a label missing on
// both sides counts as equal). When target matches both sides of a rule, only
// sources that do not match the target side count for that rule, so an alert
// never inhibits itself or its look-alikes.
//
// It scans firing for each call; for many targets build an InhibitIndex.
func (in *Inhibitor) Inhibited(target alert.LabelSet, firing []alert.LabelSet) bool {
	for i := range in.rules {
		r := &in.rules[i]
		if !matchAll(r.target, target) {
			continue
		}
		twoSided := matchAll(r.source, target)
		for _, src := range firing {
			if matchAll(r.source, src) && r.sameEqual(src, target) && !(twoSided && matchAll(r.target, src)) {
				return true
			}
		}
	}
	return false
}

func (r *inhibitRule) sameEqual(a, b alert.LabelSet) bool {
	for _, n := range r.equal {
		if a.Get(n) != b.Get(n) {
			return false
		}
	}
	return true
}

// appendEqualKey encodes the values of the rule's equal labels. Each value is
// length-prefixed so no two tuples share a key whatever bytes they hold.
func (r *inhibitRule) appendEqualKey(b []byte, lbls alert.LabelSet) []byte {
	for _, n := range r.equal {
		v := lbls.Get(n)
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return b
}

// InhibitIndex answers Inhibited for many targets against one set of firing
// alerts: per rule, a map from equal-label values to how many firing sources
// with those values match the rule's target side too (two-sided) and how
// many do not (one-sided). Each query is then one map lookup per rule whose
// target side matches. Counting lets the set change one alert at a time
// (Add, Remove) instead of being rebuilt over every firing alert. Not safe
// for concurrent use.
type InhibitIndex struct {
	rules   []inhibitRule
	sources []map[string]sourceCount
}

type sourceCount struct{ oneSided, twoSided int32 }

// Empty reports whether there are no rules: nothing is ever inhibited.
func (in *Inhibitor) Empty() bool { return in == nil || len(in.rules) == 0 }

// Index builds an InhibitIndex over the firing alerts.
func (in *Inhibitor) Index(firing []alert.LabelSet) *InhibitIndex {
	var rules []inhibitRule
	if in != nil {
		rules = in.rules
	}
	idx := &InhibitIndex{rules: rules, sources: make([]map[string]sourceCount, len(rules))}
	for i := range idx.sources {
		idx.sources[i] = map[string]sourceCount{}
	}
	for _, src := range firing {
		idx.Add(src)
	}
	return idx
}

// Add counts a firing alert as a source.
func (idx *InhibitIndex) Add(src alert.LabelSet) { idx.adjust(src, 1) }

// Remove takes back an alert Add counted, with the labels it was added with.
func (idx *InhibitIndex) Remove(src alert.LabelSet) { idx.adjust(src, -1) }

func (idx *InhibitIndex) adjust(src alert.LabelSet, by int32) {
	var arr [256]byte
	for i := range idx.rules {
		r := &idx.rules[i]
		if !matchAll(r.source, src) {
			continue
		}
		key := string(r.appendEqualKey(arr[:0], src))
		c := idx.sources[i][key]
		if matchAll(r.target, src) {
			c.twoSided += by
		} else {
			c.oneSided += by
		}
		if c.oneSided <= 0 && c.twoSided <= 0 {
			delete(idx.sources[i], key)
		} else {
			idx.sources[i][key] = c
		}
	}
}

// Inhibited reports whether target is inhibited by the indexed firing
// alerts, exactly as Inhibitor.Inhibited would.
func (idx *InhibitIndex) Inhibited(target alert.LabelSet) bool {
	var arr [256]byte
	for i := range idx.rules {
		r := &idx.rules[i]
		if !matchAll(r.target, target) {
			continue
		}
		key := r.appendEqualKey(arr[:0], target)
		c, ok := idx.sources[i][string(key)]
		if !ok {
			continue
		}
		// A source that matches the target side too cannot inhibit a
		// target that matches the source side: they would mute each other.
		if c.oneSided > 0 || !matchAll(r.source, target) {
			return true
		}
	}
	return false
}
