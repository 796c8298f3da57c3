package toil

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/store"
)

// Item is a toil item with what the period measured of it.
type Item struct {
	ID             string     `json:"id"`
	Title          string     `json:"title"`
	Service        string     `json:"service,omitempty"`
	Owner          string     `json:"owner,omitempty"`
	Status         string     `json:"status"` // identified, planned, automated
	Impact         string     `json:"impact,omitempty"`
	Benefit        string     `json:"benefit,omitempty"`
	EditedBy       string     `json:"edited_by,omitempty"`
	EditedAt       *time.Time `json:"edited_at,omitempty"`
	Estimate       int        `json:"estimate_minutes"`
	Match          []string   `json:"match"`
	AutomatedBy    string     `json:"automated_by,omitempty"`
	AutomatedSince *time.Time `json:"automated_since,omitempty"`

	Count                   // in the period
	PerWeek  Rate           `json:"per_week"`
	PerMonth Rate           `json:"per_month"` // 30 days
	Previous Count          `json:"previous"`  // the period of the same length before
	Trend    string         `json:"trend"`     // new, up N%, down N%, steady, none
	Change   *float64       `json:"change_percent"`
	Weeks    []Week         `json:"weeks"`
	Savings  Savings        `json:"savings"`
	BySource map[string]int `json:"minutes_by_source"`
}

// Count is how often something happened and the time it took.
type Count struct {
	Occurrences int `json:"occurrences"`
	Minutes     int `json:"minutes"`
}

// Rate is a Count per unit of time.
type Rate struct {
	Occurrences float64 `json:"occurrences"`
	Minutes     float64 `json:"minutes"`
}

// Week is one week of the period (the last may be shorter).
type Week struct {
	Start time.Time `json:"start"`
	Count
	Saved int `json:"saved_minutes"`
}

// Savings is what an item's automation did instead of a person: its
// automatic runs times the item's estimate.
type Savings struct {
	Runs         int `json:"automatic_runs"`       // in the period
	Minutes      int `json:"minutes"`              // in the period
	TotalRuns    int `json:"total_automatic_runs"` // since the automation was introduced
	TotalMinutes int `json:"total_minutes"`
}

// rate scales a count over a period to per unit.
func rate(c Count, period, unit time.Duration) Rate {
	f := float64(unit) / float64(period)
	return Rate{Occurrences: round1(float64(c.Occurrences) * f), Minutes: round1(float64(c.Minutes) * f)}
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// tally adds entries up, counting each occurrence once.
type tally struct {
	Count
	seen     map[string]bool
	bySource map[string]int
}

func (t *tally) add(e Entry) {
	if t.seen == nil {
		t.seen, t.bySource = map[string]bool{}, map[string]int{}
	}
	t.Minutes += e.Minutes
	t.bySource[e.Source] += e.Minutes
	if !t.seen[e.occurrence] {
		t.seen[e.occurrence] = true
		t.Occurrences++
	}
}

// trend compares a period with the one before.
func trend(cur, prev int) (string, *float64) {
	switch {
	case prev == 0 && cur == 0:
		return "none", nil
	case prev == 0:
		return "new", nil
	}
	ch := round1(float64(cur-prev) / float64(prev) * 100)
	switch {
	case math.Abs(ch) < 5:
		return "steady", &ch
	case ch > 0:
		return fmt.Sprintf("up %.0f%%", ch), &ch
	}
	return fmt.Sprintf("down %.0f%%", -ch), &ch
}

// statusRank orders statuses; an item never shows less progress than its
// automation proves.
func statusRank(s string) int {
	for i, v := range config.ToilStatuses() {
		if v == s {
			return i
		}
	}
	return 0
}

// item measures one toil item over [from, to) given its entries there and
// in the period before.
func (l *Ledger) item(it config.ToilItem, edit store.ToilItemEdit, auto automation, loc *time.Location,
	from, to time.Time, cur, prev []Entry) Item {
	out := Item{ID: it.ID, Title: it.Title, Service: it.Service, Owner: it.Owner, Status: it.Status, Impact: it.Impact,
		Benefit: it.Benefit, Estimate: minutesOf(it.Estimate.D()), Match: []string{}, AutomatedBy: it.AutomatedBy}
	for _, r := range it.Match {
		out.Match = append(out.Match, r.String())
	}
	if edit.Item != "" {
		at := edit.UpdatedAt
		out.EditedBy, out.EditedAt = edit.UpdatedBy, &at
		if edit.Impact != nil {
			out.Impact = *edit.Impact
		}
		if edit.Benefit != nil {
			out.Benefit = *edit.Benefit
		}
		if edit.Status != nil {
			out.Status = *edit.Status
		}
	}
	var now, before tally
	weeks := weeksOf(from, to)
	weekly := make([]tally, len(weeks))
	for _, e := range cur {
		now.add(e)
		weekly[int(e.At.Sub(from)/(7*24*time.Hour))].add(e)
	}
	for i := range weeks {
		weeks[i].Count = weekly[i].Count
	}
	for _, e := range prev {
		before.add(e)
	}
	out.Count, out.Previous = now.Count, before.Count
	out.BySource = now.bySource
	if out.BySource == nil {
		out.BySource = map[string]int{}
	}
	period := to.Sub(from)
	out.PerWeek, out.PerMonth = rate(out.Count, period, 7*24*time.Hour), rate(out.Count, period, 30*24*time.Hour)
	out.Trend, out.Change = trend(out.Minutes, out.Previous.Minutes)
	auto.savings(it, loc, from, to, &out, weeks)
	out.Weeks = weeks
	if out.Savings.TotalRuns > 0 && statusRank(out.Status) < statusRank(config.ToilAutomated) {
		out.Status = config.ToilAutomated
	}
	return out
}

// automation is what the record says of the items' automating runbooks.
type automation struct {
	first map[string]time.Time   // each runbook's first automatic run
	runs  map[string][]time.Time // their automatic runs from the earliest start any item counts from
}

// automations reads, in two queries, what every item's savings need.
func (l *Ledger) automations(ctx context.Context, items []config.ToilItem, loc *time.Location, from, to time.Time) (automation, error) {
	var runbooks []string
	for _, it := range items {
		if it.AutomatedBy != "" && !slices.Contains(runbooks, it.AutomatedBy) {
			runbooks = append(runbooks, it.AutomatedBy)
		}
	}
	if len(runbooks) == 0 {
		return automation{}, nil
	}
	first, err := l.d.Store.FirstAutomaticRuns(ctx, runbooks)
	if err != nil {
		return automation{}, err
	}
	earliest := from
	for _, it := range items {
		if since := sinceOf(it, loc, first); !since.IsZero() && since.Before(earliest) {
			earliest = since
		}
	}
	runs, err := l.d.Store.AutomaticRunTimes(ctx, runbooks, earliest, to)
	return automation{first: first, runs: runs}, err
}

// sinceOf is when an item's automation counts from: automated_since, or
// its runbook's first automatic run; zero when neither is known.
func sinceOf(it config.ToilItem, loc *time.Location, first map[string]time.Time) time.Time {
	if since := it.AutomatedSinceTime(loc); !since.IsZero() {
		return since
	}
	return first[it.AutomatedBy]
}

// savings counts the automation's successful automatic runs since it was
// introduced, times the item's estimate.
func (a automation) savings(it config.ToilItem, loc *time.Location, from, to time.Time, out *Item, weeks []Week) {
	if it.AutomatedBy == "" {
		return
	}
	since := sinceOf(it, loc, a.first)
	if since.IsZero() {
		return
	}
	out.AutomatedSince = &since
	est := minutesOf(it.Estimate.D())
	for _, t := range a.runs[it.AutomatedBy] {
		if t.Before(since) || !t.Before(to) {
			continue
		}
		out.Savings.TotalRuns++
		out.Savings.TotalMinutes += est
		if t.Before(from) {
			continue
		}
		out.Savings.Runs++
		out.Savings.Minutes += est
		weeks[int(t.Sub(from)/(7*24*time.Hour))].Saved += est
	}
}

// weeksOf splits [from, to) into weeks from from.
func weeksOf(from, to time.Time) []Week {
	var out []Week
	for t := from; t.Before(to); t = t.Add(7 * 24 * time.Hour) {
		out = append(out, Week{Start: t})
	}
	return out
}
