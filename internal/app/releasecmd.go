package app

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/release"
	"github.com/vigil-sre/vigil/internal/release/manifest"
	"github.com/vigil-sre/vigil/internal/yamldoc"
)

func releaseCmd() *cobra.Command {
	c := &client{}
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Record releases, write their as-built documents, review manifests",
		Long: `A release of a service is recorded from a YAML file: stakeholders, code
changes (tickets), data and system changes, design decisions, tests,
deployment notes, deployment files and a capacity plan (docs/releases.md).
Its as-built document is written from the record and from what Vigil saw:
the release's deploys, the incidents that followed, and what changed since
the service's previous release.

create and status need a token with the operate scope; list, show and doc
need read. lint reviews manifest files on this machine and needs no server.`,
	}
	clientFlags(cmd, c)
	cmd.AddCommand(releaseCreateCmd(c), releaseListCmd(c), releaseShowCmd(c), releaseStatusCmd(c), releaseDocCmd(c), releaseLintCmd())
	return cmd
}

// printProblems writes problems one a line and returns exit status 1.
func printProblems(w io.Writer, ps yamldoc.Problems) error {
	for _, p := range ps {
		fmt.Fprintln(w, p.String())
	}
	return exitError{1}
}

func releaseCreateCmd(c *client) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "create -f release.yaml",
		Short: "Record a release from a YAML file",
		Long: `Read a release file, check it (every problem is reported at file:line:col,
unknown fields included), read the manifest files and capacity file it
names, and record it. The server checks the service, people and teams
against its config; what it refuses is reported at the file's lines too.`,
		Example: "  vigil release create -f examples/releases/release-2.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return errors.New("-f FILE is required")
			}
			data, err := readLimited(file, release.MaxFileSize)
			if err != nil {
				return err
			}
			f, err := release.ReadFile(file, data, func(p string) ([]byte, error) { return readLimited(p, release.MaxFileSize) })
			var ps yamldoc.Problems
			if errors.As(err, &ps) {
				return printProblems(cmd.ErrOrStderr(), ps)
			}
			if err != nil {
				return err
			}
			var rel release.Release
			err = c.do(cmd.Context(), "POST", "/api/v1/releases", f.Spec, &rel)
			var ae *apiError
			if errors.As(err, &ae) && len(ae.problems) > 0 {
				// The message repeats the problems; they follow, located.
				fmt.Fprintf(cmd.ErrOrStderr(), "%s refused the release (HTTP %d):\n", c.url(""), ae.status)
				located := make(yamldoc.Problems, len(ae.problems))
				for i, p := range ae.problems {
					located[i] = yamldoc.Problem{Field: p.Field, Line: p.Line, Column: p.Column, Message: p.Message}
				}
				return printProblems(cmd.ErrOrStderr(), f.Locate(located))
			}
			if err != nil {
				return err
			}
			findings := 0
			for _, m := range rel.Manifests {
				findings += len(m.Findings)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "release %d recorded: %s %s (%s), %s; %d manifest(s), %d review finding(s)\n",
				rel.ID, rel.Service, rel.Name, rel.Version, statusWord(rel.Status), len(rel.Manifests), findings)
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the release file")
	return cmd
}

func statusWord(s string) string { return strings.ReplaceAll(s, "_", " ") }

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d KiB", path, limit>>10)
	}
	return b, nil
}

func releaseListCmd(c *client) *cobra.Command {
	var service, status string
	var limit, offset int
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List releases, newest planned first: a service's history with --service",
		Example: "  vigil release list --service shop\n  vigil release list --status planned,in_progress",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			for k, v := range map[string]string{"service": service, "status": status} {
				if v != "" {
					q.Set(k, v)
				}
			}
			q.Set("limit", fmt.Sprint(limit))
			q.Set("offset", fmt.Sprint(offset))
			var rels []release.Release
			if err := c.do(cmd.Context(), "GET", "/api/v1/releases?"+q.Encode(), nil, &rels); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), rels)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSERVICE\tNAME\tVERSION\tSTATUS\tPLANNED\tFINISHED")
			for _, r := range rels {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Service, r.Name, r.Version, statusWord(r.Status),
					day(r.PlannedAt), day(r.FinishedAt))
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&service, "service", "", "only this service's releases")
	f.StringVar(&status, "status", "", "only these statuses, comma-separated")
	f.IntVar(&limit, "limit", 100, "at most this many (up to 1000)")
	f.IntVar(&offset, "offset", 0, "skip this many (to page)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func releaseShowCmd(c *client) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "show ID",
		Short:   "Show a release: its record, manifests' review and status history",
		Example: "  vigil release show 2",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, a []string) error {
			var r release.Release
			if err := c.do(cmd.Context(), "GET", "/api/v1/releases/"+url.PathEscape(a[0]), nil, &r); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), r)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "release %d: %s %s (%s), %s\n", r.ID, r.Service, r.Name, r.Version, statusWord(r.Status))
			fmt.Fprintf(w, "planned %s, started %s, finished %s\n", day(r.PlannedAt), day(r.StartedAt), day(r.FinishedAt))
			for _, g := range r.Stakeholders {
				var names []string
				for _, m := range g.Members {
					names = append(names, m.Name)
				}
				fmt.Fprintf(w, "%s: %s\n", release.RoleTitle(g.Role), strings.Join(names, ", "))
			}
			for _, t := range r.CodeChanges {
				fmt.Fprintf(w, "  %-8s %s %s\n", t.Kind, t.ID, t.Title)
			}
			for _, m := range r.Manifests {
				fmt.Fprintf(w, "manifest %s: %d review finding(s)\n", m.Name, len(m.Findings))
				for _, p := range m.Findings {
					fmt.Fprintf(w, "  %s\n", p.String())
				}
			}
			if r.Capacity != nil {
				fmt.Fprintf(w, "capacity plan: %s at %d replicas\n", r.Capacity.Deployment, r.Capacity.Replicas)
			}
			for _, h := range r.History {
				fmt.Fprintf(w, "%s  %s by %s%s\n", h.At.UTC().Format("2006-01-02 15:04"), statusWord(h.To), h.By, prefixNote(h.Note))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func prefixNote(n string) string {
	if n == "" {
		return ""
	}
	return ": " + n
}

func releaseStatusCmd(c *client) *cobra.Command {
	var note, at, by string
	cmd := &cobra.Command{
		Use:   "status ID STATUS",
		Short: "Move a release: planned → in_progress → released or rolled_back",
		Example: `  vigil release status 2 in_progress --note "release window open"
  vigil release status 2 released --at 2023-05-03T23:10:00Z`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, a []string) error {
			var r release.Release
			body := map[string]string{"status": a[1], "note": note, "at": at, "by": by}
			if err := c.do(cmd.Context(), "POST", "/api/v1/releases/"+url.PathEscape(a[0])+"/status", body, &r); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "release %d (%s %s) is %s\n", r.ID, r.Service, r.Name, statusWord(r.Status))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&note, "note", "", "why, for the record")
	f.StringVar(&at, "at", "", "when it happened (RFC 3339), default now")
	f.StringVar(&by, "by", "", "who did it")
	return cmd
}

func releaseDocCmd(c *client) *cobra.Command {
	var format, out, window, tz string
	cmd := &cobra.Command{
		Use:   "doc ID",
		Short: "Write a release's as-built document as Markdown or HTML",
		Long: `The as-built document of a release: stakeholders, code changes, data and
system changes, design decisions, tests, the capacity plan, deployment
notes and files (with their review), then what Vigil knows: what changed
since the service's previous release, the release's deploys, and the
incidents declared on the service within --window after it.`,
		Example: "  vigil release doc 2\n  vigil release doc 2 --format html -o release-2.html --window 168h",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, a []string) error {
			q := url.Values{"format": {format}}
			if window != "" {
				q.Set("window", window)
			}
			if tz != "" {
				q.Set("tz", tz)
			}
			body, err := c.text(cmd.Context(), "/api/v1/releases/"+url.PathEscape(a[0])+"/doc?"+q.Encode())
			if err != nil {
				return err
			}
			return writeOut(cmd, out, body)
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "md", "md or html")
	f.StringVarP(&out, "output", "o", "", "write to FILE instead of stdout")
	f.StringVar(&window, "window", "", "how long after the release to look for incidents (default 72h)")
	f.StringVar(&tz, "tz", "", "time zone for the times (default UTC)")
	return cmd
}

// writeOut writes text to stdout, or to a file when out names one.
func writeOut(cmd *cobra.Command, out, text string) error {
	if out == "" || out == "-" {
		_, err := io.WriteString(cmd.OutOrStdout(), text)
		return err
	}
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
	return nil
}

func releaseLintCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "lint FILE...",
		Short: "Review Kubernetes manifests as a careful reviewer would",
		Long: `Review the Deployments in manifest files and print each problem at
file:line:col: keys in the wrong case (ApiVersion, Replicas) or unknown,
invalid quantities (256mb, 1gb), container names that are not RFC 1123
labels (order_processor, mainApp), :latest or untagged images, missing
requests or limits, limits below requests, and a selector that does not
match the pod template's labels. Exits 1 when there is any problem.
Runs here; no server needed.`,
		Example: "  vigil release lint deploy/app-deployment.yaml",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			var all yamldoc.Problems
			for _, name := range files {
				data, err := readLimited(name, release.MaxFileSize)
				if err != nil {
					all = append(all, yamldoc.Problem{File: name, Message: err.Error()})
					continue
				}
				all = append(all, manifest.Lint(name, data)...)
			}
			if len(all) > 0 {
				return printProblems(cmd.OutOrStdout(), all)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d file(s): no problems found\n", len(files))
			return nil
		},
	}
}

// day prints a date for tables, "-" when unset.
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}
