package cmdcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/cond"
)

func probe(t *testing.T, s *Spec, env check.Env, timeout time.Duration) (Vars, error) {
	t.Helper()
	if ps := s.Validate(); len(ps) > 0 {
		t.Fatalf("invalid spec: %v", ps)
	}
	p, err := s.NewProber(env)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	v, err := p.Probe(ctx)
	if err != nil {
		return Vars{}, err
	}
	return v.(Vars), nil
}

func TestCommand(t *testing.T) {
	v, err := probe(t, &Spec{Run: []string{"sh", "-c", "echo out; echo err >&2; exit 3"}}, check.Env{}, 5*time.Second)
	if err != nil || v.ExitCode != 3 || v.Stdout != "out\n" || v.Stderr != "err\n" {
		t.Fatalf("vars %+v err %v", v, err)
	}
	e, _ := cond.Compile("exit_code == 0", Vars{})
	r := check.Evaluate(time.Now(), v.Duration, v, nil, []*cond.Expr{e}, nil)
	if r.Status != check.Fail || r.Reason != "exit_code == 0 failed (exit_code=3)" {
		t.Fatalf("result %+v", r)
	}
}

func TestArgumentsAreNotShellWords(t *testing.T) {
	v, err := probe(t, &Spec{Run: []string{"printf", "%s|", "a b", "$(id)", "; rm -rf /"}}, check.Env{}, 5*time.Second)
	if err != nil || v.Stdout != "a b|$(id)|; rm -rf /|" {
		t.Fatalf("stdout %q err %v", v.Stdout, err)
	}
}

func TestOutputIsCapped(t *testing.T) {
	v, err := probe(t, &Spec{Run: []string{"sh", "-c", "head -c 200000 /dev/zero | tr '\\\\0' x"}}, check.Env{}, 5*time.Second)
	if err != nil || len(v.Stdout) > outputCap+100 || !strings.HasSuffix(v.Stdout, "[output truncated at 64 KiB]") {
		t.Fatalf("len %d err %v", len(v.Stdout), err)
	}
}

func TestTimeoutKillsTheProcessGroup(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "survived")
	began := time.Now()
	// The child of the shell would write the marker if it outlived the timeout.
	_, err := probe(t, &Spec{Run: []string{"sh", "-c", "(sleep 1; touch " + marker + ") & sleep 30"}}, check.Env{}, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(began); d > 3*time.Second {
		t.Fatalf("the probe took %v", d)
	}
	time.Sleep(1500 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a child of the command outlived the timeout")
	}
}

func TestRelativeProgramResolvesAgainstConfigDir(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "check.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho here\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	v, err := probe(t, &Spec{Run: []string{"./check.sh"}}, check.Env{Dir: dir}, 5*time.Second)
	if err != nil || v.Stdout != "here\n" {
		t.Fatalf("stdout %q err %v", v.Stdout, err)
	}
	_, err = probe(t, &Spec{Run: []string{"no-such-program-vigil"}}, check.Env{Dir: dir}, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "executable file not found") {
		t.Fatalf("missing program: %v", err)
	}
}

func TestEnvAndDir(t *testing.T) {
	dir := t.TempDir()
	v, err := probe(t, &Spec{Run: []string{"sh", "-c", "echo $GREETING; pwd"}, Dir: ".", Env: map[string]string{"GREETING": "hi"}}, check.Env{Dir: dir}, 5*time.Second)
	if err != nil || v.Stdout != "hi\n"+dir+"\n" {
		t.Fatalf("stdout %q err %v", v.Stdout, err)
	}
}
