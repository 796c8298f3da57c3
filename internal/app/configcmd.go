package app

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/config"
)

func configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check, describe and print configuration",
	}
	cmd.AddCommand(configCheckCmd(), configSchemaCmd(), configDumpCmd())
	return cmd
}

func configCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check [FILE|DIR]",
		Short: "Validate a config and report every problem as file:line:col: field: message",
		Long: `Validate a config file, or a directory of .yaml files, without starting
anything: YAML syntax, unknown fields, types, durations, references between
services, runbooks, escalations and people, and every check condition.
Exits 1 if there is any problem. Warnings (file:line:col: field: warning:
message) name what loads but is a risk, such as a runbook param filled from
alert labels or webhooks with neither pattern nor enum; they do not change
the exit status. Without an argument, checks the built-in example.`,
		Example: "  vigil config check vigil.yaml\n  vigil config check /etc/vigil/",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			cfg, err := LoadConfig(path, config.Options{})
			var ps config.Problems
			if errors.As(err, &ps) {
				for _, p := range ps {
					fmt.Fprintln(cmd.OutOrStdout(), p.String())
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "%d problem(s) found\n", len(ps))
				return exitError{code: 1}
			}
			if err != nil {
				return err
			}
			name := path
			if name == "" {
				name = BuiltinConfigName
			}
			for _, w := range cfg.Warnings {
				fmt.Fprintln(cmd.OutOrStdout(), warningText(w))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%d services, %d checks, %d runbooks", name, len(cfg.Services), countChecks(cfg), len(cfg.Runbooks))
			if n := len(cfg.Warnings); n > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "; %d warning(s)", n)
			}
			fmt.Fprintln(cmd.OutOrStdout(), ")")
			return nil
		},
	}
}

func configSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the config, for editor completion",
		Long: `Print the JSON Schema of Vigil's config. Editors with YAML language
support complete and check config with it, e.g. with this first line:

  # yaml-language-server: $schema=./vigil.schema.json`,
		Example: "  vigil config schema > vigil.schema.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(append(config.Schema(), '\n'))
			return err
		},
	}
}

func configDumpCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "dump [FILE|DIR]",
		Short:   "Print the effective config, defaults filled in and secrets redacted",
		Example: "  vigil config dump vigil.yaml",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			cfg, err := LoadConfig(path, config.Options{})
			if err != nil {
				return err
			}
			out, err := config.Dump(cfg)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
}

// warningText is a warning as config check prints it: located like a
// problem, marked so it is not read as one.
func warningText(w config.Problem) string {
	w.Message = "warning: " + w.Message
	return w.String()
}
