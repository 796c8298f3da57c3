package post

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/render"
)

// maxReplyText is how much of a reply's body goes into an error: Slack's
// answers are single words ("no_service"), receivers' a sentence or two.
const maxReplyText = 300

// statusError classifies a non-2xx reply. The endpoint is overloaded, busy or
// broken for now (408, 425, 429, 5xx): retry, after Retry-After when given.
// Anything else (other 4xx, an unfollowed redirect, and the two 5xx that
// say the receiver does not do this at all: 501 Not Implemented and 505
// HTTP Version Not Supported) will fail again the same way until someone
// fixes the config, so it is permanent.
func (p *Poster) statusError(d notify.Destination, resp *http.Response, reply []byte, secrets []string) error {
	answer := resp.Status
	if text := replyText(reply, secrets); text != "" {
		answer += ": " + text
	}
	// The reason phrase is the receiver's words too and may echo the request.
	msg := fmt.Sprintf("%s: POST to %s: %s", p.channel, p.target(d), render.Redact(answer, secrets...))
	code := resp.StatusCode
	switch {
	case code == http.StatusNotImplemented, code == http.StatusHTTPVersionNotSupported:
		return errors.New(msg)
	case code == http.StatusRequestTimeout, code == http.StatusTooEarly,
		code == http.StatusTooManyRequests, code >= 500:
		return &notify.RetryableError{Err: errors.New(msg), After: RetryAfter(resp.Header.Get("Retry-After"), p.clock.Now())}
	case code >= 300 && code < 400:
		return fmt.Errorf("%s (redirects are not followed; configure the final URL)", msg)
	}
	return errors.New(msg)
}

// replyText is the reply body fit for an error message: one line, short,
// and scrubbed (before it is cut, so no part of a secret survives) in case
// the endpoint echoes the request.
func replyText(reply []byte, secrets []string) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, string(reply))
	s = strings.Join(strings.Fields(s), " ")
	return render.Truncate(render.Redact(s, secrets...), maxReplyText)
}

// RetryAfter reads a Retry-After header: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3). It returns 0 when the header is absent, malformed or
// already past, leaving the delay to the caller's backoff.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 || secs > int64(24*time.Hour/time.Second) {
			return 0 // no sane endpoint asks for more than a day; treat as garbage
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) && t.Sub(now) <= 24*time.Hour {
		return t.Sub(now)
	}
	return 0
}

// transportError explains a request that got no reply. net/http's errors
// start with the method and the full URL (`Post "https://hooks.slack.com/
// services/T/B/SECRET": ...`), so the error is rebuilt from what went wrong
// and the original is not wrapped. Only the context's own errors are wrapped,
// so callers can still test for context.DeadlineExceeded. Getting no answer
// says nothing about the message, so all of these are worth retrying.
func (p *Poster) transportError(ctx context.Context, d notify.Destination, err error, secrets []string) error {
	what, cause := describe(ctx, err)
	msg := fmt.Sprintf("%s: POST to %s: %s", p.channel, p.target(d), render.Redact(what, secrets...))
	if cause != nil {
		return &notify.RetryableError{Err: fmt.Errorf("%s: %w", msg, cause)}
	}
	return &notify.RetryableError{Err: errors.New(msg)}
}

// describe names what went wrong in words that hold no URL. cause is a
// sentinel safe to wrap, or nil.
func describe(ctx context.Context, err error) (what string, cause error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return "timed out", context.DeadlineExceeded
		}
		return "canceled", context.Canceled
	}
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
		netErr  net.Error
		urlErr  *url.Error
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", nil
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer", nil
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable", nil
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + dnsErr.Name, nil
	case errors.As(err, &certErr):
		return "TLS certificate not trusted: " + certErr.Err.Error(), nil
	case errors.As(err, &recErr):
		return "TLS handshake failed (is the endpoint plain HTTP?)", nil
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timed out", nil
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before a reply", nil
	case errors.As(err, &urlErr):
		// The inner error is what net/http added the URL to; the caller
		// still redacts it in case it repeats part of the URL.
		return urlErr.Err.Error(), nil
	}
	return "request failed", nil
}
