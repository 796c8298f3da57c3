package delivery

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Markdown writes the report as a table per key and the failures behind
// the change failure rate. Times are shown in loc.
func Markdown(r Report, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	var b strings.Builder
	day := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04 MST") }
	fmt.Fprintf(&b, "# Delivery of %s, %s to %s\n\n", cell(r.Environment), day(r.From), day(r.To))
	b.WriteString("The four keys of DORA's research (docs/releases.md says how each is counted).\n\n")
	b.WriteString("| Service | Deploys | Deployment frequency | Lead time for changes | Change failure rate | Time to restore | Band |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	rows := append([]Metrics{r.Overall}, r.Services...)
	for _, m := range rows {
		name := cell(m.Service)
		if m.Service == "" {
			name = "**All services**"
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s |\n", name, m.Deploys,
			banded(fmt.Sprintf("%s, %s a week", m.Frequency, trimFloat(m.DeploysPerWeek)), m.Bands.DeploymentFrequency, m.Deploys > 0),
			banded(Duration(m.LeadTimeSeconds)+changes(m.Changes), m.Bands.LeadTime, m.LeadTimeSeconds != nil),
			banded(rate(m), m.Bands.ChangeFailureRate, m.ChangeFailureRate != nil),
			banded(restore(m), m.Bands.TimeToRestore, m.TimeToRestoreSecs != nil || m.Unrestored > 0),
			orDash(m.Bands.Overall))
	}
	b.WriteString("\n## Change failures\n\n")
	if len(r.Failures) == 0 {
		b.WriteString("_None._\n")
		return b.String()
	}
	b.WriteString("| Deploy | Service | Version | When | Why | Restored |\n|---|---|---|---|---|---|\n")
	for _, f := range r.Failures {
		why := strings.Join(f.Why, ", ")
		if len(f.Incidents) > 0 {
			ids := make([]string, len(f.Incidents))
			for i, id := range f.Incidents {
				ids[i] = "#" + strconv.FormatInt(id, 10)
			}
			why += " " + strings.Join(ids, ", ")
		}
		restored := "not yet"
		if f.RestoredIn != nil {
			restored = Duration(f.RestoredIn) + " (" + cell(f.RestoredHow) + ")"
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", f.Deploy, cell(f.Service), cell(f.Version), day(f.At), why, restored)
	}
	return b.String()
}

func banded(value, band string, has bool) string {
	if !has {
		return "—"
	}
	if band == "" {
		return value
	}
	return value + " (" + band + ")"
}

func rate(m Metrics) string {
	if m.ChangeFailureRate == nil {
		return ""
	}
	return fmt.Sprintf("%s (%d of %d)", Percent(*m.ChangeFailureRate), m.Failed, m.Deploys)
}

// Percent writes a rate of 0..1 as a percentage.
func Percent(r float64) string { return trimFloat(round2(r*100)) + "%" }

func changes(n int) string {
	if n == 1 {
		return " (1 change)"
	}
	return fmt.Sprintf(" (%d changes)", n)
}

func restore(m Metrics) string {
	var parts []string
	if m.TimeToRestoreSecs != nil {
		parts = append(parts, Duration(m.TimeToRestoreSecs))
	}
	if m.Unrestored > 0 {
		parts = append(parts, fmt.Sprintf("%d not restored", m.Unrestored))
	}
	return strings.Join(parts, ", ")
}

// Duration writes seconds the way people say it: 2d 3h, 4h 10m, 12m,
// 40s; "not yet" for none.
func Duration(secs *float64) string {
	if secs == nil {
		return "not yet"
	}
	d := time.Duration(*secs * float64(time.Second)).Round(time.Second)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	case mins > 0:
		return fmt.Sprintf("%dm", mins)
	}
	return fmt.Sprintf("%ds", int(d/time.Second))
}

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// cellEscaper keeps text a sender chose (a version, an environment) from
// becoming Markdown or HTML in a table cell.
var cellEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`|`, `\|`, `~`, `\~`, `&`, `\&`, `!`, `\!`, `#`, `\#`)

func cell(s string) string { return cellEscaper.Replace(strings.Join(strings.Fields(s), " ")) }
