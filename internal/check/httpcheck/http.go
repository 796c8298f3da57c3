// Package httpcheck sends one HTTP(S) request and reports what came back:
// status, timings, headers, the body (also parsed as JSON when a condition
// reads it) and, over HTTPS, when the server's certificate expires.
package httpcheck

import (
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/secret"
)

const (
	// DefaultMaxBody is how much of a response body is read unless max_body says otherwise.
	DefaultMaxBody = 1 << 20
	// maxRedirects bounds a redirect chain; a health endpoint that needs more is looping.
	maxRedirects = 10
	userAgent    = "Vigil"
)

// Spec is written under `http:`.
type Spec struct {
	URL     string                   `yaml:"url" jsonschema:"required,description=http:// or https:// URL to request"`
	Method  string                   `yaml:"method,omitempty" jsonschema:"default=GET,description=request method"`
	Headers map[string]secret.String `yaml:"headers,omitempty" jsonschema:"description=request headers; values are secrets and never printed"`
	Body    string                   `yaml:"body,omitempty" jsonschema:"description=request body"`
	Host    string                   `yaml:"host,omitempty" jsonschema:"description=Host header to send instead of the URL's host (TLS still uses the URL's host)"`

	FollowRedirects    *bool `yaml:"follow_redirects,omitempty" jsonschema:"default=true,description=follow up to 10 redirects"`
	InsecureSkipVerify bool  `yaml:"insecure_skip_verify,omitempty" jsonschema:"description=accept any server certificate (expired or untrusted or for another name)"`
	MaxBody            int   `yaml:"max_body,omitempty" jsonschema:"minimum=1,default=1048576,description=bytes of response body to read; a larger body fails the probe"`
	Keepalive          bool  `yaml:"keepalive,omitempty" jsonschema:"description=reuse connections between probes; by default each probe opens a new one so duration includes connecting"`
}

// Vars are what an HTTP probe observed. Body, JSON and Headers are filled only
// when a condition reads them (see check.Env.Uses), which keeps busy probers cheap.
type Vars struct {
	// Status is the status code of the final response, e.g. 200.
	Status int `expr:"status" json:"status"`
	// Duration is the whole exchange: connect, TLS, redirects, headers and body.
	Duration time.Duration `expr:"duration" json:"duration"`
	// TTFB is the time until the final response's headers arrived.
	TTFB time.Duration `expr:"ttfb" json:"ttfb"`
	// Body is the response body, at most max_body bytes.
	Body string `expr:"body" json:"body"`
	// JSON is the body decoded as JSON (objects are maps, numbers float64).
	JSON any `expr:"json" json:"json"`
	// Headers maps lower-cased response header names to their first value.
	Headers map[string]string `expr:"headers" json:"headers"`
	// CertExpiresIn is the time until the server's leaf certificate expires; 0 over plain HTTP.
	CertExpiresIn time.Duration `expr:"cert_expires_in" json:"cert_expires_in"`
	// Redirects is how many redirects were followed.
	Redirects int `expr:"redirects" json:"redirects"`
	// FinalURL is the URL that gave the final response, with any password redacted.
	FinalURL string `expr:"final_url" json:"final_url"`
}

func (s *Spec) Kind() string            { return "http" }
func (s *Spec) Vars() any               { return Vars{} }
func (s *Spec) DefaultExpect() []string { return []string{"status >= 200 && status < 400"} }

func (s *Spec) NewProber(env check.Env) (check.Prober, error) {
	return s.newProber(env, nil)
}

// newProber does the per-check work once, so Probe only copies a request
// template. Tests pass roots to trust their own CA; that gets a Transport of its own.
func (s *Spec) newProber(env check.Env, roots *x509.CertPool) (*prober, error) {
	u, err := url.Parse(s.URL)
	if err != nil {
		return nil, err
	}
	method := s.Method
	if method == "" {
		method = http.MethodGet
	}
	header := make(http.Header, len(s.Headers)+1)
	header.Set("User-Agent", userAgent)
	host := s.Host
	for name, value := range s.Headers {
		if http.CanonicalHeaderKey(name) == "Host" {
			// net/http ignores a Host entry in Header; honour it the way curl -H does.
			if host == "" {
				host = value.Reveal()
			}
			continue
		}
		header.Set(name, value.Reveal())
	}
	tmpl := &http.Request{Method: method, URL: u, Header: header, Host: host}
	if body := s.Body; body != "" {
		tmpl.ContentLength = int64(len(body))
		tmpl.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	}

	transport := sharedTransport(s.InsecureSkipVerify, s.Keepalive)
	if roots != nil {
		transport = newTransport(s.InsecureSkipVerify, s.Keepalive, roots)
	}
	client := &http.Client{Transport: transport, CheckRedirect: checkRedirect}
	if s.FollowRedirects != nil && !*s.FollowRedirects {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}

	clk := env.Clock
	if clk == nil {
		clk = clock.Real()
	}
	maxBody := int64(s.MaxBody)
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	return &prober{
		client:      client,
		tmpl:        tmpl,
		url:         u.Redacted(),
		maxBody:     maxBody,
		clock:       clk,
		keepBody:    env.UsesVar("body"),
		json:        jsonModeFor(env),
		keepHeaders: env.UsesVar("headers"),
	}, nil
}

func checkRedirect(_ *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return errTooManyRedirects
	}
	return nil
}
