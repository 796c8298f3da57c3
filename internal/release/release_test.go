package release

import "testing"

func TestOnlyFixes(t *testing.T) {
	for _, c := range []struct {
		name  string
		kinds []string
		want  bool
	}{
		{"no code changes", nil, false},
		{"a fix", []string{"fix"}, true},
		{"fixes and security fixes", []string{"fix", "security", "fix"}, true},
		{"a feature among fixes", []string{"fix", "feature"}, false},
		{"a chore", []string{"chore"}, false},
	} {
		var d Details
		for _, k := range c.kinds {
			d.CodeChanges = append(d.CodeChanges, Ticket{ID: "T", Kind: k})
		}
		if got := d.OnlyFixes(); got != c.want {
			t.Errorf("%s: OnlyFixes() = %v, want %v", c.name, got, c.want)
		}
	}
}
