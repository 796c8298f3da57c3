package app

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/duration"
)

type silenceRow struct {
	ID        string    `json:"id"`
	Matchers  []string  `json:"matchers"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	CreatedBy string    `json:"created_by"`
	Comment   string    `json:"comment"`
	State     string    `json:"state"`
}

func silenceCmd() *cobra.Command {
	c := &client{}
	cmd := &cobra.Command{
		Use:   "silence",
		Short: "Add, list and expire silences on a running Vigil",
		Long: `Silences hold back notifications for alerts whose labels match, as in
Alertmanager; the alerts are still recorded. Matchers use Alertmanager's
syntax: name="value", name!="value", name=~"regex", name!~"regex".`,
	}
	clientFlags(cmd, c)
	cmd.AddCommand(silenceAddCmd(c), silenceListCmd(c), silenceExpireCmd(c))
	return cmd
}

func silenceAddCmd(c *client) *cobra.Command {
	var dur duration.Duration
	var until, comment, by string
	cmd := &cobra.Command{
		Use:   "add MATCHER...",
		Short: "Silence matching alerts for a while",
		Example: `  vigil silence add 'service="shop"' 'alertname=~"dns.*"' --duration 2h --comment "release night"
  vigil silence add 'check="db"' --until 2026-11-28T00:00:00Z --comment "DB migration"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := map[string]any{"matchers": args, "comment": comment}
			switch {
			case until != "":
				t, err := time.Parse(time.RFC3339, until)
				if err != nil {
					return fmt.Errorf("--until must be an RFC 3339 time such as 2026-11-28T00:00:00Z")
				}
				req["ends_at"] = t
			case dur > 0:
				req["duration"] = dur.String()
			default:
				return fmt.Errorf("say how long: --duration 2h or --until TIME")
			}
			if by != "" {
				req["created_by"] = by
			}
			var s silenceRow
			if err := c.do(cmd.Context(), "POST", "/api/v1/silences", req, &s); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "silence %s %s until %s\n", s.ID, s.State, s.EndsAt.Format(time.RFC3339))
			return nil
		},
	}
	f := cmd.Flags()
	f.TextVar(&dur, "duration", duration.Duration(0), "how long, e.g. 2h or 1d")
	f.StringVar(&until, "until", "", "end time (RFC 3339)")
	cmd.MarkFlagsMutuallyExclusive("duration", "until")
	f.StringVar(&comment, "comment", "", "why (required)")
	f.StringVar(&by, "by", "", "your name, recorded with the token's")
	cmd.MarkFlagRequired("comment")
	return cmd
}

func silenceListCmd(c *client) *cobra.Command {
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List active and pending silences (--all for expired ones too)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := "/api/v1/silences"
			if all {
				path += "?all=true"
			}
			var rows []silenceRow
			if err := c.do(cmd.Context(), "GET", path, nil, &rows); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no silences")
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATE\tENDS\tBY\tMATCHERS\tCOMMENT")
			for _, s := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.State, s.EndsAt.Format(time.RFC3339), s.CreatedBy,
					strings.Join(s.Matchers, " "), s.Comment)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "include expired silences")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func silenceExpireCmd(c *client) *cobra.Command {
	return &cobra.Command{
		Use:   "expire ID...",
		Short: "End silences now",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, id := range args {
				if err := c.do(cmd.Context(), "DELETE", "/api/v1/silences/"+id, nil, nil); err != nil {
					return fmt.Errorf("silence %s: %w", id, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "silence %s expired\n", id)
			}
			return nil
		},
	}
}
