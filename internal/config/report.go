package config

import (
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
)

// ReportSchedule is a report Vigil renders on a cron schedule and sends
// through the outbox.
type ReportSchedule struct {
	ID   string `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Kind string `yaml:"kind" jsonschema:"required,enum=oncall,enum=toil,enum=weekly,description=oncall: on-call logs; toil: the toil reduction plan; weekly: the weekly status report"`
	// Schedule is when it is due; each run covers the Period before then.
	Schedule ScheduleTrigger   `yaml:"schedule" jsonschema:"required"`
	Period   duration.Duration `yaml:"period,omitempty" jsonschema:"description=what a run covers: the period that ends when it is due, at most 366d,default=7d"`
	Services []string          `yaml:"services,omitempty" jsonschema:"description=service ids to report on; default every service"`
	People   []string          `yaml:"people,omitempty" jsonschema:"description=oncall: person ids whose on-call log to send"`
	OnCall   []string          `yaml:"on_call,omitempty" jsonschema:"description=oncall: schedule ids; everyone on call on them during the period gets a log"`
	To       []string          `yaml:"to" jsonschema:"required,minItems=1,description=person/ID, team/ID, schedule/ID or channel/ID"`

	at origin
}

// DefaultReportPeriod is what a scheduled report covers unless it says.
const DefaultReportPeriod = 7 * 24 * time.Hour

// MaxWeeklyPeriod bounds what a weekly status report covers (a month at most).
const MaxWeeklyPeriod = 31 * 24 * time.Hour

// MaxReportPeriod bounds what one scheduled report reads.
const MaxReportPeriod = 366 * 24 * time.Hour

// Location is the report schedule's time zone.
func (r *ReportSchedule) Location() *time.Location {
	loc, err := time.LoadLocation(r.Schedule.Timezone)
	if err != nil {
		return time.UTC // checked at load
	}
	return loc
}

func reportDefaults(c *Config) {
	for i := range c.Reports {
		r := &c.Reports[i]
		if r.Period == 0 {
			r.Period = duration.Duration(DefaultReportPeriod)
		}
		if r.Schedule.Timezone == "" {
			r.Schedule.Timezone = c.Global.Timezone
		}
	}
}

// reports checks the scheduled reports: the schedule parses, references
// resolve, and an on-call report says whose log it is.
func (k *checker) reports() {
	ids(k, k.cfg.Reports, func(x *ReportSchedule) (string, origin) { return x.ID, x.at })
	for _, r := range k.cfg.Reports {
		o := r.at
		if _, err := CronParser.Parse(r.Schedule.Cron); err != nil {
			k.add(o.problem("schedule.cron", false, "%v", err))
		}
		if _, err := time.LoadLocation(r.Schedule.Timezone); err != nil {
			k.add(o.problem("schedule.timezone", false, "unknown time zone %q", r.Schedule.Timezone))
		}
		if p := r.Period.D(); p <= 0 || p > MaxReportPeriod {
			k.add(o.problem("period", false, "must be between 1s and 366d"))
		}
		for i, s := range r.Services {
			k.ref(o, indexPath("services", i), "service", s, k.services)
		}
		for i, p := range r.People {
			k.ref(o, indexPath("people", i), "person", p, k.people)
		}
		for i, s := range r.OnCall {
			k.ref(o, indexPath("on_call", i), "schedule", s, k.schedules)
		}
		for i, t := range r.To {
			k.target(o, indexPath("to", i), t, "person", "team", "schedule", "channel")
		}
		if r.Kind == "weekly" && r.Period.D() > MaxWeeklyPeriod {
			k.add(o.problem("period", false, "a weekly report covers at most 31d"))
		}
		switch r.Kind {
		case "oncall":
			if len(r.People) == 0 && len(r.OnCall) == 0 {
				k.add(o.problem("people", true, "an oncall report needs people or on_call: whose log to send"))
			}
		default:
			if len(r.People) > 0 {
				k.add(o.problem("people", true, "applies to oncall reports only"))
			}
			if len(r.OnCall) > 0 {
				k.add(o.problem("on_call", true, "applies to oncall reports only"))
			}
		}
	}
}
