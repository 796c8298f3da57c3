// Package postmortem writes an incident's postmortem in the shape of
// Google's SRE postmortem template: what is known (timeline, durations,
// alerts, pages, runbook runs, deploys) is filled in from the record, and
// the parts only people can write (root causes, lessons) come from the
// incident's editable fields, or say that they are still to be written.
//
// The template is a text/template producing Markdown; HTML is that
// Markdown rendered. Teams replace the template with a file of their own.
package postmortem

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/vigil-sre/vigil/internal/report/document"
	"github.com/vigil-sre/vigil/internal/store"
)

//go:embed default.md.tmpl
var defaultTemplate string

// DefaultTemplate is the built-in template's text, for `--template` authors.
func DefaultTemplate() string { return defaultTemplate }

// Data is what the template reads.
type Data struct {
	Incident     store.IncidentRow
	Title        string
	Date         string
	Authors      []string
	Status       string // draft or final
	ImpactWindow string
	TimeZone     string
	Summary      string
	Impact       string
	RootCauses   string
	Trigger      string
	Resolution   string
	Detection    string
	WentWell     string
	WentWrong    string
	Lucky        string
	Durations    Durations
	ActionItems  []store.ActionItem
	Timeline     []Entry
	Alerts       []store.AlertRow
	Paged        []string
	Runs         []store.RunRow
	Deploys      []store.DeployRow
}

// Durations are shown as text: "1h15m", or "—" when not reached.
type Durations struct{ Detect, Acknowledge, Mitigate, Resolve string }

// Entry is one timeline row.
type Entry struct{ Time, Kind, Text, Actor string }

// ToWrite marks a section that people have yet to write.
const ToWrite = "_To be written._"

// Fields are the editable sections, by key in the incident's postmortem map.
var Fields = []string{"summary", "impact", "root_causes", "trigger", "resolution", "detection",
	"went_well", "went_wrong", "lucky", "authors", "status"}

// Build fills Data from an incident and its record. edit holds the
// sections people wrote.
func Build(in store.IncidentRow, timeline []store.TimelineEntry, alerts []store.AlertRow, paged []string,
	runs []store.RunRow, deploys []store.DeployRow, items []store.ActionItem, loc *time.Location) Data {
	if loc == nil {
		loc = time.UTC
	}
	edit := in.Postmortem
	get := func(key, fallback string) string {
		if v := strings.TrimSpace(edit[key]); v != "" {
			return v
		}
		return fallback
	}
	d := Data{Incident: in, Title: in.Title, Date: in.StartedAt.In(loc).Format("2006-01-02"), TimeZone: loc.String(),
		ActionItems: items, Alerts: alerts, Paged: paged, Runs: runs, Deploys: deploys}
	d.Authors = strings.Split(get("authors", in.DeclaredBy), ",")
	for i := range d.Authors {
		d.Authors[i] = strings.TrimSpace(d.Authors[i])
	}
	d.Status = get("status", "draft")
	end := in.ResolvedAt
	if end.IsZero() {
		d.ImpactWindow = in.StartedAt.In(loc).Format("2006-01-02 15:04 MST") + " → ongoing"
	} else {
		d.ImpactWindow = fmt.Sprintf("%s → %s (%s)", in.StartedAt.In(loc).Format("2006-01-02 15:04"), end.In(loc).Format("15:04 MST"), span(in.StartedAt, end))
	}
	d.Durations = Durations{Detect: since(in.StartedAt, in.DetectedAt), Acknowledge: since(in.StartedAt, in.AcknowledgedAt),
		Mitigate: since(in.StartedAt, in.MitigatedAt), Resolve: since(in.StartedAt, in.ResolvedAt)}
	summary := in.Summary
	if summary == "" {
		summary = ToWrite
	}
	d.Summary = get("summary", summary)
	impact := fmt.Sprintf("%s incident on %s, %s.", in.Severity, strings.Join(in.Services, ", "), strings.TrimPrefix(d.ImpactWindow, d.Date+" "))
	if len(alerts) > 0 {
		impact += fmt.Sprintf(" %d alert(s) fired.", len(alerts))
	}
	d.Impact = get("impact", impact+" Describe who was affected and how.")
	d.RootCauses = get("root_causes", ToWrite)
	d.Trigger = get("trigger", triggerHint(deploys, in.StartedAt, loc))
	d.Resolution = get("resolution", ToWrite)
	d.Detection = get("detection", detection(in, alerts, loc))
	d.WentWell = get("went_well", ToWrite)
	d.WentWrong = get("went_wrong", ToWrite)
	d.Lucky = get("lucky", ToWrite)
	for _, e := range timeline {
		at := e.At.In(loc)
		layout := "15:04"
		if at.Format("2006-01-02") != d.Date {
			layout = "2006-01-02 15:04" // another day than the incident's
		}
		d.Timeline = append(d.Timeline, Entry{Time: at.Format(layout), Kind: e.Kind, Text: e.Text, Actor: e.Actor})
	}
	return d
}

// triggerHint names the newest deploy before the impact began (a deploy
// during the incident is more likely the fix).
func triggerHint(deploys []store.DeployRow, start time.Time, loc *time.Location) string {
	for _, d := range deploys { // newest first
		if d.At.After(start) {
			continue
		}
		return fmt.Sprintf("%s Most recent change before the incident: deploy of %s %s to %s at %s%s.", ToWrite, d.Service, d.Version,
			d.Environment, d.At.In(loc).Format("2006-01-02 15:04 MST"), byText(d.By))
	}
	return ToWrite
}

func byText(by string) string {
	if by == "" {
		return ""
	}
	return " by " + by
}

func detection(in store.IncidentRow, alerts []store.AlertRow, loc *time.Location) string {
	if len(alerts) == 0 {
		return fmt.Sprintf("Declared by %s at %s; no alert was linked.", in.DeclaredBy, in.DeclaredAt.In(loc).Format("15:04 MST"))
	}
	a := alerts[0]
	for _, x := range alerts {
		if x.FirstSeen.Before(a.FirstSeen) {
			a = x
		}
	}
	return fmt.Sprintf("Alert #%d (%s, from %s) fired at %s: %s.", a.ID, a.Severity, a.Source, a.FirstSeen.In(loc).Format("15:04 MST"), a.Summary)
}

func since(from, to time.Time) string {
	if to.IsZero() {
		return "—"
	}
	return span(from, to)
}

func span(from, to time.Time) string {
	d := to.Sub(from).Round(time.Minute)
	if d < 0 {
		d = 0
	}
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}

var funcs = texttemplate.FuncMap{
	"join": strings.Join,
	// cell makes text safe inside a Markdown table cell.
	"cell": func(s string) string {
		s = strings.ReplaceAll(s, "|", `\|`)
		return strings.Join(strings.Fields(s), " ")
	},
}

// Parse reads a replacement template (a text/template producing Markdown);
// path "" is the built-in one.
func Parse(path string) (*texttemplate.Template, error) {
	src := defaultTemplate
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("postmortem template: %w", err)
		}
		src = string(b)
	}
	t, err := texttemplate.New("postmortem").Funcs(funcs).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("postmortem template: %w", err)
	}
	return t, nil
}

// Render writes the postmortem as Markdown ("md") or HTML ("html").
func Render(w io.Writer, t *texttemplate.Template, d Data, format string) error {
	var md bytes.Buffer
	if err := t.Execute(&md, d); err != nil {
		return fmt.Errorf("postmortem template: %w", err)
	}
	switch format {
	case "md", "markdown", "":
		_, err := w.Write(md.Bytes())
		return err
	case "html":
		return document.HTML(w, "Postmortem: "+d.Title, md.Bytes())
	}
	return fmt.Errorf("format %q is not md or html", format)
}
