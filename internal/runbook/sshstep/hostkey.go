package sshstep

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostKeys verifies the server's key against a known_hosts file and keeps
// the verdict, because the handshake error alone does not say what failed.
type hostKeys struct {
	addr, file string
	known      ssh.HostKeyCallback

	mu       sync.Mutex
	verified bool
	err      error
}

func newHostKeys(addr, file string) (*hostKeys, error) {
	known, err := knownhosts.New(file)
	if err != nil {
		return nil, fmt.Errorf("ssh: cannot read known_hosts %s: %w", file, err)
	}
	return &hostKeys{addr: addr, file: file, known: known}, nil
}

func (h *hostKeys) check(hostname string, remote net.Addr, key ssh.PublicKey) error {
	err := h.known(hostname, remote, key)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.err = h.explain(key, err)
		return h.err
	}
	h.verified = true
	return nil
}

// result says whether the host key was accepted, or why not.
func (h *hostKeys) result() (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.verified, h.err
}

func (h *hostKeys) explain(key ssh.PublicKey, err error) error {
	offered := key.Type() + " " + ssh.FingerprintSHA256(key)
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	switch {
	case errors.As(err, &keyErr) && len(keyErr.Want) == 0:
		return fmt.Errorf("ssh %s: host key not in %s (add it with ssh-keyscan; the server offered %s)", h.addr, h.file, offered)
	case errors.As(err, &keyErr):
		w := keyErr.Want[0]
		return fmt.Errorf("ssh %s: host key mismatch: the server offered %s but %s:%d has a different key "+
			"(the host was rebuilt, or the connection is being intercepted)", h.addr, offered, w.Filename, w.Line)
	case errors.As(err, &revoked):
		return fmt.Errorf("ssh %s: host key %s is revoked in %s:%d", h.addr, offered, revoked.Revoked.Filename, revoked.Revoked.Line)
	}
	return fmt.Errorf("ssh %s: host key check: %w", h.addr, err)
}

// algorithms lists the host key algorithms of the keys known_hosts holds for
// the host, so the server is asked for a key we can verify rather than for
// the client's favourite type, which may not be the one recorded. It is nil
// when the file has no plain key for the host (unknown, or certificates only).
func (h *hostKeys) algorithms(remote net.Addr) []string {
	// Asking about a key that cannot be in the file makes knownhosts list
	// the keys that are.
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil
	}
	probe, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil
	}
	var keyErr *knownhosts.KeyError
	if !errors.As(h.known(h.addr, remote, probe), &keyErr) {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	for _, k := range keyErr.Want {
		for _, a := range algorithmsFor(k.Key.Type()) {
			if !seen[a] {
				seen[a] = true
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// algorithmsFor maps a key type to the signature algorithms that use it.
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}
