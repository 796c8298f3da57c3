package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/oncall"
)

// View types the on-call pages share (/oncall, a schedule's calendar,
// my shifts).

// zone is the viewer's time zone: the person's, else global.timezone.
func (p Page) zone() *time.Location {
	if p.loc == nil {
		return time.UTC
	}
	return p.loc
}

// ZoneName names the viewer's time zone, for form labels.
func (p Page) ZoneName() string { return p.zone().String() }

// TimeOfDay shows t's time of day (15:04) in the viewer's zone, with the full
// time in UTC on hover, for calendars where the day is already said.
func (p Page) TimeOfDay(t time.Time) template.HTML {
	u := t.UTC()
	return template.HTML(fmt.Sprintf(`<time datetime="%s" title="%s">%s</time>`, u.Format(time.RFC3339),
		u.Format("2006-01-02 15:04 UTC"), t.In(p.zone()).Format("15:04")))
}

// DateOf shows t's date in the viewer's zone ("Mon 23 Nov"), with the full
// time in UTC on hover.
func (p Page) DateOf(t time.Time) template.HTML {
	u := t.UTC()
	return template.HTML(fmt.Sprintf(`<time datetime="%s" title="%s">%s</time>`, u.Format(time.RFC3339),
		u.Format("2006-01-02 15:04 UTC"), t.In(p.zone()).Format("Mon 2 Jan")))
}

// shiftItem is a shift as the pages show it.
type shiftItem struct {
	Schedule     string
	ScheduleName string
	Person       personView
	Start, End   time.Time
	Source       string // as the calculators say it: rotation/ID, override, override/ID
	Label        string // the source in words
	Override     bool   // an override (config or run time) put them there
	OverrideID   int64  // a run-time override's id, or 0
}

// sourceLabel says in words what put someone on call.
func sourceLabel(src string) string {
	kind, id, _ := strings.Cut(src, "/")
	switch {
	case kind == "rotation":
		return "rotation " + id
	case kind == "override" && id == "":
		return "override (config)"
	case kind == "override":
		return "override #" + id
	}
	return src
}

func overrideIDOf(src string) int64 {
	kind, id, ok := strings.Cut(src, "/")
	var n int64
	if ok && kind == "override" {
		fmt.Sscan(id, &n)
	}
	return n
}

// newShiftItem describes a shift of a schedule.
func newShiftItem(dir *oncall.Directory, schedule, name string, sh oncall.Shift) shiftItem {
	return shiftItem{Schedule: schedule, ScheduleName: name, Person: personOf(dir, sh.Person), Start: sh.Start, End: sh.End,
		Source: sh.Source, Label: sourceLabel(sh.Source), Override: strings.HasPrefix(sh.Source, "override"),
		OverrideID: overrideIDOf(sh.Source)}
}

// personOf is a person with their name, or their id when they have none.
func personOf(dir *oncall.Directory, id string) personView {
	p, _ := dir.Person(id)
	v := personView{ID: id, Name: p.Name}
	if v.Name == "" {
		v.Name = id
	}
	return v
}

// scheduleNames maps schedule ids to their names (the id when unnamed).
func scheduleNames(cfg *config.Config) map[string]string {
	out := make(map[string]string, len(cfg.Schedules))
	for _, sc := range cfg.Schedules {
		out[sc.ID] = sc.ID
		if sc.Name != "" {
			out[sc.ID] = sc.Name
		}
	}
	return out
}

// peopleOf lists the config's people, for the forms' choices.
func peopleOf(cfg *config.Config) []personView {
	out := make([]personView, 0, len(cfg.People))
	for _, p := range cfg.People {
		v := personView{ID: p.ID, Name: p.Name}
		if v.Name == "" {
			v.Name = p.ID
		}
		out = append(out, v)
	}
	return out
}
