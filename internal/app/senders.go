package app

import (
	"context"
	"errors"
	"os"
	"sync"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/console"
	"github.com/vigil-sre/vigil/internal/notify/email"
	"github.com/vigil-sre/vigil/internal/notify/slack"
	"github.com/vigil-sre/vigil/internal/notify/webhook"
)

// senders is one Sender per channel kind.
func (a *App) senders() notify.Sender {
	out := a.opt.LogOutput
	if out == nil {
		out = os.Stderr
	}
	return notify.Senders{
		notify.Slack:   slack.New(slack.WithClock(a.opt.Clock)),
		notify.Webhook: webhook.New(), // signs with wall-clock time: receivers check it against theirs
		notify.Email:   &mailer{cfg: a.cfg.Load},
		notify.Console: console.New(out),
	}
}

// mailer sends email through the running config's SMTP server, rebuilding
// its client when a reload changes the server.
type mailer struct {
	cfg func() *config.Config

	mu     sync.Mutex
	smtp   config.SMTP
	sender *email.Sender
}

func (m *mailer) Send(ctx context.Context, d notify.Destination, msg notify.Message) error {
	s, err := m.current()
	if err != nil {
		return err
	}
	return s.Send(ctx, d, msg)
}

func (m *mailer) current() (*email.Sender, error) {
	c := m.cfg().Global.SMTP
	if c == nil {
		return nil, errors.New("email: global.smtp is not configured")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sender != nil && m.smtp == *c {
		return m.sender, nil
	}
	s, err := email.New(notify.SMTP{Host: c.Host, Port: c.Port, Username: c.Username, Password: c.Password, From: c.From, TLS: c.TLS})
	if err != nil {
		return nil, err
	}
	m.smtp, m.sender = *c, s
	return s, nil
}
