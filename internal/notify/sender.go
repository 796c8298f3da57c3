package notify

import (
	"context"
	"fmt"
)

// Sender delivers a Message to one Destination of its channel kind; each kind
// lives in its own subpackage (slack, webhook, email, console).
//
// Send returns nil once the destination has accepted the message. A failure
// worth retrying wraps a *RetryableError (see Retry), carrying how long the
// destination asked to wait; any other error is permanent. The deadline comes
// from ctx alone: senders set no timeouts of their own. Error text never holds
// a secret (a URL's credential parts, a signing secret, an SMTP password), so
// it may be stored in delivery history and shown to users; it may show the
// endpoint as secret.ShowURL does, so readers know which one failed.
type Sender interface {
	Send(ctx context.Context, d Destination, m Message) error
}

// SenderFunc lets a function be a Sender, e.g. a fake in tests.
type SenderFunc func(ctx context.Context, d Destination, m Message) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, d Destination, m Message) error { return f(ctx, d, m) }

// Senders hands each message to the Sender for its destination's type, so the
// delivery worker holds one Sender however many kinds are configured.
type Senders map[DestinationType]Sender

// Send delivers through the sender registered for d.Type. A type without a
// sender is a permanent error: retrying will not make one appear.
func (s Senders) Send(ctx context.Context, d Destination, m Message) error {
	snd, ok := s[d.Type]
	if !ok || snd == nil {
		return fmt.Errorf("notify: no sender for %q destinations (%s)", d.Type, d.Name)
	}
	return snd.Send(ctx, d, m)
}
