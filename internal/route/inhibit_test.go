package route

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/vigil-sre/vigil/internal/config"
)

func newInhibitor(t testing.TB, rules ...config.InhibitRule) *Inhibitor {
	t.Helper()
	in, err := NewInhibitor(&config.Config{Inhibit: rules})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// checkInhibited asks both the scan and the index, which must agree.
func checkInhibited(t *testing.T, in *Inhibitor, target map[string]string, firing []map[string]string, want bool) {
	t.Helper()
	if got := in.Inhibited(pack(target), packAll(firing)); got != want {
		t.Errorf("Inhibited(%v) = %v, want %v", target, got, want)
	}
	if got := in.Index(packAll(firing)).Inhibited(pack(target)); got != want {
		t.Errorf("Index.Inhibited(%v) = %v, want %v", target, got, want)
	}
}

func TestInhibitCriticalInhibitsWarning(t *testing.T) {
	in := newInhibitor(t, config.InhibitRule{
		Source: map[string]string{"severity": "critical"},
		Target: map[string]string{"severity": "warning"},
		Equal:  []string{"service"},
	})
	critDB := map[string]string{"alertname": "Down", "severity": "critical", "service": "db"}
	critBare := map[string]string{"alertname": "Down", "severity": "critical"}
	tests := []struct {
		name   string
		target map[string]string
		firing []map[string]string
		want   bool
	}{
		{"same service", map[string]string{"alertname": "Slow", "severity": "warning", "service": "db"}, []map[string]string{critDB}, true},
		{"other service", map[string]string{"alertname": "Slow", "severity": "warning", "service": "web"}, []map[string]string{critDB}, false},
		{"nothing firing", map[string]string{"alertname": "Slow", "severity": "warning", "service": "db"}, nil, false},
		{"not a target", map[string]string{"alertname": "Slow", "severity": "critical", "service": "db"}, []map[string]string{critDB}, false},
		{"equal label missing on both sides", map[string]string{"alertname": "Slow", "severity": "warning"}, []map[string]string{critBare}, true},
		{"missing on target only", map[string]string{"alertname": "Slow", "severity": "warning"}, []map[string]string{critDB}, false},
		{"missing on source only", map[string]string{"alertname": "Slow", "severity": "warning", "service": "db"}, []map[string]string{critBare}, false},
		{"empty value equals missing", map[string]string{"alertname": "Slow", "severity": "warning", "service": ""}, []map[string]string{critBare}, true},
		{"one of many sources", map[string]string{"severity": "warning", "service": "db"}, []map[string]string{
			{"severity": "warning", "service": "db"}, critBare, critDB,
		}, true},
		{"warnings do not inhibit", map[string]string{"severity": "warning", "service": "db"}, []map[string]string{
			{"severity": "warning", "service": "db", "alertname": "Other"},
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkInhibited(t, in, tt.target, tt.firing, tt.want) })
	}
}

// TestInhibitRuleMatches ports Alertmanager's inhibit_test.go test of the same
// name: two rules, one source per rule, the second source two-sided.
func TestInhibitRuleMatches(t *testing.T) {
	in := newInhibitor(t,
		config.InhibitRule{Source: map[string]string{"s1": "1"}, Target: map[string]string{"t1": "1"}, Equal: []string{"e"}},
		config.InhibitRule{Source: map[string]string{"s2": "1"}, Target: map[string]string{"t2": "1"}, Equal: []string{"e"}},
	)
	firing := []map[string]string{
		{"s1": "1", "t1": "2", "e": "1"}, // source of rule 1 only
		{"s2": "1", "t2": "1", "e": "1"}, // both sides of rule 2
	}
	tests := []struct {
		name   string
		target map[string]string
		want   bool
	}{
		{"target of rule 1", map[string]string{"t1": "1", "e": "1"}, true},
		{"target of rule 2", map[string]string{"t2": "1", "e": "1"}, true},
		{"target of rule 1 plus noise", map[string]string{"t1": "1", "t3": "1", "e": "1"}, true},
		{"target of both rules", map[string]string{"t1": "1", "t2": "1", "e": "1"}, true},
		{"no target matches", map[string]string{"t1": "0", "e": "1"}, false},
		{"two-sided, source is one-sided", map[string]string{"s1": "1", "t1": "1", "e": "1"}, true},
		{"two-sided, source is two-sided too", map[string]string{"s2": "1", "t2": "1", "e": "1"}, false},
		{"equal label differs", map[string]string{"t1": "1", "e": "0"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkInhibited(t, in, tt.target, firing, tt.want) })
	}
}

// TestInhibitSelf: an alert matching both sides never inhibits itself, nor
// is it inhibited by alerts like it; a one-sided source still counts. This
// includes Alertmanager's TestInhibitRuleTwoSidedDoesNotShadow.
func TestInhibitSelf(t *testing.T) {
	in := newInhibitor(t, config.InhibitRule{
		SourceMatchers: []string{`severity=~"warning|critical"`},
		TargetMatchers: []string{`severity="warning"`},
		Equal:          []string{"cluster"},
	})
	self := map[string]string{"alertname": "T", "cluster": "c1", "severity": "warning"}
	twin := map[string]string{"alertname": "S2", "cluster": "c1", "severity": "warning"}
	crit := map[string]string{"alertname": "S1", "cluster": "c1", "severity": "critical"}
	tests := []struct {
		name   string
		firing []map[string]string
		want   bool
	}{
		{"alone", []map[string]string{self}, false},
		{"with a two-sided twin", []map[string]string{self, twin}, false},
		{"two-sided source does not shadow a one-sided one", []map[string]string{twin, crit}, true},
		{"one-sided before two-sided", []map[string]string{crit, twin}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkInhibited(t, in, self, tt.firing, tt.want) })
	}
}

// TestInhibitIndexAgrees compares the index with the scan on random alerts
// over a small label space, so equal tuples, missing labels and two-sided
// alerts all occur often.
func TestInhibitIndexAgrees(t *testing.T) {
	in := newInhibitor(t,
		config.InhibitRule{Source: map[string]string{"severity": "critical"}, TargetMatchers: []string{`severity=~"warning|info"`}, Equal: []string{"service", "cluster"}},
		config.InhibitRule{SourceMatchers: []string{`alertname=~"A|B"`}, TargetMatchers: []string{`alertname=~"B|C"`}, Equal: []string{"cluster"}},
		config.InhibitRule{SourceMatchers: []string{`alertname="Down"`}, Target: map[string]string{"severity": "info"}},
	)
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	alert := func() map[string]string {
		m := map[string]string{}
		for k, vs := range map[string][]string{
			"severity":  {"critical", "warning", "info", ""},
			"service":   {"db", "web", ""},
			"cluster":   {"eu", "us", ""},
			"alertname": {"A", "B", "C", "Down"},
		} {
			if v := pick(vs...); v != "" {
				m[k] = v
			}
		}
		return m
	}
	inhibited := 0
	for round := range 200 {
		firing := make([]map[string]string, rng.IntN(6))
		for i := range firing {
			firing[i] = alert()
		}
		idx := in.Index(packAll(firing))
		for range 20 {
			target := alert()
			want := in.Inhibited(pack(target), packAll(firing))
			if got := idx.Inhibited(pack(target)); got != want {
				t.Fatalf("round %d: index says %v, scan %v\ntarget %v\nfiring %v", round, got, want, target, firing)
			}
			if want {
				inhibited++
			}
		}
	}
	if inhibited == 0 || inhibited == 200*20 {
		t.Fatalf("inhibited %d of %d: the random cases do not exercise both outcomes", inhibited, 200*20)
	}
}

// TestInhibitIndexUpdates: an index changed one alert at a time (Add,
// Remove) answers as one built from scratch over the same firing set.
func TestInhibitIndexUpdates(t *testing.T) {
	in := newInhibitor(t,
		config.InhibitRule{Source: map[string]string{"severity": "critical"}, TargetMatchers: []string{`severity=~"warning|critical"`}, Equal: []string{"service"}},
		config.InhibitRule{SourceMatchers: []string{`alertname=~"A|B"`}, TargetMatchers: []string{`alertname=~"B|C"`}, Equal: []string{"cluster"}},
	)
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	alert := func() map[string]string {
		return map[string]string{"severity": pick("critical", "warning"), "service": pick("db", "web"),
			"cluster": pick("eu", "us"), "alertname": pick("A", "B", "C")}
	}
	idx := in.Index(nil)
	var firing []map[string]string
	for step := range 2000 {
		if len(firing) > 0 && rng.IntN(2) == 0 {
			i := rng.IntN(len(firing))
			idx.Remove(pack(firing[i]))
			firing = append(firing[:i], firing[i+1:]...)
		} else {
			a := alert()
			idx.Add(pack(a))
			firing = append(firing, a)
		}
		fresh := in.Index(packAll(firing))
		for range 5 {
			target := alert()
			if got, want := idx.Inhibited(pack(target)), fresh.Inhibited(pack(target)); got != want {
				t.Fatalf("step %d: updated index says %v, rebuilt %v\ntarget %v\nfiring %v", step, got, want, target, firing)
			}
		}
	}
}

// TestInhibitManyAlerts: 100,000 firing alerts, a few of which are sources.
func TestInhibitManyAlerts(t *testing.T) {
	in := newInhibitor(t, config.InhibitRule{
		Source: map[string]string{"severity": "critical"},
		Target: map[string]string{"severity": "warning"},
		Equal:  []string{"service"},
	})
	firing := packAll(manyAlerts(100_000))
	idx := in.Index(firing)
	for i, want := range map[int]bool{0: true, 1: false, 1000: true, 99_999: false} {
		target := map[string]string{"severity": "warning", "service": fmt.Sprintf("svc-%d", i)}
		if got := idx.Inhibited(pack(target)); got != want {
			t.Errorf("service %d: Inhibited = %v, want %v", i, got, want)
		}
	}
}

// manyAlerts makes n warnings over n services, with a critical alert for
// every thousandth service.
func manyAlerts(n int) []map[string]string {
	out := make([]map[string]string, 0, n)
	for i := range n {
		sev := "warning"
		if i%1000 == 0 {
			sev = "critical"
		}
		out = append(out, map[string]string{
			"alertname": "HighLatency", "severity": sev, "service": fmt.Sprintf("svc-%d", i),
			"instance": fmt.Sprintf("host-%d:9100", i), "cluster": "eu-1",
		})
	}
	return out
}

func TestNewInhibitorErrors(t *testing.T) {
	_, err := NewInhibitor(&config.Config{Inhibit: []config.InhibitRule{
		{Source: map[string]string{"a": "b"}, TargetMatchers: []string{`x=~"("`}},
	}})
	if err == nil {
		t.Fatal("want an error for a bad regex")
	}
}
