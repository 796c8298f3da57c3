// Package config owns Vigil's configuration: the YAML schema, loading a file or a
// directory of files, ${ENV} expansion and *_file secrets, defaults, and
// validation that reports every problem at once as file:line:col: field: message.
// A Config that Load returns is complete and consistent: every reference
// resolves and every condition has compiled.
package config

import (
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/secret"
)

// Config is the whole configuration.
type Config struct {
	Global        Global           `yaml:"global,omitempty"`
	People        []Person         `yaml:"people,omitempty"`
	Teams         []Team           `yaml:"teams,omitempty"`
	Schedules     []Schedule       `yaml:"schedules,omitempty"`
	Escalations   []Escalation     `yaml:"escalations,omitempty"`
	Channels      []Channel        `yaml:"channels,omitempty"`
	TimeIntervals []TimeInterval   `yaml:"time_intervals,omitempty"`
	Services      []Service        `yaml:"services,omitempty"`
	Integrations  []Integration    `yaml:"integrations,omitempty" jsonschema:"description=keys for tools that send alerts in"`
	Tokens        []Token          `yaml:"tokens,omitempty" jsonschema:"description=API and CLI access tokens"`
	Routes        []Route          `yaml:"routes,omitempty" jsonschema:"description=routing tree for alerts that arrive from other tools"`
	Inhibit       []InhibitRule    `yaml:"inhibit,omitempty"`
	Maintenance   []Maintenance    `yaml:"maintenance,omitempty"`
	Runbooks      []Runbook        `yaml:"runbooks,omitempty"`
	Toil          []ToilItem       `yaml:"toil,omitempty" jsonschema:"description=toil items: recurring manual work to measure and automate"`
	Reports       []ReportSchedule `yaml:"reports,omitempty" jsonschema:"description=reports rendered on a schedule and sent through the outbox"`
	Auth          Auth             `yaml:"auth,omitempty" jsonschema:"description=how people sign in to the web app and what they may do there"`

	// Files lists the files the config was read from, in load order.
	Files []string `yaml:"-"`
	// Warnings are what loads but is probably a risk, located like
	// problems: config check prints them and serve logs them.
	Warnings Problems `yaml:"-"`

	globalAt   origin
	emptyFiles []string // of Files, those holding no YAML document
}

// EmptyFiles are the files the config was read from that hold nothing at
// all: most often one emptied by mistake.
func (c *Config) EmptyFiles() []string { return c.emptyFiles }

// Global holds process-wide settings.
type Global struct {
	Listen      string `yaml:"listen,omitempty" jsonschema:"description=address to serve HTTP on,default=:8080"`
	ExternalURL string `yaml:"external_url,omitempty" jsonschema:"description=URL people use to reach Vigil; used in links"`
	// PostmortemTemplate replaces the built-in postmortem template.
	PostmortemTemplate string     `yaml:"postmortem_template,omitempty" jsonschema:"description=a text/template file producing Markdown; see vigil postmortem --print-template"`
	Store              secret.DSN `yaml:"store,omitempty" jsonschema:"description=sqlite://PATH (default sqlite://vigil.db) or postgres://user:pass@host/db"`
	StoreFile          string     `yaml:"store_file,omitempty" jsonschema:"description=file holding the store DSN"`
	Timezone           string     `yaml:"timezone,omitempty" jsonschema:"description=IANA time zone for reports and local times,default=UTC"`
	// MaxConcurrentChecks bounds probes in flight; a hanging target holds one
	// slot until its timeout, never more.
	MaxConcurrentChecks int    `yaml:"max_concurrent_checks,omitempty" jsonschema:"minimum=1,default=1000"`
	ResultsPerCheck     int    `yaml:"results_per_check,omitempty" jsonschema:"minimum=1,maximum=100000,description=raw results kept per check; older ones live on in rollups,default=100"`
	LogLevel            string `yaml:"log_level,omitempty" jsonschema:"enum=debug,enum=info,enum=warn,enum=error,default=info"`

	SMTP *SMTP `yaml:"smtp,omitempty" jsonschema:"description=how email leaves Vigil, for email contacts and channels"`
	// LinkSecret signs the ack and resolve links in notifications. Without
	// it Vigil makes one and keeps it in the store, so links outlive restarts.
	LinkSecret     secret.String     `yaml:"link_secret,omitempty"`
	LinkSecretFile string            `yaml:"link_secret_file,omitempty"`
	LinkTTL        duration.Duration `yaml:"link_ttl,omitempty" jsonschema:"description=how long ack and resolve links work,default=24h"`

	// Public opens what it names to anyone who can reach Vigil; everything
	// else needs a credential.
	Public Public `yaml:"public,omitempty" jsonschema:"description=what answers without a credential; everything else needs one"`

	HTTP     HTTPServer `yaml:"http,omitempty" jsonschema:"description=limits of the HTTP server: connections and their timeouts"`
	Delivery Delivery   `yaml:"delivery,omitempty" jsonschema:"description=how notifications are delivered: timeouts, retries, concurrency"`
	Cluster  Cluster    `yaml:"cluster,omitempty" jsonschema:"description=how this replica takes part when several share one Postgres database"`

	Toil ToilSettings `yaml:"toil,omitempty" jsonschema:"description=working hours and limits for toil accounting"`
}

// Public lists the parts of Vigil that answer without a credential. All are
// private unless set here; /healthz and /readyz are always open.
type Public struct {
	// StatusPage opens / and the check pages, read-only, for customers and
	// other teams. Alert, incident and runbook pages stay private.
	StatusPage bool `yaml:"status_page,omitempty" jsonschema:"description=serve the status page and check pages without a login,default=false"`
	// Metrics opens /metrics, for a Prometheus that cannot send a bearer token.
	Metrics bool `yaml:"metrics,omitempty" jsonschema:"description=serve /metrics without a token,default=false"`
}

// SMTP is the mail server Vigil sends through.
type SMTP struct {
	Host         string        `yaml:"host" jsonschema:"required"`
	Port         int           `yaml:"port,omitempty" jsonschema:"minimum=1,maximum=65535,default=587"`
	Username     string        `yaml:"username,omitempty"`
	Password     secret.String `yaml:"password,omitempty"`
	PasswordFile string        `yaml:"password_file,omitempty"`
	From         string        `yaml:"from" jsonschema:"required,description=sender address, e.g. Vigil <vigil@example.com>"`
	TLS          string        `yaml:"tls,omitempty" jsonschema:"enum=starttls,enum=opportunistic,enum=tls,enum=none,default=starttls,description=starttls requires STARTTLS; tls is implicit TLS (port 465)"`
}

// Defaults of Global.
const (
	DefaultListen              = ":8080"
	DefaultStore               = "sqlite://vigil.db"
	DefaultTimezone            = "UTC"
	DefaultMaxConcurrentChecks = 1000
	DefaultResultsPerCheck     = 100
)

// SLO is a service level objective.
type SLO struct {
	Objective float64           `yaml:"objective" jsonschema:"required,exclusiveMinimum=0,exclusiveMaximum=100,description=target availability in percent, e.g. 99.9"`
	Window    duration.Duration `yaml:"window,omitempty" jsonschema:"description=rolling window,default=30d"`
}
