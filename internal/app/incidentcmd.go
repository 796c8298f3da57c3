package app

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

type incidentJSON struct {
	store.IncidentRow
	Metrics struct {
		ToDetect   *time.Duration `json:"time_to_detect"`
		ToAck      *time.Duration `json:"time_to_acknowledge"`
		ToMitigate *time.Duration `json:"time_to_mitigate"`
		ToResolve  *time.Duration `json:"time_to_resolve"`
	} `json:"metrics"`
	Alerts   []int64               `json:"alerts"`
	Timeline []store.TimelineEntry `json:"timeline"`
}

func incidentCmd() *cobra.Command {
	c := &client{}
	cmd := &cobra.Command{
		Use:   "incident",
		Short: "Declare and run incidents on a running Vigil",
		Long: `Declare an incident, record what happens (status, roles, notes, the chat),
and read its timeline. Changes need a token with the respond scope.

Severities: SEV1 (critical: customers cannot use the product), SEV2 (major:
a core function is degraded), SEV3 (minor: a part is degraded, with a
workaround), SEV4 (low: no customer impact yet). Statuses go
investigating → identified → monitoring → resolved.`,
	}
	clientFlags(cmd, c)
	cmd.AddCommand(incidentDeclareCmd(c), incidentNoteCmd(c), incidentStatusCmd(c, "status"), incidentStatusCmd(c, "resolve"),
		incidentRoleCmd(c), incidentImportCmd(c), incidentListCmd(c), incidentShowCmd(c))
	return cmd
}

func incidentDeclareCmd(c *client) *cobra.Command {
	var sev, summary, started, by string
	var services []string
	var alerts []int64
	var roles []string
	cmd := &cobra.Command{
		Use:   "declare TITLE",
		Short: "Declare an incident; its services' stakeholders are told",
		Example: `  vigil incident declare "Application outage" --severity SEV1 --service shop \
      --started 2021-09-04T09:15:00Z --alert 4 --role commander=thach --by thach`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]any{"title": args[0], "severity": sev, "services": services, "summary": summary, "alert_ids": alerts, "by": by}
			if started != "" {
				body["started_at"] = started
			}
			if len(roles) > 0 {
				rm := map[string]string{}
				for _, r := range roles {
					k, v, ok := strings.Cut(r, "=")
					if !ok {
						return fmt.Errorf("--role %q: write ROLE=PERSON", r)
					}
					rm[k] = v
				}
				body["roles"] = rm
			}
			var in incidentJSON
			if err := c.do(cmd.Context(), "POST", "/api/v1/incidents", body, &in); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "incident %d declared: %s %s\n", in.ID, in.Severity, in.Title)
			for _, e := range in.Timeline {
				if e.Kind == "deploy" || e.Kind == "change" || e.Kind == "run" {
					fmt.Fprintf(cmd.OutOrStdout(), "  recent change: %s %s\n", e.At.Format("2006-01-02 15:04 MST"), e.Text)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&sev, "severity", "SEV2", "SEV1, SEV2, SEV3 or SEV4")
	f.StringArrayVar(&services, "service", nil, "affected service (repeat)")
	f.StringVar(&summary, "summary", "", "what is known so far")
	f.StringVar(&started, "started", "", "when impact began (RFC 3339); default now or the earliest alert")
	f.Int64SliceVar(&alerts, "alert", nil, "alert id to link (repeat)")
	f.StringArrayVar(&roles, "role", nil, "ROLE=PERSON: commander, communications or scribe")
	f.StringVar(&by, "by", "", "who is declaring")
	return cmd
}

func incidentNoteCmd(c *client) *cobra.Command {
	var at, by string
	cmd := &cobra.Command{
		Use:     "note ID TEXT",
		Short:   "Add a note to an incident's timeline, optionally backdated",
		Example: `  vigil incident note 7 "Restarted the app; still no response" --at 2021-09-04T09:47:00Z --by thach`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]string{"text": args[1], "at": at, "by": by}
			var e store.TimelineEntry
			if err := c.do(cmd.Context(), "POST", "/api/v1/incidents/"+args[0]+"/notes", body, &e); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "noted at %s\n", e.At.Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "when it happened (RFC 3339); default now")
	cmd.Flags().StringVar(&by, "by", "", "who writes it")
	return cmd
}

func incidentStatusCmd(c *client, verb string) *cobra.Command {
	var note, at, by string
	use, short, args := "status ID STATUS", "Move an incident to investigating, identified, monitoring or resolved", cobra.ExactArgs(2)
	example := "  vigil incident status 7 identified --note \"QA build deployed to prod\"\n  vigil incident status 7 monitoring"
	if verb == "resolve" {
		use, short, args = "resolve ID", "Resolve an incident", cobra.ExactArgs(1)
		example = "  vigil incident resolve 7\n  vigil incident resolve 7 --at 2021-09-04T10:30:00Z --note \"rolled back to 1.4.2\""
	}
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    args,
		RunE: func(cmd *cobra.Command, a []string) error {
			status := "resolved"
			if verb == "status" {
				status = a[1]
			}
			var in incidentJSON
			if err := c.do(cmd.Context(), "POST", "/api/v1/incidents/"+a[0]+"/status", map[string]string{"status": status, "note": note, "at": at, "by": by}, &in); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "incident %d is %s\n", in.ID, in.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "what changed")
	cmd.Flags().StringVar(&at, "at", "", "when (RFC 3339); default now")
	cmd.Flags().StringVar(&by, "by", "", "who")
	return cmd
}

func incidentRoleCmd(c *client) *cobra.Command {
	var by string
	cmd := &cobra.Command{
		Use:     "role ID ROLE PERSON",
		Short:   "Give a role (commander, communications, scribe) to a person",
		Example: "  vigil incident role 7 communications susan",
		Args:    cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, a []string) error {
			var in incidentJSON
			if err := c.do(cmd.Context(), "POST", "/api/v1/incidents/"+a[0]+"/roles", map[string]string{"role": a[1], "person": a[2], "by": by}, &in); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "incident %d: %s is %s\n", in.ID, a[2], a[1])
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "who")
	return cmd
}

func incidentImportCmd(c *client) *cobra.Command {
	var format, date, tz string
	cmd := &cobra.Command{
		Use:   "import ID FILE",
		Short: "Import a chat log or a Slack channel export into the timeline",
		Long: `Add a chat to an incident's timeline, each message at its own time.

--format log reads one message per line: "09:15 text FROM: svega" or
"0930 -- text FROM: sparrow" (FROM with or without a colon, in bold or not).
Give the day and time zone the times refer to with --date and --tz.
--format slack reads a Slack channel export (the JSON file per day).
Importing the same chat twice adds nothing twice. FILE - reads stdin.`,
		Example: "  vigil incident import 7 outage-chat.txt --date 2021-09-04 --tz UTC\n  vigil incident import 7 2021-09-04.json --format slack",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, a []string) error {
			var body []byte
			var err error
			if a[1] == "-" {
				body, err = io.ReadAll(cmd.InOrStdin())
			} else {
				body, err = os.ReadFile(a[1])
			}
			if err != nil {
				return err
			}
			q := url.Values{"format": {format}, "date": {date}, "tz": {tz}}
			var res struct {
				Added    int `json:"added"`
				Skipped  int `json:"skipped"`
				Problems []struct {
					Line int    `json:"line"`
					Msg  string `json:"message"`
				} `json:"problems"`
			}
			resp, err := c.send(cmd.Context(), "POST", "/api/v1/incidents/"+a[0]+"/import?"+q.Encode(), bytes.NewReader(body), 60*time.Second)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if err := decodeAnswer(resp, &res); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d messages (%d already there)\n", res.Added, res.Skipped)
			for _, p := range res.Problems {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s:%d: %s\n", a[1], p.Line, p.Msg)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "log", "log or slack")
	f.StringVar(&date, "date", "", "the day the chat's times refer to (2021-09-04); required for log")
	f.StringVar(&tz, "tz", "UTC", "the time zone of the chat's times")
	return cmd
}

func incidentListCmd(c *client) *cobra.Command {
	var status string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List incidents, the latest impact first",
		Long: `List incidents, the latest impact first. AGE is how long ago the impact
began (started_at, which a declaration may backdate), not when the incident
was declared. --status takes investigating, identified, monitoring,
resolved, open (all but resolved) or all, comma-separated.`,
		Example: "  vigil incident list\n  vigil incident list --status open",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var rows []store.IncidentRow
			if err := c.do(cmd.Context(), "GET", "/api/v1/incidents?status="+url.QueryEscape(status), nil, &rows); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEV\tSTATUS\tSERVICES\tAGE\tTITLE")
			now := clock.Real().Now()
			for _, in := range rows {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", in.ID, in.Severity, in.Status, strings.Join(in.Services, ","), ago(now, in.StartedAt), in.Title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "only these statuses (comma list; open, all)")
	return cmd
}

func incidentShowCmd(c *client) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show an incident with its durations and timeline",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, a []string) error {
			var in incidentJSON
			if err := c.do(cmd.Context(), "GET", "/api/v1/incidents/"+a[0], nil, &in); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), in)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "incident %d: %s\n%s, %s; services %s\n", in.ID, in.Title, in.Severity, in.Status, strings.Join(in.Services, ", "))
			for _, d := range []struct {
				name string
				v    *time.Duration
			}{{"detect", in.Metrics.ToDetect}, {"acknowledge", in.Metrics.ToAck}, {"mitigate", in.Metrics.ToMitigate}, {"resolve", in.Metrics.ToResolve}} {
				if d.v != nil {
					fmt.Fprintf(w, "time to %s: %s\n", d.name, d.v.Round(time.Second))
				}
			}
			fmt.Fprintln(w, "timeline:")
			for _, e := range in.Timeline {
				who := ""
				if e.Actor != "" {
					who = " (" + e.Actor + ")"
				}
				fmt.Fprintf(w, "  %s  %-12s %s%s\n", e.At.UTC().Format("2006-01-02 15:04"), e.Kind, e.Text, who)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
