// Package sshstep runs one command on another machine over SSH: the ssh step
// of a runbook. The server's key must already be in a known_hosts file; there
// is no trust on first use.
package sshstep

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// DefaultMaxOutput is kept of stdout and of stderr when Spec.MaxOutput is 0.
const DefaultMaxOutput = 1 << 20

// killGrace is how long the remote command is given to receive the kill
// signal before the connection is dropped.
const killGrace = time.Second

// Spec is one remote command, already rendered.
type Spec struct {
	Host       string   // host or host:port; default port 22
	User       string   // remote login name
	KeyFile    string   // private key (PEM or OpenSSH), unencrypted
	KnownHosts string   // known_hosts file; the server's key must be in it
	Argv       []string // the command; each element is quoted so it stays one argument
	MaxOutput  int      // bytes kept of stdout and of stderr each; 0 means DefaultMaxOutput
}

// Result is what the remote command did.
type Result struct {
	Stdout, Stderr string
	ExitCode       int  // remote exit status; -1 when the command did not run to an exit status
	Truncated      bool // stdout or stderr exceeded MaxOutput
}

// Run connects, verifies the host key against KnownHosts, runs Argv and
// waits. ctx bounds all of it; when ctx ends during the command the remote
// command is sent SIGKILL and the connection is closed.
//
// A non-zero exit status is not an error. The error is for a bad Spec, a
// failure to connect, verify the host or authenticate, and a command that
// ended without an exit status (ctx ended, killed by a signal, connection
// lost); then ExitCode is -1. Error text never holds key material.
func Run(ctx context.Context, s Spec) (Result, error) {
	res := Result{ExitCode: -1}
	addr, err := hostPort(s.Host)
	if err != nil {
		return res, err
	}
	if err := s.check(addr); err != nil {
		return res, err
	}
	signer, err := loadKey(s.KeyFile)
	if err != nil {
		return res, err
	}
	hk, err := newHostKeys(addr, s.KnownHosts)
	if err != nil {
		return res, err
	}

	client, err := dial(ctx, addr, s.User, signer, hk)
	if err != nil {
		if ctx.Err() != nil {
			return res, ctxError(ctx, addr, "connecting")
		}
		return res, explainDialError(addr, s, signer, hk, err)
	}
	defer client.Close()

	sess, err := client.NewSession()
	if err != nil {
		if ctx.Err() != nil {
			return res, ctxError(ctx, addr, "connecting")
		}
		return res, fmt.Errorf("ssh %s: open session: %w", addr, err)
	}
	defer sess.Close()

	limit := s.MaxOutput
	if limit <= 0 {
		limit = DefaultMaxOutput
	}
	stdout, stderr := &capped{max: limit}, &capped{max: limit}
	sess.Stdout, sess.Stderr = stdout, stderr

	// Closing the connection alone may leave the remote command running, so
	// ask for it to be killed first.
	stop := context.AfterFunc(ctx, func() {
		sent := make(chan struct{})
		go func() {
			sess.Signal(ssh.SIGKILL)
			close(sent)
		}()
		select {
		case <-sent:
		case <-time.After(killGrace):
		}
		client.Close()
	})
	runErr := sess.Run(Command(s.Argv))
	stop()

	res.Stdout, res.Stderr = string(stdout.buf), string(stderr.buf)
	res.Truncated = stdout.truncated || stderr.truncated

	var exit *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case runErr == nil:
		res.ExitCode = 0
		return res, nil
	case errors.As(runErr, &exit) && exit.Signal() == "":
		res.ExitCode = exit.ExitStatus()
		return res, nil
	case ctx.Err() != nil:
		return res, ctxError(ctx, addr, "running the command")
	case errors.As(runErr, &exit):
		return res, fmt.Errorf("ssh %s: the command was killed by signal %s", addr, exit.Signal())
	case errors.As(runErr, &missing):
		return res, fmt.Errorf("ssh %s: the command ended without an exit status", addr)
	}
	return res, fmt.Errorf("ssh %s: %w", addr, runErr)
}

func (s Spec) check(addr string) error {
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"user", s.User}, {"key_file", s.KeyFile}, {"known_hosts", s.KnownHosts},
	} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(s.Argv) == 0 {
		missing = append(missing, "command")
	}
	if len(missing) > 0 {
		return fmt.Errorf("ssh %s: %s required", addr, strings.Join(missing, ", "))
	}
	for i, a := range s.Argv {
		// A shell cannot receive a NUL; it would cut the command short.
		if strings.IndexByte(a, 0) >= 0 {
			return fmt.Errorf("ssh %s: command[%d] contains a NUL byte", addr, i)
		}
	}
	return nil
}

// dial connects and completes the handshake, both bounded by ctx.
func dial(ctx context.Context, addr, user string, signer ssh.Signer, hk *hostKeys) (*ssh.Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	// The handshake takes no context; closing the connection ends it.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	config := &ssh.ClientConfig{
		User:              user,
		Auth:              []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback:   hk.check,
		HostKeyAlgorithms: hk.algorithms(conn.RemoteAddr()),
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, config)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if ctx.Err() != nil {
		c.Close()
		return nil, ctx.Err()
	}
	return ssh.NewClient(c, chans, reqs), nil
}

func explainDialError(addr string, s Spec, signer ssh.Signer, hk *hostKeys, err error) error {
	verified, hostErr := hk.result()
	switch {
	case hostErr != nil:
		return hostErr
	case verified && strings.Contains(err.Error(), "unable to authenticate"):
		return fmt.Errorf("ssh %s: authentication failed for user %s (key_file %s, %s %s not accepted)",
			addr, s.User, s.KeyFile, signer.PublicKey().Type(), ssh.FingerprintSHA256(signer.PublicKey()))
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return fmt.Errorf("ssh %s: %w", addr, err)
	}
	return fmt.Errorf("ssh %s: handshake: %w", addr, err)
}

func ctxError(ctx context.Context, addr, during string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("ssh %s: timed out while %s: %w", addr, during, ctx.Err())
	}
	return fmt.Errorf("ssh %s: canceled while %s: %w", addr, during, ctx.Err())
}

// hostPort adds the default port 22 when host has none.
func hostPort(host string) (string, error) {
	if host == "" {
		return "", errors.New("ssh: host required")
	}
	if h, p, err := net.SplitHostPort(host); err == nil {
		if h == "" || p == "" {
			return "", fmt.Errorf("ssh: host %q: want host or host:port", host)
		}
		return host, nil
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), "22"), nil
}
