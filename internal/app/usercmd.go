package app

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/vigil-sre/vigil/internal/auth/password"
)

func userCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Local accounts of the web app",
	}
	cmd.AddCommand(userPasswdCmd())
	return cmd
}

func userPasswdCmd() *cobra.Command {
	var stdin bool
	cmd := &cobra.Command{
		Use:   "passwd [PERSON]",
		Short: "Make a password hash for a person's local sign-in",
		Long: `Make an argon2id hash of a password for people[].password_hash, so the
person can sign in to the web app with their id (or email) and password.

The password is read from the terminal without echo, twice; with --stdin it
is the first line of standard input (for scripts and secret managers). It is
never printed, and the hash does not need to be kept secret the way a
password does, though the config is best not world-readable. Changing a
person's hash ends their password sessions at their next request.

Passwords need at least 8 characters. This command needs no server.`,
		Example: `  vigil user passwd glen
  printf '%s\n' "$PASSWORD" | vigil user passwd glen --stdin`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			person := "PERSON"
			if len(args) == 1 {
				person = args[0]
			}
			pw, err := readPassword(cmd, stdin)
			if err != nil {
				return err
			}
			h, err := password.Hash(pw)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, h)
			fmt.Fprintf(out, "\n# In the config, under people:\n  - id: %s\n    password_hash: %q\n", person, h)
			return nil
		},
	}
	cmd.Flags().BoolVar(&stdin, "stdin", false, "read the password from the first line of standard input")
	return cmd
}

// readPassword reads the password without echo from the terminal, or the
// first line of stdin.
func readPassword(cmd *cobra.Command, stdin bool) (string, error) {
	if stdin {
		line, err := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), password.MaxLength+2)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("standard input is not a terminal; pass --stdin to read the password from it")
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(cmd.ErrOrStderr(), prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(cmd.ErrOrStderr())
		return string(b), err
	}
	pw, err := ask("Password: ")
	if err != nil {
		return "", err
	}
	if err := password.Acceptable(pw); err != nil {
		return "", err
	}
	again, err := ask("Again: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the two passwords differ")
	}
	return pw, nil
}
