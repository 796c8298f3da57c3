// Package oncall writes a person's on-call log for a shift from the record:
// for each alert they were paged about, when, what was tried (notes, chat,
// acknowledgements, runbook runs) and how it was resolved, the way the
// team's "On-Call Summary Log" is written by hand, plus the shift's load
// (pages, off-hours pages, time spent) and the alerts worth removing as toil
// or noise (recurring, or resolving by themselves).
package oncall

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/report/markdown"
	"github.com/vigil-sre/vigil/internal/store"
)

// Options choose the person and the shift.
type Options struct {
	Person   string
	From, To time.Time
	// Now ends a shift that reaches into the future: time not yet lived is
	// never counted. Zero means no limit.
	Now time.Time
	Loc *time.Location // the person's time zone, for off hours and display
	// WorkDay is when a page is not "off hours": default 09:00–18:00, Monday to Friday.
	WorkStart, WorkEnd int // hours
	// Services, when set, keeps only the alerts of these services.
	Services []string
}

// Report is the on-call log.
type Report struct {
	Person        string        `json:"person"`
	From          time.Time     `json:"from"`
	To            time.Time     `json:"to"`
	Pages         int           `json:"pages"`
	OffHoursPages int           `json:"off_hours_pages"`
	TimeSpent     time.Duration `json:"time_spent"` // first page → resolution of each alert, time two alerts overlap counted once
	Alerts        []Handled     `json:"alerts"`
	Toil          []Candidate   `json:"toil_candidates"`
}

// Handled is one alert of the shift.
type Handled struct {
	AlertID    int64         `json:"alert_id"`
	Summary    string        `json:"summary"`
	Service    string        `json:"service,omitempty"`
	Severity   string        `json:"severity"`
	FirstPaged time.Time     `json:"first_paged"`
	Pages      int           `json:"pages"`
	OffHours   int           `json:"off_hours_pages"`
	AckedBy    string        `json:"acknowledged_by,omitempty"`
	AckedAt    time.Time     `json:"acknowledged_at,omitzero"`
	ResolvedBy string        `json:"resolved_by,omitempty"`
	ResolvedAt time.Time     `json:"resolved_at,omitzero"`
	Spent      time.Duration `json:"time_spent"`
	Tried      []string      `json:"troubleshooting"`
	Resolution []string      `json:"resolution"`
	Incidents  []int64       `json:"incidents,omitempty"`
}

// Candidate is an alert worth automating or removing.
type Candidate struct {
	Summary string `json:"summary"`
	Service string `json:"service,omitempty"`
	Count   int    `json:"count"`
	Why     string `json:"why"` // recurring, self-resolving
}

// Build reads the record and writes the report.
func Build(ctx context.Context, s *store.Store, o Options) (Report, error) {
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	if o.WorkEnd == 0 {
		o.WorkStart, o.WorkEnd = 9, 18
	}
	pages, err := s.PagesTo(ctx, o.Person, o.From, o.To)
	if err != nil {
		return Report{}, err
	}
	if len(o.Services) > 0 {
		if pages, err = ofServices(ctx, s, pages, o.Services); err != nil {
			return Report{}, err
		}
	}
	// A shift reaching into the future is reported as far as now: time not
	// yet lived is neither spent nor "the end of the shift".
	if !o.Now.IsZero() && o.To.After(o.Now) {
		o.To = o.Now
		if o.To.Before(o.From) {
			o.To = o.From
		}
	}
	rep := Report{Person: o.Person, From: o.From, To: o.To, Alerts: []Handled{}, Toil: []Candidate{}}
	byAlert := map[int64]*Handled{}
	var order []int64
	counted := map[int64]bool{}
	for _, p := range pages {
		if !IsPage(p.Kind) {
			continue
		}
		off := offHours(p.CreatedAt.In(o.Loc), o)
		// One message about several alerts is one page for the shift.
		if !counted[p.ID] {
			counted[p.ID] = true
			rep.Pages++
			if off {
				rep.OffHoursPages++
			}
		}
		h := byAlert[p.AlertID]
		if h == nil {
			h = &Handled{AlertID: p.AlertID, FirstPaged: p.CreatedAt}
			byAlert[p.AlertID] = h
			order = append(order, p.AlertID)
		}
		h.Pages++
		if off {
			h.OffHours++
		}
	}
	for _, id := range order {
		h := byAlert[id]
		if err := fill(ctx, s, h, o); err != nil {
			return Report{}, err
		}
		rep.Alerts = append(rep.Alerts, *h)
	}
	rep.TimeSpent = spentOnce(rep.Alerts)
	rep.Toil = candidates(rep.Alerts)
	return rep, nil
}

// spentOnce is the time from each alert's first page to its resolution,
// where alerts overlap counted once: twelve alerts of one outage, paged
// together and resolved together, are the minutes of the outage, not
// twelve times them.
func spentOnce(alerts []Handled) time.Duration {
	type span struct{ from, to time.Time }
	spans := make([]span, 0, len(alerts))
	for _, h := range alerts {
		if h.Spent > 0 {
			spans = append(spans, span{h.FirstPaged, h.FirstPaged.Add(h.Spent)})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	var total time.Duration
	var cur span
	for i, sp := range spans {
		switch {
		case i == 0:
			cur = sp
		case !sp.from.After(cur.to):
			if sp.to.After(cur.to) {
				cur.to = sp.to
			}
		default:
			total = addSat(total, cur.to.Sub(cur.from))
			cur = sp
		}
	}
	if len(spans) > 0 {
		total = addSat(total, cur.to.Sub(cur.from))
	}
	return total
}

// ofServices keeps the pages about alerts of the services.
func ofServices(ctx context.Context, s *store.Store, pages []store.Page, services []string) ([]store.Page, error) {
	var ids []int64
	for _, p := range pages {
		ids = append(ids, p.AlertID)
	}
	alerts, err := s.AlertsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []store.Page
	for _, p := range pages {
		if slices.Contains(services, alerts[p.AlertID].Service) {
			out = append(out, p)
		}
	}
	return out, nil
}

// IsPage reports whether a notification of this kind asked something of
// its recipient: a resolved notice or a runbook message does not.
func IsPage(kind string) bool {
	return kind == "firing" || kind == "escalation" || kind == "reminder"
}

// Spent is the time a person spent on an alert: from its first page to
// its resolution, but not past end, the end of their shift (nobody works an
// alert after handing it over); never negative. A zero resolved means the
// alert is still open.
func Spent(firstPaged, resolved, end time.Time) time.Duration {
	if !resolved.IsZero() && resolved.Before(end) {
		end = resolved
	}
	return max(0, end.Sub(firstPaged))
}

func offHours(t time.Time, o Options) bool { return OffHours(t, o.WorkStart, o.WorkEnd) }

// OffHours reports whether t, in the zone it is in, falls outside the
// working day start:00 to end:00, Monday to Friday (9 and 18 by default in
// reports).
func OffHours(t time.Time, start, end int) bool {
	if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		return true
	}
	return t.Hour() < start || t.Hour() >= end
}

// fill adds what happened to an alert: its log, its runs, its incidents' notes.
func fill(ctx context.Context, s *store.Store, h *Handled, o Options) error {
	a, err := s.Alert(ctx, h.AlertID)
	if err != nil {
		return err
	}
	h.Summary, h.Service, h.Severity = a.Summary, a.Service, a.Severity
	h.AckedBy, h.AckedAt, h.ResolvedBy, h.ResolvedAt = a.AckedBy, a.AckedAt, a.ResolvedBy, a.ResolvedAt
	h.Spent = Spent(h.FirstPaged, a.ResolvedAt, o.To) // a page after the end counts nothing
	stamp := func(t time.Time) string { return t.In(o.Loc).Format("15:04") }
	if !a.AckedAt.IsZero() {
		h.Tried = append(h.Tried, fmt.Sprintf("%s acknowledged by %s", stamp(a.AckedAt), a.AckedBy))
	}
	runs, err := s.Runs(ctx, store.RunFilter{AlertID: a.ID, Limit: 100})
	if err != nil {
		return err
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].CreatedAt.Before(runs[j].CreatedAt) })
	for _, r := range runs {
		line := fmt.Sprintf("%s runbook %s (%s): %s", stamp(r.CreatedAt), r.Runbook, r.Trigger, r.Status)
		if r.Reason != "" {
			line += " — " + r.Reason
		}
		h.Tried = append(h.Tried, line)
	}
	h.Incidents, err = s.IncidentsForAlert(ctx, a.ID)
	if err != nil {
		return err
	}
	for _, id := range h.Incidents {
		tl, err := s.IncidentTimeline(ctx, id)
		if err != nil {
			return err
		}
		for _, e := range tl {
			if e.Kind != "note" && !(e.Kind == "status" && strings.Contains(e.Text, store.IncidentResolved)) {
				continue
			}
			if e.Kind == "status" {
				h.Resolution = append(h.Resolution, fmt.Sprintf("incident %d %s", id, e.Text))
				continue
			}
			h.Tried = append(h.Tried, fmt.Sprintf("%s %s (%s)", stamp(e.At), e.Text, e.Actor))
		}
	}
	switch {
	case a.ResolvedAt.IsZero() || a.ResolvedAt.After(o.To):
		h.Resolution = append(h.Resolution, "still open at the end of the shift")
	case a.AckedAt.IsZero():
		h.Resolution = append(h.Resolution, fmt.Sprintf("%s resolved by %s without anyone acknowledging it", stamp(a.ResolvedAt), a.ResolvedBy))
	default:
		h.Resolution = append([]string{fmt.Sprintf("%s resolved by %s", stamp(a.ResolvedAt), a.ResolvedBy)}, h.Resolution...)
	}
	return nil
}

// candidates flags alerts that fired more than once in the shift
// (recurring: automate the fix) or resolved with nobody acknowledging them
// (self-resolving: the alert may be noise).
func candidates(hs []Handled) []Candidate {
	type key struct{ summary, service string }
	count := map[key]int{}
	selfResolved := map[key]int{}
	var keys []key
	for _, h := range hs {
		k := key{h.Summary, h.Service}
		if count[k] == 0 {
			keys = append(keys, k)
		}
		count[k]++
		if selfResolving(h) {
			selfResolved[k]++
		}
	}
	out := []Candidate{}
	for _, k := range keys {
		var why []string
		if count[k] > 1 {
			why = append(why, fmt.Sprintf("recurring: fired %d times in the shift", count[k]))
		}
		if selfResolved[k] > 0 {
			why = append(why, fmt.Sprintf("self-resolving: %d of %d resolved with nobody acknowledging", selfResolved[k], count[k]))
		}
		if len(why) > 0 {
			out = append(out, Candidate{Summary: k.summary, Service: k.service, Count: count[k], Why: strings.Join(why, "; ")})
		}
	}
	return out
}

// selfResolving reports whether an alert went away on its own: resolved,
// with nobody acknowledging or resolving it, and no incident worked on it.
// An outage people handled in an incident is not noise.
func selfResolving(h Handled) bool {
	return !h.ResolvedAt.IsZero() && h.AckedAt.IsZero() && len(h.Incidents) == 0 &&
		!strings.HasPrefix(h.ResolvedBy, "person/")
}

// Markdown writes the report as the team's on-call log. Text from the
// record (summaries, notes, names) is escaped: it reads as written and
// never becomes markup.
func Markdown(w io.Writer, r Report, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# On-call log: %s\n\n", markdown.Text(r.Person))
	fmt.Fprintf(&b, "%s → %s (%s)\n\n", r.From.In(loc).Format("2006-01-02 15:04"), r.To.In(loc).Format("2006-01-02 15:04 MST"), loc)
	fmt.Fprintf(&b, "| Pages | Off-hours pages | Alerts | Time spent |\n|---:|---:|---:|---:|\n| %d | %d | %d | %s |\n\n",
		r.Pages, r.OffHoursPages, len(r.Alerts), r.TimeSpent.Round(time.Minute))
	for _, h := range r.Alerts {
		fmt.Fprintf(&b, "## %s -- *%s*\n\n", h.FirstPaged.In(loc).Format("15:04"), markdown.Text(h.Summary))
		fmt.Fprintf(&b, "Alert #%d · %s · %s · paged %d time(s)", h.AlertID, markdown.Text(h.Severity), markdown.Cell(h.Service), h.Pages)
		if h.OffHours > 0 {
			fmt.Fprintf(&b, ", %d off hours", h.OffHours)
		}
		fmt.Fprintf(&b, " · %s spent\n\nTroubleshooting\n\n", h.Spent.Round(time.Minute))
		writeList(&b, h.Tried, "nothing recorded")
		b.WriteString("Resolution\n\n")
		writeList(&b, h.Resolution, "nothing recorded")
	}
	b.WriteString("## Toil and noise candidates\n\n")
	if len(r.Toil) == 0 {
		b.WriteString("None: no alert recurred or resolved by itself.\n")
	}
	for _, c := range r.Toil {
		fmt.Fprintf(&b, "- *%s* (%s): %s\n", markdown.Text(c.Summary), markdown.Cell(c.Service), markdown.Text(c.Why))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeList(b *strings.Builder, items []string, none string) {
	if len(items) == 0 {
		items = []string{none}
	}
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", markdown.Text(it))
	}
	b.WriteString("\n")
}

// addSat adds durations, stopping at the largest instead of wrapping
// around to a negative sum.
func addSat(a, b time.Duration) time.Duration {
	if s := a + b; (b > 0 && s < a) || (b < 0 && s > a) {
		if b > 0 {
			return time.Duration(math.MaxInt64)
		}
		return time.Duration(math.MinInt64)
	}
	return a + b
}
