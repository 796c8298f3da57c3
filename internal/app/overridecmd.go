package app

import (
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

type overrideRow struct {
	ID        int64     `json:"id"`
	Schedule  string    `json:"schedule"`
	Person    string    `json:"person"`
	Replacing string    `json:"replacing"`
	From      time.Time `json:"from"`
	Until     time.Time `json:"until"`
	Note      string    `json:"note"`
	SwapID    int64     `json:"swap_id"`
	CreatedBy string    `json:"created_by"`
	State     string    `json:"state"`
	Outcome   string    `json:"outcome"`
}

type overrideList struct {
	Overrides []overrideRow `json:"overrides"`
}

func overrideCmd(c *client) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "override",
		Short: "Add, list and remove on-call overrides and swaps made at run time",
		Long: `Overrides put someone on call on a schedule for a while, on top of the
config's rotations and overrides; the pager counts them at once. Without
--replacing the person alone is on call; with --replacing Q they stand in
for Q only, wherever Q would be on call, and anyone else on call stays. Of
two overlapping overrides, the one made later wins.

With the respond scope you may put yourself on call (a token needs a
person: in the config); putting someone else on call needs operate.`,
	}
	cmd.AddCommand(overrideAddCmd(c), overrideSwapCmd(c), overrideListCmd(c), overrideRmCmd(c))
	return cmd
}

func overrideAddCmd(c *client) *cobra.Command {
	var schedule, person, replacing, from, until, note string
	cmd := &cobra.Command{
		Use:   "add --schedule S --person P [--from T] --until T [--replacing Q]",
		Short: "Put someone on call for a while",
		Example: `  # glen covers the night for thach
  vigil oncall override add --schedule sre-primary --person glen --replacing thach \
    --from 2026-11-24T22:00:00+07:00 --until 2026-11-25T07:00:00+07:00 --note "thach is on a flight"
  # susan is on call from now until tomorrow morning, whoever the rotation says
  vigil oncall override add --schedule sre-primary --person susan --until 2026-11-25T09:00:00Z`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := rfc3339Flags(map[string]string{"--from": from, "--until": until}); err != nil {
				return err
			}
			req := map[string]string{"person": person, "replacing": replacing, "from": from, "until": until, "note": note}
			var o overrideRow
			if err := c.do(cmd.Context(), "POST", "/api/v1/schedules/"+url.PathEscape(schedule)+"/overrides", req, &o); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "override %d: %s\n", o.ID, describeOverride(o))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&schedule, "schedule", "", "schedule id (required)")
	f.StringVar(&person, "person", "", "who is on call (required)")
	f.StringVar(&replacing, "replacing", "", "stand in for this person only")
	f.StringVar(&from, "from", "", "start (RFC 3339); default now")
	f.StringVar(&until, "until", "", "end (RFC 3339, required)")
	f.StringVar(&note, "note", "", "why, shown on the calendar")
	for _, name := range []string{"schedule", "person", "until"} {
		cmd.MarkFlagRequired(name)
	}
	return cmd
}

func overrideSwapCmd(c *client) *cobra.Command {
	var schedule, person, with, from, until, backFrom, backUntil, note string
	cmd := &cobra.Command{
		Use:   "swap --schedule S --person P --with Q --from T --until T --back-from T --back-until T",
		Short: "Exchange shifts: P takes Q's shift, Q takes one of P's",
		Example: `  # thach takes john's Tuesday, john takes thach's Thursday
  vigil oncall override swap --schedule sre-primary --person thach --with john \
    --from 2026-12-01T09:00:00+07:00 --until 2026-12-02T09:00:00+07:00 \
    --back-from 2026-12-03T09:00:00+07:00 --back-until 2026-12-04T09:00:00+07:00`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := rfc3339Flags(map[string]string{"--from": from, "--until": until, "--back-from": backFrom, "--back-until": backUntil}); err != nil {
				return err
			}
			req := map[string]string{"person": person, "with": with, "from": from, "until": until,
				"back_from": backFrom, "back_until": backUntil, "note": note}
			var out overrideList
			if err := c.do(cmd.Context(), "POST", "/api/v1/schedules/"+url.PathEscape(schedule)+"/swaps", req, &out); err != nil {
				return err
			}
			for _, o := range out.Overrides {
				fmt.Fprintf(cmd.OutOrStdout(), "override %d: %s\n", o.ID, describeOverride(o))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&schedule, "schedule", "", "schedule id (required)")
	f.StringVar(&person, "person", "", "who takes --with's shift (required)")
	f.StringVar(&with, "with", "", "who takes --person's shift in exchange (required)")
	f.StringVar(&from, "from", "", "start of --with's shift that --person takes (RFC 3339)")
	f.StringVar(&until, "until", "", "its end (RFC 3339)")
	f.StringVar(&backFrom, "back-from", "", "start of --person's shift that --with takes (RFC 3339)")
	f.StringVar(&backUntil, "back-until", "", "its end (RFC 3339)")
	f.StringVar(&note, "note", "", "why, shown on the calendar")
	for _, name := range []string{"schedule", "person", "with", "from", "until", "back-from", "back-until"} {
		cmd.MarkFlagRequired(name)
	}
	return cmd
}

func overrideListCmd(c *client) *cobra.Command {
	var schedule string
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--schedule S] [--all]",
		Short: "List overrides to come and under way (--all: past ones too)",
		Example: `  vigil oncall override list
  vigil oncall override list --schedule sre-primary --all --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			schedules := []string{schedule}
			if schedule == "" {
				var rows []struct {
					Schedule string `json:"schedule"`
				}
				if err := c.do(cmd.Context(), "GET", "/api/v1/oncall", nil, &rows); err != nil {
					return err
				}
				schedules = schedules[:0]
				for _, r := range rows {
					schedules = append(schedules, r.Schedule)
				}
			}
			q := url.Values{"limit": {"1000"}}
			if all {
				q.Set("all", "true")
			}
			found := []overrideRow{}
			for _, id := range schedules {
				var out overrideList
				if err := c.do(cmd.Context(), "GET", "/api/v1/schedules/"+url.PathEscape(id)+"/overrides?"+q.Encode(), nil, &out); err != nil {
					return err
				}
				found = append(found, out.Overrides...)
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), found)
			}
			return printOverrides(cmd.OutOrStdout(), found)
		},
	}
	f := cmd.Flags()
	f.StringVar(&schedule, "schedule", "", "only this schedule")
	f.BoolVar(&all, "all", false, "include overrides that are over")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func overrideRmCmd(c *client) *cobra.Command {
	var schedule string
	cmd := &cobra.Command{
		Use:   "rm --schedule S ID...",
		Short: "Remove overrides: one to come goes, one under way ends now",
		Long: `Remove overrides by id (see "vigil oncall override list"). One that has not
begun is removed; one under way ends now and stays as a record; removing
either half of a swap removes both.`,
		Example: `  vigil oncall override rm --schedule sre-primary 12`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, id := range args {
				var out overrideList
				path := "/api/v1/schedules/" + url.PathEscape(schedule) + "/overrides/" + url.PathEscape(id)
				if err := c.do(cmd.Context(), "DELETE", path, nil, &out); err != nil {
					return fmt.Errorf("override %s: %w", id, err)
				}
				for _, o := range out.Overrides {
					fmt.Fprintf(cmd.OutOrStdout(), "override %d %s: %s\n", o.ID, o.Outcome, describeOverride(o))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&schedule, "schedule", "", "schedule id (required)")
	cmd.MarkFlagRequired("schedule")
	return cmd
}

// rfc3339Flags checks the time flags that were given.
func rfc3339Flags(flags map[string]string) error {
	for name, v := range flags {
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return fmt.Errorf("%s must be an RFC 3339 time such as 2026-12-01T09:00:00+07:00, not %q", name, v)
		}
	}
	return nil
}

func describeOverride(o overrideRow) string {
	s := fmt.Sprintf("%s on call on %s from %s until %s", o.Person, o.Schedule, o.From.Format(time.RFC3339), o.Until.Format(time.RFC3339))
	if o.Replacing != "" {
		s += ", standing in for " + o.Replacing
	}
	return s
}

func printOverrides(w io.Writer, rows []overrideRow) error {
	if len(rows) == 0 {
		fmt.Fprintln(w, "no overrides")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCHEDULE\tPERSON\tFOR\tFROM\tUNTIL\tSTATE\tBY\tNOTE")
	for _, o := range rows {
		forWhom := o.Replacing
		if forWhom == "" {
			forWhom = "-"
		}
		state := o.State
		if o.SwapID != 0 {
			state += fmt.Sprintf(" (swap %d)", o.SwapID)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, o.Schedule, o.Person, forWhom,
			o.From.Format(time.RFC3339), o.Until.Format(time.RFC3339), state, o.CreatedBy, o.Note)
	}
	return tw.Flush()
}
