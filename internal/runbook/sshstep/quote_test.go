package sshstep_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/internal/runbook/sshstep"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "''"},
		{"nginx", "nginx"},
		{"/var/log/app-1.log", "/var/log/app-1.log"},
		{"user@host:22,x+y%", "user@host:22,x+y%"},
		{"it's", `'it'\''s'`},
		{"'", `''\'''`},
		{"x; rm -rf /", "'x; rm -rf /'"},
		{"$(id)", "'$(id)'"},
		{"A=1", "'A=1'"},
		{"~", "'~'"},
		{"*", "'*'"},
		{"a\nb", "'a\nb'"},
	} {
		if got := sshstep.Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestCommand(t *testing.T) {
	got := sshstep.Command([]string{"systemctl", "restart", "app; reboot"})
	if want := "systemctl restart 'app; reboot'"; got != want {
		t.Errorf("Command = %s, want %s", got, want)
	}
}

// Every byte a shell word can hold survives a real shell as one argument.
func TestCommandThroughShell(t *testing.T) {
	var all strings.Builder
	for b := 1; b < 256; b++ {
		all.WriteByte(byte(b))
	}
	args := []string{all.String(), "", "'''", `'\''`, " lead and trail "}
	// The shell runs printf, which prints each argument between brackets.
	out, err := exec.Command("/bin/sh", "-c", sshstep.Command(append([]string{"printf", "[%s]"}, args...))).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "[" + strings.Join(args, "][") + "]"; string(out) != want {
		t.Errorf("got %q\nwant %q", out, want)
	}
}
