package alert

import "testing"

func TestSuppressionReason(t *testing.T) {
	for _, c := range []struct {
		s          Suppression
		kind, why  string
		suppressed bool
	}{
		{Suppression{}, "", "", false},
		{Suppression{SilencedBy: []string{"a", "b"}, Inhibited: true}, "silenced", "silenced by a, b", true},
		{Suppression{SilencedBy: []string{"a", "b", "c", "d", "e"}}, "silenced", "silenced by a, b, c and 2 more", true},
		{Suppression{Maintenance: "release-night", Inhibited: true}, "maintenance", "in maintenance window release-night", true},
		{Suppression{Inhibited: true}, "inhibited", "inhibited", true},
	} {
		if c.s.Kind() != c.kind || c.s.Reason() != c.why || c.s.Suppressed() != c.suppressed {
			t.Errorf("%+v: %q %q %v", c.s, c.s.Kind(), c.s.Reason(), c.s.Suppressed())
		}
	}
	if !(Suppression{SilencedBy: []string{"a"}}).Equal(Suppression{SilencedBy: []string{"a"}}) || (Suppression{}).Equal(Suppression{Inhibited: true}) {
		t.Error("Equal")
	}
}
