// Package zone resolves the time zone a person reads times in: their own
// (people[].timezone), else the team's (global.timezone), else UTC. Pages,
// reports and postmortems show times in it; anything that shows a person a
// time asks here.
package zone

import (
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// Of is the zone person reads times in; "" or an unknown person gets the
// global zone.
func Of(cfg *config.Config, person string) *time.Location {
	if cfg == nil {
		return time.UTC
	}
	for _, p := range cfg.People {
		if p.ID == person && p.Timezone != "" {
			if loc, err := time.LoadLocation(p.Timezone); err == nil {
				return loc
			}
		}
	}
	return Default(cfg)
}

// Default is global.timezone, or UTC when it is unset (or invalid, which
// config validation refuses).
func Default(cfg *config.Config) *time.Location {
	if cfg == nil || cfg.Global.Timezone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(cfg.Global.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Zones is every person's zone loaded once, for callers that ask often
// (the pager, per message). Build it again after a config reload.
type Zones struct {
	def    *time.Location
	people map[string]*time.Location
}

// New loads the zones of cfg's people.
func New(cfg *config.Config) *Zones {
	z := &Zones{def: Default(cfg), people: map[string]*time.Location{}}
	if cfg == nil {
		return z
	}
	loaded := map[string]*time.Location{}
	for _, p := range cfg.People {
		if p.Timezone == "" {
			continue
		}
		loc, ok := loaded[p.Timezone]
		if !ok {
			var err error
			if loc, err = time.LoadLocation(p.Timezone); err != nil {
				continue
			}
			loaded[p.Timezone] = loc
		}
		z.people[p.ID] = loc
	}
	return z
}

// Person is the zone of the person with id, else the default.
func (z *Zones) Person(id string) *time.Location {
	if loc := z.people[id]; loc != nil {
		return loc
	}
	return z.def
}

// Default is the global zone.
func (z *Zones) Default() *time.Location { return z.def }
