package config

import (
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/secret"
)

// Channel is a place notifications go.
type Channel struct {
	ID         string        `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Type       string        `yaml:"type" jsonschema:"required,enum=slack,enum=webhook,enum=email,enum=console"`
	URL        secret.String `yaml:"url,omitempty"`
	URLFile    string        `yaml:"url_file,omitempty"`
	Secret     secret.String `yaml:"secret,omitempty" jsonschema:"description=HMAC-SHA256 signing secret for webhooks"`
	SecretFile string        `yaml:"secret_file,omitempty"`
	To         []string      `yaml:"to,omitempty" jsonschema:"description=email recipients"`
	Throttle   *Throttle     `yaml:"throttle,omitempty" jsonschema:"description=at most max messages per period; more are bundled into the next"`

	at origin
}

// Throttle bounds how often one destination is messaged.
type Throttle struct {
	Max int               `yaml:"max" jsonschema:"required,minimum=1"`
	Per duration.Duration `yaml:"per" jsonschema:"required"`
}

// TimeInterval is a named recurring window, e.g. business hours.
type TimeInterval struct {
	ID       string   `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Weekdays []string `yaml:"weekdays,omitempty" jsonschema:"description=e.g. monday or monday:friday"`
	Times    []string `yaml:"times,omitempty" jsonschema:"description=HH:MM-HH:MM"`
	Timezone string   `yaml:"timezone,omitempty"`

	at origin
}

// Integration is a key another tool uses to send alerts in.
type Integration struct {
	ID      string        `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Type    string        `yaml:"type" jsonschema:"required,enum=alertmanager,enum=pagerduty,enum=grafana,enum=generic,enum=deploy,description=deploy: a CI key that may only ask the deploy guard and record deploys"`
	Key     secret.String `yaml:"key,omitempty"`
	KeyFile string        `yaml:"key_file,omitempty"`
	Service string        `yaml:"service,omitempty" jsonschema:"description=service the alerts (or, for deploy and pagerduty keys, the deploys) belong to"`

	at origin
}

// Token grants API and CLI access with scopes.
type Token struct {
	ID         string        `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Secret     secret.String `yaml:"secret,omitempty"`
	SecretFile string        `yaml:"secret_file,omitempty"`
	Scopes     []string      `yaml:"scopes" jsonschema:"required,minItems=1,uniqueItems=true"`
	Person     string        `yaml:"person,omitempty" jsonschema:"description=the person who holds this token, for runbook approvers"`

	at origin
}

// Scopes a token can hold. admin implies every other scope.
func Scopes() []string { return []string{"read", "respond", "operate", "admin"} }

// Route is a node of the routing tree for alerts that arrive from other tools.
type Route struct {
	Match      map[string]string `yaml:"match,omitempty"`
	Matchers   []string          `yaml:"matchers,omitempty" jsonschema:"description=Alertmanager-style matchers: name=value, name!=value, name=~regex, name!~regex"`
	Service    string            `yaml:"service,omitempty"`
	Escalation string            `yaml:"escalation,omitempty"`
	Continue   bool              `yaml:"continue,omitempty"`
	GroupBy    []string          `yaml:"group_by,omitempty" jsonschema:"description=labels that split alerts into notification groups; ['...'] means every label"`
	// The timings are pointers so that an explicit 0s (notify at once) is
	// told apart from unset (inherit from the parent route).
	GroupWait           *duration.Duration `yaml:"group_wait,omitempty" jsonschema:"description=wait before the first notification of a new group,default=30s"`
	GroupInterval       *duration.Duration `yaml:"group_interval,omitempty" jsonschema:"description=wait before notifying about alerts added to a group,default=5m"`
	RepeatInterval      *duration.Duration `yaml:"repeat_interval,omitempty" jsonschema:"description=wait before reminding about alerts still unacknowledged,default=4h"`
	MuteTimeIntervals   []string           `yaml:"mute_time_intervals,omitempty" jsonschema:"description=time interval ids when this route does not notify"`
	ActiveTimeIntervals []string           `yaml:"active_time_intervals,omitempty" jsonschema:"description=time interval ids outside which this route does not notify"`
	SendResolved        *bool              `yaml:"send_resolved,omitempty" jsonschema:"description=notify when alerts resolve,default=true"`
	// ResolvedWhenSilenced sends the resolved notification of an alert that
	// was silenced when it resolved, so whoever was paged hears it is over.
	ResolvedWhenSilenced bool    `yaml:"resolved_when_silenced,omitempty"`
	Routes               []Route `yaml:"routes,omitempty"`

	at origin
}

// InhibitRule mutes Target alerts while a Source alert fires with Equal labels.
type InhibitRule struct {
	Source         map[string]string `yaml:"source,omitempty" jsonschema:"description=labels a firing alert must have to inhibit"`
	SourceMatchers []string          `yaml:"source_matchers,omitempty"`
	Target         map[string]string `yaml:"target,omitempty" jsonschema:"description=labels of the alerts it mutes"`
	TargetMatchers []string          `yaml:"target_matchers,omitempty"`
	Equal          []string          `yaml:"equal,omitempty"`

	at origin
}

// Maintenance is a planned window in which matching alerts do not page.
type Maintenance struct {
	ID       string            `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Match    map[string]string `yaml:"match" jsonschema:"required,minProperties=1"`
	Start    string            `yaml:"start" jsonschema:"required,description=local time 2006-01-02T15:04:05 in global.timezone"`
	Duration duration.Duration `yaml:"duration" jsonschema:"required"`

	at origin
}
