package config

import (
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/secret"
)

// Person is someone who can be paged or informed.
type Person struct {
	ID       string   `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Name     string   `yaml:"name,omitempty"`
	Timezone string   `yaml:"timezone,omitempty" jsonschema:"description=IANA zone this person reads times in (pages and reports); default global.timezone"`
	Contacts Contacts `yaml:"contacts,omitempty"`
	// PasswordHash lets the person sign in to the web app with a password;
	// "vigil user passwd" makes one.
	PasswordHash     secret.String `yaml:"password_hash,omitempty" jsonschema:"description=argon2id PHC string (or bcrypt) from vigil user passwd; lets the person sign in with a password"`
	PasswordHashFile string        `yaml:"password_hash_file,omitempty"`

	at origin
}

// Contacts are the ways to reach a person.
type Contacts struct {
	Email       string        `yaml:"email,omitempty"`
	Slack       secret.String `yaml:"slack,omitempty" jsonschema:"description=Slack incoming webhook URL"`
	SlackFile   string        `yaml:"slack_file,omitempty"`
	Webhook     secret.String `yaml:"webhook,omitempty" jsonschema:"description=URL that receives a JSON POST"`
	WebhookFile string        `yaml:"webhook_file,omitempty"`
}

// Team is a group of people.
type Team struct {
	ID      string   `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Name    string   `yaml:"name,omitempty"`
	Members []string `yaml:"members,omitempty" jsonschema:"description=person ids"`

	at origin
}

// Schedule says who is on call when: layered rotations plus overrides.
type Schedule struct {
	ID        string     `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Name      string     `yaml:"name,omitempty"`
	Timezone  string     `yaml:"timezone,omitempty" jsonschema:"description=IANA zone in which start/from/until are read,default=UTC"`
	Rotations []Rotation `yaml:"rotations,omitempty"`
	Overrides []Override `yaml:"overrides,omitempty"`

	at origin
}

// Rotation hands on-call from member to member every Length, starting at
// Start. Rotations are layers: where a later one is active it covers, so a
// business-hours rotation can sit on top of a 24/7 one.
type Rotation struct {
	ID      string            `yaml:"id" jsonschema:"required"`
	Members []string          `yaml:"members" jsonschema:"required,minItems=1"`
	Length  duration.Duration `yaml:"length" jsonschema:"required,description=shift length; whole days hand off at the same local time across DST"`
	Start   string            `yaml:"start" jsonschema:"required,description=first handoff as local time in the schedule's zone: 2006-01-02T15:04:05"`
	Active  string            `yaml:"active,omitempty" jsonschema:"description=time interval id when this layer covers; always when empty"`
}

// Override puts Person on call from From until Until (local times).
type Override struct {
	Person string `yaml:"person" jsonschema:"required"`
	From   string `yaml:"from" jsonschema:"required"`
	Until  string `yaml:"until" jsonschema:"required"`
}

// Escalation is who is notified, and when, while an alert is unacknowledged.
type Escalation struct {
	ID     string           `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Repeat int              `yaml:"repeat,omitempty" jsonschema:"minimum=0,maximum=100,description=times to run the steps again after the last"`
	Steps  []EscalationStep `yaml:"steps" jsonschema:"required,minItems=1"`

	at origin
}

// EscalationStep notifies targets After a delay.
type EscalationStep struct {
	After  duration.Duration `yaml:"after,omitempty"`
	Notify []string          `yaml:"notify" jsonschema:"required,minItems=1,description=schedule/ID team/ID person/ID or channel/ID"`
}
