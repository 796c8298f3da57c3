package app

import (
	"fmt"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func reportToilCmd(c *client) *cobra.Command {
	var from, to, format, out string
	var services []string
	cmd := &cobra.Command{
		Use:   "toil --from T [--to T] [--service S] [--format md|html|json]",
		Short: "The toil reduction plan, measured from the ledger",
		Long: `Write the toil reduction plan for a period: each toil item with its
measured cost and trend, the impact and benefit text of the plan, its
status and the runbook that automates it with what that saved; then the
automation candidates, unclassified toil and everyone's share of toil.`,
		Example: `  vigil report toil --from 2026-11-23T00:00:00+07:00 --to 2026-11-30T00:00:00+07:00
  vigil report toil --from 2026-11-01T00:00:00Z --service shop --format html -o plan.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := periodQuery(from, to, services)
			if err != nil {
				return err
			}
			q.Set("format", format)
			body, err := c.text(cmd.Context(), "/api/v1/reports/toil?"+q.Encode())
			if err != nil {
				return err
			}
			return writeOut(cmd, out, body)
		},
	}
	periodFlags(cmd, &from, &to, &services)
	cmd.Flags().StringVar(&format, "format", "md", "md, html or json")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

type reportRunJSON struct {
	ID          int64     `json:"id"`
	Report      string    `json:"report"`
	Kind        string    `json:"kind"`
	ScheduledAt time.Time `json:"scheduled_at"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Status      string    `json:"status"`
	Title       string    `json:"title"`
	Targets     []string  `json:"targets"`
	Error       string    `json:"error"`
}

func reportRunsCmd(c *client) *cobra.Command {
	var report string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs [--report ID]",
		Short: "History of scheduled reports: when each ran, what it covered, where it went",
		Example: `  vigil report runs
  vigil report runs --report weekly-toil --limit 10
  vigil report runs --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{"limit": {strconv.Itoa(limit)}}
			if report != "" {
				q.Set("report", report)
			}
			var rows []reportRunJSON
			if err := c.do(cmd.Context(), "GET", "/api/v1/reports/runs?"+q.Encode(), nil, &rows); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), rows)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tREPORT\tKIND\tSCHEDULED\tPERIOD\tSTATUS\tTO")
			for _, r := range rows {
				status := r.Status
				if r.Error != "" {
					status += ": " + oneLine(r.Error, 50)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s → %s\t%s\t%d targets\n", r.ID, r.Report, r.Kind, r.ScheduledAt.Format("2006-01-02 15:04 MST"),
					r.From.Format("01-02 15:04"), r.To.Format("01-02 15:04"), status, len(r.Targets))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&report, "report", "", "only this report id")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many runs")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func reportShowCmd(c *client) *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:     "show RUN [--format md|html|json]",
		Short:   "The document a scheduled report sent",
		Example: "  vigil report show 12\n  vigil report show 12 --format html -o report.html",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := c.text(cmd.Context(), "/api/v1/reports/runs/"+url.PathEscape(args[0])+"?format="+url.QueryEscape(format))
			if err != nil {
				return err
			}
			return writeOut(cmd, out, body)
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md, html or json")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

func reportSendCmd(c *client) *cobra.Command {
	return &cobra.Command{
		Use:   "send ID",
		Short: "Render a configured report now and send it to its targets (operate)",
		Long: `Render the report configured under reports: with this id, for the period
that ends now, and send it as its schedule would. Useful to check a new
report's targets without waiting for its schedule.`,
		Example: "  vigil report send weekly-toil",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r reportRunJSON
			if err := c.do(cmd.Context(), "POST", "/api/v1/reports/"+url.PathEscape(args[0])+"/runs", nil, &r); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "run %d of %s %s: %s\n", r.ID, r.Report, r.Status, r.Title)
			return nil
		},
	}
}
