package ingest

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorsText(t *testing.T) {
	errs := Errors{{Field: "alerts[0].status", Message: "is missing"}, {Field: "version", Message: `"5" is not supported`}}
	if got, want := errs.Error(), `alerts[0].status: is missing; version: "5" is not supported`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if errs.Malformed() {
		t.Error("field errors reported as malformed")
	}
	if !(Errors{{Message: "invalid JSON at byte 3: x"}}).Malformed() {
		t.Error("a body-level error is not reported as malformed")
	}
	var target Errors
	if !errors.As(fmt.Errorf("ingest: %w", errs), &target) || len(target) != 2 {
		t.Error("Errors not found through wrapping")
	}
	if !errors.Is(fmt.Errorf("wrapped: %w", ErrUnknownRoutingKey), ErrUnknownRoutingKey) {
		t.Error("ErrUnknownRoutingKey not found through wrapping")
	}
	var none Errors
	if none.err() != nil {
		t.Error("no problems must be a nil error")
	}
}

func TestMemberPaths(t *testing.T) {
	tests := []struct{ key, want string }{
		{"team", "labels.team"},
		{"app_kubernetes_io", "labels.app_kubernetes_io"},
		{"app.kubernetes.io/name", `labels["app.kubernetes.io/name"]`},
		{"with space", `labels["with space"]`},
		{"", `labels[""]`},
	}
	for _, tt := range tests {
		if got := member("labels", tt.key); got != tt.want {
			t.Errorf("member(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestTextHelpers(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"first line skips blank lines", firstLine("\n \n  two \nthree"), "two"},
		{"first line of nothing", firstLine(" \n\t"), ""},
		{"truncate short", truncate("héllo", 5), "héllo"},
		{"truncate counts characters", truncate("héllo wörld", 6), "héllo…"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
