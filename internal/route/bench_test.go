package route

import (
	"fmt"
	"testing"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
)

// benchTree is 20 routes: five teams, each with three children by severity
// and environment, and a continue route for audit.
func benchTree(b *testing.B) *Tree {
	var routes []config.Route
	for _, team := range []string{"db", "web", "net", "storage", "payments"} {
		routes = append(routes, config.Route{
			Match:   map[string]string{"team": team},
			GroupBy: []string{"alertname", "cluster"},
			Routes: []config.Route{
				{Matchers: []string{`severity="critical"`, `env=~"prod|staging"`}, GroupWait: new(duration.Duration(10e9))},
				{Matchers: []string{`severity=~"warning|info"`}, GroupBy: []string{"..."}},
				{Matchers: []string{`env!="prod"`}},
			},
		})
	}
	tree, err := NewTree(&config.Config{Routes: routes})
	if err != nil {
		b.Fatal(err)
	}
	return tree
}

func BenchmarkMatchGroupKey(b *testing.B) {
	tree := benchTree(b)
	alerts := make([]map[string]string, 64)
	teams := []string{"db", "web", "net", "storage", "payments", "unknown"}
	sevs := []string{"critical", "warning", "info"}
	for i := range alerts {
		alerts[i] = map[string]string{
			"alertname": fmt.Sprintf("Alert%d", i%7), "team": teams[i%len(teams)], "severity": sevs[i%len(sevs)],
			"env": []string{"prod", "staging", "dev"}[i%3], "cluster": "eu-1", "instance": fmt.Sprintf("host-%d:9100", i),
			"job": "node", "service": "svc",
		}
	}
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		lbls := alerts[i%len(alerts)]
		for _, r := range tree.Match(lbls) {
			n += len(r.GroupKey(lbls))
		}
	}
	if n == 0 {
		b.Fatal("no keys")
	}
}

func benchInhibitor(b *testing.B) *Inhibitor {
	in, err := NewInhibitor(&config.Config{Inhibit: []config.InhibitRule{
		{Source: map[string]string{"severity": "critical"}, Target: map[string]string{"severity": "warning"}, Equal: []string{"service"}},
		{SourceMatchers: []string{`alertname="ClusterDown"`}, TargetMatchers: []string{`alertname!="ClusterDown"`}, Equal: []string{"cluster"}},
		{SourceMatchers: []string{`alertname="NodeDown"`}, TargetMatchers: []string{`alertname=~"High.*"`}, Equal: []string{"instance", "cluster"}},
		// Every firing alert is a source here, so the index holds 100k keys.
		{Source: map[string]string{"alertname": "HighLatency"}, Target: map[string]string{"alertname": "HighErrorRate"}, Equal: []string{"instance"}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	return in
}

func BenchmarkInhibitIndex100k(b *testing.B) {
	in := benchInhibitor(b)
	firing := packAll(manyAlerts(100_000))
	b.ReportAllocs()
	for b.Loop() {
		in.Index(firing)
	}
}

func BenchmarkInhibited100k(b *testing.B) {
	in := benchInhibitor(b)
	firing := packAll(manyAlerts(100_000))
	idx := in.Index(firing)
	targets := packAll(benchTargets())
	b.ReportAllocs()
	hits := 0
	for i := 0; b.Loop(); i++ {
		if idx.Inhibited(targets[i%len(targets)]) {
			hits++
		}
	}
	if hits == 0 {
		b.Fatal("nothing inhibited")
	}
}

// BenchmarkInhibitedScan100k is the same question without the index, for
// comparison.
func BenchmarkInhibitedScan100k(b *testing.B) {
	in := benchInhibitor(b)
	firing := packAll(manyAlerts(100_000))
	targets := packAll(benchTargets())
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in.Inhibited(targets[i%len(targets)], firing)
	}
}

// benchTargets are warnings of which every other one shares its service
// with a critical alert of manyAlerts, and the first hundred an instance.
func benchTargets() []map[string]string {
	out := make([]map[string]string, 256)
	for i := range out {
		out[i] = map[string]string{
			"alertname": "HighErrorRate", "severity": "warning", "service": fmt.Sprintf("svc-%d", i*500),
			"instance": fmt.Sprintf("host-%d:9100", i*1000), "cluster": "eu-1",
		}
	}
	return out
}
