package app

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/slo"
	"github.com/vigil-sre/vigil/internal/slo/openslo"
)

func sloCmd() *cobra.Command {
	c := &client{}
	cmd := &cobra.Command{
		Use:   "slo",
		Short: "Service level objectives: budgets and burn rates, OpenSLO import and export",
		Long: `SLOs judge a service's SLI (availability or latency of its checks, a
Prometheus ratio, or pushed events) against an objective over a window, and
spend an error budget. list and show ask a running Vigil; import and export
convert between Vigil config and OpenSLO v1 files without a server.`,
	}
	clientFlags(cmd, c)
	cmd.AddCommand(sloListCmd(c), sloShowCmd(c), sloImportCmd(), sloExportCmd())
	return cmd
}

func sloListCmd(c *client) *cobra.Command {
	var service string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List SLOs with their SLI, remaining budget and burn rate",
		Example: `  vigil slo list
  vigil slo list --service shop
  vigil slo list --json | jq '.[] | select(.budget.exhausted)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := "/api/v1/slos"
			if service != "" {
				path += "?service=" + service
			}
			var sts []slo.Status
			if err := c.do(cmd.Context(), "GET", path, nil, &sts); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), sts)
			}
			if len(sts) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no SLOs")
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "SLO\tOBJECTIVE\tWINDOW\tSLI\tBUDGET LEFT\tBURN\tALERTS")
			for _, s := range sts {
				fmt.Fprintf(tw, "%s/%s\t%g%%\t%s\t%s\t%s\t%s\t%s\n", s.Service, s.ID, s.Objective, s.Window,
					pctOr(s.SLI, "no data"), budgetLeft(s), burnText(s.BurnRate), firingText(s))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only this service's SLOs")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func sloShowCmd(c *client) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "show SERVICE/ID",
		Short:   "Show one SLO: budget, burn rate per alert window, alert rules and burn history",
		Example: "  vigil slo show shop/availability\n  vigil slo show shop/checkout --json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, id, ok := strings.Cut(args[0], "/")
			if !ok || svc == "" || id == "" {
				return fmt.Errorf("name the SLO as SERVICE/ID, e.g. shop/availability")
			}
			var d slo.Detail
			if err := c.do(cmd.Context(), "GET", "/api/v1/slos/"+svc+"/"+id, nil, &d); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), d)
			}
			printSLO(cmd.OutOrStdout(), d)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printSLO(w io.Writer, d slo.Detail) {
	fmt.Fprintf(w, "%s/%s  %s SLI, objective %g%% over %s\n", d.Service, d.ID, d.Kind, d.Objective, d.Window)
	if d.Description != "" {
		fmt.Fprintf(w, "  %s\n", d.Description)
	}
	fmt.Fprintf(w, "window     %s – %s\n", d.WindowStart.UTC().Format(time.RFC3339), d.WindowEnd.UTC().Format(time.RFC3339))
	if d.NoData != "" {
		fmt.Fprintf(w, "SLI        no data: %s\n", d.NoData)
	} else {
		fmt.Fprintf(w, "SLI        %s (%g good of %g)\n", pctOr(d.SLI, "-"), d.Good, d.Total)
	}
	fmt.Fprintf(w, "budget     %s over the window; %s\n", d.Budget.Text, budgetLeft(d.Status))
	fmt.Fprintf(w, "burn rate  %s now", burnText(d.BurnRate))
	if p := d.ProjectedExhaustion; p != nil {
		fmt.Fprintf(w, "; budget spent by %s at this rate", p.UTC().Format(time.RFC3339))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nALERT\tFACTOR\tLONG\tSHORT\tSTATE")
	for _, r := range d.Alerts {
		state := "ok"
		switch {
		case r.Firing:
			state = "FIRING"
		case r.Unknown != "":
			state = "unknown: " + r.Unknown
		}
		fmt.Fprintf(tw, "%s\t%.4g×\t%s over %s\t%s over %s\t%s\n", r.Name, r.Factor, burnText(r.BurnLong), r.LongText, burnText(r.BurnShort), r.ShortText, state)
	}
	tw.Flush()
	if d.HistoryError != "" {
		fmt.Fprintf(w, "\nhistory: %s\n", d.HistoryError)
		return
	}
	if len(d.History) > 0 {
		fmt.Fprintf(w, "\nHISTORY (per %s)\n", d.Step)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "START\tSLI\tBURN\tBUDGET LEFT")
		for _, p := range d.History {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Start.UTC().Format("2006-01-02 15:04"), pctOr(p.SLI, "-"), burnText(p.BurnRate), pctOr(p.BudgetRemaining, "-"))
		}
		tw.Flush()
	}
}

func pctOr(p *float64, none string) string {
	if p == nil {
		return none
	}
	return fmt.Sprintf("%.4g%%", *p)
}

func burnText(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.3g×", *p)
}

func budgetLeft(s slo.Status) string {
	b := s.Budget
	switch {
	case b.RemainingPercent == nil:
		return "-"
	case b.Exhausted:
		return "EXHAUSTED (spent" + strings.TrimRight(" "+b.Over(), " ") + ")"
	}
	return fmt.Sprintf("%s (%s)", b.Remains(), b.RemainingText)
}

func firingText(s slo.Status) string {
	var f []string
	for _, r := range s.Alerts {
		if r.Firing {
			f = append(f, r.Name)
		}
	}
	if len(f) == 0 {
		return "-"
	}
	return strings.Join(f, ",")
}

func sloImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Convert OpenSLO v1 SLOs to Vigil config (printed, to merge into yours)",
		Long: `Read OpenSLO v1 documents (SLO, SLI, DataSource; Service is accepted) and
print the SLOs as Vigil config: a services list with slos. Ratio metrics
from Prometheus become prometheus SLIs ({{.window}} in a query is each
window; a counter's bare selector is wrapped in sum(increase(...))), and
threshold and ratio metrics of source type Vigil become latency,
availability and events SLIs. Anything else is an error that names it.
No server is needed.`,
		Example: "  vigil slo import slos.openslo.yaml > slos.yaml\n  vigil config check ./conf/",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			out, err := openslo.ImportYAML(args[0], data)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
}

func sloExportCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Print a config's SLOs as OpenSLO v1 YAML",
		Long: `Read a Vigil config (a file or a directory) and print each SLO as an
OpenSLO v1 SLO with its indicator inline. Vigil's ids travel in the
annotations vigil.dev/service and vigil.dev/slo, so import gives the same
SLOs back. Alerting and policy have no OpenSLO form and are left out.
No server is needed.`,
		Example: "  vigil slo export --config vigil.yaml > slos.openslo.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path == "" {
				path = os.Getenv("VIGIL_CONFIG")
			}
			cfg, err := LoadConfig(path, config.Options{})
			if err != nil {
				return err
			}
			out, err := openslo.Export(cfg)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "", "config file or directory (default: env VIGIL_CONFIG, else the built-in example)")
	return cmd
}
