package httpcheck

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
)

// TestOneShotMatchesTransport probes the same paths with a new connection per
// probe (the one-shot round tripper) and with keepalive (net/http's
// Transport): what the conditions see must not depend on which one ran.
func TestOneShotMatchesTransport(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		name, path, method string
		wantStatus         int
		wantBody           string
		wantErr            string
	}{
		{name: "health", path: "/health", wantStatus: 200, wantBody: `{"status":"UP","items":[1,2]}`},
		{name: "gzip asked for and undone", path: "/gzip", wantStatus: 200, wantBody: `{"gzipped":true}`},
		{name: "HEAD asks for no gzip", path: "/gzip", method: "HEAD", wantStatus: 200},
		{name: "1xx skipped", path: "/early-hints", wantStatus: 200, wantBody: "final"},
		{name: "chunked", path: "/chunked/5", wantStatus: 200, wantBody: "xxxxx"},
		{name: "redirects", path: "/redirect/2", wantStatus: 200, wantBody: "arrived"},
		{name: "error status", path: "/status/503", wantStatus: 503, wantBody: "<html>oops</html>"},
		{name: "no content", path: "/status/204", wantStatus: 204},
		{name: "headers too large", path: "/huge-headers", wantErr: "net/http: server response headers exceeded 10485760 bytes; aborted"},
		{name: "hangs up", path: "/hangup", wantErr: "server closed the connection without a response: EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got [2]Vars
			var errs [2]string
			for i, keepalive := range []bool{false, true} {
				v, err := run(t, &Spec{URL: srv.URL + c.path, Method: c.method, Keepalive: keepalive}, uses("body", "headers"), nil)
				if err != nil {
					errs[i] = err.Error()
				}
				got[i] = v
			}
			if c.wantErr != "" {
				// The Transport words some failures with a prefix of its own.
				if !strings.HasSuffix(errs[0], c.wantErr) || !strings.HasSuffix(errs[1], c.wantErr) {
					t.Errorf("errors (new connection, keepalive) = %q, %q; want both to end in %q", errs[0], errs[1], c.wantErr)
				}
				return
			}
			if errs[0] != "" || errs[1] != "" {
				t.Fatalf("errors (new connection, keepalive) = %q, %q", errs[0], errs[1])
			}
			one, kept := got[0], got[1]
			if one.Status != c.wantStatus || one.Body != c.wantBody {
				t.Errorf("new connection: status, body = %d, %q; want %d, %q", one.Status, one.Body, c.wantStatus, c.wantBody)
			}
			delete(one.Headers, "date")
			delete(kept.Headers, "date")
			if one.Status != kept.Status || one.Body != kept.Body || one.Redirects != kept.Redirects ||
				one.FinalURL != kept.FinalURL || !reflect.DeepEqual(one.Headers, kept.Headers) {
				t.Errorf("new connection and keepalive differ:\n  %+v\n  %+v", one, kept)
			}
		})
	}
}

// TestOneShotClosesConnection checks that a probe asks the server to close
// and closes its side at once, also when it stops reading at max_body.
func TestOneShotClosesConnection(t *testing.T) {
	var open atomic.Int32
	closed := make(chan struct{}, 10)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/endless" {
			chunk := []byte(strings.Repeat("x", 32<<10))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
		io.WriteString(w, r.Header.Get("Connection"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed:
			open.Add(-1)
			closed <- struct{}{}
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)

	v, err := run(t, &Spec{URL: srv.URL + "/"}, uses("body"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Body != "close" {
		t.Errorf("Connection header = %q, want close", v.Body)
	}
	_, err = run(t, &Spec{URL: srv.URL + "/endless", MaxBody: 1000}, uses("status"), nil)
	if err == nil || err.Error() != "response body exceeds 1000 bytes limit (max_body)" {
		t.Fatalf("err = %v, want the max_body error", err)
	}
	for range 2 {
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Fatalf("server still has %d connections open after the probes returned", open.Load())
		}
	}
}

// TestOneShotCancel checks that cancelling the probe's context ends a probe
// waiting for headers at once, not at its deadline.
func TestOneShotCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	p, err := (&Spec{URL: srv.URL}).NewProber(check.Env{Clock: clock.Real()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := p.Probe(ctx)
		errc <- err
	}()
	cancel()
	select {
	case err := <-errc:
		if err == nil || err.Error() != "no response: context canceled" {
			t.Errorf("err = %v, want no response: context canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("probe still running 5s after its context was cancelled")
	}
}

// TestTarget covers where a request is dialled: default ports, IPv6
// literals, international names in their ASCII form, and schemes a
// redirect may lead to that HTTP probes do not speak.
func TestTarget(t *testing.T) {
	cases := []struct {
		url, host, addr string
		tls             bool
		err             string
	}{
		{url: "http://shop.example/health", host: "shop.example", addr: "shop.example:80"},
		{url: "https://shop.example/health", host: "shop.example", addr: "shop.example:443", tls: true},
		{url: "https://shop.example:8443/", host: "shop.example", addr: "shop.example:8443", tls: true},
		{url: "http://[::1]:8080/", host: "::1", addr: "[::1]:8080"},
		{url: "http://bücher.example/", host: "xn--bcher-kva.example", addr: "xn--bcher-kva.example:80"},
		{url: "ftp://shop.example/", err: `unsupported protocol scheme "ftp"`},
	}
	for _, c := range cases {
		req, err := http.NewRequest("GET", c.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		host, addr, useTLS, err := target(req)
		switch {
		case c.err != "":
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: err = %v, want %q", c.url, err, c.err)
			}
		case err != nil || host != c.host || addr != c.addr || useTLS != c.tls:
			t.Errorf("%s: %q, %q, %v, %v; want %q, %q, %v", c.url, host, addr, useTLS, err, c.host, c.addr, c.tls)
		}
	}
}
