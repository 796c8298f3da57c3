package app

import (
	"github.com/spf13/cobra"
)

func reportWeeklyCmd(c *client) *cobra.Command {
	var from, to, format, tz, out string
	var services []string
	cmd := &cobra.Command{
		Use:   "weekly --from T [--to T] [--service S] [--format md|html|json]",
		Short: "The weekly status report: work done, incidents, SLOs, on call, toil, future work",
		Long: `Write the weekly status report for a period of at most 31 days, per
service: the work done (releases, deploys, runbook runs, action items
closed), the incidents with their duration, severity and a link to each
postmortem, SLOs and check uptime over the period, the on-call load
(pages, off-hours pages), toil and what automation saved, and the future
work (open action items, planned releases, maintenance in the next two
weeks); then the config reloads. A section whose feature is not configured
says so in one line. Times are in --tz, by default global.timezone.`,
		Example: `  vigil report weekly --from 2026-11-23T00:00:00+07:00 --to 2026-11-30T00:00:00+07:00
  vigil report weekly --from 2026-11-23T00:00:00Z --to 2026-11-30T00:00:00Z --service shop --format html -o week.html
  vigil report weekly --from 2026-11-23T00:00:00Z --to 2026-11-30T00:00:00Z --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := periodQuery(from, to, services)
			if err != nil {
				return err
			}
			q.Set("format", format)
			if tz != "" {
				q.Set("tz", tz)
			}
			body, err := c.text(cmd.Context(), "/api/v1/reports/weekly?"+q.Encode())
			if err != nil {
				return err
			}
			return writeOut(cmd, out, body)
		},
	}
	periodFlags(cmd, &from, &to, &services)
	cmd.Flags().StringVar(&format, "format", "md", "md, html or json")
	cmd.Flags().StringVar(&tz, "tz", "", "time zone of the report's times (default global.timezone)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}
