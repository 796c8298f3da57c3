package app

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/clock"
)

type alertRow struct {
	ID          int64             `json:"id"`
	Status      string            `json:"status"`
	Severity    string            `json:"severity"`
	Service     string            `json:"service"`
	Summary     string            `json:"summary"`
	Occurrences int               `json:"occurrences"`
	FirstSeen   time.Time         `json:"first_seen"`
	AckedBy     string            `json:"acknowledged_by"`
	Labels      map[string]string `json:"labels"`
	// What holds the alert back from paging, when anything does.
	SilencedBy   []string `json:"silenced_by,omitempty"`
	Maintenance  string   `json:"maintenance,omitempty"`
	Inhibited    bool     `json:"inhibited,omitempty"`
	SuppressedBy string   `json:"suppressed_by,omitempty"`
}

// status is the alert's status with what holds it back: "firing (silenced)".
func (a alertRow) status() string {
	switch {
	case len(a.SilencedBy) > 0:
		return a.Status + " (silenced)"
	case a.Maintenance != "":
		return a.Status + " (maintenance)"
	case a.Inhibited:
		return a.Status + " (inhibited)"
	}
	return a.Status
}

func alertCmd() *cobra.Command {
	c := &client{}
	cmd := &cobra.Command{
		Use:   "alert",
		Short: "List, send, acknowledge and resolve alerts on a running Vigil",
		Long: `Work with alerts on a running Vigil over its API. Set the server with
--server or VIGIL_SERVER and a token with --token or VIGIL_TOKEN: listing
needs the read scope, sending operate, ack and resolve respond.`,
	}
	clientFlags(cmd, c)
	cmd.AddCommand(alertListCmd(c), alertSendCmd(c), alertOpCmd(c, "ack", "Acknowledge an alert: its escalation stops"),
		alertOpCmd(c, "resolve", "Resolve an alert"))
	return cmd
}

func alertListCmd(c *client) *cobra.Command {
	var status, service string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List alerts, newest first",
		Long: `List alerts, newest first. An open alert that pages nobody now says why
in its status: "firing (silenced)" while a silence matches it, "(maintenance)"
in a maintenance window, "(inhibited)" while a firing alert inhibits it; --json
gives the silences' ids (silenced_by), maintenance, inhibited and suppressed_by.`,
		Example: "  vigil alert list\n  vigil alert list --status all --service shop --limit 50",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := "/api/v1/alerts?limit=" + strconv.Itoa(limit)
			if status != "all" {
				path += "&status=" + status
			}
			if service != "" {
				path += "&service=" + service
			}
			var rows []alertRow
			if err := c.do(cmd.Context(), "GET", path, nil, &rows); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no alerts")
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATUS\tSEVERITY\tSERVICE\tAGE\tCOUNT\tSUMMARY")
			now := clock.Real().Now() // the CLI user's own clock
			for _, a := range rows {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", a.ID, a.status(), a.Severity, a.Service, ago(now, a.FirstSeen), a.Occurrences, a.Summary)
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&status, "status", "open", "firing, acknowledged, resolved, open (firing or acknowledged) or all")
	f.StringVar(&service, "service", "", "only this service's alerts")
	f.IntVar(&limit, "limit", 50, "at most this many")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func alertSendCmd(c *client) *cobra.Command {
	ev := struct {
		Key         string            `json:"key"`
		Action      string            `json:"action"`
		Summary     string            `json:"summary,omitempty"`
		Severity    string            `json:"severity,omitempty"`
		Service     string            `json:"service,omitempty"`
		Labels      map[string]string `json:"labels,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
		Runbook     string            `json:"runbook,omitempty"`
	}{}
	var resolve bool
	cmd := &cobra.Command{
		Use:   "send SUMMARY",
		Short: "Raise (or resolve) an alert by hand or from a script",
		Long: `Raise an alert through POST /api/v1/events. Alerts with the same --key are
one alert: sending again counts an occurrence, --resolve closes it.`,
		Example: `  vigil alert send --service shop --severity critical --key shop-down "Shop returns 502"
  vigil alert send --key shop-down --resolve`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				ev.Summary = args[0]
			}
			ev.Action = "trigger"
			if resolve {
				ev.Action = "resolve"
			} else if ev.Summary == "" {
				return fmt.Errorf("a summary is required to raise an alert")
			}
			if ev.Key == "" {
				if resolve {
					return fmt.Errorf("--key is required to resolve")
				}
				ev.Key = strings.ToLower(strings.Join(strings.Fields(ev.Service+" "+ev.Summary), "-"))
			}
			var out struct {
				Alerts []struct {
					AlertID int64  `json:"alert_id"`
					Status  string `json:"status"`
					New     bool   `json:"new"`
					Ignored bool   `json:"ignored"`
				} `json:"alerts"`
			}
			if err := c.do(cmd.Context(), "POST", "/api/v1/events", ev, &out); err != nil {
				return err
			}
			for _, a := range out.Alerts {
				switch {
				case a.Ignored:
					fmt.Fprintf(cmd.OutOrStdout(), "no open alert has key %q\n", ev.Key)
				case a.New:
					fmt.Fprintf(cmd.OutOrStdout(), "alert %d %s (key %q)\n", a.AlertID, a.Status, ev.Key)
				default:
					fmt.Fprintf(cmd.OutOrStdout(), "alert %d is %s\n", a.AlertID, a.Status)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&ev.Key, "key", "", "dedup key: events with the same key are one alert")
	f.StringVar(&ev.Severity, "severity", "error", "critical, error, warning or info")
	f.StringVar(&ev.Service, "service", "", "service the alert belongs to")
	f.StringToStringVar(&ev.Labels, "label", nil, "label, e.g. --label team=sre (repeatable)")
	f.StringToStringVar(&ev.Annotations, "annotation", nil, "annotation, e.g. --annotation dashboard=URL")
	f.StringVar(&ev.Runbook, "runbook", "", "runbook id to hand the responder")
	f.BoolVar(&resolve, "resolve", false, "resolve the alert with --key instead of raising it")
	return cmd
}

func alertOpCmd(c *client, verb, short string) *cobra.Command {
	var by string
	cmd := &cobra.Command{
		Use:     verb + " ID...",
		Short:   short,
		Example: "  vigil alert " + verb + " 42",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var body any
			if by != "" {
				body = map[string]string{"by": by}
			}
			for _, id := range args {
				var a alertRow
				if err := c.do(cmd.Context(), "POST", "/api/v1/alerts/"+id+"/"+verb, body, &a); err != nil {
					return fmt.Errorf("alert %s: %w", id, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "alert %d is %s: %s\n", a.ID, a.Status, a.Summary)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "your name, recorded with the token's")
	return cmd
}
