package app

import (
	"io"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/clock"
)

func reportCmd() *cobra.Command {
	c := &client{}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Reports from a running Vigil's record",
	}
	clientFlags(cmd, c)
	cmd.AddCommand(reportOncallCmd(c), reportToilCmd(c), reportWeeklyCmd(c), reportRunsCmd(c), reportShowCmd(c), reportSendCmd(c))
	return cmd
}

func reportOncallCmd(c *client) *cobra.Command {
	var person, from, to, tz string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "oncall --person P --from T --to T",
		Short: "A person's on-call log for a shift",
		Long: `Write the on-call summary log of a shift from the record: for each alert
the person was paged about, when, what was tried (acknowledgements, notes,
runbook runs) and the resolution; the shift's pages, off-hours pages
(outside 09:00-18:00 Monday to Friday in --tz, by default the person's
own time zone, else global.timezone) and time spent, up to now for a shift
still running; and the alerts that recurred or resolved by themselves, as
toil or noise to remove.`,
		Example: "  vigil report oncall --person thach --from 2021-09-04T00:00:00+07:00 --to 2021-09-05T00:00:00+07:00 --tz Asia/Ho_Chi_Minh",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				to = clockNowRFC3339()
			}
			q := url.Values{"person": {person}, "from": {from}, "to": {to}, "format": {"md"}}
			if tz != "" {
				q.Set("tz", tz)
			}
			if asJSON {
				q.Set("format", "json")
			}
			body, err := c.text(cmd.Context(), "/api/v1/reports/oncall?"+q.Encode())
			if err != nil {
				return err
			}
			_, err = io.WriteString(cmd.OutOrStdout(), body)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&person, "person", "", "person id (required)")
	f.StringVar(&from, "from", "", "shift start, RFC 3339 (required)")
	f.StringVar(&to, "to", "", "shift end, RFC 3339 (default now)")
	f.StringVar(&tz, "tz", "", "time zone for off hours and times (default: the person's timezone, else global.timezone)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("person")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

// clockNowRFC3339 is the CLI user's own now.
func clockNowRFC3339() string { return clock.Real().Now().UTC().Format(time.RFC3339) }
