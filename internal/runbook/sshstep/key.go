package sshstep

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"
)

// loadKey reads a private key. Its errors never quote the file's content:
// a parse error can carry a fragment of what it failed to parse.
func loadKey(path string) (ssh.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ssh: cannot read key_file %s: %w", path, unwrapPath(err))
	}
	signer, err := ssh.ParsePrivateKey(data)
	var pass *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &pass):
		return nil, fmt.Errorf("ssh: key_file %s is protected by a passphrase; use an unencrypted key", path)
	case err != nil:
		return nil, fmt.Errorf("ssh: cannot parse key_file %s: not an unencrypted PEM or OpenSSH private key", path)
	}
	return signer, nil
}

// unwrapPath drops the path from an *os.PathError, which the message
// already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
