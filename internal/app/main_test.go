package app

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// TestMain lets a test run this test binary as the vigil command: with
// VIGIL_TEST_EXEC=1 it is vigil, arguments and all. Tests that need a real
// process to kill use it, so they need no separately built binary. With
// VIGIL_TEST_NOFILE=N that process lowers its own open-file limit to N
// first, leaving the test binary's alone.
func TestMain(m *testing.M) {
	if os.Getenv("VIGIL_TEST_EXEC") == "1" {
		if n := os.Getenv("VIGIL_TEST_NOFILE"); n != "" {
			if err := lowerNoFile(n); err != nil {
				os.Stderr.WriteString("VIGIL_TEST_NOFILE: " + err.Error() + "\n")
				os.Exit(2)
			}
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}
