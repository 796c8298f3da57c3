package pager

import (
	"hash/maphash"
	"slices"
	"testing"

	"github.com/vigil-sre/vigil/internal/alert"
)

// TestAnnotationsSum: the hash that tells a resend's annotations from the
// stored ones is the same for the same pairs in any order, and differs when
// a value, a name or the set changes, or when a value moves between names.
func TestAnnotationsSum(t *testing.T) {
	seed := maphash.MakeSeed()
	base := map[string]string{"summary": "Disk full", "description": "95% used", "runbook_url": "https://rb/disk"}
	same := map[string]string{"runbook_url": "https://rb/disk", "description": "95% used", "summary": "Disk full"}
	if annotationsSum(seed, base) != annotationsSum(seed, same) {
		t.Fatal("the same annotations hash differently")
	}
	if annotationsSum(seed, map[string]string{"a": "b\x00c"}) == annotationsSum(seed, map[string]string{"a\x00b": "c"}) {
		t.Fatal("a name and value split at another place hash the same")
	}
	if annotationsSum(seed, nil) != annotationsSum(seed, map[string]string{}) {
		t.Fatal("no annotations and an empty set differ")
	}
	for name, other := range map[string]map[string]string{
		"value":   {"summary": "Disk full", "description": "96% used", "runbook_url": "https://rb/disk"},
		"name":    {"summary": "Disk full", "details": "95% used", "runbook_url": "https://rb/disk"},
		"fewer":   {"summary": "Disk full", "description": "95% used"},
		"more":    {"summary": "Disk full", "description": "95% used", "runbook_url": "https://rb/disk", "x": ""},
		"swapped": {"summary": "95% used", "description": "Disk full", "runbook_url": "https://rb/disk"},
	} {
		if annotationsSum(seed, base) == annotationsSum(seed, other) {
			t.Errorf("%s: changed annotations hash the same", name)
		}
	}
}

// TestLinksSum: the hash that tells a resend's links from the stored ones
// is the same for the same list, and differs when a link, its text, their
// order or where a string ends changes.
func TestLinksSum(t *testing.T) {
	seed := maphash.MakeSeed()
	base := []alert.Link{{Href: "http://prom/graph", Text: "Source"}, {Href: "http://am", Text: "Alertmanager"}}
	if linksSum(seed, base) != linksSum(seed, slices.Clone(base)) {
		t.Fatal("the same links hash differently")
	}
	for _, other := range [][]alert.Link{
		{base[1], base[0]},
		{{Href: "http://prom/graph", Text: "Source"}},
		{{Href: "http://prom/graph", Text: "source"}, base[1]},
		{{Href: "http://prom/graphS", Text: "ource"}, base[1]},
		nil,
	} {
		if linksSum(seed, base) == linksSum(seed, other) {
			t.Errorf("%v hashes as %v", other, base)
		}
	}
}
