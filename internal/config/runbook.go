package config

import (
	"github.com/vigil-sre/vigil/internal/duration"
)

// Runbook is an SOP as code: its doc reaches the responder, its steps can run.
type Runbook struct {
	ID    string        `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Title string        `yaml:"title,omitempty"`
	Doc   string        `yaml:"doc,omitempty" jsonschema:"description=the SOP in Markdown"`
	On    []Trigger     `yaml:"on,omitempty"`
	Guard *Guard        `yaml:"guard,omitempty"`
	Steps []RunbookStep `yaml:"steps,omitempty"`

	at origin
}

// Trigger starts a runbook.
type Trigger struct {
	Alert  *AlertTrigger     `yaml:"alert,omitempty"`
	For    duration.Duration `yaml:"for,omitempty"`
	Manual bool              `yaml:"manual,omitempty"`
}

// AlertTrigger matches the alerts that start a runbook.
type AlertTrigger struct {
	Check string            `yaml:"check,omitempty" jsonschema:"description=service/check"`
	Match map[string]string `yaml:"match,omitempty"`
}

// Guard limits automatic runs.
type Guard struct {
	MaxRuns     int               `yaml:"max_runs,omitempty" jsonschema:"minimum=0"`
	Per         duration.Duration `yaml:"per,omitempty"`
	Concurrency int               `yaml:"concurrency,omitempty" jsonschema:"minimum=0"`
	Window      *string           `yaml:"window,omitempty" jsonschema:"oneof_type=string;null,description=time interval id in which automatic runs are allowed; null for any time"`
	Approval    string            `yaml:"approval,omitempty" jsonschema:"enum=none,enum=required"`
}

// RunbookStep is one step of a runbook.
type RunbookStep struct {
	ID        string   `yaml:"id" jsonschema:"required"`
	Run       []string `yaml:"run,omitempty" jsonschema:"description=argv; no shell"`
	If        string   `yaml:"if,omitempty"`
	OnFailure string   `yaml:"on_failure,omitempty" jsonschema:"enum=abort,enum=continue"`
	Check     string   `yaml:"check,omitempty" jsonschema:"description=service/check to run now"`
	Notify    []string `yaml:"notify,omitempty"`
	Message   string   `yaml:"message,omitempty"`
}
