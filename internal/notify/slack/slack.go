// Package slack sends notifications to Slack incoming webhooks as Block Kit
// messages: a header that shows severity at a glance, one section per alert
// with its key facts and labels, the start of its runbook, and link buttons
// to acknowledge, resolve or open it in Vigil.
package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/post"
)

// Sender posts to Slack incoming webhooks. It is safe for concurrent use.
type Sender struct {
	post *post.Poster
}

var _ notify.Sender = (*Sender)(nil)

// Option configures a Sender.
type Option func(*options)

type options struct {
	client *http.Client
	clock  clock.Clock
}

// WithHTTPClient sends through c instead of the default client (proxy from
// the environment, no timeout of its own). Redirects are never followed.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock sets the clock used to read Retry-After dates.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// New returns a Sender. Build one and reuse it: it keeps one connection pool.
func New(opts ...Option) *Sender {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return &Sender{post: post.New("slack", o.client, o.clock)}
}

// Send posts m to the incoming-webhook URL in d.URL.
//
// Slack answers 200 "ok". A 429 (with its Retry-After), a 5xx, a timeout or
// a network failure is a *notify.RetryableError; any other reply, such as
// 404 no_service (the webhook was removed) or 400 invalid_payload, is
// permanent and its error carries Slack's answer; the webhook's path (its
// credential) is never shown.
func (s *Sender) Send(ctx context.Context, d notify.Destination, m notify.Message) error {
	if d.Type != "" && d.Type != notify.Slack {
		return fmt.Errorf("slack: destination %s is of type %q", d.Name, d.Type)
	}
	body, err := json.Marshal(build(m))
	if err != nil {
		return fmt.Errorf("slack: encode message for %s: %w", d.Name, err)
	}
	return s.post.Post(ctx, d, body, nil)
}
