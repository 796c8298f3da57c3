// Package route owns how alerts from other tools are routed, as Alertmanager
// routes them: the routing tree, grouping keys, silences, inhibition, time
// intervals and maintenance windows. It is pure logic: no I/O, no goroutines,
// and every time is an argument, so callers decide what "now" is.
//
// Matchers and time intervals are Alertmanager's own packages (pkg/labels and
// timeinterval), so a config that behaves one way in Alertmanager behaves the
// same way here.
package route
