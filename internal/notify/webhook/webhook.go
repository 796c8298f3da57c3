// Package webhook posts notifications as signed JSON to any HTTP endpoint: a
// chat bridge, a ticketing system, a team's own automation.
//
// # Payload, version "1"
//
// The body is one JSON object, the notify.Message with a version in front.
// Within a version, fields are only ever added, never renamed, retyped or
// removed; receivers should ignore fields they do not know. Empty optional
// fields are omitted. Times are RFC 3339 in UTC or with an offset.
//
//	{
//	  "version": "1",
//	  "kind": "firing",        // firing|escalation|reminder|resolved|handoff|runbook|incident|report|test
//	  "title": "[FIRING:1] shop: Homepage down",
//	  "text": "…",             // plain text; may be "" when alerts say it all
//	  "service": "shop",
//	  "escalation_step": 2,    // 1-based; omitted when not escalating
//	  "alerts": [{
//	    "id": 42, "status": "firing", "severity": "critical",
//	    "summary": "Homepage down", "service": "shop",
//	    "state": "failing", "reason": "status == 200 failed (status=503)",  // as of "at"; checks only
//	    "labels": {"alertname": "HomepageDown"}, "annotations": {"description": "…"},
//	    "since": "2026-11-27T21:52:00Z", "occurrences": 3,
//	    "url": "…", "ack_url": "…", "resolve_url": "…",   // ack/resolve: signed, expiring
//	    "links": [{"href": "…", "text": "Dashboard"}],
//	    "runbook": {"id": "app-down", "title": "App down", "doc": "Markdown…", "url": "…"}
//	  }],
//	  "handoff": {"schedule": "sre-primary", "person": "thach",
//	              "from": "2026-11-30T09:00:00+07:00", "until": "2026-12-07T09:00:00+07:00"},
//	                                   // until is omitted when no handoff is planned
//	  "report": {"id": "weekly-toil", "kind": "toil", "run": 3,   // scheduled reports only
//	             "from": "…", "to": "…", "markdown": "# …", "html": "<!doctype html>…",
//	             "data": {…}},       // the report as the API returns it
//	  "url": "https://vigil.example/…",
//	  "at": "2026-11-27T22:04:00Z"
//	}
//
// testdata/payload.golden.json holds a complete example and a test keeps it
// true.
//
// # Headers and signature
//
// Every request carries Content-Type: application/json and X-Vigil-Event: the
// kind. When the destination has a secret, two more headers let the receiver
// check the request came from Vigil and is fresh:
//
//	X-Vigil-Timestamp: 1796336640                     (Unix seconds)
//	X-Vigil-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// The timestamp is inside the signed string, so a captured request cannot be
// replayed later with a new timestamp; receivers reject timestamps outside a
// tolerance (Verify's default is five minutes). This is the scheme Stripe and
// Slack use. Verify implements the receiving side.
//
// Delivery is at least once: a receiver may see the same message twice.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/post"
)

// Version is the payload version this package sends.
const Version = "1"

// Header names.
const (
	HeaderEvent     = "X-Vigil-Event"
	HeaderTimestamp = "X-Vigil-Timestamp"
	HeaderSignature = "X-Vigil-Signature"
	// HeaderDelivery carries the ids of the notifications a message
	// carries, the same on every attempt: an idempotency key.
	HeaderDelivery = "X-Vigil-Delivery"
)

// Payload is the JSON body: the message's own fields after the version.
type Payload struct {
	Version string `json:"version"`
	notify.Message
}

// Sender posts signed JSON. It is safe for concurrent use.
type Sender struct {
	post  *post.Poster
	clock clock.Clock
}

var _ notify.Sender = (*Sender)(nil)

// Option configures a Sender.
type Option func(*options)

type options struct {
	client *http.Client
	clock  clock.Clock
}

// WithHTTPClient sends through c instead of the default client (proxy from
// the environment, no timeout of its own). Redirects are never followed: Go
// would turn the POST into a bodiless GET.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock sets the clock for signature timestamps and Retry-After dates.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// New returns a Sender. Build one and reuse it: it keeps one connection pool.
func New(opts ...Option) *Sender {
	o := options{clock: clock.Real()}
	for _, opt := range opts {
		opt(&o)
	}
	return &Sender{post: post.New("webhook", o.client, o.clock), clock: o.clock}
}

// Encode returns the body Send posts for m.
func Encode(m notify.Message) ([]byte, error) {
	return json.Marshal(Payload{Version: Version, Message: m})
}

// Send posts m to d.URL, signed with d.Secret when one is set.
//
// Any 2xx reply is success. 408, 425, 429 and 5xx other than 501 and 505
// (with their Retry-After, in seconds or as an HTTP date), timeouts and
// network failures are a *notify.RetryableError; other replies, including
// redirects, are permanent. Errors name the endpoint with its secrets cut
// out (secret.ShowURL) and quote the start of the receiver's answer, never
// the secret.
func (s *Sender) Send(ctx context.Context, d notify.Destination, m notify.Message) error {
	if d.Type != "" && d.Type != notify.Webhook {
		return fmt.Errorf("webhook: destination %s is of type %q", d.Name, d.Type)
	}
	body, err := Encode(m)
	if err != nil {
		return fmt.Errorf("webhook: encode message for %s: %w", d.Name, err)
	}
	h := http.Header{}
	h.Set(HeaderEvent, string(m.Kind))
	if m.Delivery != "" {
		h.Set(HeaderDelivery, m.Delivery)
	}
	if !d.Secret.IsZero() {
		ts := strconv.FormatInt(s.clock.Now().Unix(), 10)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, Sign(d.Secret.Reveal(), ts, body))
	}
	return s.post.Post(ctx, d, body, h)
}
