// Package toilplan writes the toil reduction plan from the toil ledger, in
// the shape teams write it by hand: each toil item with its impact on the
// business and what automating it gains, now with its measured cost, its
// status and what its automation has saved; then what to automate next,
// the recurring work no item covers yet, and everyone's share of toil
// against the 50% cap.
package toilplan

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/report/markdown"
	"github.com/vigil-sre/vigil/internal/toil"
)

// Title names the plan for its period.
func Title(ov toil.Overview, loc *time.Location) string {
	scope := "all services"
	if len(ov.Services) > 0 {
		scope = strings.Join(ov.Services, ", ")
	}
	return fmt.Sprintf("Toil reduction plan: %s, %s to %s", scope, date(ov.From, loc), date(ov.To.Add(-time.Nanosecond), loc))
}

// Summary is a few lines for a chat message.
func Summary(ov toil.Overview) string {
	automated := 0
	for _, it := range ov.Items {
		if it.Status == "automated" {
			automated++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s of toil in %d occurrences; automation saved %s. %d of %d items automated.",
		Duration(ov.Total.Minutes), ov.Total.Occurrences, Duration(ov.Saved), automated, len(ov.Items))
	if len(ov.Candidates) > 0 {
		for _, it := range ov.Items {
			if it.ID == ov.Candidates[0] {
				fmt.Fprintf(&b, "\nNext to automate: %s (about %s a month).", it.Title, Duration(int(it.PerMonth.Minutes)))
			}
		}
	}
	for _, l := range ov.People {
		if l.Over {
			fmt.Fprintf(&b, "\nOver the %.0f%% cap: %s at %.0f%%.", ov.CapPercent, l.ID, l.Percent)
		}
	}
	return b.String()
}

// Markdown writes the plan.
func Markdown(w io.Writer, ov toil.Overview, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", markdown.Text(Title(ov, loc)))
	fmt.Fprintf(&b, "%s → %s (%s). %s of toil in %d occurrences; automation saved %s.\n\n",
		stamp(ov.From, loc), stamp(ov.To, loc), loc, Duration(ov.Total.Minutes), ov.Total.Occurrences, Duration(ov.Saved))
	b.WriteString("## Summary\n\n")
	if len(ov.Items) == 0 {
		b.WriteString("No toil items are configured (`toil:` in the config).\n\n")
	} else {
		b.WriteString("| # | Toil item | Status | Occurrences | Time | Per month | Trend | Automated by | Saved |\n")
		b.WriteString("|---:|---|---|---:|---:|---:|---|---|---:|\n")
		for i, it := range ov.Items {
			fmt.Fprintf(&b, "| %d | %s | %s | %d | %s | %s | %s | %s | %s |\n", i+1, markdown.Text(it.Title), it.Status, it.Occurrences,
				Duration(it.Minutes), Duration(int(it.PerMonth.Minutes)), it.Trend, orDash(code(it.AutomatedBy)), Duration(it.Savings.Minutes))
		}
		b.WriteString("\n## Current toil items\n\n")
	}
	for i, it := range ov.Items {
		writeItem(&b, i+1, it, loc)
	}
	writeCandidates(&b, ov)
	writeUnclassified(&b, ov)
	writeLoad(&b, ov)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeItem(b *strings.Builder, n int, it toil.Item, loc *time.Location) {
	fmt.Fprintf(b, "### %d. %s\n\n", n, markdown.Text(it.Title))
	facts := []string{code(it.ID)}
	if it.Service != "" {
		facts = append(facts, "service "+markdown.Text(it.Service))
	}
	if it.Owner != "" {
		facts = append(facts, "owner "+markdown.Text(it.Owner))
	}
	facts = append(facts, "**"+it.Status+"**")
	fmt.Fprintf(b, "%s\n\n", strings.Join(facts, " · "))
	fmt.Fprintf(b, "**Measured.** %s, %s this period (about %s a week, %s a month); trend: %s (previous period: %s).\n\n",
		plural(it.Occurrences, "occurrence"), Duration(it.Minutes), Duration(int(it.PerWeek.Minutes)), Duration(int(it.PerMonth.Minutes)),
		it.Trend, previous(it.Previous))
	fmt.Fprintf(b, "**Impact.** %s\n\n", orTodo(it.Impact, it.ID, "impact"))
	fmt.Fprintf(b, "**Benefit of automating.** %s\n\n", orTodo(it.Benefit, it.ID, "benefit"))
	switch {
	case it.AutomatedBy == "":
		b.WriteString("**Automation.** None yet.\n\n")
	case it.AutomatedSince == nil:
		fmt.Fprintf(b, "**Automation.** Runbook %s has not run automatically yet.\n\n", code(it.AutomatedBy))
	default:
		fmt.Fprintf(b, "**Automation.** Runbook %s since %s: %s this period saved %s (%s and %s since it was introduced, at %s each).\n\n",
			code(it.AutomatedBy), date(*it.AutomatedSince, loc), plural(it.Savings.Runs, "automatic run"), Duration(it.Savings.Minutes),
			plural(it.Savings.TotalRuns, "run"), Duration(it.Savings.TotalMinutes), Duration(it.Estimate))
	}
	if len(it.Match) > 0 {
		rules := make([]string, len(it.Match))
		for i, r := range it.Match {
			rules[i] = code(r)
		}
		fmt.Fprintf(b, "Counted from: %s.\n\n", strings.Join(rules, "; "))
	}
}

func writeCandidates(b *strings.Builder, ov toil.Overview) {
	b.WriteString("## Automation candidates\n\n")
	if len(ov.Candidates) == 0 {
		b.WriteString("None: every item with toil this period is automated.\n\n")
		return
	}
	b.WriteString("Ranked by time a month (how often × how long):\n\n")
	byID := map[string]toil.Item{}
	for _, it := range ov.Items {
		byID[it.ID] = it
	}
	for i, id := range ov.Candidates {
		it := byID[id]
		fmt.Fprintf(b, "%d. %s: about %s a month, %.1f occurrences a month (%s).\n", i+1, markdown.Text(it.Title),
			Duration(int(it.PerMonth.Minutes)), it.PerMonth.Occurrences, it.Status)
	}
	b.WriteString("\n")
}

func writeUnclassified(b *strings.Builder, ov toil.Overview) {
	b.WriteString("## Unclassified toil\n\n")
	if len(ov.Unclassified) == 0 {
		b.WriteString("None: no recurring work outside the toil items.\n\n")
		return
	}
	b.WriteString("Recurring work no toil item covers yet:\n\n")
	b.WriteString("| Work | Service | Occurrences | Time | Per month | To classify it |\n|---|---|---:|---:|---:|---|\n")
	for _, g := range ov.Unclassified {
		fmt.Fprintf(b, "| %s %s | %s | %d | %s | %s | %s |\n", g.Kind, markdown.Text(g.Name), orDash(markdown.Text(g.Service)),
			g.Occurrences, Duration(g.Minutes), Duration(int(g.PerMonth.Minutes)), strings.ReplaceAll(code(g.Suggest), "|", `\|`))
	}
	b.WriteString("\n")
}

func writeLoad(b *strings.Builder, ov toil.Overview) {
	fmt.Fprintf(b, "## Toil load (%.0f%% cap)\n\n", ov.CapPercent)
	if len(ov.People) == 0 {
		b.WriteString("Nobody recorded toil this period.\n")
		return
	}
	fmt.Fprintf(b, "Working time: %g hours a week.\n\n", ov.WeeklyHours)
	b.WriteString("| Who | Toil | Working time | Share |\n|---|---:|---:|---:|\n")
	var over []string
	row := func(l toil.Load, team bool) {
		who := markdown.Text(l.ID)
		if team {
			who = "team " + who
		}
		mark := ""
		if l.Over {
			mark = " ⚠"
			over = append(over, fmt.Sprintf("%s spent %.0f%% of working time on toil, over the %.0f%% cap.", who, l.Percent, ov.CapPercent))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %.1f%%%s |\n", who, Duration(l.Minutes), Duration(l.Working), l.Percent, mark)
	}
	for _, l := range ov.People {
		row(l, false)
	}
	for _, l := range ov.Teams {
		row(l, true)
	}
	b.WriteString("\n")
	for _, o := range over {
		fmt.Fprintf(b, "- ⚠ %s\n", o)
	}
}

// Duration prints minutes the way people say them: 45 min, 2 h, 2 h 8 min.
func Duration(minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

func previous(c toil.Count) string {
	if c.Occurrences == 0 {
		return "none"
	}
	return fmt.Sprintf("%s, %s", plural(c.Occurrences, "occurrence"), Duration(c.Minutes))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func orTodo(text, id, field string) string {
	if strings.TrimSpace(text) == "" {
		return fmt.Sprintf("_Not written yet: `vigil toil item edit %s --%s TEXT`._", id, field)
	}
	return strings.TrimSpace(text) // the team's own Markdown
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// code shows an id or rule as code; backticks inside cannot end it early.
func code(s string) string {
	if s == "" {
		return ""
	}
	return "`` " + strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "`", "'") + " ``"
}

func date(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02") }

func stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02 15:04") }
