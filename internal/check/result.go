package check

import (
	"time"
)

// Status is the outcome of one observation.
type Status string

const (
	Pass Status = "pass" // every expect and warn condition held
	Warn Status = "warn" // every expect held, some warn did not
	Fail Status = "fail" // the probe failed or an expect did not hold
)

// Up reports whether the observation counts as available for uptime.
func (s Status) Up() bool { return s == Pass || s == Warn }

// Result is one observation of a check, with the verdict of every condition.
type Result struct {
	At         time.Time     `json:"at"`
	Duration   time.Duration `json:"-"`
	Status     Status        `json:"status"`
	Error      string        `json:"error,omitempty"`
	Reason     string        `json:"reason,omitempty"`
	Conditions []Condition   `json:"conditions,omitempty"`
}

// Condition is the verdict of one expect or warn expression.
type Condition struct {
	Expr string `json:"expr"`
	Kind string `json:"kind"` // expect or warn
	OK   bool   `json:"ok"`
	// Observed names the values the expression read, e.g. "status=503", when it did not hold.
	Observed string `json:"observed,omitempty"`
	Error    string `json:"error,omitempty"`
}
