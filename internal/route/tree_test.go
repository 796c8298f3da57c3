package route

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// loadConfig reads a fixture through the real config loader, so the tests see
// what users' YAML becomes.
func loadConfig(t testing.TB, name string) *config.Config {
	t.Helper()
	path := filepath.Join("testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(path, data, config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return cfg
}

// settings is what a matched route resolved to, for comparing in tables.
type settings struct {
	ID                       string
	Service, Escalation      string
	GroupBy                  []string
	GroupByAll               bool
	Wait, Interval, Repeat   time.Duration
	SendResolved, ResolvedWS bool
	Mute, Active             []string
}

func settingsOf(r *Route) settings {
	return settings{
		ID: r.ID(), Service: r.Service, Escalation: r.Escalation,
		GroupBy: r.GroupBy, GroupByAll: r.GroupByAll,
		Wait: r.GroupWait, Interval: r.GroupInterval, Repeat: r.RepeatInterval,
		SendResolved: r.SendResolved, ResolvedWS: r.ResolvedWhenSilenced,
		Mute: r.MuteTimeIntervals, Active: r.ActiveTimeIntervals,
	}
}

// TestTreeMatch ports Alertmanager's dispatch/route_test.go TestRouteMatch
// (same tree, same alerts, same expected routes and timings), then adds
// Vigil's inherited settings, negative matchers and an explicit empty group_by.
func TestTreeMatch(t *testing.T) {
	tree, err := NewTree(loadConfig(t, "conf.tree.yml"))
	if err != nil {
		t.Fatal(err)
	}
	const (
		wait, interval, repeat = 30 * time.Second, 5 * time.Minute, 4 * time.Hour
	)
	root := settings{ID: "root", GroupBy: nil, Wait: wait, Interval: interval, Repeat: repeat, SendResolved: true}
	teamA := settings{ID: "0", Service: "team-a", Escalation: "page-a", GroupBy: nil, Wait: wait, Interval: interval, Repeat: repeat, Mute: []string{"nights"}}
	role := settings{ID: "2", GroupBy: []string{"role"}, Wait: wait, Interval: interval, Repeat: repeat, SendResolved: true, ResolvedWS: true}
	prodB := settings{ID: "0.2", Service: "prod-b", Escalation: "page-a", GroupBy: []string{"job"}, Wait: 30 * time.Second, Interval: 5 * time.Minute, Repeat: time.Hour, SendResolved: true, Active: []string{"office"}}
	tests := []struct {
		name string
		lbls map[string]string
		want []settings
	}{
		{"no route matches: root", map[string]string{"foo": "bar"}, []settings{root}},
		{"empty labels: root", map[string]string{}, []settings{root}},
		{"parent without matching child", map[string]string{"owner": "team-A"}, []settings{teamA}},
		{"child matchers miss", map[string]string{"owner": "team-A", "env": "unset"}, []settings{teamA}},
		{"regex", map[string]string{"owner": "team-C"}, []settings{{ID: "1", Service: "team-bc", Escalation: "page-bc", GroupBy: []string{"bar", "foo"}, Wait: 2 * time.Minute, Interval: interval, Repeat: repeat, SendResolved: true}}},
		{"regex is anchored", map[string]string{"owner": "team-BC"}, []settings{root}},
		{"child inherits all but intervals", map[string]string{"owner": "team-A", "env": "testing"}, []settings{{ID: "0.0", Service: "testing", Escalation: "page-a", GroupByAll: true, Wait: wait, Interval: interval, Repeat: repeat}}},
		{"continue takes the next matching sibling", map[string]string{"owner": "team-A", "env": "production"}, []settings{
			{ID: "0.1", Service: "prod-a", Escalation: "page-a", GroupBy: nil, Wait: time.Minute, Interval: interval, Repeat: repeat},
			prodB,
		}},
		{"first sibling misses, regex sibling takes it", map[string]string{"owner": "team-A", "env": "production-eu"}, []settings{prodB}},
		{"equality on a label named group_by", map[string]string{"group_by": "role"}, []settings{role}},
		{"group_by inherited, resolved_when_silenced not", map[string]string{"group_by": "role", "env": "testing"}, []settings{{ID: "2.0", Service: "testing", GroupBy: []string{"role"}, Wait: wait, Interval: interval, Repeat: repeat, SendResolved: true}}},
		{"three levels deep", map[string]string{"group_by": "role", "env": "testing", "wait": "long"}, []settings{{ID: "2.0.0", Service: "testing", GroupBy: []string{"role"}, Wait: 2 * time.Minute, Interval: interval, Repeat: repeat, SendResolved: true}}},
		{"negations match missing labels", map[string]string{"kind": "neg"}, []settings{{ID: "3", Service: "team-a", GroupBy: []string{"alertname"}, Wait: wait, Interval: interval, Repeat: repeat, SendResolved: true}}},
		{"!= excludes", map[string]string{"kind": "neg", "team": "ops"}, []settings{root}},
		{"!~ excludes", map[string]string{"kind": "neg", "severity": "debug"}, []settings{root}},
		{"!~ is anchored", map[string]string{"kind": "neg", "severity": "debugging"}, []settings{{ID: "3", Service: "team-a", GroupBy: []string{"alertname"}, Wait: wait, Interval: interval, Repeat: repeat, SendResolved: true}}},
		{"explicit empty group_by overrides the parent's", map[string]string{"kind": "neg", "flat": "yes"}, []settings{{ID: "3.0", Service: "team-a", GroupBy: []string{}, Wait: wait, Interval: interval, Repeat: repeat, SendResolved: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []settings
			for _, r := range tree.Match(tt.lbls) {
				got = append(got, settingsOf(r))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Match(%v)\n got %+v\nwant %+v", tt.lbls, got, tt.want)
			}
		})
	}
}

// TestMatchContinue checks sibling order and continue on their own, as
// Alertmanager's TestRouteMatch continue cases do.
func TestMatchContinue(t *testing.T) {
	cfg := &config.Config{Routes: []config.Route{
		{Match: map[string]string{"a": "1"}, Continue: true},
		{Match: map[string]string{"b": "1"}},
		{Match: map[string]string{"a": "1"}, Continue: true},
		{Match: map[string]string{"a": "1"}},
		{Match: map[string]string{"a": "1"}},
	}}
	tree, err := NewTree(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lbls map[string]string
		want string
	}{
		{map[string]string{"a": "1"}, "0 2 3"},
		{map[string]string{"a": "1", "b": "1"}, "0 1"},
		{map[string]string{"b": "1"}, "1"},
		{map[string]string{"c": "1"}, "root"},
	}
	for _, tt := range tests {
		if got := ids(tree.Match(tt.lbls)); got != tt.want {
			t.Errorf("Match(%v) = %s, want %s", tt.lbls, got, tt.want)
		}
	}
}

func ids(rs []*Route) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.ID())
	}
	return strings.Join(s, " ")
}

// TestMatchContinueInsideChildren: a continue child whose own children
// match contributes those, and matching goes on to its siblings.
func TestMatchContinueInsideChildren(t *testing.T) {
	cfg := &config.Config{Routes: []config.Route{{
		Matchers: []string{`env="prod"`},
		Routes: []config.Route{
			{Matchers: []string{`team=~"db|web"`}, Continue: true, Routes: []config.Route{
				{Match: map[string]string{"team": "db"}},
			}},
			{Matchers: []string{`severity="critical"`}},
		},
	}}}
	tree, err := NewTree(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lbls map[string]string
		want string
	}{
		{map[string]string{"env": "prod", "team": "db", "severity": "critical"}, "0.0.0 0.1"},
		{map[string]string{"env": "prod", "team": "web", "severity": "critical"}, "0.0 0.1"},
		{map[string]string{"env": "prod", "team": "web"}, "0.0"},
		{map[string]string{"env": "prod"}, "0"},
		{map[string]string{"env": "dev", "team": "db"}, "root"},
	}
	for _, tt := range tests {
		if got := ids(tree.Match(tt.lbls)); got != tt.want {
			t.Errorf("Match(%v) = %s, want %s", tt.lbls, got, tt.want)
		}
	}
}

func TestNewTreeErrors(t *testing.T) {
	tests := []struct {
		name   string
		routes []config.Route
		want   string
	}{
		{"wildcard with names", []config.Route{{GroupBy: []string{"...", "job"}}}, "routes[0].group_by: cannot have wildcard"},
		{"duplicate label", []config.Route{{Routes: []config.Route{{GroupBy: []string{"job", "job"}}}}}, `routes[0].routes[0].group_by: duplicated label "job"`},
		{"bad matcher", []config.Route{{Matchers: []string{`env=~"("`}}}, "routes[0]: matcher"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTree(&config.Config{Routes: tt.routes})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestMatchersString(t *testing.T) {
	tree, err := NewTree(&config.Config{Routes: []config.Route{{
		Match:    map[string]string{"env": "prod"},
		Matchers: []string{`team=~"db|web"`},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tree.Root().Matchers(), "{}"; got != want {
		t.Errorf("root = %s, want %s", got, want)
	}
	if got, want := tree.Root().Children()[0].Matchers(), `{env="prod",team=~"db|web"}`; got != want {
		t.Errorf("child = %s, want %s", got, want)
	}
}
