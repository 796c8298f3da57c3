package web

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/store"
)

// What the incident pages show of incidents, shared by the list, the
// incident page, its live stream and the deploys list.

// severityRank orders severities most severe first; an unknown one last.
func severityRank(sev string) int {
	if i := slices.Index(incident.Severities, sev); i >= 0 {
		return i
	}
	return len(incident.Severities)
}

// isOpen reports whether an incident is not resolved.
func isOpen(in store.IncidentRow) bool { return in.Status != store.IncidentResolved }

// spanText is a duration as people read it: "1h15m", "3d4h", "40s".
func spanText(d time.Duration) string {
	if d < time.Minute {
		return duration.Format(d.Round(time.Second))
	}
	return duration.Format(d.Round(time.Minute))
}

// incidentItem is an incident in a list.
type incidentItem struct {
	store.IncidentRow
	Open bool
	// Started is when impact began, in the viewer's zone; Age how long
	// ago that was; Lasted, for a resolved one, how long it lasted.
	Started     template.HTML
	Age, Lasted string
}

func (p Page) incidentItem(in store.IncidentRow) incidentItem {
	it := incidentItem{IncidentRow: in, Open: isOpen(in), Started: p.Time(in.StartedAt), Age: spanText(p.Now.Sub(in.StartedAt))}
	if !in.ResolvedAt.IsZero() {
		it.Lasted = spanText(in.ResolvedAt.Sub(in.StartedAt))
	}
	return it
}

// timelineRow is one entry of an incident's timeline as its page shows it;
// the live stream sends the same rows, rendered by the same template.
type timelineRow struct {
	// Key is the row's element id: e-ID for the incident's own entries
	// (notes, chat, status...), s-SOURCE for what Vigil gathers from
	// elsewhere (alerts, pages, runs, checks, deploys). A page never shows
	// one twice.
	Key   string
	ID    int64 // 0 for entries gathered from elsewhere
	AtMS  int64
	When  template.HTML
	Kind  string
	Actor string
	Text  string
	Href  string // the page of what the entry is about, if it has one
}

func (p Page) timelineRows(es []store.TimelineEntry) []timelineRow {
	out := make([]timelineRow, 0, len(es))
	for _, e := range es {
		out = append(out, timelineRow{Key: timelineKey(e), ID: e.ID, AtMS: e.At.UnixMilli(), When: p.Time(e.At),
			Kind: e.Kind, Actor: e.Actor, Text: e.Text, Href: sourceHref(e.Source)})
	}
	return out
}

func timelineKey(e store.TimelineEntry) string {
	if e.ID != 0 {
		return "e-" + strconv.FormatInt(e.ID, 10)
	}
	return "s-" + strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, e.Source)
}

// sourceHref links an entry to the page of what it records: a runbook
// run (or one of its steps), a deploy.
func sourceHref(source string) string {
	kind, rest, _ := strings.Cut(source, "/")
	switch kind {
	case "run", "run-end", "step":
		run, _, _ := strings.Cut(rest, "/")
		return "/runs/" + url.PathEscape(run)
	case "deploy":
		return "/deploys#deploy-" + rest
	}
	return ""
}

// personOption is a configured person in a picker.
type personOption struct{ ID, Name string }

// personOptions lists the config's people, for role and owner pickers.
func (s *Server) personOptions() []personOption {
	var out []personOption
	for _, pe := range s.d.Config().People {
		name := pe.Name
		if name == "" {
			name = pe.ID
		}
		out = append(out, personOption{ID: pe.ID, Name: name})
	}
	return out
}

// serviceIDs lists the config's services, for filters and the declare form.
func (s *Server) serviceIDs() []string {
	var out []string
	for _, svc := range s.d.Config().Services {
		out = append(out, svc.ID)
	}
	return out
}

// formState is what a refused form posted and why it was refused, so the
// page shows the problem next to the form with the person's input kept.
type formState struct {
	Name    string // the form: note, status, role, message, import, item, declare, postmortem
	Problem string
	Values  url.Values
}

// Value is what field of form held when it was refused, else "".
func (f formState) Value(form, field string) string {
	if f.Name != form {
		return ""
	}
	return f.Values.Get(field)
}

// Is reports whether form is the refused one.
func (f formState) Is(form string) bool { return f.Name == form }

// localInput is the layout of <input type="datetime-local">.
const localInput = "2006-01-02T15:04"

// parseLocal reads a time typed into a datetime-local field, in loc; ""
// is nil. The result is checked against the past window (it is when
// something happened).
func (s *Server) parseLocal(field, v string, loc *time.Location) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(localInput, v, loc)
	if err != nil {
		if t, err = time.ParseInLocation(localInput+":05", v, loc); err != nil {
			return nil, errs.E(errs.Invalid, "%s: %q is not a date and time like 2021-09-04T09:15", field, v)
		}
	}
	if err := s.past().Check(field, t); err != nil {
		return nil, err
	}
	return &t, nil
}
