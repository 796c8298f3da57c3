package config

// origin remembers where a top-level item was written, so problems found after
// the files of a directory are merged still point into the right file.
type origin struct {
	f    *file
	path string
}

func (o origin) problem(field string, preferKey bool, format string, args ...any) Problem {
	return o.f.problem(childPath(o.path, field), preferKey, format, args...)
}

func (c *Config) setOrigins(f *file) {
	c.globalAt = origin{f, "global"}
	c.Auth.at = origin{f, "auth"}
	for i := range c.People {
		c.People[i].at = origin{f, indexPath("people", i)}
	}
	for i := range c.Teams {
		c.Teams[i].at = origin{f, indexPath("teams", i)}
	}
	for i := range c.Schedules {
		c.Schedules[i].at = origin{f, indexPath("schedules", i)}
	}
	for i := range c.Escalations {
		c.Escalations[i].at = origin{f, indexPath("escalations", i)}
	}
	for i := range c.Channels {
		c.Channels[i].at = origin{f, indexPath("channels", i)}
	}
	for i := range c.TimeIntervals {
		c.TimeIntervals[i].at = origin{f, indexPath("time_intervals", i)}
	}
	for i := range c.Services {
		c.Services[i].at = origin{f, indexPath("services", i)}
	}
	for i := range c.Integrations {
		c.Integrations[i].at = origin{f, indexPath("integrations", i)}
	}
	for i := range c.Tokens {
		c.Tokens[i].at = origin{f, indexPath("tokens", i)}
	}
	for i := range c.Routes {
		c.Routes[i].at = origin{f, indexPath("routes", i)}
	}
	for i := range c.Inhibit {
		c.Inhibit[i].at = origin{f, indexPath("inhibit", i)}
	}
	for i := range c.Maintenance {
		c.Maintenance[i].at = origin{f, indexPath("maintenance", i)}
	}
	for i := range c.Runbooks {
		c.Runbooks[i].at = origin{f, indexPath("runbooks", i)}
	}
	for i := range c.Toil {
		c.Toil[i].at = origin{f, indexPath("toil", i)}
	}
	for i := range c.Reports {
		c.Reports[i].at = origin{f, indexPath("reports", i)}
	}
}
