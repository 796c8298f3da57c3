package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

type runJSON struct {
	store.RunRow
	Steps []store.StepRow `json:"steps"`
}

func runCmd() *cobra.Command {
	c := &client{}
	var params []string
	var dry, follow bool
	var confirm string
	cmd := &cobra.Command{
		Use:   "run RUNBOOK",
		Short: "Run a runbook on a running Vigil, follow a run, approve one",
		Long: `Start a runbook by hand over the API (token scope operate). Params are
declared by the runbook and checked by type; nothing else can be passed.
Every guard of the runbook applies: a refused run says which guard refused
it and why (HTTP 409).

--dry-run renders every step (the argv, the request, the files a cleanup
would delete) and executes nothing. What depends on earlier steps is shown,
not decided: <steps.ID.stdout>, <if steps.ID.ok: ... | else: ...>. A destructive runbook (guard.confirm)
runs only when --confirm repeats the target's name exactly.`,
		Example: `  vigil run log-cleanup --dry-run
  vigil run order-processor-restart -p host=app1 --follow
  vigil run delete-project -p project=shop-staging --confirm shop-staging
  vigil run logs r_7f3kq2 -f
  vigil run approve r_7f3kq2 --comment "checked with DBA"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := map[string]string{}
			for _, kv := range params {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "" {
					return fmt.Errorf("--param %q: write NAME=VALUE", kv)
				}
				p[k] = v
			}
			body := map[string]any{"params": p, "dry_run": dry}
			if confirm != "" {
				body["confirm"] = confirm
			}
			var r runJSON
			if err := c.do(cmd.Context(), "POST", "/api/v1/runbooks/"+args[0]+"/runs", body, &r); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if dry {
				fmt.Fprintf(out, "dry run %s of %s: nothing was executed\n", r.ID, r.Runbook)
				if r.Reason != "" {
					fmt.Fprintln(out, r.Reason)
				}
				for _, s := range r.Steps {
					fmt.Fprintf(out, "%d. %s (%s)\n   %s\n", s.Seq+1, s.StepID, s.Kind, s.Detail)
					if s.Error != "" {
						fmt.Fprintf(out, "   error: %s\n", s.Error)
					}
				}
				return nil
			}
			fmt.Fprintf(out, "run %s of %s: %s\n", r.ID, r.Runbook, r.Status)
			if follow {
				return followRun(cmd.Context(), c, out, r.ID)
			}
			return nil
		},
	}
	clientFlags(cmd, c)
	f := cmd.Flags()
	f.StringArrayVarP(&params, "param", "p", nil, "NAME=VALUE; repeat for each param (a list param takes a,b,c)")
	f.BoolVar(&dry, "dry-run", false, "render every step, execute nothing")
	f.StringVar(&confirm, "confirm", "", "the target's name, for runbooks that ask for it")
	f.BoolVarP(&follow, "follow", "f", false, "follow the run until it ends")
	cmd.AddCommand(runLogsCmd(c), runApproveCmd(c), runDenyCmd(c), runListCmd(c))
	return cmd
}

func runLogsCmd(c *client) *cobra.Command {
	var follow bool
	cmd := &cobra.Command{
		Use:     "logs RUN",
		Short:   "Show a run's steps and output; -f follows it live",
		Example: "  vigil run logs r_7f3kq2\n  vigil run logs r_7f3kq2 -f",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if follow {
				return followRun(cmd.Context(), c, cmd.OutOrStdout(), args[0])
			}
			var r runJSON
			if err := c.do(cmd.Context(), "GET", "/api/v1/runs/"+args[0], nil, &r); err != nil {
				return err
			}
			printRunHeader(cmd.OutOrStdout(), r.RunRow)
			for _, s := range r.Steps {
				printStep(cmd.OutOrStdout(), s)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "stream steps as they happen (server-sent events)")
	return cmd
}

func runApproveCmd(c *client) *cobra.Command {
	var comment string
	cmd := &cobra.Command{
		Use:   "approve RUN",
		Short: "Approve a run that waits for approval",
		Long: `Approve a run held by the runbook's approval guard or by an approve step.
When the runbook lists approvers, the token must belong to one of them
(tokens: [{..., person: ID}]). Whoever started the run (the same token, or
the token's person) may not approve it unless the runbook's guard says
distinct_approver: false.`,
		Example: `  vigil run approve r_7f3kq2 --comment "go ahead, DBA is on the bridge"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r store.RunRow
			if err := c.do(cmd.Context(), "POST", "/api/v1/runs/"+args[0]+"/approve", map[string]string{"comment": comment}, &r); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "run %s approved\n", r.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&comment, "comment", "", "why, for the audit log")
	return cmd
}

func runDenyCmd(c *client) *cobra.Command {
	var comment string
	cmd := &cobra.Command{
		Use:   "deny RUN",
		Short: "Deny a run that waits for approval; it is canceled",
		Long: `Deny a run held by the runbook's approval guard or by an approve step: the
run ends canceled, its reason naming who denied it, and nothing more runs.
Whoever may approve the run may deny it, and so may whoever started it, to
withdraw their own request.`,
		Example: `  vigil run deny r_7f3kq2 --comment "not during the sale; tomorrow 06:00"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r store.RunRow
			if err := c.do(cmd.Context(), "POST", "/api/v1/runs/"+args[0]+"/deny", map[string]string{"comment": comment}, &r); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "run %s denied; it is canceled\n", r.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&comment, "comment", "", "why, for the audit log and the run's reason")
	return cmd
}

func runListCmd(c *client) *cobra.Command {
	var runbook, status string
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List recent runs, newest first",
		Example: "  vigil run list --runbook log-cleanup\n  vigil run list --status open\n  vigil run list --status failed,refused",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := "/api/v1/runs?" + url.Values{"runbook": {runbook}, "status": {status}}.Encode()
			var rows []store.RunRow
			if err := c.do(cmd.Context(), "GET", path, nil, &rows); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), rows)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tRUNBOOK\tSTATUS\tTRIGGER\tAGE\tREASON")
			now := clock.Real().Now()
			for _, r := range rows {
				status := r.Status
				if r.DryRun {
					status = "dry run"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Runbook, status, r.TriggeredBy, ago(now, r.CreatedAt), r.Reason)
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&runbook, "runbook", "", "only this runbook's runs")
	f.StringVar(&status, "status", "", "only these statuses (comma list of pending, awaiting_approval, running, succeeded, failed, refused, interrupted, canceled, or open for the first three)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printRunHeader(w io.Writer, r store.RunRow) {
	fmt.Fprintf(w, "run %s of %s: %s (trigger %s", r.ID, r.Runbook, r.Status, r.Trigger)
	if r.TriggeredBy != "" {
		fmt.Fprintf(w, " by %s", r.TriggeredBy)
	}
	fmt.Fprintln(w, ")")
	if r.Reason != "" {
		fmt.Fprintln(w, "  "+r.Reason)
	}
}

func printStep(w io.Writer, s store.StepRow) {
	line := fmt.Sprintf("[%s] %s (%s): %s", s.StartedAt.Format("15:04:05"), s.StepID, s.Kind, s.Status)
	if s.HasExit {
		line += fmt.Sprintf(", exit %d", s.ExitCode)
	}
	if s.Attempt > 1 {
		line += fmt.Sprintf(", attempt %d", s.Attempt)
	}
	fmt.Fprintln(w, line)
	if s.Detail != "" && s.Status != "running" {
		fmt.Fprintln(w, "  "+s.Detail)
	}
	for _, out := range []string{s.Stdout, s.Stderr, s.Error} {
		for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if l != "" {
				fmt.Fprintln(w, "  | "+l)
			}
		}
	}
}

// followRun prints a run's server-sent events until it ends.
func followRun(ctx context.Context, c *client, w io.Writer, id string) error {
	resp, err := c.send(ctx, "GET", "/api/v1/runs/"+id+"/events", nil, 0)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var event string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data := []byte(strings.TrimPrefix(line, "data: "))
			switch event {
			case "snapshot":
				var r runJSON
				if json.Unmarshal(data, &r) == nil {
					printRunHeader(w, r.RunRow)
					for _, s := range r.Steps {
						printStep(w, s)
					}
				}
			case "step":
				var ev struct {
					Step store.StepRow `json:"step"`
				}
				if json.Unmarshal(data, &ev) == nil && ev.Step.Status != "running" {
					printStep(w, ev.Step)
				}
			case "end":
				var r store.RunRow
				if json.Unmarshal(data, &r) == nil {
					fmt.Fprintf(w, "run %s %s%s\n", r.ID, r.Status, prefixText(": ", r.Reason))
					if r.Status != store.RunSucceeded {
						return fmt.Errorf("run %s %s", r.ID, r.Status)
					}
				}
				return nil
			}
		}
	}
	return sc.Err()
}

func prefixText(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}
