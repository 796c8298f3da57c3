package release

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// kindTitles head the code changes of each kind, as the as-built document did.
var kindTitles = map[string]string{"security": "Security fixes", "feature": "Feature Additions", "fix": "Bug fixes", "chore": "Chores"}

// Render writes the as-built document as Markdown ("md") or HTML ("html").
func Render(w io.Writer, d Doc, format string) error {
	md := Markdown(d)
	switch format {
	case "md", "":
		_, err := io.WriteString(w, md)
		return err
	case "html":
		body, err := htmlOf(md)
		if err != nil {
			return err
		}
		return page.Execute(w, struct {
			Title string
			Body  template.HTML
		}{title(d), body})
	}
	return fmt.Errorf("format %q is not md or html", format)
}

// HTMLBody is the document as an HTML fragment, for a page of the web app.
func HTMLBody(d Doc) (template.HTML, error) { return htmlOf(Markdown(d)) }

// htmlOf renders the document's Markdown. Raw HTML is not passed through
// (goldmark's default), and the record's text was escaped as Markdown.
func htmlOf(md string) (template.HTML, error) {
	var body bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.Table)).Convert([]byte(md), &body); err != nil {
		return "", err
	}
	return template.HTML(body.String()), nil
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}pre{background:#f6f6f6;padding:.5rem;overflow:auto}</style>
</head><body>
{{.Body}}
</body></html>
`))

func title(d Doc) string { return "As-Built Doc: " + d.ServiceName + ", " + d.Release.Name }

// Markdown writes the as-built document in the layout the team's document
// had: stakeholders, code changes, data and system changes, design
// decisions, tests, deployment notes and files, then what Vigil adds.
func Markdown(d Doc) string {
	r := d.Release
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	when := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(d.Loc).Format("2006-01-02 15:04 MST")
	}
	p("# As-Built Doc: %s, %s\n\n", inline(d.ServiceName), inline(r.Name))
	p("| | |\n|---|---|\n")
	p("| **Service** | %s |\n| **Version** | %s |\n| **Status** | %s |\n", cell(r.Service), cell(r.Version), statusText(r.Status))
	p("| **Planned** | %s |\n| **Started** | %s |\n| **Finished** | %s |\n", when(r.PlannedAt), when(r.StartedAt), when(r.FinishedAt))
	if d.Previous != nil {
		p("| **Previous release** | %s (%s, #%d) |\n", cell(d.Previous.Name), cell(d.Previous.Version), d.Previous.ID)
	}
	p("| **Recorded** | %s by %s |\n", when(r.CreatedAt), cell(r.CreatedBy))
	if r.Summary != "" {
		p("\n%s\n", paragraphs(r.Summary))
	}

	p("\n## Stakeholders\n\n")
	if len(r.Stakeholders) == 0 {
		p("_None recorded._\n")
	}
	for _, g := range r.Stakeholders {
		p("- %s\n", inline(RoleTitle(g.Role)))
		for _, m := range g.Members {
			p("  - %s\n", inline(m.Name))
		}
	}

	p("\n## Code Changes\n\n")
	if len(r.CodeChanges) == 0 {
		p("_None recorded._\n")
	}
	for _, k := range Kinds {
		first := true
		for _, t := range r.CodeChanges {
			if t.Kind != k {
				continue
			}
			if first {
				p("- %s\n", kindTitles[k])
				first = false
			}
			p("  - %s (%s)\n", inline(t.Title), ticketRef(t))
		}
	}

	p("\n## Data and System Changes\n\n")
	if len(r.DataChanges)+len(r.SystemChanges) == 0 {
		p("_None._\n")
	}
	for _, sec := range []struct {
		title string
		cs    []Change
	}{{"Data model changes", r.DataChanges}, {"System changes", r.SystemChanges}} {
		if len(sec.cs) == 0 {
			continue
		}
		p("- %s\n", sec.title)
		for _, c := range sec.cs {
			p("  - %s", inline(c.Text))
			if c.Ticket != "" {
				p(" (%s)", inline(c.Ticket))
			}
			p("\n")
		}
	}

	p("\n## Design decision highlights\n\n")
	if len(r.DesignDecisions) == 0 {
		p("_None recorded._\n")
	}
	for i, dd := range r.DesignDecisions {
		if i > 0 {
			p("\n")
		}
		p("%s", paragraphs(dd.Text))
		switch {
		case dd.Doc != "" && dd.Link != "":
			p(" See [%s](%s).", inline(dd.Doc), link(dd.Link))
		case dd.Doc != "":
			p(" See %s.", inline(dd.Doc))
		case dd.Link != "":
			p(" See %s.", link(dd.Link))
		}
		p("\n")
	}

	p("\n## Test Section\n\n")
	writeTests(&b, r.Tests)

	if r.Capacity != nil {
		p("\n## Capacity Plan\n\n")
		writeCapacity(&b, r)
	}

	p("\n## Deployment Notes\n\n")
	if strings.TrimSpace(r.DeploymentNotes) == "" {
		p("_None._\n")
	} else {
		p("%s\n", paragraphs(r.DeploymentNotes))
	}

	p("\n## Deployment File\n")
	if len(r.Manifests) == 0 {
		p("\n_None attached._\n")
	}
	for _, m := range r.Manifests {
		p("\n### %s\n\n%s\n\n", inline(m.Name), codeBlock("yaml", m.Source))
		if len(m.Findings) == 0 {
			p("Review: no problems found.\n")
			continue
		}
		p("Review found %d problem(s):\n\n", len(m.Findings))
		for _, f := range m.Findings {
			p("- %s\n", inline(f.String()))
		}
	}

	writeVigil(&b, d, when)
	return b.String()
}

func statusText(s string) string { return strings.ReplaceAll(s, "_", " ") }

func ticketRef(t Ticket) string {
	if t.Link == "" {
		return inline(t.ID)
	}
	return fmt.Sprintf("[%s](%s)", inline(t.ID), link(t.Link))
}

// link writes a validated http(s) URL as a Markdown link destination.
func link(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<>"
	}
	return "<" + strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20", "\n", "").Replace(u.String()) + ">"
}

func writeTests(b *strings.Builder, t Tests) {
	if t.Summary == "" && len(t.LoadTests) == 0 {
		b.WriteString("_None recorded._\n")
		return
	}
	if t.Summary != "" {
		b.WriteString(paragraphs(t.Summary) + "\n")
	}
	if len(t.LoadTests) == 0 {
		return
	}
	b.WriteString("\n")
	for _, lt := range t.LoadTests {
		fmt.Fprintf(b, "- %s\n", inline(lt.Component))
		for _, f := range lt.Findings {
			fmt.Fprintf(b, "  - %s\n", inline(f))
		}
	}
	b.WriteString("\n| Component | Result | Concurrent users | Memory change | CPU change |\n|---|---|---|---|---|\n")
	for _, lt := range t.LoadTests {
		users := "—"
		if lt.ConcurrentUsers > 0 {
			users = fmt.Sprint(lt.ConcurrentUsers)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", cell(lt.Component), orDash(lt.Result), users, orDash(cell(lt.MemoryChange)), orDash(cell(lt.CPUChange)))
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func writeCapacity(b *strings.Builder, r Release) {
	c := r.Capacity
	fmt.Fprintf(b, "Deployment %s: **%d replicas**; limits equal requests.\n", inline(c.Deployment), c.Replicas)
	for _, pc := range c.Components {
		fmt.Fprintf(b, "\n### %s\n\n", inline(pc.Name))
		for _, s := range pc.Steps {
			fmt.Fprintf(b, "- %s: %s\n", s.Topic, inline(s.Text))
		}
		var req []string
		for _, k := range []string{"memory", "cpu"} {
			if v, ok := pc.Requests[k]; ok {
				req = append(req, k+" "+v)
			}
		}
		if len(req) > 0 {
			fmt.Fprintf(b, "\nRequests: %s.\n", strings.Join(req, ", "))
		}
	}
	for _, n := range c.Notes {
		fmt.Fprintf(b, "\nNote: %s\n", inline(n))
	}
}

func writeVigil(b *strings.Builder, d Doc, when func(time.Time) string) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("\n## Changes since the previous release\n\n")
	switch {
	case d.Previous == nil:
		p("_This is the service's first recorded release._\n")
	case len(d.Changes) == 0:
		p("_No changes to stakeholders, ticket kinds or manifests since %s._\n", inline(d.Previous.Name))
	default:
		p("Since %s (%s):\n\n", inline(d.Previous.Name), cell(d.Previous.Version))
		for _, c := range d.Changes {
			p("- %s\n", inline(c))
		}
	}
	p("\n## Deploys\n\n")
	if len(d.Deploys) == 0 {
		p("_No deploy of %s %s recorded._\n", cell(d.Release.Service), cell(d.Release.Version))
	} else {
		p("| Time | Environment | Artifact | By |\n|---|---|---|---|\n")
		for _, dep := range d.Deploys {
			p("| %s | %s | %s | %s |\n", when(dep.At), cell(dep.Environment), orDash(cell(dep.Artifact)), orDash(cell(dep.By)))
		}
	}
	p("\n## Incidents within %s after\n\n", windowText(d.Window))
	if d.WindowStart.IsZero() || len(d.Incidents) == 0 {
		p("_None declared on %s from %s to %s._\n", inline(d.Release.Service), when(d.WindowStart), when(d.WindowStart.Add(d.Window)))
		return
	}
	p("| # | Severity | Title | Declared | Status |\n|---|---|---|---|---|\n")
	for _, in := range d.Incidents {
		p("| %d | %s | %s | %s | %s |\n", in.ID, cell(in.Severity), cell(in.Title), when(in.DeclaredAt), cell(in.Status))
	}
}

func windowText(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d >= 48*time.Hour {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}
