package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/override"
	"github.com/vigil-sre/vigil/internal/store"
)

type schedulePage struct {
	Page
	ID, Name     string
	ScheduleZone string
	From, To     time.Time
	Weeks        int
	WeekChoices  []int
	View         string // the first day shown, 2006-01-02, for links and forms
	Prev, Next   string // the first day of the windows before and after
	Days         []calDay
	Layers       []string
	Overrides    []overrideItem
	People       []personView // whom the override form may put on call
	Everyone     []personView // whom one may stand in for or swap with
	Form         overrideForm
	Swap         swapForm
	// Problem is why a form posted from this page was refused; In says
	// which form ("override" or "swap") so it shows next to it.
	Problem, In string
}

// calDay is one day of the calendar, in the viewer's zone.
type calDay struct {
	Start, End time.Time
	Today      bool
	Weekend    bool
	Shifts     []calEntry // who is on call, after layers and overrides
	Layers     []calLayer // each layer on its own
}

type calEntry struct {
	shiftItem
	AllDay           bool
	FromPrev, ToNext bool   // the shift runs on from the day before, or into the next
	Take             string // a link that fills in the override form to take this shift; "" when not offered
}

type calLayer struct {
	Label   string
	Entries []calEntry
}

type overrideItem struct {
	overrideView
	PersonName, ReplacingName string
	CanRemove                 bool
	Why                       string // why the viewer may not remove it
}

// overrideForm is the override form as typed: times are datetime-local
// values (2006-01-02T15:04) in the viewer's zone.
type overrideForm struct {
	Person, Replacing, From, Until, Note string
}

type swapForm struct {
	Person, With, From, Until, BackFrom, BackUntil, Note string
}

const (
	localLayout = "2006-01-02T15:04"
	dayLayout   = "2006-01-02"
	// overridesListed bounds the overrides the calendar lists.
	overridesListed = 200
)

// schedulePage renders /oncall/schedules/{id}?from=DAY&weeks=N: a calendar
// of N weeks (2 to 4, default 2) from the Monday of this week or from DAY,
// the layers and overrides, and forms to add an override or a swap.
func (s *Server) schedulePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := s.scheduleData(r, r.PathValue("id"), q.Get("from"), q.Get("weeks"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	// "Take this shift" links fill in the override form.
	if q.Get("replacing") != "" {
		p.Form.Replacing, p.Form.From, p.Form.Until = q.Get("replacing"), q.Get("ofrom"), q.Get("ountil")
	}
	s.render(w, r, "schedule.html", p)
}

// scheduleData builds the calendar page of schedule id for the window the
// view and weeks parameters name.
func (s *Server) scheduleData(r *http.Request, id, view, weeks string) (schedulePage, error) {
	dir := s.d.Directory()
	schedLoc, ok := dir.Location(id)
	if !ok {
		return schedulePage{}, errs.E(errs.NotFound, "no schedule %q", id)
	}
	cfg := s.d.Config()
	p := schedulePage{Page: s.page(r, "", "oncall"), ID: id, Name: scheduleNames(cfg)[id], ScheduleZone: schedLoc.String(),
		Weeks: 2, WeekChoices: []int{2, 3, 4}}
	p.Title = p.Name + " · on call"
	loc, now := p.zone(), s.now()
	if weeks != "" {
		n, err := strconv.Atoi(weeks)
		if err != nil || n < 2 || n > 4 {
			return p, errs.E(errs.Invalid, "weeks must be 2, 3 or 4, not %q", weeks)
		}
		p.Weeks = n
	}
	start := mondayOf(now.In(loc))
	if view != "" {
		d, err := time.ParseInLocation(dayLayout, view, loc)
		if err != nil {
			return p, errs.E(errs.Invalid, "from must be a date like 2026-11-23, not %q", view)
		}
		if pr := s.ahead().Problem(d); pr != "" {
			return p, errs.E(errs.Invalid, "from: %s", pr)
		}
		start = d
	}
	days := 7 * p.Weeks
	p.From, p.To = start, dayAt(start, days)
	p.View, p.Prev, p.Next = start.Format(dayLayout), dayAt(start, -days).Format(dayLayout), p.To.Format(dayLayout)

	shifts := dir.Shifts(id, p.From, p.To)
	layers := dir.Layers(id, p.From, p.To)
	for _, l := range layers {
		p.Layers = append(p.Layers, sourceLabel(l.Source))
	}
	offer := p.Viewer != nil && p.Viewer.ID != "" && p.Can("respond")
	today := now.In(loc).Format(dayLayout)
	for i := range days {
		d := calDay{Start: dayAt(start, i), End: dayAt(start, i+1)}
		d.Today = d.Start.Format(dayLayout) == today
		d.Weekend = d.Start.Weekday() == time.Saturday || d.Start.Weekday() == time.Sunday
		for _, sh := range shifts {
			if e, ok := clipTo(dir, id, p.Name, sh, d, p.From, p.To); ok {
				if offer && sh.Person != p.Viewer.ID && sh.End.After(now) {
					e.Take = takeLink(id, p.View, p.Weeks, sh, loc)
				}
				d.Shifts = append(d.Shifts, e)
			}
		}
		for _, l := range layers {
			cl := calLayer{Label: sourceLabel(l.Source)}
			for _, sh := range l.Shifts {
				if e, ok := clipTo(dir, id, p.Name, sh, d, p.From, p.To); ok {
					cl.Entries = append(cl.Entries, e)
				}
			}
			d.Layers = append(d.Layers, cl)
		}
		p.Days = append(p.Days, d)
	}

	rows, err := s.d.Overrides.List(r.Context(), id, p.From, time.Time{}, overridesListed)
	if err != nil {
		return p, err
	}
	p.Overrides = overrideItems(dir, rows, p.Page, now)
	p.Everyone = peopleOf(cfg)
	p.People = p.Everyone
	if !p.Can("operate") && p.Viewer != nil && p.Viewer.ID != "" {
		p.People = []personView{personOf(dir, p.Viewer.ID)}
	}
	from := now.In(loc).Truncate(time.Minute)
	p.Form = overrideForm{From: from.Format(localLayout), Until: from.Add(12 * time.Hour).Format(localLayout)}
	p.Swap = swapForm{}
	if p.Viewer != nil {
		p.Form.Person, p.Swap.Person = p.Viewer.ID, p.Viewer.ID
	}
	return p, nil
}

// overrideItems describes the overrides for the page, with whether the
// viewer may remove each (a swap's halves go together).
func overrideItems(dir *oncall.Directory, rows []store.OverrideRow, pg Page, now time.Time) []overrideItem {
	viewer := auth.Principal{}
	if pg.Viewer != nil {
		viewer = auth.Principal{Person: pg.Viewer.ID, Scope: pg.Viewer.Scope, Method: pg.Viewer.Method}
	}
	out := make([]overrideItem, 0, len(rows))
	for _, o := range rows {
		it := overrideItem{overrideView: newOverrideView(o, now), PersonName: personOf(dir, o.Person).Name}
		if o.Replacing != "" {
			it.ReplacingName = personOf(dir, o.Replacing).Name
		}
		halves := []store.OverrideRow{o}
		if o.SwapID != 0 {
			halves = slices.DeleteFunc(slices.Clone(rows), func(x store.OverrideRow) bool { return x.SwapID != o.SwapID })
		}
		it.CanRemove = override.MayRemove(viewer, halves)
		switch {
		case it.CanRemove:
		case !pg.Can("respond"):
			it.Why = pg.Need("respond").Reason
		default:
			it.Why = "It neither puts you on call nor takes you off, and you did not make it: removing it needs the operate scope."
		}
		out = append(out, it)
	}
	return out
}

// clipTo is the part of sh within day d, or false when there is none. The
// calculators clip shifts to the window [from, to), so one that touches its
// edge may run on beyond it.
func clipTo(dir *oncall.Directory, schedule, name string, sh oncall.Shift, d calDay, from, to time.Time) (calEntry, bool) {
	if !sh.Start.Before(d.End) || !sh.End.After(d.Start) {
		return calEntry{}, false
	}
	e := calEntry{shiftItem: newShiftItem(dir, schedule, name, sh)}
	e.FromPrev = sh.Start.Before(d.Start) || (sh.Start.Equal(from) && d.Start.Equal(from))
	e.ToNext = sh.End.After(d.End) || (sh.End.Equal(to) && d.End.Equal(to))
	if e.FromPrev {
		e.Start = d.Start
	}
	if e.ToNext {
		e.End = d.End
	}
	e.AllDay = !e.Start.After(d.Start) && !e.End.Before(d.End)
	return e, true
}

// takeLink fills in the override form to take sh: the viewer on call in
// place of its person, for the whole shift.
func takeLink(schedule, view string, weeks int, sh oncall.Shift, loc *time.Location) string {
	q := url.Values{"from": {view}, "weeks": {strconv.Itoa(weeks)}, "replacing": {sh.Person},
		"ofrom": {sh.Start.In(loc).Format(localLayout)}, "ountil": {sh.End.In(loc).Format(localLayout)}}
	return "/oncall/schedules/" + url.PathEscape(schedule) + "?" + q.Encode() + "#override"
}

// mondayOf is the start of t's week (Monday 00:00 in t's zone).
func mondayOf(t time.Time) time.Time {
	back := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, t.Location())
}

// dayAt is midnight n days after day's, in its zone: days around a DST
// change are 23 or 25 hours long.
func dayAt(day time.Time, n int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+n, 0, 0, 0, 0, day.Location())
}
