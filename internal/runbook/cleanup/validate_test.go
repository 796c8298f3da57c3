package cleanup_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/runbook/cleanup"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		spec cleanup.Spec
		want string // "" when valid
	}{
		{cleanup.Spec{Dir: "/var/log/app"}, ""},
		{cleanup.Spec{Dir: "/var/log/app/", Glob: "*.log.[0-9]", OlderThan: time.Hour, KeepFreePercent: 20}, ""},
		{cleanup.Spec{Dir: "/var/log", Glob: "..*"}, ""},
		{cleanup.Spec{}, "cleanup: path: required"},
		{cleanup.Spec{Dir: "var/log"}, "cleanup: path: must be absolute"},
		{cleanup.Spec{Dir: "/var/log/../../etc"}, "cleanup: path: must not contain .."},
		{cleanup.Spec{Dir: "/var/log/.."}, "cleanup: path: must not contain .."},
		{cleanup.Spec{Dir: "/var//log"}, "cleanup: path: must be clean (/var/log)"},
		{cleanup.Spec{Dir: "/var/./log"}, "cleanup: path: must be clean (/var/log)"},
		{cleanup.Spec{Dir: "/"}, "cleanup: path: must not be /"},
		{cleanup.Spec{Dir: "/var/log", Glob: "../*"}, "cleanup: glob: must not contain /"},
		{cleanup.Spec{Dir: "/var/log", Glob: "*/x"}, "cleanup: glob: must not contain /"},
		{cleanup.Spec{Dir: "/var/log", Glob: "/etc/*"}, "cleanup: glob: must not contain /"},
		{cleanup.Spec{Dir: "/var/log", Glob: ".."}, "cleanup: glob: must not be .."},
		{cleanup.Spec{Dir: "/var/log", Glob: "."}, "cleanup: glob: must not be ."},
		{cleanup.Spec{Dir: "/var/log", Glob: "[a-"}, "cleanup: glob: malformed pattern"},
		{cleanup.Spec{Dir: "/var/log", OlderThan: -time.Hour}, "cleanup: older_than: must not be negative"},
		{cleanup.Spec{Dir: "/var/log", KeepFreePercent: 101}, "cleanup: keep_free_percent: must be between 0 and 100"},
		{
			cleanup.Spec{Dir: "log", Glob: "../*", KeepFreePercent: -1},
			"cleanup: path: must be absolute; glob: must not contain /; keep_free_percent: must be between 0 and 100",
		},
	} {
		err := cleanup.Validate(tc.spec)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.spec, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%+v: err = %v, want %s", tc.spec, err, tc.want)
		case err != nil && errs.CodeOf(err) != errs.Invalid:
			t.Errorf("%+v: code %s, want invalid", tc.spec, errs.CodeOf(err))
		}
	}
}

// Plan and Apply check the Spec before touching the directory.
func TestTraversalGlobsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, glob := range []string{"../*", "*/x", "..", dir + "/*"} {
		s := cleanup.Spec{Dir: dir, Glob: glob}
		if _, err := cleanup.Plan(s, now, fixedFree); err == nil || !strings.Contains(err.Error(), "glob:") {
			t.Errorf("Plan glob %q: err = %v", glob, err)
		}
		if _, err := cleanup.Apply(t.Context(), s, now, fixedFree); err == nil || !strings.Contains(err.Error(), "glob:") {
			t.Errorf("Apply glob %q: err = %v", glob, err)
		}
	}
}
