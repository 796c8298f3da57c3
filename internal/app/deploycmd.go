package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/deploy"
	"github.com/vigil-sre/vigil/internal/store"
)

func deployCmd() *cobra.Command {
	c := &client{}
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Record deploys, follow their verification, ask the deploy guard",
		Long: `CI records each deploy of a service (which release, which commits), and
Vigil verifies it with the service's acceptance checks: a failure pages
and can start a rollback runbook. Before deploying, CI asks the deploy
guard whether the deploy may go ahead now: freeze windows, open SEV1/SEV2
incidents, versions that did not pass in the environments they are
promoted from, and unpinned images stop it (docs/releases.md).

record and check need a token with the operate scope, or the key of a
deploy integration; list and show need read.`,
	}
	clientFlags(cmd, c)
	cmd.AddCommand(deployRecordCmd(c), deployCheckCmd(c), deployListCmd(c), deployShowCmd(c))
	return cmd
}

func deployRecordCmd(c *client) *cobra.Command {
	var b struct {
		Service     string `json:"service"`
		Version     string `json:"version,omitempty"`
		Environment string `json:"environment"`
		Artifact    string `json:"artifact,omitempty"`
		By          string `json:"by,omitempty"`
		At          string `json:"at,omitempty"`
		Notes       string `json:"notes,omitempty"`
		Release     string `json:"release,omitempty"`
		Status      string `json:"status,omitempty"`
		Commits     []struct {
			SHA string `json:"sha"`
			At  string `json:"at"`
		} `json:"commits,omitempty"`
	}
	var commits []string
	var wait bool
	cmd := &cobra.Command{
		Use:   "record --service S --version V --environment E",
		Short: "Record a deploy; with --wait, wait for its verification",
		Long: `Record a deploy. Vigil links it to the service's release of that version
(or the one --release names) and, when the service has checks that verify
deploys, runs them at once and watches them until deploy.verify_within.

With --wait the command waits for the verdict: it exits 0 when the deploy
passed verification (or has none) and 1 when it failed, so a pipeline can
stop there. Each --commit is SHA@TIME (RFC 3339), the changes the deploy
brought, for lead time in vigil report delivery.`,
		Example: `  vigil deploy record --service shop --version 2.0.1 --environment production \
    --artifact registry.example/shop:2.0.1 --commit 9f1c2e@2026-11-23T08:30:00Z --wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, c := range commits {
				sha, at, ok := strings.Cut(c, "@")
				if !ok {
					return fmt.Errorf("--commit %q: write SHA@TIME, e.g. 9f1c2e@2026-11-23T08:30:00Z", c)
				}
				b.Commits = append(b.Commits, struct {
					SHA string `json:"sha"`
					At  string `json:"at"`
				}{sha, at})
			}
			var d store.DeployRow
			if err := c.do(cmd.Context(), "POST", "/api/v1/deploys", b, &d); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "deploy %d recorded: %s %s to %s%s\n", d.ID, d.Service, d.Version, d.Environment, releaseNote(d))
			if d.Verification == nil {
				fmt.Fprintln(out, unverifiedText(d))
				return nil
			}
			fmt.Fprintf(out, "verifying with %s until %s\n", checkList(d.Verification), d.Verification.Deadline.UTC().Format(time.RFC3339))
			if !wait {
				return nil
			}
			v, err := waitVerification(cmd, c, d.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "verification %s: %s\n", v.Status, v.Reason)
			if v.Status != store.VerifyPassed {
				return exitError{1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&b.Service, "service", "", "service id (required)")
	f.StringVar(&b.Version, "version", "", "version deployed (may be left out with --release)")
	f.StringVar(&b.Environment, "environment", "", "environment, e.g. staging or production (required)")
	f.StringVar(&b.Artifact, "artifact", "", "what was deployed, e.g. an image reference")
	f.StringVar(&b.Release, "release", "", "the release: its id or version (default: the release of --version, if any)")
	f.StringVar(&b.Status, "status", "", "how the deploy went: succeeded (default), failed, rolled_back")
	f.StringVar(&b.At, "at", "", "when, RFC 3339 (default now)")
	f.StringVar(&b.By, "by", "", "who deployed (recorded next to the token)")
	f.StringVar(&b.Notes, "notes", "", "notes")
	f.StringArrayVar(&commits, "commit", nil, "a commit the deploy brought, SHA@TIME (repeat)")
	f.BoolVar(&wait, "wait", false, "wait for the verification's verdict; exit 1 when it fails")
	_ = cmd.MarkFlagRequired("service")
	_ = cmd.MarkFlagRequired("environment")
	return cmd
}

// waitVerification polls a deploy until its verification has a verdict.
func waitVerification(cmd *cobra.Command, c *client, id int64) (*store.Verification, error) {
	for {
		var d store.DeployRow
		if err := c.do(cmd.Context(), "GET", "/api/v1/deploys/"+strconv.FormatInt(id, 10), nil, &d); err != nil {
			return nil, err
		}
		if d.Verification == nil || d.Verification.Status != store.VerifyPending {
			return d.Verification, nil
		}
		select {
		case <-cmd.Context().Done():
			return nil, cmd.Context().Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func deployCheckCmd(c *client) *cobra.Command {
	var b struct {
		Service     string   `json:"service"`
		Version     string   `json:"version"`
		Environment string   `json:"environment,omitempty"`
		Images      []string `json:"images,omitempty"`
		By          string   `json:"by,omitempty"`
	}
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check --service S --version V [--environment E] [--image IMG...]",
		Short: "Ask the deploy guard whether a deploy may go ahead now",
		Long: `Ask whether deploying this version of the service to the environment
(default production) may go ahead now. The answer names every reason when
it may not: a freeze window, an open SEV1 or SEV2 incident on the service,
a spent error budget (of an SLO with policy.block_deploys) for a version
whose release is not only fixes, the version not having passed
verification in the environments of the service's deploy.promote_from, an
image that is not pinned (no tag or :latest; a digest pins). Each
decision is written to the audit log.

Exit status: 0 when the deploy may go ahead, 1 when it may not or when
Vigil could not answer, so a pipeline deploys only on 0.`,
		Example: `  vigil deploy check --service shop --version 2.0.1 --image registry.example/shop:2.0.1
  vigil deploy check --service shop --version 2.0.1 --environment staging`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var dec deploy.Decision
			err := c.do(cmd.Context(), "POST", "/api/v1/deploys/check", b, &dec)
			var ae *apiError
			if errors.As(err, &ae) && ae.status == http.StatusConflict {
				if jerr := json.Unmarshal(ae.body, &dec); jerr != nil {
					return err
				}
				err = nil
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if err := printJSON(out, dec); err != nil {
					return err
				}
			} else {
				printDecision(out, dec)
			}
			if !dec.Allowed {
				return exitError{1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&b.Service, "service", "", "service id (required)")
	f.StringVar(&b.Version, "version", "", "version to deploy (required)")
	f.StringVar(&b.Environment, "environment", "", "environment (default production)")
	f.StringArrayVar(&b.Images, "image", nil, "a container image the deploy runs (repeat)")
	f.StringVar(&b.By, "by", "", "who asks (recorded next to the token)")
	f.BoolVar(&asJSON, "json", false, "print the decision as JSON")
	_ = cmd.MarkFlagRequired("service")
	_ = cmd.MarkFlagRequired("version")
	return cmd
}

func printDecision(w io.Writer, dec deploy.Decision) {
	what := fmt.Sprintf("%s %s to %s", dec.Service, dec.Version, dec.Environment)
	if dec.Allowed {
		fmt.Fprintf(w, "allowed: %s may go ahead\n", what)
		for _, n := range dec.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
		return
	}
	fmt.Fprintf(w, "refused: %s may not go ahead now\n", what)
	for _, r := range dec.Reasons {
		fmt.Fprintf(w, "  - %s: %s\n", r.Code, r.Message)
	}
}

func deployListCmd(c *client) *cobra.Command {
	var service string
	var limit int
	cmd := &cobra.Command{
		Use:     "list [--service S]",
		Short:   "List deploys, newest first, with their verification",
		Example: "  vigil deploy list --service shop --limit 20",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{"limit": {strconv.Itoa(limit)}}
			if service != "" {
				q.Set("service", service)
			}
			var ds []store.DeployRow
			if err := c.do(cmd.Context(), "GET", "/api/v1/deploys?"+q.Encode(), nil, &ds); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tAT\tSERVICE\tVERSION\tENVIRONMENT\tSTATUS\tVERIFICATION\tBY")
			for _, d := range ds {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.At.UTC().Format("2006-01-02 15:04"), d.Service,
					d.Version, d.Environment, statusWord(d.Status), verificationWord(d.Verification), dashIfEmpty(d.By))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only this service's deploys")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many (1 to 1000)")
	return cmd
}

func deployShowCmd(c *client) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "show ID",
		Short:   "Show a deploy with its verification, check by check",
		Example: "  vigil deploy show 12",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var d store.DeployRow
			if err := c.do(cmd.Context(), "GET", "/api/v1/deploys/"+url.PathEscape(args[0]), nil, &d); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, d)
			}
			fmt.Fprintf(out, "deploy %d: %s %s to %s at %s, %s%s\n", d.ID, d.Service, d.Version, d.Environment,
				d.At.UTC().Format(time.RFC3339), statusWord(d.Status), releaseNote(d))
			if d.By != "" {
				fmt.Fprintf(out, "by %s\n", d.By)
			}
			for _, cm := range d.Commits {
				fmt.Fprintf(out, "commit %s at %s\n", cm.SHA, cm.At.UTC().Format(time.RFC3339))
			}
			v := d.Verification
			if v == nil {
				fmt.Fprintln(out, "no verification")
				return nil
			}
			fmt.Fprintf(out, "verification %s%s\n", v.Status, prefixed(": ", v.Reason))
			for _, vc := range v.Checks {
				fmt.Fprintf(out, "  %s: %s after %d result(s)%s\n", vc.Check, vc.Status, vc.Results, prefixed("; last failure: ", vc.Reason))
			}
			if v.AlertID != 0 {
				fmt.Fprintf(out, "alert %d raised\n", v.AlertID)
			}
			if v.RollbackRun != "" {
				fmt.Fprintf(out, "rollback run %s\n", v.RollbackRun)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func releaseNote(d store.DeployRow) string {
	if d.ReleaseID == 0 {
		return ""
	}
	return fmt.Sprintf(" (release %d)", d.ReleaseID)
}

func checkList(v *store.Verification) string {
	keys := make([]string, len(v.Checks))
	for i, c := range v.Checks {
		keys[i] = c.Check
	}
	return strings.Join(keys, ", ")
}

func verificationWord(v *store.Verification) string {
	if v == nil {
		return "-"
	}
	return v.Status
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// unverifiedText says why a recorded deploy is not being verified.
func unverifiedText(d store.DeployRow) string {
	switch {
	case d.Status != "" && d.Status != "succeeded":
		return "not verified: the deploy did not succeed (" + d.Status + ")"
	case time.Since(d.At) > time.Minute:
		return "not verified: it happened at " + d.At.UTC().Format(time.RFC3339) +
			"; a deploy recorded later than its service's deploy.verify_within after it happened is not verified (or no check verifies it)"
	}
	return "not verified: no check verifies deploys of this service to this environment (checks with acceptance: true, or deploy.verify)"
}
