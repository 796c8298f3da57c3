package email

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"syscall"

	gomail "github.com/wneessen/go-mail"

	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/render"
)

// failure turns a go-mail error into the error Send returns. The text is the
// server's reply or the network error, which name the server and the
// addresses but not the password; it is scrubbed anyway, in case a server
// echoes what it was sent.
func (s *Sender) failure(ctx context.Context, d notify.Destination, err error) error {
	msg := fmt.Sprintf("email: send to %s via %s: %s", d.Name, s.addr, render.Redact(describe(ctx, err), s.secrets()...))
	if !retryable(ctx, err) {
		return errors.New(msg)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return &notify.RetryableError{Err: fmt.Errorf("%s: %w", msg, ctxErr)}
	}
	return &notify.RetryableError{Err: errors.New(msg)}
}

// secrets are what must not appear in an error: the password, and the
// base64 forms AUTH PLAIN and LOGIN put on the wire.
func (s *Sender) secrets() []string {
	pw := s.cfg.Password.Reveal()
	if pw == "" {
		return nil
	}
	b64 := base64.StdEncoding.EncodeToString
	return []string{pw, b64([]byte(pw)), b64([]byte("\x00" + s.cfg.Username + "\x00" + pw))}
}

// describe says what went wrong. When the context ended, go-mail only sees
// a closed connection; say why it was closed.
func describe(ctx context.Context, err error) string {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "timed out"
	case ctx.Err() != nil:
		return "canceled"
	}
	return err.Error()
}

// retryable is SMTP's own rule: 4xx is "try again later", 5xx is "don't".
// A conversation that never got a reply (refused, reset, timed out, a TLS
// handshake that failed) says nothing about the mail, so it is retried too.
// What remains (no STARTTLS when required, no AUTH when a username is set,
// a bad address) will not change by waiting.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	var (
		sendErr *gomail.SendError
		reply   *textproto.Error
		netErr  net.Error
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &sendErr):
		switch sendErr.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			return false
		}
		// No reply code means the connection broke mid-send.
		code := sendErr.ErrorCode()
		return code == 0 || code/100 == 4
	case errors.As(err, &reply):
		return reply.Code/100 == 4
	case errors.As(err, &netErr), errors.As(err, &certErr), errors.As(err, &recErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	return false
}
