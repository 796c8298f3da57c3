package route

import (
	"reflect"
	"testing"

	"github.com/vigil-sre/vigil/internal/config"
)

func TestGroupKey(t *testing.T) {
	tree, err := NewTree(&config.Config{Routes: []config.Route{
		{Match: map[string]string{"team": "db"}, GroupBy: []string{"cluster", "alertname"}},
		{Match: map[string]string{"team": "web"}, GroupBy: []string{"..."}},
		{Match: map[string]string{"team": "ops"}},
		// Same matchers and group_by as routes[0]: Alertmanager's route key
		// would collide; the path id does not.
		{Match: map[string]string{"team": "db"}, GroupBy: []string{"cluster", "alertname"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	kids := tree.Root().Children()
	tests := []struct {
		name       string
		route      *Route
		lbls       map[string]string
		wantKey    string
		wantLabels map[string]string
	}{
		{"subset, sorted by name", kids[0], map[string]string{"team": "db", "cluster": "eu", "alertname": "DiskFull", "instance": "a"},
			`0:{alertname="DiskFull", cluster="eu"}`, map[string]string{"alertname": "DiskFull", "cluster": "eu"}},
		{"other labels do not split groups", kids[0], map[string]string{"team": "db", "cluster": "eu", "alertname": "DiskFull", "instance": "b"},
			`0:{alertname="DiskFull", cluster="eu"}`, map[string]string{"alertname": "DiskFull", "cluster": "eu"}},
		{"missing group label is left out", kids[0], map[string]string{"team": "db", "alertname": "DiskFull"},
			`0:{alertname="DiskFull"}`, map[string]string{"alertname": "DiskFull"}},
		{"empty value counts as missing", kids[0], map[string]string{"team": "db", "alertname": "DiskFull", "cluster": ""},
			`0:{alertname="DiskFull"}`, map[string]string{"alertname": "DiskFull"}},
		{"... groups by every label", kids[1], map[string]string{"team": "web", "b": "2", "a": "1"},
			`1:{a="1", b="2", team="web"}`, map[string]string{"a": "1", "b": "2", "team": "web"}},
		{"no group_by: one group per route", kids[2], map[string]string{"team": "ops", "alertname": "X"},
			`2:{}`, map[string]string{}},
		{"same labels on another route, another group", kids[3], map[string]string{"team": "db", "cluster": "eu", "alertname": "DiskFull"},
			`3:{alertname="DiskFull", cluster="eu"}`, map[string]string{"alertname": "DiskFull", "cluster": "eu"}},
		{"root", tree.Root(), map[string]string{"x": "y"}, `root:{}`, map[string]string{}},
		{"values are quoted, so they cannot fake a second label", kids[0], map[string]string{"alertname": `x", cluster="y`},
			`0:{alertname="x\", cluster=\"y"}`, map[string]string{"alertname": `x", cluster="y`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.route.GroupKey(tt.lbls); got != tt.wantKey {
				t.Errorf("GroupKey = %s, want %s", got, tt.wantKey)
			}
			if got := tt.route.GroupLabels(tt.lbls); !reflect.DeepEqual(got, tt.wantLabels) {
				t.Errorf("GroupLabels = %v, want %v", got, tt.wantLabels)
			}
		})
	}
}

// TestGroupKeyInherited: a child that does not set group_by groups as its
// parent does, but under its own id.
func TestGroupKeyInherited(t *testing.T) {
	tree, err := NewTree(&config.Config{Routes: []config.Route{{
		GroupBy: []string{"service"},
		Routes:  []config.Route{{Match: map[string]string{"severity": "critical"}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	rs := tree.Match(map[string]string{"severity": "critical", "service": "db", "host": "h1"})
	if len(rs) != 1 {
		t.Fatalf("matched %d routes", len(rs))
	}
	if got, want := rs[0].GroupKey(map[string]string{"severity": "critical", "service": "db", "host": "h1"}), `0.0:{service="db"}`; got != want {
		t.Errorf("GroupKey = %s, want %s", got, want)
	}
}
