package app

import (
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/report/postmortem"
)

func postmortemCmd() *cobra.Command {
	c := &client{}
	var format, out, tz string
	var printTemplate bool
	cmd := &cobra.Command{
		Use:   "postmortem INCIDENT",
		Short: "Write an incident's postmortem (Google SRE template) as Markdown or HTML",
		Long: `Generate the postmortem of an incident from its record: timeline,
durations, alerts, who was paged, runbook runs and deploys are filled in;
root causes, trigger, resolution and lessons come from what people wrote
(PUT /api/v1/incidents/{id}/postmortem) or say "To be written".

Times are in --tz, by default the time zone of the person your token
belongs to (people[].timezone), else global.timezone.

The template is a text/template producing Markdown. Replace it with
global.postmortem_template; --print-template prints the built-in one to
start from.`,
		Example: "  vigil postmortem 7 -o 2021-09-04-outage.md\n  vigil postmortem 7 --format html --tz Asia/Ho_Chi_Minh -o outage.html",
		Args: func(cmd *cobra.Command, args []string) error {
			if printTemplate {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if printTemplate {
				_, err := io.WriteString(cmd.OutOrStdout(), postmortem.DefaultTemplate())
				return err
			}
			q := url.Values{"format": {format}}
			if tz != "" {
				q.Set("tz", tz)
			}
			body, err := c.text(cmd.Context(), "/api/v1/incidents/"+args[0]+"/postmortem?"+q.Encode())
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = io.WriteString(cmd.OutOrStdout(), body)
				return err
			}
			if err := os.WriteFile(out, []byte(body), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
			return nil
		},
	}
	clientFlags(cmd, c)
	f := cmd.Flags()
	f.StringVar(&format, "format", "md", "md or html")
	f.StringVarP(&out, "output", "o", "", "write to FILE instead of stdout")
	f.StringVar(&tz, "tz", "", "time zone for the times (default: your token's person's timezone, else global.timezone)")
	f.BoolVar(&printTemplate, "print-template", false, "print the built-in template and exit")
	return cmd
}
