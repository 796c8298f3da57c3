// Package oncall owns who is on call and how an escalation climbs: schedules
// (rotations layered as in PagerDuty, plus overrides from the config and,
// on top of them, overrides made at run time), the expansion of
// escalation targets into people and channels, and escalation plans with
// GoAlert's repeat semantics.
//
// Everything here is a pure calculator over a validated config: no I/O, no
// goroutines, no clock reads. Every answer takes the time it is about as an
// argument, so the pager, the API and tests decide what "now" is, and the same
// question always gets the same answer.
package oncall
