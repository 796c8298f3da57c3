package sshstep_test

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/runbook/sshstep"
)

// fixture is a running server and a Spec that can reach it.
type fixture struct {
	srv    *sshServer
	spec   sshstep.Spec
	client key
	host   key
}

func setup(t *testing.T) fixture {
	t.Helper()
	host, client := newKey(t), newKey(t)
	srv := startServer(t, client.signer.PublicKey(), host.signer)
	return fixture{
		srv:    srv,
		client: client,
		host:   host,
		spec: sshstep.Spec{
			Host:       srv.Addr,
			User:       "deploy",
			KeyFile:    writeFile(t, "id_ed25519", client.pem),
			KnownHosts: writeFile(t, "known_hosts", []byte(knownHostsLine(srv.Addr, host.signer.PublicKey()))),
		},
	}
}

func run(t *testing.T, spec sshstep.Spec) (sshstep.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return sshstep.Run(ctx, spec)
}

func TestRunArgumentsStayLiteral(t *testing.T) {
	f := setup(t)
	if err := os.Mkdir(filepath.Join(f.srv.Dir, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{
		"x; rm -rf keep", "$(touch pwned)", "`touch pwned`", "$(id)", "it's", "'", "",
		"*", "~", "$HOME", "a b\tc", "two\nlines", `back\slash`, `"dq"`, "A=1", "--flag=x", "&& touch pwned",
	}
	f.spec.Argv = append([]string{"printf", `%s\n`}, args...)
	res, err := run(t, f.spec)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(args, "\n") + "\n"; res.Stdout != want {
		t.Errorf("stdout:\n%q\nwant:\n%q", res.Stdout, want)
	}
	if res.ExitCode != 0 || res.Stderr != "" {
		t.Errorf("exit %d, stderr %q", res.ExitCode, res.Stderr)
	}
	if _, err := os.Stat(filepath.Join(f.srv.Dir, "keep")); err != nil {
		t.Errorf("keep: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.srv.Dir, "pwned")); err == nil {
		t.Error("an argument ran as a command")
	}
}

func TestRunExitStatusIsNotAnError(t *testing.T) {
	f := setup(t)
	f.spec.Argv = []string{"sh", "-c", "echo out; echo err >&2; exit 3"}
	res, err := run(t, f.spec)
	if err != nil {
		t.Fatal(err)
	}
	want := sshstep.Result{Stdout: "out\n", Stderr: "err\n", ExitCode: 3}
	if res != want {
		t.Errorf("got %+v, want %+v", res, want)
	}
}

func TestRunMaxOutput(t *testing.T) {
	f := setup(t)
	f.spec.Argv = []string{"sh", "-c", "printf %0100d 0; printf %050d 0 >&2"}
	for _, tc := range []struct {
		max                  int
		stdoutLen, stderrLen int
		truncated            bool
	}{
		{max: 10, stdoutLen: 10, stderrLen: 10, truncated: true},
		{max: 60, stdoutLen: 60, stderrLen: 50, truncated: true},
		{max: 100, stdoutLen: 100, stderrLen: 50, truncated: false},
		{max: 0, stdoutLen: 100, stderrLen: 50, truncated: false},
	} {
		f.spec.MaxOutput = tc.max
		res, err := run(t, f.spec)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Stdout) != tc.stdoutLen || len(res.Stderr) != tc.stderrLen || res.Truncated != tc.truncated {
			t.Errorf("max %d: stdout %d bytes, stderr %d, truncated %v; want %d, %d, %v",
				tc.max, len(res.Stdout), len(res.Stderr), res.Truncated, tc.stdoutLen, tc.stderrLen, tc.truncated)
		}
	}
}

func TestRunHostKeyRefused(t *testing.T) {
	f := setup(t)
	other := newKey(t).signer.PublicKey()
	known := f.host.signer.PublicKey()
	for _, tc := range []struct {
		name       string
		knownHosts string
		want       string
	}{
		{"empty file", "", "host key not in "},
		{"other host only", knownHostsLine("10.1.2.3:22", known), "host key not in "},
		{"same port other host", knownHostsLine("[127.0.0.2]"+f.srv.Addr[strings.LastIndex(f.srv.Addr, ":"):], known), "host key not in "},
		{"different key", knownHostsLine(f.srv.Addr, other), "host key mismatch"},
		{"revoked", knownHostsLine(f.srv.Addr, known) + revokedLine(known), "is revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := f.spec
			spec.KnownHosts = writeFile(t, "known_hosts", []byte(tc.knownHosts))
			spec.Argv = []string{"true"}
			res, err := run(t, spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if tc.want == "host key not in " && !strings.Contains(err.Error(), spec.KnownHosts) {
				t.Errorf("err = %v, want it to name %s", err, spec.KnownHosts)
			}
			if res.ExitCode != -1 {
				t.Errorf("exit code %d, want -1", res.ExitCode)
			}
		})
	}
}

func TestRunAuthenticationFailed(t *testing.T) {
	f := setup(t)
	stranger := newKey(t)
	f.spec.KeyFile = writeFile(t, "id_other", stranger.pem)
	f.spec.Argv = []string{"true"}
	_, err := run(t, f.spec)
	if err == nil || !strings.Contains(err.Error(), "authentication failed for user deploy") {
		t.Fatalf("err = %v, want authentication failed", err)
	}
	assertNoKeyMaterial(t, err, stranger.pem)
}

func TestRunKeyFileErrors(t *testing.T) {
	f := setup(t)
	secretGarbage := []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END OPENSSH PRIVATE KEY-----\n")
	for _, tc := range []struct {
		name    string
		keyFile func(t *testing.T) string
		want    string
		pem     []byte
	}{
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }, "cannot read key_file", nil},
		{"garbage", func(t *testing.T) string { return writeFile(t, "k", secretGarbage) }, "cannot parse key_file", secretGarbage},
		{"public key", func(t *testing.T) string {
			return writeFile(t, "k.pub", []byte(f.client.signer.PublicKey().Type()+" AAAA\n"))
		}, "cannot parse key_file", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := f.spec
			spec.KeyFile = tc.keyFile(t)
			spec.Argv = []string{"true"}
			_, err := run(t, spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), spec.KeyFile) {
				t.Fatalf("err = %v, want %q naming the file", err, tc.want)
			}
			assertNoKeyMaterial(t, err, tc.pem)
		})
	}
}

func TestRunPassphraseProtectedKey(t *testing.T) {
	f := setup(t)
	f.spec.KeyFile = writeFile(t, "id_enc", encryptedKey(t))
	f.spec.Argv = []string{"true"}
	_, err := run(t, f.spec)
	if err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Fatalf("err = %v, want passphrase", err)
	}
}

// The client would rather have an ECDSA host key; known_hosts holds only the
// server's ed25519 key, so that is the one to ask for.
func TestRunAsksForTheKnownHostKeyType(t *testing.T) {
	ed, ec, client := newKey(t), newECDSAKey(t), newKey(t)
	srv := startServer(t, client.signer.PublicKey(), ec.signer, ed.signer)
	res, err := run(t, sshstep.Spec{
		Host:       srv.Addr,
		User:       "deploy",
		KeyFile:    writeFile(t, "id", client.pem),
		KnownHosts: writeFile(t, "known_hosts", []byte(knownHostsLine(srv.Addr, ed.signer.PublicKey()))),
		Argv:       []string{"echo", "ok"},
	})
	if err != nil || res.Stdout != "ok\n" {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestRunTimeout(t *testing.T) {
	f := setup(t)
	f.spec.Argv = []string{"sleep", "30"}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := sshstep.Run(ctx, f.spec)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v", took)
	}
	if err == nil || !strings.Contains(err.Error(), "timed out while running the command") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if res.ExitCode != -1 {
		t.Errorf("exit code %d, want -1", res.ExitCode)
	}
}

// A server that accepts the connection and says nothing must not hold the
// step past its deadline.
func TestRunTimeoutDuringHandshake(t *testing.T) {
	f := setup(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.Copy(io.Discard, c) // until the client gives up
			c.Close()
		}
	}()
	f.spec.Host = ln.Addr().String()
	f.spec.Argv = []string{"true"}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = sshstep.Run(ctx, f.spec)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v", took)
	}
	if err == nil || !strings.Contains(err.Error(), "timed out while connecting") {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

func TestRunRefusesBadSpec(t *testing.T) {
	f := setup(t)
	for _, tc := range []struct {
		name   string
		modify func(*sshstep.Spec)
		want   string
	}{
		{"no command", func(s *sshstep.Spec) { s.Argv = nil }, "command required"},
		{"no user", func(s *sshstep.Spec) { s.User = "" }, "user required"},
		{"no host", func(s *sshstep.Spec) { s.Host = "" }, "host required"},
		{"NUL", func(s *sshstep.Spec) { s.Argv = []string{"echo", "a\x00b"} }, "command[1] contains a NUL byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := f.spec
			spec.Argv = []string{"true"}
			tc.modify(&spec)
			_, err := run(t, spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// assertNoKeyMaterial fails if any line of a key file's body shows up in err.
func assertNoKeyMaterial(t *testing.T, err error, pem []byte) {
	t.Helper()
	for _, line := range strings.Split(string(pem), "\n") {
		if line != "" && !strings.HasPrefix(line, "-----") && strings.Contains(err.Error(), line) {
			t.Errorf("error holds key material: %v", err)
		}
	}
}
