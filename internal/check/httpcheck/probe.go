package httpcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/tlscheck"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/secret"
)

var errTooManyRedirects = fmt.Errorf("stopped after %d redirects", maxRedirects)

type prober struct {
	client *http.Client
	// tmpl is shared, read-only, by every probe; net/http never writes to a
	// client request, so Probe copies only the struct, not its URL or headers.
	tmpl    *http.Request
	url     string // the configured URL, password redacted
	maxBody int64
	clock   clock.Clock
	// Which costly variables some condition reads.
	keepBody, keepHeaders bool
	json                  jsonMode
}

// jsonMode is what a prober does with the body as JSON.
type jsonMode int

const (
	jsonSkip    jsonMode = iota // no condition reads json
	jsonTry                     // nobody said (Env.Uses unset): parse, json stays nil if it is not JSON
	jsonRequire                 // a condition reads json: a body that is not JSON fails the probe
)

func jsonModeFor(env check.Env) jsonMode {
	switch {
	case env.Uses == nil:
		return jsonTry
	case env.Uses("json"):
		return jsonRequire
	}
	return jsonSkip
}

func (p *prober) Probe(ctx context.Context) (any, error) {
	req := p.tmpl.WithContext(ctx)
	if req.GetBody != nil {
		req.Body, _ = req.GetBody()
	}
	sw := clock.Start()
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, p.requestError(ctx, err)
	}
	defer resp.Body.Close()
	v := Vars{Status: resp.StatusCode, TTFB: sw.Elapsed(), FinalURL: p.url}
	body, err := p.readBody(resp)
	v.Duration = sw.Elapsed()
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("reading response body: %w", ctx.Err())
		}
		return nil, err
	}

	// Each request made for a redirect points at the response that caused it.
	for r := resp.Request; r.Response != nil; r = r.Response.Request {
		v.Redirects++
	}
	if v.Redirects > 0 {
		v.FinalURL = resp.Request.URL.Redacted()
	}
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		v.CertExpiresIn = resp.TLS.PeerCertificates[0].NotAfter.Sub(p.clock.Now())
	}
	if p.keepHeaders {
		v.Headers = make(map[string]string, len(resp.Header))
		for name, values := range resp.Header {
			if len(values) > 0 {
				v.Headers[strings.ToLower(name)] = values[0]
			}
		}
	}
	if p.keepBody {
		v.Body = string(body)
	}
	// When a condition reads json, a body that is not JSON fails the probe: the
	// condition would otherwise fail with "cannot fetch status from <nil>", while
	// this names the cause, typically an HTML error page from a proxy.
	if p.json != jsonSkip {
		if err := json.Unmarshal(body, &v.JSON); err != nil {
			if p.json == jsonRequire {
				return nil, notJSON(resp, len(body), err)
			}
			v.JSON = nil
		}
	}
	return v, nil
}

// requestError words a failed request for the status page. net/http's
// `Get "url":` prefix is dropped, since the URL is the check's own, unless a
// redirect led somewhere else.
func (p *prober) requestError(ctx context.Context, err error) error {
	var where string
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
		// net/http masks a URL's password differently from url.Redacted; such
		// URLs just go without the redirect note.
		if ue.URL != p.url && p.tmpl.URL.User == nil && !errors.Is(err, errTooManyRedirects) {
			where = " (after redirect to " + secret.URL(ue.URL) + ")" // its query may hold a key
		}
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("no response%s: %w", where, ctx.Err())
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("server closed the connection without a response%s: %w", where, err)
	}
	err = tlscheck.Explain(err, p.clock.Now())
	if where != "" {
		return fmt.Errorf("%w%s", err, where)
	}
	return err
}

func notJSON(resp *http.Response, size int, err error) error {
	what := "HTTP " + strconv.Itoa(resp.StatusCode)
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		what += ", " + ct
	}
	if size == 0 {
		return fmt.Errorf("response body is not JSON (%s): the body is empty", what)
	}
	return fmt.Errorf("response body is not JSON (%s): %w", what, err)
}
