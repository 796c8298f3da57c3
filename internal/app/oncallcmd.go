package app

import (
	"fmt"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func onCallCmd() *cobra.Command {
	c := &client{}
	var at, schedule string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "oncall",
		Short: "Who is on call now, or at --at, and the next shifts",
		Example: `  vigil oncall
  vigil oncall --at 2026-12-01T10:00:00+07:00 --schedule sre-primary`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			if at != "" {
				if _, err := time.Parse(time.RFC3339, at); err != nil {
					return fmt.Errorf("--at must be an RFC 3339 time such as 2026-12-01T10:00:00+07:00")
				}
				q.Set("at", at)
			}
			if schedule != "" {
				q.Set("schedule", schedule)
			}
			var rows []struct {
				Schedule string `json:"schedule"`
				OnCall   []struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"on_call"`
				Until *time.Time `json:"until"`
				Next  []struct {
					Person struct {
						ID   string `json:"id"`
						Name string `json:"name"`
					} `json:"person"`
					Start time.Time `json:"start"`
				} `json:"next"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/oncall?"+q.Encode(), nil, &rows); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), rows)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "SCHEDULE\tON CALL\tUNTIL\tNEXT")
			for _, r := range rows {
				who := "nobody"
				for i, p := range r.OnCall {
					if i == 0 {
						who = ""
					} else {
						who += ", "
					}
					who += p.ID
					if p.Name != "" {
						who += " (" + p.Name + ")"
					}
				}
				until, next := "-", "-"
				if r.Until != nil {
					until = r.Until.Format("Mon 2 Jan 15:04 MST")
				}
				if len(r.Next) > 0 {
					next = r.Next[0].Person.ID + " at " + r.Next[0].Start.Format("Mon 2 Jan 15:04 MST")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Schedule, who, until, next)
			}
			return tw.Flush()
		},
	}
	clientFlags(cmd, c)
	cmd.AddCommand(overrideCmd(c))
	f := cmd.Flags()
	f.StringVar(&at, "at", "", "when (RFC 3339); default now")
	f.StringVar(&schedule, "schedule", "", "only this schedule")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
