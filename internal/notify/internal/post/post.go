// Package post sends a JSON notification over HTTP and turns the outcome into
// the answer the delivery worker needs: delivered, retry (and when), or give
// up, with an error that names the destination and shows its endpoint with
// the secrets cut out.
package post

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/secret"
)

// MaxResponse bounds how much of a reply is read: enough for any error text
// Slack or a receiver sends, and a broken endpoint streaming an endless body
// cannot make us buffer it.
const MaxResponse = 64 << 10

// Poster sends bodies for one channel kind over one reusable http.Client.
type Poster struct {
	channel string // "slack", "webhook": starts every error
	client  *http.Client
	clock   clock.Clock
}

// New makes a Poster. A nil client gets Client(); a nil clock the real one.
// Whatever client is given, redirects are not followed (see noRedirect).
func New(channel string, client *http.Client, clk clock.Clock) *Poster {
	if client == nil {
		client = Client()
	} else {
		c := *client // a shallow copy shares the Transport and its connection pool
		client = &c
	}
	client.CheckRedirect = noRedirect
	if clk == nil {
		clk = clock.Real()
	}
	return &Poster{channel: channel, client: client, clock: clk}
}

// ConnectTimeout bounds connecting to a destination (and a TLS handshake):
// an endpoint that does not even accept a connection within it is down, and
// its send fails fast instead of waiting for the whole send timeout.
const ConnectTimeout = 5 * time.Second

// Client is the default client: proxies from the environment (a firewalled
// on-call server often reaches Slack only through one), a short connect
// timeout, and no overall timeout, since the caller's context bounds every
// send.
func Client() *http.Client {
	t := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: ConnectTimeout,
		ForceAttemptHTTP2:   true, // a custom DialContext would otherwise turn HTTP/2 off
		MaxIdleConns:        32,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: t}
}

// noRedirect stops at the first redirect. Go would replay a POST after a 301
// or 302 as a GET without a body, so a moved endpoint would answer 200 and the
// page would be reported delivered when nobody got it.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Post sends body to d.URL with the given headers. It returns nil for a 2xx
// reply and otherwise an error as notify.Sender documents.
func (p *Poster) Post(ctx context.Context, d notify.Destination, body []byte, header http.Header) error {
	raw := d.URL.Reveal()
	if raw == "" {
		return fmt.Errorf("%s: destination %s has no URL", p.channel, d.Name)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// url.Parse's error repeats the URL, so it is not passed on.
		return fmt.Errorf("%s: destination %s has an invalid URL (want http:// or https://)", p.channel, d.Name)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, raw, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: POST to %s: cannot build the request", p.channel, d.Name)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "Vigil")

	resp, err := p.client.Do(req)
	if err != nil {
		return p.transportError(ctx, d, err, secretsOf(d))
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponse))
	// Drain a little more so the connection can be reused; give up on more.
	io.CopyN(io.Discard, resp.Body, MaxResponse)

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return p.statusError(d, resp, reply, secretsOf(d))
}

// secretsOf lists what must never appear in an error: the URL's secret
// parts (see secret.URLSecrets) and the signing secret. Plain words of the
// URL ("hooks", "v1") are not secrets: scrubbing them would turn "webhook"
// into "web<redacted>".
func secretsOf(d notify.Destination) []string {
	raw := d.URL.Reveal()
	s := append(secret.URLSecrets(raw), d.Secret.Reveal())
	if u, err := url.Parse(raw); err == nil && strings.Trim(u.Path, "/") != "" {
		// The URL is a secret as a whole: its path too, as a receiver
		// echoes it ("no route for POST /hook/…").
		s = append(s, u.RequestURI(), u.EscapedPath(), u.Path)
	}
	sort.SliceStable(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
	return s
}

// target names the destination in an error: its name and its URL's host,
// so the reader knows which endpoint failed; the rest of a channel's URL
// is its secret.
func (p *Poster) target(d notify.Destination) string {
	return d.Name + " at " + secret.ShowSecretURL(d.URL.Reveal())
}
