package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// exitError carries an exit status without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Run is the vigil command: it runs args (without the program name) and
// returns the exit status.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	stdout, stderr = termSafe{stdout}, termSafe{stderr}
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	}
	fmt.Fprintln(stderr, "vigil:", err)
	return 1
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "vigil",
		Short: "Vigil runs an SRE team's operations week: checks, alerts, on-call, runbooks, incidents",
		Long: `Vigil watches services (HTTP, TCP, DNS, TLS, disk, logs, commands,
heartbeats, Prometheus queries), explains exactly why a check fails, keeps
the history (results, state changes, uptime) in SQLite or Postgres, and
judges SLOs and their error budgets.

Start the built-in demo (SQLite file vigil.db in this directory):

  vigil serve

Run your team's config (a file, or a directory of .yaml files):

  vigil config check ./vigil.yaml
  vigil serve --config ./vigil.yaml`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(serveCmd(), configCmd(), alertCmd(), silenceCmd(), onCallCmd(), runCmd(), incidentCmd(), postmortemCmd(), reportCmd(), toilCmd(),
		releaseCmd(), capacityCmd(), deployCmd(), userCmd(), sloCmd(), benchCmd(), versionCmd())
	refuseUnknownSubcommands(root)
	return root
}

// refuseUnknownSubcommands has every command group (vigil config, vigil
// alert, ...) fail on a word that names none of its commands, as the root
// does: otherwise a typo such as "vigil config chek" prints the help and
// exits 0, and a CI step that meant to check a config passes.
func refuseUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		if sub.HasSubCommands() && !sub.Runnable() {
			sub.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return cmd.Help()
				}
				msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
				cmd.SuggestionsMinimumDistance = max(cmd.SuggestionsMinimumDistance, 2) // cobra's own default
				if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
					msg += "; did you mean " + strings.Join(s, " or ") + "?"
				}
				return fmt.Errorf("%s (see %s --help)", msg, cmd.CommandPath())
			}
		}
		refuseUnknownSubcommands(sub)
	}
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Vigil's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "vigil", Version())
			return nil
		},
	}
}
