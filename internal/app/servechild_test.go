package app

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// serveChild runs vigil serve as a process (this test binary, with
// VIGIL_TEST_EXEC=1) on the config cfg and a SQLite store in dir, with env
// as its whole environment, and flags added. It returns the URL it serves
// and its log; stop ends it (SIGTERM), as the end of the test does.
func serveChild(t *testing.T, env []string, cfg, dir string, flags ...string) (base string, log *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"serve", "--config", cfg, "--listen", "127.0.0.1:0",
		"--store", "sqlite://" + filepath.Join(dir, "vigil.db")}, flags...)
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(env, "VIGIL_TEST_EXEC=1")
	// Stopped as an operator stops it, so that it finishes what it records.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	log = &syncBuffer{}
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = func() {
		cancel()
		cmd.Wait()
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Log(log.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed nothing: %v\n%s", err, log.String())
	}
	return regexp.MustCompile(`http://\S+`).FindString(line), log, stop
}
