// Package cmdcheck runs a command (argv, never a shell) and reports its exit
// code and output.
package cmdcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
)

// outputCap bounds how much of stdout and stderr is kept.
const outputCap = 64 << 10

// Spec is written under `command:`.
type Spec struct {
	Run []string          `yaml:"run" jsonschema:"required,minItems=1,description=program and arguments; each element is one argv entry and no shell is involved"`
	Dir string            `yaml:"dir,omitempty" jsonschema:"description=working directory"`
	Env map[string]string `yaml:"env,omitempty" jsonschema:"description=extra environment variables"`
}

// Vars are what the command did.
type Vars struct {
	ExitCode int           `expr:"exit_code" json:"exit_code"`
	Stdout   string        `expr:"stdout" json:"stdout"`
	Stderr   string        `expr:"stderr" json:"stderr"`
	Duration time.Duration `expr:"duration" json:"duration"`
}

func (s *Spec) Kind() string            { return "command" }
func (s *Spec) Vars() any               { return Vars{} }
func (s *Spec) DefaultExpect() []string { return []string{"exit_code == 0"} }

func (s *Spec) Validate() []check.Problem {
	if len(s.Run) == 0 || s.Run[0] == "" {
		return []check.Problem{{Field: "run", Message: "needs at least the program to run"}}
	}
	return nil
}

func (s *Spec) NewProber(env check.Env) (check.Prober, error) {
	dir := s.Dir
	if dir != "" && !filepath.IsAbs(dir) && env.Dir != "" {
		dir = filepath.Join(env.Dir, dir)
	}
	// A program named by a relative path (./check.sh) is found next to the
	// config, like every other path in it; a bare name is looked up in PATH.
	argv := append([]string(nil), s.Run...)
	if strings.ContainsRune(argv[0], filepath.Separator) && !filepath.IsAbs(argv[0]) {
		base := dir
		if base == "" {
			base = env.Dir
		}
		if base != "" {
			argv[0] = filepath.Join(base, argv[0])
		}
	}
	extra := make([]string, 0, len(s.Env))
	for k, v := range s.Env {
		extra = append(extra, k+"="+v)
	}
	sort.Strings(extra)
	return &prober{argv: argv, dir: dir, env: extra}, nil
}

type prober struct {
	argv []string
	dir  string
	env  []string
}

func (p *prober) Probe(ctx context.Context) (any, error) {
	cmd := exec.CommandContext(ctx, p.argv[0], p.argv[1:]...)
	cmd.Dir = p.dir
	if len(p.env) > 0 {
		cmd.Env = append(os.Environ(), p.env...)
	}
	// Run in its own process group so a timeout kills the children it spawned too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	sw := clock.Start()
	err := cmd.Run()
	v := Vars{Stdout: stdout.String(), Stderr: stderr.String(), Duration: sw.Elapsed()}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s killed: %w", p.argv[0], ctx.Err())
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		v.ExitCode = exit.ExitCode()
	case err != nil:
		return nil, err
	}
	return v, nil
}

// capped keeps the first outputCap bytes written and discards the rest, so a
// chatty command cannot exhaust memory.
type capped struct {
	buf       bytes.Buffer
	truncated bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := outputCap - c.buf.Len(); room > 0 {
		if len(p) > room {
			c.buf.Write(p[:room])
			c.truncated = true
		} else {
			c.buf.Write(p)
		}
	} else if len(p) > 0 {
		c.truncated = true
	}
	return len(p), nil
}

func (c *capped) String() string {
	if c.truncated {
		return c.buf.String() + "\n[output truncated at 64 KiB]"
	}
	return c.buf.String()
}
