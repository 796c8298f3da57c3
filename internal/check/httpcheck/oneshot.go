package httpcheck

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/idna"
)

// maxResponseHeader bounds the status line and headers of a response (1xx
// responses included), as net/http's Transport does by default.
const maxResponseHeader = 10 << 20

// oneShot is the RoundTripper of probes that do not keep connections alive.
// It dials, writes the request and reads the response on the caller's
// goroutine and closes the connection with the body. net/http's Transport
// dials in a goroutine of its own and gives every connection a reader and a
// writer goroutine, which for a connection used once costs more CPU than the
// exchange itself (BENCHMARKS.md). What it sends and what it hands back are
// the Transport's: HTTP/1.1, "Connection: close", gzip asked for and undone
// when the request does not choose an encoding, 1xx responses skipped, no
// proxy. Redirects and cookies stay with http.Client.
type oneShot struct {
	dialer *net.Dialer
	tls    *tls.Config
	// Buffers are reused across probes: at hundreds of probes a second,
	// 8 KiB of fresh buffers each is most of what the collector has to do.
	readers, writers sync.Pool
}

func newOneShot(tlsConfig *tls.Config) *oneShot {
	// A connection that lives for one request needs no TCP keep-alive probes.
	t := &oneShot{dialer: &net.Dialer{KeepAlive: -1}, tls: tlsConfig}
	t.readers.New = func() any { return bufio.NewReader(nil) }
	t.writers.New = func() any { return bufio.NewWriter(nil) }
	return t
}

func (t *oneShot) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	host, addr, useTLS, err := target(req)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	raw, err := t.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	// The context ends the exchange wherever it is, body reading included,
	// without a goroutine watching it: the deadline fails the pending I/O.
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	resp, err := t.exchange(req, raw, stop, host, useTLS)
	if err != nil {
		stop()
		raw.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return resp, nil
}

// exchange does TLS when asked, sends req and reads the response headers;
// the returned body closes the connection and calls stop.
func (t *oneShot) exchange(req *http.Request, raw net.Conn, stop func() bool, host string, useTLS bool) (*http.Response, error) {
	conn := raw
	var state *tls.ConnectionState
	if useTLS {
		cfg := t.tls.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		tc := tls.Client(raw, cfg)
		if err := tc.Handshake(); err != nil {
			closeBody(req)
			return nil, err
		}
		cs := tc.ConnectionState()
		state, conn = &cs, tc
	}

	out := *req
	out.Close = true // sends "Connection: close"
	gzipped := wantsGzip(req)
	if gzipped {
		out.Header = req.Header.Clone()
		out.Header.Set("Accept-Encoding", "gzip")
	}
	bw := t.writers.Get().(*bufio.Writer)
	bw.Reset(conn)
	werr := out.Write(bw) // closes the request body
	if werr == nil {
		werr = bw.Flush()
	}
	bw.Reset(nil)
	t.writers.Put(bw)

	// Read even when writing failed: a server may answer (413, say) and hang
	// up before taking the whole request, as the Transport allows for.
	lim := &headerLimit{r: conn, n: maxResponseHeader}
	br := t.readers.Get().(*bufio.Reader)
	br.Reset(lim)
	resp, err := readFinal(br, req)
	if err != nil || resp.Body == http.NoBody {
		br.Reset(nil)
		t.readers.Put(br)
	}
	switch {
	case err != nil && werr != nil:
		return nil, werr
	case err != nil && lim.n <= 0:
		return nil, fmt.Errorf("net/http: server response headers exceeded %d bytes; aborted", maxResponseHeader)
	case err != nil:
		return nil, err
	}
	lim.n = math.MaxInt64 // the prober bounds the body
	resp.TLS = state
	if resp.Body == http.NoBody { // HEAD, 204, 304: readers tell these apart by NoBody
		stop()
		raw.Close()
		return resp, nil
	}
	body := &connBody{r: resp.Body, conn: raw, stop: stop, br: br, pool: &t.readers}
	resp.Body = body
	if gzipped && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") && resp.ContentLength != 0 {
		body.r = &gunzip{r: body.r}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	return resp, nil
}

// readFinal skips informational (1xx) responses up to the final one; 101
// Switching Protocols is final. The header limit bounds how many come.
func readFinal(br *bufio.Reader, req *http.Request) (*http.Response, error) {
	for {
		// A server that hangs up before answering is io.EOF, as with the
		// Transport; ReadResponse would say io.ErrUnexpectedEOF.
		if _, err := br.Peek(1); err != nil {
			return nil, err
		}
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode < 100 || resp.StatusCode > 199 || resp.StatusCode == http.StatusSwitchingProtocols {
			return resp, nil
		}
	}
}

// target is where req goes: the host name for TLS, the address to dial, and
// whether the scheme is https.
func target(req *http.Request) (host, addr string, useTLS bool, err error) {
	u := req.URL
	if u == nil {
		return "", "", false, errors.New("http: nil Request.URL")
	}
	port := u.Port()
	switch u.Scheme {
	case "http":
		if port == "" {
			port = "80"
		}
	case "https":
		useTLS = true
		if port == "" {
			port = "443"
		}
	default:
		return "", "", false, fmt.Errorf("unsupported protocol scheme %q", u.Scheme)
	}
	host = u.Hostname()
	if host == "" {
		return "", "", false, fmt.Errorf("http: no Host in request URL")
	}
	// An international name is dialled and verified in its ASCII form, as
	// the Transport does; the Host header gets it from Request.Write.
	if !isASCII(host) {
		if ascii, err := idna.Lookup.ToASCII(host); err == nil {
			host = ascii
		}
	}
	return host, net.JoinHostPort(host, port), useTLS, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// wantsGzip is the Transport's rule for asking for gzip on the caller's behalf.
func wantsGzip(req *http.Request) bool {
	return req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" && req.Method != http.MethodHead
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// headerLimit fails reads once n bytes were read; the response headers are
// read through it before the limit is lifted for the body.
type headerLimit struct {
	r io.Reader
	n int64
}

func (l *headerLimit) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("response headers too large")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// connBody is a response body whose Close closes the connection. It never
// reads the rest of the body first (as a body kept alive must), so closing
// after the prober's max_body costs nothing however much the server had left.
type connBody struct {
	r      io.Reader
	conn   net.Conn
	stop   func() bool // unhooks the context
	br     *bufio.Reader
	pool   *sync.Pool // where br goes back on Close
	closed bool
}

func (b *connBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, net.ErrClosed // the buffer under b.r serves another probe now
	}
	return b.r.Read(p)
}

func (b *connBody) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	b.stop()
	err := b.conn.Close()
	b.br.Reset(nil)
	b.pool.Put(b.br)
	return err
}

// gunzip undoes the gzip encoding the round tripper asked for, starting on
// the first read so that an unread body costs nothing.
type gunzip struct {
	r  io.Reader
	zr *gzip.Reader
}

func (g *gunzip) Read(p []byte) (int, error) {
	if g.zr == nil {
		zr, err := gzip.NewReader(g.r)
		if err != nil {
			return 0, err
		}
		g.zr = zr
	}
	return g.zr.Read(p)
}
