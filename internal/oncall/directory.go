package oncall

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// Directory is the config's people, teams, channels, schedules and escalation
// policies, indexed by id and ready to answer questions about any time. It is
// immutable once built and safe for concurrent use; a config reload builds a
// new one.
type Directory struct {
	people      map[string]config.Person
	teams       map[string]config.Team
	channels    map[string]config.Channel
	schedules   map[string]*schedule
	order       []string // schedule ids in config order, so Handoffs is deterministic
	escalations map[string]Policy
}

// NewDirectory indexes a validated config. It parses every local time and
// converts every time interval up front, so the calculators cannot fail
// later; an error means the config was not validated or the time zone
// database lacks a zone it names.
func NewDirectory(cfg *config.Config) (*Directory, error) {
	if cfg == nil {
		cfg = &config.Config{}
	}
	d := &Directory{
		people:      make(map[string]config.Person, len(cfg.People)),
		teams:       make(map[string]config.Team, len(cfg.Teams)),
		channels:    make(map[string]config.Channel, len(cfg.Channels)),
		schedules:   make(map[string]*schedule, len(cfg.Schedules)),
		escalations: make(map[string]Policy, len(cfg.Escalations)),
	}
	for _, p := range cfg.People {
		d.people[p.ID] = p
	}
	for _, t := range cfg.Teams {
		t.Members = slices.Clone(t.Members)
		d.teams[t.ID] = t
	}
	for _, c := range cfg.Channels {
		c.To = slices.Clone(c.To)
		d.channels[c.ID] = c
	}
	intervals := make(map[string]config.TimeInterval, len(cfg.TimeIntervals))
	for _, ti := range cfg.TimeIntervals {
		intervals[ti.ID] = ti
	}
	var errs []error
	for _, sc := range cfg.Schedules {
		s, err := newSchedule(sc, intervals)
		if err != nil {
			errs = append(errs, fmt.Errorf("schedule %q: %w", sc.ID, err))
			continue
		}
		d.schedules[sc.ID] = s
		d.order = append(d.order, sc.ID)
	}
	for _, e := range cfg.Escalations {
		d.escalations[e.ID] = newPolicy(e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

// Person returns the person with the given id.
func (d *Directory) Person(id string) (config.Person, bool) {
	p, ok := d.people[id]
	return p, ok
}

// Team returns the team with the given id.
func (d *Directory) Team(id string) (config.Team, bool) {
	t, ok := d.teams[id]
	return t, ok
}

// Channel returns the channel with the given id.
func (d *Directory) Channel(id string) (config.Channel, bool) {
	c, ok := d.channels[id]
	return c, ok
}

// Schedules returns the schedule ids in config order.
func (d *Directory) Schedules() []string { return slices.Clone(d.order) }

// Location returns the time zone a schedule's local times are read in, so
// callers can show its shifts as the schedule's members see them.
func (d *Directory) Location(schedule string) (*time.Location, bool) {
	s, ok := d.schedules[schedule]
	if !ok {
		return nil, false
	}
	return s.loc, true
}
