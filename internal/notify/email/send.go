package email

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/vigil-sre/vigil/internal/notify"
)

// noDeadline stands in for a context without one: go-mail needs a positive
// I/O timeout, and the caller's context is meant to be the only limit.
const noDeadline = 24 * time.Hour

// Send mails m to d.To.
//
// 4xx replies (e.g. 421 service not available, 451 local error, 452
// mailbox full for now), a connection that fails, breaks or times out, and
// TLS handshake failures are a *notify.RetryableError. 5xx replies (550 no
// such user, 535 bad credentials, 552 too large), a server without STARTTLS
// when starttls is required, and bad addresses are permanent. Errors quote
// the server's reply, never the password.
func (s *Sender) Send(ctx context.Context, d notify.Destination, m notify.Message) error {
	if d.Type != "" && d.Type != notify.Email {
		return fmt.Errorf("email: destination %s is of type %q", d.Name, d.Type)
	}
	if len(d.To) == 0 {
		return fmt.Errorf("email: destination %s has no address", d.Name)
	}
	msg, err := s.message(d, m)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return s.failure(ctx, d, err)
	}

	// A context cannot reach a connection go-mail dialled, so Vigil dials:
	// when ctx ends, the connection is closed and whatever go-mail is
	// waiting for fails at once. It is closed on return too, since go-mail
	// leaves it open when the greeting or EHLO fails.
	var (
		raw  net.Conn
		stop func() bool
	)
	defer func() {
		if raw != nil {
			stop()
			raw.Close()
		}
	}()
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		raw, stop = conn, context.AfterFunc(ctx, func() { conn.Close() })
		if s.cfg.TLS != ImplicitTLS {
			return conn, nil
		}
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(dctx); err != nil {
			conn.Close()
			return nil, err
		}
		return tc, nil
	}

	client, err := gomail.NewClient(s.cfg.Host, s.clientOptions(ctx, dial)...)
	if err != nil {
		return fmt.Errorf("email: smtp client for %s: %w", s.addr, err)
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return s.failure(ctx, d, err)
	}
	err = client.SendWithSMTPClient(conn, msg)
	_ = client.CloseWithSMTPClient(conn)
	// Once the server has accepted the DATA, the mail is its problem: a
	// failure to reset or quit afterwards must not make us send it twice.
	if err != nil && !msg.IsDelivered() {
		return s.failure(ctx, d, err)
	}
	return nil
}

// clientOptions configures go-mail for one send.
func (s *Sender) clientOptions(ctx context.Context, dial gomail.DialContextFunc) []gomail.Option {
	// go-mail's own I/O deadline trails the context's by a second, so the
	// context always ends first and the error says why.
	timeout := noDeadline
	if deadline, ok := ctx.Deadline(); ok {
		timeout = time.Until(deadline) + time.Second
	}
	policy := gomail.TLSMandatory
	switch s.cfg.TLS {
	case Opportunistic:
		policy = gomail.TLSOpportunistic
	case NoTLS, ImplicitTLS: // implicit TLS is done by dial; no STARTTLS inside it
		policy = gomail.NoTLS
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(s.tls),
		gomail.WithDialContextFunc(dial),
		gomail.WithTimeout(timeout),
		gomail.WithoutNoop(), // the connection is seconds old; skip a round trip
	}
	if s.cfg.Username != "" {
		// Strongest first. PLAIN and LOGIN refuse to run on a connection that
		// is neither TLS nor to localhost, so the password is never sent in
		// clear, whatever the TLS mode.
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthPlain, gomail.SMTPAuthLogin, gomail.SMTPAuthCramMD5),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password.Reveal()))
	}
	return opts
}
