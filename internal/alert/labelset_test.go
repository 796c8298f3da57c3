package alert

import (
	"maps"
	"slices"
	"testing"
)

func TestLabelSetRoundTrip(t *testing.T) {
	long := string(make([]byte, 300)) // a length that takes two bytes to write
	for _, m := range []map[string]string{
		nil,
		{"alertname": "DiskFull"},
		{"alertname": "HostDown", "instance": "db-1:9100", "job": "node", "service": "shop", "severity": "critical"},
		{"": "empty name", "empty": "", "\x00\x80\xff": "bytes \x01\x7f\x80", "long": long},
	} {
		l := PackLabels(m)
		if got := l.Map(); !maps.Equal(got, m) {
			t.Errorf("PackLabels(%q).Map() = %q", m, got)
		}
		if l.Len() != len(m) {
			t.Errorf("PackLabels(%q).Len() = %d", m, l.Len())
		}
		for k, v := range m {
			if got := l.Get(k); got != v {
				t.Errorf("Get(%q) = %q, want %q", k, got, v)
			}
		}
		for _, k := range []string{"absent", "zzz", "a", "\xff\xff"} {
			if _, ok := m[k]; !ok && l.Get(k) != "" {
				t.Errorf("Get(%q) of %q = %q, want empty", k, m, l.Get(k))
			}
		}
		var names []string
		for k := range l.All() {
			names = append(names, k)
		}
		if !slices.IsSorted(names) {
			t.Errorf("All() names %q not in order", names)
		}
	}
}

func TestLabelSetWith(t *testing.T) {
	a := PackLabels(map[string]string{"alertname": "X", "severity": "warning"})
	b := a.With("severity", "critical")
	if b.Get("severity") != "critical" || a.Get("severity") != "warning" {
		t.Fatalf("With changed the original or did not set: a=%q b=%q", a.Map(), b.Map())
	}
	if b != PackLabels(map[string]string{"severity": "critical", "alertname": "X"}) {
		t.Fatal("the same labels packed in any order differ")
	}
	if got := (LabelSet{}).With("k", "v").Map(); !maps.Equal(got, map[string]string{"k": "v"}) {
		t.Fatalf("With on the empty set = %q", got)
	}
}

func FuzzLabelSet(f *testing.F) {
	f.Add("alertname", "HostDown", "instance", "db-1")
	f.Add("", "", "\x80", "\xff\x00")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		m := map[string]string{k1: v1, k2: v2}
		l := PackLabels(m)
		if got := l.Map(); !maps.Equal(got, m) {
			t.Fatalf("round trip of %q gave %q", m, got)
		}
		for k, v := range m {
			if l.Get(k) != v {
				t.Fatalf("Get(%q) = %q, want %q", k, l.Get(k), v)
			}
		}
	})
}

func BenchmarkPackLabels(b *testing.B) {
	m := map[string]string{"alertname": "load-G12345", "instance": "load-123456", "bench": "load", "service": "bench", "severity": "warning", "job": "node"}
	b.ReportAllocs()
	for b.Loop() {
		PackLabels(m)
	}
}
