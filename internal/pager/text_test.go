package pager

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/notify"
)

// A notice's "Now" line says the state and why, or what there is of them,
// never a colon with nothing after it.
func TestTextSaysHowItIsNow(t *testing.T) {
	since := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ state, reason, want string }{
		{"ok", "status == 200 passed", "\nNow ok: status == 200 passed\n"},
		{"ok", "", "\nNow ok\n"},
		{"", "", "\nSince "},
	} {
		got := text(notify.KindResolved, []notify.Alert{{Service: "shop", Severity: "critical", Summary: "homepage",
			State: tc.state, Reason: tc.reason, Since: since}}, time.UTC)
		if !strings.Contains(got, tc.want) || strings.Contains(got, "Now :") || strings.Contains(got, ": \n") {
			t.Errorf("state %q, reason %q:\n%s\nwant it to contain %q", tc.state, tc.reason, got, tc.want)
		}
	}
}
