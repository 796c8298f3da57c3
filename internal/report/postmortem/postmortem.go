// Package postmortem writes an incident's postmortem in the shape of
// Google's SRE postmortem template: what is known (timeline, durations,
// alerts, pages, runbook runs, deploys) is filled in from the record, and
// the parts only people can write (root causes, lessons) come from the
// incident's editable fields, or say that they are still to be written.
//
// The template is a text/template producing Markdown; HTML is that
// Markdown rendered. Teams replace the template with a file of their own.
// Every value the template reads is already Markdown: text from the record
// (chat, notes, labels, summaries, names) is escaped so it shows as written,
// and the sections people write keep their Markdown but not raw HTML.
package postmortem

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/report/markdown"
	"github.com/vigil-sre/vigil/internal/store"
)

// Data is what the template reads. Every string is Markdown, safe to place
// as it is.
type Data struct {
	Incident     Incident
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
	ActionItems  []ActionItem
	Timeline     []Entry
	Alerts       []Alert
	Paged        []string
	Runs         []Run
	Deploys      []Deploy

	title string // plain, for the HTML page's <title>
}

// Incident is the incident the postmortem is about.
type Incident struct {
	ID       int64
	Severity string
	Status   string
	Title    string
	Services []string
}

// Durations are shown as text: "1h15m", or "—" when not reached.
type Durations struct{ Detect, Acknowledge, Mitigate, Resolve string }

// Entry is one timeline row.
type Entry struct{ Time, Kind, Text, Actor string }

// ActionItem is one row of the action items. Tracking is a link when the
// item's tracking is a web URL.
type ActionItem struct{ Item, Type, Owner, Due, Tracking, Status string }

// Alert is an alert linked to the incident.
type Alert struct {
	ID                                int64
	Severity, Summary, Status, Source string
}

// Run is a runbook run on the incident's alerts.
type Run struct{ ID, Runbook, Status, Reason string }

// Deploy is a deploy on the incident's services around it.
type Deploy struct{ Time, Service, Version, Environment, Artifact, By string }

// ToWrite marks a section that people have yet to write.
const ToWrite = "_To be written._"

// Fields are the editable sections, by key in the incident's postmortem map.
var Fields = []string{"summary", "impact", "root_causes", "trigger", "resolution", "detection",
	"went_well", "went_wrong", "lucky", "authors", "status"}

// Record is what a postmortem is written from. Timeline is the reader's
// timeline: what a reader does not need is already folded away.
type Record struct {
	Incident    store.IncidentRow
	Timeline    []store.TimelineEntry
	Alerts      []store.AlertRow
	Paged       []string
	Runs        []store.RunRow
	Deploys     []store.DeployRow // newest first
	ActionItems []store.ActionItem
}

// Build fills Data from an incident's record, with times in loc.
func Build(r Record, loc *time.Location) Data {
	if loc == nil {
		loc = time.UTC
	}
	in := r.Incident
	edit := in.Postmortem
	// written returns what people wrote for a section, or fallback (Markdown).
	written := func(key, fallback string) string {
		if v := strings.TrimSpace(edit[key]); v != "" {
			return markdown.Prose(v)
		}
		return fallback
	}
	d := Data{Title: markdown.Text(in.Title), title: in.Title, Date: in.StartedAt.In(loc).Format("2006-01-02"), TimeZone: loc.String(),
		Incident: Incident{ID: in.ID, Severity: markdown.Text(in.Severity), Status: markdown.Text(in.Status), Title: markdown.Text(in.Title),
			Services: texts(in.Services)}}
	authors := in.DeclaredBy
	if v := strings.TrimSpace(edit["authors"]); v != "" {
		authors = v
	}
	for _, a := range strings.Split(authors, ",") {
		if a = strings.TrimSpace(a); a != "" {
			d.Authors = append(d.Authors, markdown.Text(a))
		}
	}
	d.Status = "draft"
	if v := strings.TrimSpace(edit["status"]); v != "" {
		d.Status = markdown.Text(v)
	}
	end := in.ResolvedAt
	if end.IsZero() {
		d.ImpactWindow = in.StartedAt.In(loc).Format("2006-01-02 15:04 MST") + " → ongoing"
	} else {
		d.ImpactWindow = fmt.Sprintf("%s → %s (%s)", in.StartedAt.In(loc).Format("2006-01-02 15:04"), end.In(loc).Format("15:04 MST"), span(in.StartedAt, end))
	}
	d.Durations = Durations{Detect: since(in.StartedAt, in.DetectedAt), Acknowledge: since(in.StartedAt, in.AcknowledgedAt),
		Mitigate: since(in.StartedAt, in.MitigatedAt), Resolve: since(in.StartedAt, in.ResolvedAt)}
	summary := ToWrite
	if strings.TrimSpace(in.Summary) != "" {
		summary = markdown.Text(in.Summary)
	}
	d.Summary = written("summary", summary)
	impact := fmt.Sprintf("%s incident on %s, %s.", d.Incident.Severity, strings.Join(d.Incident.Services, ", "), strings.TrimPrefix(d.ImpactWindow, d.Date+" "))
	if len(r.Alerts) > 0 {
		impact += fmt.Sprintf(" %d alert(s) fired.", len(r.Alerts))
	}
	d.Impact = written("impact", impact+" Describe who was affected and how.")
	d.RootCauses = written("root_causes", ToWrite)
	d.Trigger = written("trigger", triggerHint(r.Deploys, in.StartedAt, loc))
	d.Resolution = written("resolution", ToWrite)
	d.Detection = written("detection", detection(in, r.Alerts, loc))
	d.WentWell = written("went_well", ToWrite)
	d.WentWrong = written("went_wrong", ToWrite)
	d.Lucky = written("lucky", ToWrite)
	d.Timeline = timeline(r.Timeline, d.Date, loc)
	for _, a := range r.ActionItems {
		item := ActionItem{Item: markdown.Cell(a.Item), Type: markdown.Cell(a.Type), Owner: markdown.Cell(a.Owner),
			Tracking: markdown.Cell(a.Tracking), Status: markdown.Cell(a.Status), Due: "—"}
		if a.Tracking != "" {
			item.Tracking = markdown.Link(a.Tracking, a.Tracking)
		}
		if !a.Due.IsZero() {
			item.Due = a.Due.In(loc).Format("2006-01-02")
		}
		d.ActionItems = append(d.ActionItems, item)
	}
	for _, a := range r.Alerts {
		d.Alerts = append(d.Alerts, Alert{ID: a.ID, Severity: markdown.Text(a.Severity), Summary: markdown.Text(a.Summary),
			Status: markdown.Text(a.Status), Source: markdown.Text(a.Source)})
	}
	d.Paged = texts(r.Paged)
	for _, run := range r.Runs {
		d.Runs = append(d.Runs, Run{ID: markdown.Text(run.ID), Runbook: markdown.Text(run.Runbook), Status: markdown.Text(run.Status),
			Reason: markdown.Text(run.Reason)})
	}
	for _, dep := range r.Deploys {
		d.Deploys = append(d.Deploys, Deploy{Time: dep.At.In(loc).Format("2006-01-02 15:04 MST"), Service: markdown.Text(dep.Service),
			Version: markdown.Text(dep.Version), Environment: markdown.Text(dep.Environment), Artifact: markdown.Text(dep.Artifact),
			By: markdown.Text(dep.By)})
	}
	return d
}

// timeline writes each entry's time as hh:mm, with the date when it is
// another day than the incident's.
func timeline(es []store.TimelineEntry, date string, loc *time.Location) []Entry {
	out := make([]Entry, 0, len(es))
	for _, e := range es {
		at := e.At.In(loc)
		layout := "15:04"
		if at.Format("2006-01-02") != date {
			layout = "2006-01-02 15:04"
		}
		out = append(out, Entry{Time: at.Format(layout), Kind: markdown.Text(e.Kind), Text: markdown.Text(e.Text), Actor: markdown.Text(e.Actor)})
	}
	return out
}

// triggerHint names the newest deploy before the impact began (a deploy
// during the incident is more likely the fix).
func triggerHint(deploys []store.DeployRow, start time.Time, loc *time.Location) string {
	for _, d := range deploys { // newest first
		if d.At.After(start) {
			continue
		}
		by := ""
		if d.By != "" {
			by = " by " + markdown.Text(d.By)
		}
		return fmt.Sprintf("%s Most recent change before the incident: deploy of %s %s to %s at %s%s.", ToWrite, markdown.Text(d.Service),
			markdown.Text(d.Version), markdown.Text(d.Environment), d.At.In(loc).Format("2006-01-02 15:04 MST"), by)
	}
	return ToWrite
}

// detection says which alert detected the incident, and how long after
// the impact began when that is known.
func detection(in store.IncidentRow, alerts []store.AlertRow, loc *time.Location) string {
	if len(alerts) == 0 {
		return fmt.Sprintf("Declared by %s at %s; no alert was linked.", markdown.Text(in.DeclaredBy), in.DeclaredAt.In(loc).Format("15:04 MST"))
	}
	a := alerts[0]
	for _, x := range alerts {
		if x.FirstSeen.Before(a.FirstSeen) {
			a = x
		}
	}
	out := fmt.Sprintf("Alert #%d (%s, from %s) fired at %s: %s.", a.ID, markdown.Text(a.Severity), markdown.Text(a.Source),
		a.FirstSeen.In(loc).Format("15:04 MST"), markdown.Text(a.Summary))
	if lag := a.FirstSeen.Sub(in.StartedAt); lag >= time.Second {
		out += fmt.Sprintf(" Impact began at %s, %s before.", in.StartedAt.In(loc).Format("15:04:05 MST"), shortDuration(lag))
	}
	return out
}

func texts(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, markdown.Text(s))
	}
	return out
}

func since(from, to time.Time) string {
	if to.IsZero() {
		return "—"
	}
	return span(from, to)
}

// span is a duration to the minute: "1h15m", "5m", "0m".
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

// shortDuration is a lag to the second below a minute: "40s", "2m", "1h5m".
func shortDuration(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d/time.Second)) + "s"
	}
	return span(time.Time{}, time.Time{}.Add(d))
}
