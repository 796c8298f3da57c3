package weekly

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/report/markdown"
	"github.com/vigil-sre/vigil/internal/report/toilplan"
	"github.com/vigil-sre/vigil/internal/slo"
)

// Render says how to write the report: the zone of its times and the
// address Vigil is reached at, for links.
type Render struct {
	Loc  *time.Location
	Base string // e.g. https://vigil.example.com; links need it
	// Config says which features are configured, for the sections of those
	// that are not.
	Config *config.Config
}

// Title names the report for its period.
func Title(r Report, loc *time.Location) string {
	names := make([]string, len(r.Services))
	for i, s := range r.Services {
		names[i] = s.Name
	}
	scope := "every service"
	if len(names) > 0 && len(names) <= 3 {
		scope = strings.Join(names, ", ")
	} else if len(names) > 3 {
		scope = fmt.Sprintf("%d services", len(names))
	}
	return fmt.Sprintf("Weekly status report: %s, %s to %s", scope, r.From.In(loc).Format("2006-01-02"), r.To.Add(-time.Nanosecond).In(loc).Format("2006-01-02"))
}

// Summary is a few lines for a chat message: per service, what stands out.
func Summary(r Report) string {
	var lines []string
	for _, s := range r.Services {
		parts := []string{
			plural(len(s.Incidents), "incident"),
			plural(len(s.Deploys), "deploy"),
			fmt.Sprintf("%s (%d off hours)", plural(s.OnCall.Pages, "page"), s.OnCall.OffHours),
		}
		for _, o := range s.SLOs {
			if o.SLI != nil && !o.Met {
				parts = append(parts, fmt.Sprintf("SLO %s missed (%.2f%% < %g%%)", o.ID, *o.SLI, o.Objective))
			}
		}
		if s.Toil != nil {
			parts = append(parts, fmt.Sprintf("%s of toil, %s saved", toilplan.Duration(s.Toil.Minutes), toilplan.Duration(s.Toil.Saved)))
		}
		lines = append(lines, s.Name+": "+strings.Join(parts, ", ")+".")
	}
	if len(lines) == 0 {
		return "No services."
	}
	return strings.Join(lines, "\n")
}

// Markdown writes the report.
func Markdown(w io.Writer, r Report, o Render) error {
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	if o.Config == nil {
		o.Config = &config.Config{}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", markdown.Text(Title(r, o.Loc)))
	fmt.Fprintf(&b, "Here's what happened from %s to %s (%s).\n\n", stamp(r.From, o.Loc), stamp(r.To, o.Loc), markdown.Text(o.Loc.String()))
	b.WriteString("## Current work\n\n")
	if len(r.Services) == 0 {
		b.WriteString("No services are configured (`services:` in the config).\n\n")
	}
	for _, s := range r.Services {
		writeService(&b, s, o)
	}
	b.WriteString("## Future work\n\n")
	for _, s := range r.Services {
		writeFuture(&b, s, o)
	}
	if len(r.Maintenance) > 0 {
		b.WriteString("### Every service\n\n")
		for _, m := range r.Maintenance {
			b.WriteString("- " + window(m, o.Loc) + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("## Config changes\n\n")
	if len(r.ConfigChanges) == 0 {
		b.WriteString("None: the config was not reloaded this week.\n")
	} else {
		for _, c := range r.ConfigChanges {
			fmt.Fprintf(&b, "- %s: reloaded by %s (%s).\n", stamp(c.At, o.Loc), markdown.Text(c.Actor), markdown.Text(c.Detail))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeService(b *strings.Builder, s Service, o Render) {
	fmt.Fprintf(b, "### %s\n\n", markdown.Text(s.Name))
	b.WriteString("#### Work done\n\n")
	if len(s.Releases) == 0 {
		b.WriteString("- Releases: none.\n")
	}
	for _, rel := range s.Releases {
		fmt.Fprintf(b, "- Release %s: %s %s.\n", markdown.Link(rel.Name+" "+rel.Version, link(o.Base, "/releases/"+itoa(rel.ID))),
			strings.ReplaceAll(rel.Status, "_", " "), stamp(rel.At, o.Loc))
	}
	if len(s.Deploys) == 0 {
		b.WriteString("- Deploys: none.\n")
	} else {
		fmt.Fprintf(b, "- %s:", plural(len(s.Deploys), "deploy"))
		for i, d := range s.Deploys {
			sep := ","
			if i == 0 {
				sep = ""
			}
			by := ""
			if d.By != "" {
				by = " by " + markdown.Text(d.By)
			}
			fmt.Fprintf(b, "%s %s to %s%s (%s)", sep, markdown.Text(d.Version), markdown.Text(d.Environment), by, stamp(d.At, o.Loc))
		}
		b.WriteString(".\n")
	}
	if len(s.Runs) == 0 {
		b.WriteString("- Runbook runs: none.\n")
	}
	for _, rr := range s.Runs {
		fmt.Fprintf(b, "- Runbook %s: %d by hand, %d automatic%s.\n", code(rr.Runbook), rr.Manual, rr.Automatic, failed(rr.Failed))
	}
	if len(s.Closed) == 0 {
		b.WriteString("- Action items closed: none.\n")
	}
	for _, a := range s.Closed {
		fmt.Fprintf(b, "- Action item closed (%s): %s, from %s.\n", a.Status, markdown.Text(a.Item), incidentRef(a.IncidentID, a.Incident))
	}
	b.WriteString("\n")

	b.WriteString("#### Incidents\n\n")
	if len(s.Incidents) == 0 {
		b.WriteString("None this week.\n\n")
	}
	for _, in := range s.Incidents {
		fmt.Fprintf(b, "##### %s %s (#%d)\n\n", markdown.Text(in.Severity), markdown.Text(in.Title), in.ID)
		end := "still open"
		if !in.Resolved.IsZero() {
			end = "resolved " + stamp(in.Resolved, o.Loc)
		}
		fmt.Fprintf(b, "%s from %s, %s: %s. %s\n\n", markdown.Text(in.Severity), stamp(in.Started, o.Loc), end,
			minutes(in.Duration), "The incident report is available "+markdown.Link("here", link(o.Base, in.Postmortem))+".")
	}

	b.WriteString("#### SLOs and uptime\n\n")
	writeSLOs(b, s, o)

	b.WriteString("#### On call\n\n")
	switch {
	case len(o.Config.Schedules) == 0 && len(o.Config.Escalations) == 0:
		b.WriteString("No on-call schedules or escalations are configured (`schedules:`, `escalations:`).\n\n")
	case s.OnCall.Pages == 0:
		b.WriteString("No pages this week.\n\n")
	default:
		people := make([]string, len(s.OnCall.People))
		for i, p := range s.OnCall.People {
			people[i] = fmt.Sprintf("%s %d (%d off hours)", markdown.Text(p.Person), p.Pages, p.OffHours)
		}
		fmt.Fprintf(b, "%s, %d off hours (outside 09:00–18:00 Monday to Friday in the paged person's zone): %s.\n\n",
			plural(s.OnCall.Pages, "page"), s.OnCall.OffHours, strings.Join(people, ", "))
	}

	b.WriteString("#### Toil\n\n")
	writeToil(b, s.Toil)
}

func writeSLOs(b *strings.Builder, s Service, o Render) {
	var svc *config.Service
	for i := range o.Config.Services {
		if o.Config.Services[i].ID == s.ID {
			svc = &o.Config.Services[i]
		}
	}
	switch {
	case svc == nil || (len(svc.SLOs) == 0 && len(svc.Checks) == 0):
		b.WriteString("No SLOs or checks are configured for this service (`slos:`, `checks:`).\n\n")
		return
	case !s.SLOsRunning:
		b.WriteString("SLOs and uptime are not measured by this Vigil.\n\n")
		return
	}
	if len(s.SLOs) == 0 {
		b.WriteString("No SLOs are configured for this service (`slos:`).\n\n")
	} else {
		b.WriteString("| SLO | Objective | This week | |\n|---|---:|---:|---|\n")
		for _, p := range s.SLOs {
			fmt.Fprintf(b, "| %s | %g%% | %s | %s |\n", code(p.ID), p.Objective, percent(p), verdict(p))
		}
		b.WriteString("\n")
	}
	if len(s.Uptime) == 0 {
		b.WriteString("No checks are configured for this service (`checks:`).\n\n")
		return
	}
	b.WriteString("| Check | Uptime this week |\n|---|---:|\n")
	for _, p := range s.Uptime {
		fmt.Fprintf(b, "| %s | %s |\n", code(p.ID), percent(p))
	}
	b.WriteString("\n")
}

func writeToil(b *strings.Builder, t *Toil) {
	if t == nil {
		b.WriteString("No toil items are configured for this service (`toil:`).\n\n")
		return
	}
	fmt.Fprintf(b, "%s of toil in %s (the week before: %s, %s); automation saved %s this week, %s since it began.\n\n",
		toilplan.Duration(t.Minutes), plural(t.Occurrences, "occurrence"), toilplan.Duration(t.Previous), trend(t.Minutes, t.Previous),
		toilplan.Duration(t.Saved), toilplan.Duration(t.TotalSaved))
	if len(t.Items) == 0 {
		return
	}
	b.WriteString("| Toil item | Status | Time | Trend | Saved |\n|---|---|---:|---|---:|\n")
	for _, it := range t.Items {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", markdown.Cell(it.Title), it.Status, toilplan.Duration(it.Minutes), it.Trend, toilplan.Duration(it.Saved))
	}
	b.WriteString("\n")
}

func writeFuture(b *strings.Builder, s Service, o Render) {
	fmt.Fprintf(b, "### %s\n\n", markdown.Text(s.Name))
	if len(s.Open) == 0 {
		b.WriteString("- Open action items: none.\n")
	}
	for _, a := range s.Open {
		owner, due := "", ""
		if a.Owner != "" {
			owner = ", " + markdown.Text(a.Owner)
		}
		if !a.Due.IsZero() {
			due = ", due " + a.Due.In(o.Loc).Format("2006-01-02")
		}
		fmt.Fprintf(b, "- Action item: %s (%s%s%s).\n", markdown.Text(a.Item), incidentRef(a.IncidentID, a.Incident), owner, due)
	}
	for _, rel := range s.Planned {
		fmt.Fprintf(b, "- Release %s planned for %s.\n", markdown.Link(rel.Name+" "+rel.Version, link(o.Base, "/releases/"+itoa(rel.ID))), stamp(rel.At, o.Loc))
	}
	switch {
	case len(o.Config.Maintenance) == 0:
		b.WriteString("- Maintenance: no windows are configured (`maintenance:`).\n")
	case len(s.Maintenance) == 0:
		b.WriteString("- Maintenance: none planned in the next two weeks.\n")
	}
	for _, m := range s.Maintenance {
		b.WriteString("- " + window(m, o.Loc) + "\n")
	}
	b.WriteString("\n")
}

func window(m Window, loc *time.Location) string {
	keys := make([]string, 0, len(m.Match))
	for k := range m.Match {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	match := make([]string, len(keys))
	for i, k := range keys {
		match[i] = k + "=" + strconv.Quote(m.Match[k])
	}
	return fmt.Sprintf("Maintenance %s: %s to %s (%s).", code(m.ID), stamp(m.Start, loc), stamp(m.End, loc), code(strings.Join(match, ", ")))
}

func percent(p slo.PeriodSLI) string {
	switch {
	case p.Error != "":
		return "not readable: " + markdown.Text(p.Error)
	case p.SLI == nil:
		return "no data"
	}
	return fmt.Sprintf("%.3f%%", *p.SLI)
}

func verdict(p slo.PeriodSLI) string {
	switch {
	case p.SLI == nil:
		return ""
	case p.Met:
		return "met"
	}
	return "**missed**"
}

// trend compares the week's toil with the week before's.
func trend(now, before int) string {
	switch {
	case before == 0 && now == 0:
		return "none"
	case before == 0:
		return "new"
	case now == before:
		return "steady"
	case now > before:
		return fmt.Sprintf("up %d%%", (now-before)*100/before)
	}
	return fmt.Sprintf("down %d%%", (before-now)*100/before)
}

func failed(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d failed or refused", n)
}

func incidentRef(id int64, title string) string {
	return fmt.Sprintf("incident #%d %s", id, markdown.Text(title))
}

// minutes prints a duration the way people say it, rounded to the minute.
func minutes(d time.Duration) string {
	return toilplan.Duration(int(d.Round(time.Minute) / time.Minute))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// code shows an id as code; backticks inside cannot end it early.
func code(s string) string {
	return "`` " + strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "`", "'") + " ``"
}

func link(base, path string) string {
	if base == "" {
		return ""
	}
	return strings.TrimSuffix(base, "/") + path
}

func stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2006-01-02 15:04") }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
