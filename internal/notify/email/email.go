// Package email sends notifications over SMTP as multipart text and HTML
// mail, through github.com/wneessen/go-mail. It speaks STARTTLS (required or
// opportunistic), implicit TLS or plain SMTP, authenticates when a username is
// configured, and never sends credentials over a connection that is neither
// encrypted nor to localhost.
package email

import (
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/mail"
	"strconv"
	"strings"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/notify"
)

// TLS modes, as in notify.SMTP.TLS.
const (
	StartTLS      = "starttls"      // upgrade with STARTTLS, refuse to send if the server cannot
	Opportunistic = "opportunistic" // STARTTLS when offered, plain otherwise
	ImplicitTLS   = "tls"           // TLS from the first byte (SMTPS, port 465)
	NoTLS         = "none"          // plain SMTP, e.g. a relay on localhost
)

// Sender sends mail through one SMTP server. It is safe for concurrent use;
// each Send opens its own connection.
type Sender struct {
	cfg   notify.SMTP
	addr  string // host:port, for errors
	tls   *tls.Config
	clock clock.Clock
	html  *template.Template
}

var _ notify.Sender = (*Sender)(nil)

// Option configures a Sender.
type Option func(*Sender)

// WithTLSConfig sets the TLS configuration for STARTTLS and implicit TLS, for
// example RootCAs for a server with a private CA. It is cloned; ServerName
// defaults to the SMTP host and MinVersion to TLS 1.2.
func WithTLSConfig(c *tls.Config) Option { return func(s *Sender) { s.tls = c.Clone() } }

// WithClock sets the clock that dates each mail.
func WithClock(c clock.Clock) Option { return func(s *Sender) { s.clock = c } }

// New checks cfg and returns a Sender for it. An empty TLS mode means
// starttls: the safe choice unless said otherwise. Port 0 means the mode's
// usual port: 465 for tls, 25 for none, 587 otherwise.
func New(cfg notify.SMTP, opts ...Option) (*Sender, error) {
	var problems []string
	if cfg.Host == "" {
		problems = append(problems, "host is required")
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = StartTLS
	case StartTLS, Opportunistic, ImplicitTLS, NoTLS:
	default:
		problems = append(problems, fmt.Sprintf("tls is %q; want starttls, opportunistic, tls or none", cfg.TLS))
	}
	if cfg.Port == 0 {
		cfg.Port = defaultPort(cfg.TLS)
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		problems = append(problems, fmt.Sprintf("port %d is out of range", cfg.Port))
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		problems = append(problems, fmt.Sprintf("from %q is not an email address", cfg.From))
	}
	if cfg.Username == "" && !cfg.Password.IsZero() {
		problems = append(problems, "password is set but username is not")
	}
	if len(problems) > 0 {
		return nil, errors.New("email: smtp: " + strings.Join(problems, "; "))
	}

	html, err := parseTemplate()
	if err != nil {
		return nil, err
	}
	s := &Sender{cfg: cfg, addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)), html: html}
	for _, opt := range opts {
		opt(s)
	}
	if s.tls == nil {
		s.tls = &tls.Config{}
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = cfg.Host
	}
	if s.tls.MinVersion == 0 {
		s.tls.MinVersion = tls.VersionTLS12
	}
	if s.clock == nil {
		s.clock = clock.Real()
	}
	return s, nil
}

func defaultPort(mode string) int {
	switch mode {
	case ImplicitTLS:
		return 465
	case NoTLS:
		return 25
	}
	return 587
}
