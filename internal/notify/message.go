// Package notify delivers notifications. A Message is rendered by each
// channel kind (Slack Block Kit, signed JSON webhook, email, console) and sent
// to a Destination; the durable outbox and its delivery worker live here too.
package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/secret"
)

// Kind is why a message is sent.
type Kind string

const (
	KindFiring     Kind = "firing"     // alerts that need someone
	KindEscalation Kind = "escalation" // the same, to the next step of the policy
	KindReminder   Kind = "reminder"   // still unacknowledged after repeat_interval
	KindResolved   Kind = "resolved"   // alerts that are over
	KindHandoff    Kind = "handoff"    // you are on call from ... to ...
	KindRunbook    Kind = "runbook"    // a runbook's notify step or approval request
	KindIncident   Kind = "incident"   // an incident was declared or changed status
	KindReport     Kind = "report"     // a scheduled report: on-call log, toil plan
	KindTest       Kind = "test"
)

// Message is what one recipient is told, channel-neutral.
type Message struct {
	Kind    Kind      `json:"kind"`
	Title   string    `json:"title"` // one line, e.g. "[FIRING:2] shop: Homepage down"
	Text    string    `json:"text"`  // plain text body; channels may render Alerts instead
	Service string    `json:"service,omitempty"`
	Step    int       `json:"escalation_step,omitempty"` // 1-based; 0 when not escalating
	Alerts  []Alert   `json:"alerts,omitempty"`
	Handoff *Handoff  `json:"handoff,omitempty"`
	Report  *Report   `json:"report,omitempty"`
	URL     string    `json:"url,omitempty"` // where to see it in Vigil
	At      time.Time `json:"at"`
	// Delivery names the notifications the message carries (their ids,
	// comma-separated), the same on every attempt: webhooks send it as
	// X-Vigil-Delivery so a receiver can drop a message delivered twice
	// (at-least-once: a replica that died mid-send is retried by another).
	Delivery string `json:"-"`
}

// Alert is one alert as a notification shows it.
type Alert struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"` // firing, acknowledged, resolved
	Severity string `json:"severity"`
	Summary  string `json:"summary"` // what the alert is, e.g. "Homepage health"
	Service  string `json:"service,omitempty"`
	// State and Reason are what the alert's source says now, as of the
	// message: for a check, its state ("failing", "flapping", "ok") and why.
	State       string            `json:"state,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Since       time.Time         `json:"since"`
	Occurrences int               `json:"occurrences"`
	URL         string            `json:"url,omitempty"`         // the alert in Vigil
	AckURL      string            `json:"ack_url,omitempty"`     // signed, expiring, works without logging in
	ResolveURL  string            `json:"resolve_url,omitempty"` // signed, expiring
	Links       []Link            `json:"links,omitempty"`
	Runbook     *Runbook          `json:"runbook,omitempty"`
}

// Link is a URL from the alert's source.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// Runbook is the SOP handed to the responder with the page.
type Runbook struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Doc   string `json:"doc,omitempty"` // Markdown
	URL   string `json:"url,omitempty"`
}

// Handoff tells a person their on-call shift.
type Handoff struct {
	Schedule string    `json:"schedule"`
	Person   string    `json:"person"`
	From     time.Time `json:"from"`
	Until    time.Time `json:"until,omitzero"` // zero: no handoff planned
}

// Report is a scheduled report's document. Email sends it whole, webhooks
// get it with its data; chat gets the message's text (a summary) and URL.
type Report struct {
	ID       string          `json:"id"`   // the report's config id
	Kind     string          `json:"kind"` // weekly, oncall, toil
	Run      int64           `json:"run"`  // its entry in the report history
	From     time.Time       `json:"from"`
	To       time.Time       `json:"to"`
	Markdown string          `json:"markdown"`
	HTML     string          `json:"html"` // a whole page, rendered by Vigil from Markdown with raw HTML dropped
	Data     json.RawMessage `json:"data,omitempty"`
}

// DestinationType is how a destination is reached.
type DestinationType string

const (
	Slack   DestinationType = "slack"
	Webhook DestinationType = "webhook"
	Email   DestinationType = "email"
	Console DestinationType = "console"
)

// Destination is where a message goes: a person's contact or a channel.
type Destination struct {
	Type   DestinationType `json:"type"`
	URL    secret.String   `json:"-"`            // slack and webhook
	Secret secret.String   `json:"-"`            // webhook HMAC key
	To     []string        `json:"to,omitempty"` // email
	Name   string          `json:"name"`         // who or what, for logs and history: "person/thach (slack)"
	// Zone is the time zone the recipient reads times in; messages to this
	// destination show their times in it. Nil leaves them as they are.
	Zone *time.Location `json:"-"`
}

// SMTP is how email leaves Vigil.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password secret.String
	From     string
	// TLS is "starttls" (required), "opportunistic", "tls" (implicit, port 465) or "none".
	TLS string
}

// RetryableError is a failure worth retrying: the destination is down,
// overloaded or rate limiting. After, when not zero, is what it asked for
// (Retry-After).
type RetryableError struct {
	Err   error
	After time.Duration
}

func (e *RetryableError) Error() string {
	if e.After > 0 {
		return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
	}
	return e.Err.Error()
}

func (e *RetryableError) Unwrap() error { return e.Err }

// Retry classifies err: whether to try again, and how long the destination
// asked to wait. Errors that are not RetryableError are permanent (a 4xx
// other than 408/429, a malformed destination).
func Retry(err error) (retry bool, after time.Duration) {
	var r *RetryableError
	if errors.As(err, &r) {
		return true, r.After
	}
	return false, 0
}
