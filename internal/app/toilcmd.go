package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/report/toilplan"
	"github.com/vigil-sre/vigil/internal/toil"
)

func toilCmd() *cobra.Command {
	c := &client{}
	cmd := &cobra.Command{
		Use:   "toil",
		Short: "The toil ledger: log work by hand, see items, savings and what to automate next",
		Long: `Toil is the manual, repetitive work of running services. Vigil counts what
it sees itself (time on pages, runbooks run by hand, approvals, incident
roles) and what people log with 'vigil toil log', attaches it to the toil
items of the config (toil:), and measures each item's cost, trend and the
time its automation saved.`,
	}
	clientFlags(cmd, c)
	cmd.AddCommand(toilLogCmd(c), toilListCmd(c), toilItemsCmd(c), toilItemCmd(c), toilRankCmd(c))
	return cmd
}

func toilLogCmd(c *client) *cobra.Command {
	var b struct {
		Text           string `json:"text"`
		Minutes        int    `json:"minutes"`
		Service        string `json:"service,omitempty"`
		Item           string `json:"item,omitempty"`
		By             string `json:"by,omitempty"`
		At             string `json:"at,omitempty"`
		IdempotencyKey string `json:"idempotency_key"`
	}
	cmd := &cobra.Command{
		Use:   "log TEXT --minutes N",
		Short: "Log toil Vigil cannot see",
		Long: `Log a piece of manual work: what was done, how long it took, and the toil
item and service it belongs to. It counts toward the item's cost and the
person's share of toil. By default the work is the token's person's and
started now.

Running the same command again within the same minute adds nothing: the
request carries a key made from its content, and the server refuses a
second entry with that key (or the same work over the same time).`,
		Example: `  vigil toil log "Cleaned /home/sre/course4 by hand" --minutes 20 --service shop --item log-cleanup
  vigil toil log "Deployed 2.0 to production by hand" --minutes 45 --item manual-deploy --by glen --at 2026-11-27T22:00:00+07:00`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b.Text = args[0]
			if b.At != "" {
				if _, err := time.Parse(time.RFC3339, b.At); err != nil {
					return fmt.Errorf("--at must be an RFC 3339 time such as 2026-11-27T22:00:00+07:00")
				}
			}
			if b.IdempotencyKey == "" {
				b.IdempotencyKey = logKey(b.Text, b.Minutes, b.Service, b.Item, b.By, b.At)
			}
			var e toil.Entry
			if err := c.do(cmd.Context(), "POST", "/api/v1/toil/entries", b, &e); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "logged %s: %s, %s by %s at %s\n", e.ID, toilplan.Duration(e.Minutes), orNone(e.Item), e.Person,
				e.At.Format(time.RFC3339))
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&b.Minutes, "minutes", 0, "how long it took, 1 to 1440 (required)")
	f.StringVar(&b.Service, "service", "", "service id (default the item's)")
	f.StringVar(&b.Item, "item", "", "toil item id")
	f.StringVar(&b.By, "by", "", "person id (default the token's person)")
	f.StringVar(&b.At, "at", "", "when the work started, RFC 3339 (default now)")
	f.StringVar(&b.IdempotencyKey, "key", "", "idempotency key (default one made from the entry and this minute)")
	_ = cmd.MarkFlagRequired("minutes")
	return cmd
}

// logKey names one logging of one piece of work: the same command run again
// in the same minute makes the same key.
func logKey(parts ...any) string {
	minute := clockNowRFC3339()[:16]
	h := sha256.Sum256([]byte(fmt.Sprintf("%q %s", parts, minute)))
	return "cli-" + hex.EncodeToString(h[:12])
}

// periodFlags adds --from, --to and --service to a command reading a period.
func periodFlags(cmd *cobra.Command, from, to *string, services *[]string) {
	cmd.Flags().StringVar(from, "from", "", "start of the period, RFC 3339")
	cmd.Flags().StringVar(to, "to", "", "end of the period, RFC 3339 (default now)")
	cmd.Flags().StringSliceVar(services, "service", nil, "only these services")
}

func periodQuery(from, to string, services []string) (url.Values, error) {
	q := url.Values{}
	for name, v := range map[string]string{"from": from, "to": to} {
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return nil, fmt.Errorf("--%s must be an RFC 3339 time such as 2026-11-23T00:00:00+07:00", name)
		}
		q.Set(name, v)
	}
	for _, s := range services {
		q.Add("service", s)
	}
	return q, nil
}

func toilListCmd(c *client) *cobra.Command {
	var from, to, item, person, source string
	var services []string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Ledger entries: what Vigil saw and what people logged",
		Example: `  vigil toil list                                  # the last 7 days
  vigil toil list --service shop --item log-cleanup --from 2026-11-23T00:00:00+07:00
  vigil toil list --item -                         # entries no toil item claims`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := periodQuery(from, to, services)
			if err != nil {
				return err
			}
			for k, v := range map[string]string{"item": item, "person": person, "source": source} {
				if v != "" {
					q.Set(k, v)
				}
			}
			q.Set("limit", strconv.Itoa(limit))
			var v struct {
				Minutes int          `json:"total_minutes"`
				Entries []toil.Entry `json:"entries"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/toil/entries?"+q.Encode(), nil, &v); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), v)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "WHEN\tWHO\tTIME\tSOURCE\tSERVICE\tITEM\tWHAT")
			for _, e := range v.Entries {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Format("2006-01-02 15:04"), orNone(e.Person), toilplan.Duration(e.Minutes),
					e.Source, orNone(e.Service), orNone(e.Item), oneLine(e.Text, 60))
			}
			fmt.Fprintf(tw, "\t\t%s\t%d entries\n", toilplan.Duration(v.Minutes), len(v.Entries))
			return tw.Flush()
		},
	}
	periodFlags(cmd, &from, &to, &services)
	f := cmd.Flags()
	f.StringVar(&item, "item", "", "toil item id; - for entries no item claims")
	f.StringVar(&person, "person", "", "person id")
	f.StringVar(&source, "source", "", strings.Join(toil.Sources(), ", "))
	f.IntVar(&limit, "limit", 1000, "at most this many entries")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func toilItemsCmd(c *client) *cobra.Command {
	var from, to string
	var services []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "items",
		Short: "Toil items: cost, trend and what their automation saved",
		Example: `  vigil toil items                      # the last 28 days
  vigil toil items --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z --service shop`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := periodQuery(from, to, services)
			if err != nil {
				return err
			}
			var v struct {
				Total toil.Count  `json:"total"`
				Saved int         `json:"saved_minutes"`
				Items []toil.Item `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/toil/items?"+q.Encode(), nil, &v); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), v)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ITEM\tSTATUS\tOCCURRENCES\tTIME\tA WEEK\tTREND\tAUTOMATED BY\tSAVED")
			for _, it := range v.Items {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", it.ID, it.Status, it.Occurrences, toilplan.Duration(it.Minutes),
					toilplan.Duration(int(it.PerWeek.Minutes)), it.Trend, orNone(it.AutomatedBy), toilplan.Duration(it.Savings.Minutes))
			}
			fmt.Fprintf(tw, "total\t\t%d\t%s\t\t\t\t%s\n", v.Total.Occurrences, toilplan.Duration(v.Total.Minutes), toilplan.Duration(v.Saved))
			return tw.Flush()
		},
	}
	periodFlags(cmd, &from, &to, &services)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func toilItemCmd(c *client) *cobra.Command {
	cmd := &cobra.Command{Use: "item", Short: "Edit a toil item's plan"}
	var impact, benefit, status string
	edit := &cobra.Command{
		Use:   "edit ID [--impact TEXT] [--benefit TEXT] [--status identified|planned|automated]",
		Short: "Change what the toil reduction plan says about an item",
		Long: `Change an item's impact, benefit (Markdown) or status. The edit is kept in
the store and replaces what the config says; flags left out stay as they are.
An item whose automation has run shows as automated whatever its status says.`,
		Example: `  vigil toil item edit dns-failover --status planned \
    --impact "Manual failover prolongs outages while someone wakes up." \
    --benefit "Automatic failover cuts downtime to minutes."`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]string{}
			for name, v := range map[string]*string{"impact": &impact, "benefit": &benefit, "status": &status} {
				if cmd.Flags().Changed(name) {
					body[name] = *v
				}
			}
			var it toil.Item
			if err := c.do(cmd.Context(), "PATCH", "/api/v1/toil/items/"+url.PathEscape(args[0]), body, &it); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", it.ID, it.Status)
			return nil
		},
	}
	f := edit.Flags()
	f.StringVar(&impact, "impact", "", "what the manual work costs the business (Markdown)")
	f.StringVar(&benefit, "benefit", "", "what automating it gains (Markdown)")
	f.StringVar(&status, "status", "", "identified, planned or automated")
	cmd.AddCommand(edit)
	return cmd
}

func toilRankCmd(c *client) *cobra.Command {
	var from, to string
	var services []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rank",
		Short: "What to automate next, unclassified toil, and the 50% rule",
		Long: `Rank the toil items not yet automated by minutes a month (how often times
how long), list recurring work no toil item covers, and show each
person's and team's share of working time spent on toil against the cap
(global.toil.cap_percent, 50% by default), warning when over.`,
		Example: `  vigil toil rank
  vigil toil rank --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := periodQuery(from, to, services)
			if err != nil {
				return err
			}
			var v struct {
				Candidates   []toil.Item  `json:"candidates"`
				Unclassified []toil.Group `json:"unclassified"`
				CapPercent   float64      `json:"cap_percent"`
				People       []toil.Load  `json:"people"`
				Teams        []toil.Load  `json:"teams"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/toil/rank?"+q.Encode(), nil, &v); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), v)
			}
			return printRank(cmd.OutOrStdout(), v.Candidates, v.Unclassified, v.People, v.Teams, v.CapPercent)
		},
	}
	periodFlags(cmd, &from, &to, &services)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printRank(w io.Writer, cands []toil.Item, groups []toil.Group, people, teams []toil.Load, capPercent float64) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tITEM\tA MONTH\tOCCURRENCES A MONTH\tSTATUS")
	for i, it := range cands {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f\t%s\n", i+1, it.ID, toilplan.Duration(int(it.PerMonth.Minutes)), it.PerMonth.Occurrences, it.Status)
	}
	if len(cands) == 0 {
		fmt.Fprintln(tw, "-\tnothing left to automate\t\t\t")
	}
	fmt.Fprintln(tw, "\nUNCLASSIFIED\tSERVICE\tA MONTH\tOCCURRENCES\tTO CLASSIFY IT")
	for _, g := range groups {
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%d\t%s\n", g.Kind, oneLine(g.Name, 40), orNone(g.Service), toilplan.Duration(int(g.PerMonth.Minutes)),
			g.Occurrences, g.Suggest)
	}
	fmt.Fprintf(tw, "\nWHO\tTOIL\tWORKING TIME\tSHARE (CAP %.0f%%)\t\n", capPercent)
	var warnings []string
	for _, l := range append(people, teams...) {
		who, mark := l.ID, ""
		if l.Members > 0 {
			who = "team/" + l.ID
		}
		if l.Over {
			mark = "OVER"
			warnings = append(warnings, fmt.Sprintf("warning: %s spent %.0f%% of working time on toil, over the %.0f%% cap", who, l.Percent, capPercent))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f%%\t%s\n", who, toilplan.Duration(l.Minutes), toilplan.Duration(l.Working), l.Percent, mark)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, wn := range warnings {
		fmt.Fprintln(w, wn)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine shortens text for a table cell.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
