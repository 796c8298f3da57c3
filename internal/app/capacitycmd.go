package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/release"
	"github.com/vigil-sre/vigil/internal/release/capacity"
	"github.com/vigil-sre/vigil/internal/yamldoc"
)

func capacityCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "capacity",
		Short: "Work out the replicas and resources a release needs",
	}
	cmd.AddCommand(capacityPlanCmd())
	return cmd
}

func capacityPlanCmd() *cobra.Command {
	var file, out string
	var asManifest, asJSON bool
	cmd := &cobra.Command{
		Use:   "plan -f capacity.yaml",
		Short: "Work out a capacity plan, showing the arithmetic step by step",
		Long: `Read a capacity file (docs/releases.md) and work out, per component, the
replicas its users need and the memory and CPU it should request, every
step of the arithmetic shown so a reviewer can check it. --manifest writes
the apps/v1 Deployment that carries the plan instead. Runs here; no
server needed (the API has POST /api/v1/capacity/plan).

Every problem, from unknown fields to an impossible plan (zero users per
replica, utilization over 100%), is reported at file:line:col.`,
		Example: `  vigil capacity plan -f examples/capacity/release-2.yaml
  vigil capacity plan -f examples/capacity/release-2.yaml --manifest -o deployment.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return errors.New("-f FILE is required")
			}
			data, err := readLimited(file, release.MaxFileSize)
			if err != nil {
				return err
			}
			res, err := capacity.ParseFile(file, data)
			var ps yamldoc.Problems
			if errors.As(err, &ps) {
				return printProblems(cmd.ErrOrStderr(), ps)
			}
			if err != nil {
				return err
			}
			var b strings.Builder
			switch {
			case asManifest:
				m, err := res.Manifest()
				if err != nil {
					return fmt.Errorf("%s: %w", file, err)
				}
				b.Write(m)
			case asJSON:
				if err := printJSON(&b, res); err != nil {
					return err
				}
			default:
				if err := res.WriteText(&b); err != nil {
					return err
				}
			}
			return writeOut(cmd, out, b.String())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&file, "file", "f", "", "the capacity file")
	f.BoolVar(&asManifest, "manifest", false, "write the Kubernetes Deployment instead of the arithmetic")
	f.BoolVar(&asJSON, "json", false, "print the plan as JSON")
	f.StringVarP(&out, "output", "o", "", "write to FILE instead of stdout")
	return cmd
}
