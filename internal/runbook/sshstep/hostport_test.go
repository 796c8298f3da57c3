package sshstep

import "testing"

func TestHostPort(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"app1", "app1:22"},
		{"app1:2222", "app1:2222"},
		{"10.0.0.1", "10.0.0.1:22"},
		{"::1", "[::1]:22"},
		{"[::1]", "[::1]:22"},
		{"[::1]:2222", "[::1]:2222"},
	} {
		if got, err := hostPort(tc.in); err != nil || got != tc.want {
			t.Errorf("hostPort(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", ":22", "app1:"} {
		if _, err := hostPort(bad); err == nil {
			t.Errorf("hostPort(%q): want an error", bad)
		}
	}
}
