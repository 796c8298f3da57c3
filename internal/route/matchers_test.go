package route

import (
	"testing"

	"github.com/prometheus/common/model"
)

// TestMatchAllIsAlertmanagers: matchAll must answer as labels.Matchers.Matches
// does on the same labels, including missing and empty labels.
func TestMatchAllIsAlertmanagers(t *testing.T) {
	ms, err := compileMatchers(map[string]string{"env": "prod"}, []string{`team!="ops"`, `severity=~"warning|critical"`, `host!~"db-.*"`, `zone=""`})
	if err != nil {
		t.Fatal(err)
	}
	for _, lbls := range []map[string]string{
		{},
		{"env": "prod", "severity": "warning"},
		{"env": "prod", "severity": "warning", "zone": ""},
		{"env": "prod", "severity": "warning", "zone": "a"},
		{"env": "prod", "severity": "critical", "team": "ops"},
		{"env": "prod", "severity": "critical", "host": "db-1"},
		{"env": "prod", "severity": "critical", "host": "web-1", "team": "db"},
		{"env": "production", "severity": "critical"},
		{"env": "prod", "severity": "warning2"},
	} {
		ls := model.LabelSet{}
		for k, v := range lbls {
			ls[model.LabelName(k)] = model.LabelValue(v)
		}
		want := ms.Matches(ls)
		if got := matchAll(ms, labelMap(lbls)); got != want {
			t.Errorf("matchAll(map %v) = %v, labels.Matchers.Matches = %v", lbls, got, want)
		}
		if got := matchAll(ms, pack(lbls)); got != want {
			t.Errorf("matchAll(packed %v) = %v, labels.Matchers.Matches = %v", lbls, got, want)
		}
	}
}
