package httpcheck

import (
	"context"
	"errors"
	"github.com/vigil-sre/vigil/internal/check/checktest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/secret"
)

func TestConditions(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		name, path string
		expect     []string // nil: the kind's default
		status     check.Status
		reason     string
	}{
		{name: "healthy", path: "/health", status: check.Pass, expect: []string{
			`status == 200`, `json.status == "UP"`, `len(json.items) == 2`, `duration < 500ms`, `ttfb <= duration`,
			`headers["x-version"] == "1.2.3"`, `headers["content-type"] contains "json"`, `body contains "UP"`,
			`redirects == 0`, `final_url endsWith "/health"`, `cert_expires_in == 0s`,
		}},
		{name: "default expect", path: "/health", status: check.Pass},
		{name: "json value differs", path: "/health", expect: []string{`status == 200`, `json.status == "DOWN"`},
			status: check.Fail, reason: `json.status == "DOWN" failed (json.status="UP")`},
		{name: "503", path: "/status/503",
			status: check.Fail, reason: `status >= 200 && status < 400 failed (status=503)`},
		{name: "503 expected", path: "/status/503", expect: []string{`status == 503`, `body contains "oops"`}, status: check.Pass},
		{name: "404", path: "/status/404", expect: []string{`status == 200`}, status: check.Fail, reason: `status == 200 failed (status=404)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := &Spec{URL: srv.URL + c.path}
			expect := c.expect
			if expect == nil {
				expect = spec.DefaultExpect()
			}
			exprs, uses := compile(t, expect...)
			vars, err := run(t, spec, uses, nil)
			r := check.Evaluate(clock.Real().Now(), vars.Duration, vars, err, exprs, nil)
			if r.Status != c.status || r.Reason != c.reason {
				t.Errorf("result = %s %q, want %s %q", r.Status, r.Reason, c.status, c.reason)
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	srv := newServer(t)
	dead := "http://" + checktest.ClosedPort(t)
	cases := []struct {
		name, path    string
		follow        *bool
		wantErr       string
		wantStatus    int
		wantRedirects int
		wantFinal     string
		wantLocation  string
	}{
		{name: "followed by default", path: "/redirect/3", wantStatus: 200, wantRedirects: 3, wantFinal: "/redirect/0"},
		{name: "followed", path: "/redirect/1", follow: new(true), wantStatus: 200, wantRedirects: 1, wantFinal: "/redirect/0"},
		{name: "ten are fine", path: "/redirect/10", wantStatus: 200, wantRedirects: 10, wantFinal: "/redirect/0"},
		{name: "eleven are too many", path: "/redirect/11", wantErr: "stopped after 10 redirects"},
		{name: "not followed", path: "/redirect/3", follow: new(false), wantStatus: 302, wantFinal: "/redirect/3", wantLocation: "/redirect/2"},
		{name: "to a dead server", path: "/away?to=" + dead, wantErr: "dial tcp " + dead[len("http://"):] + ": connect: connection refused (after redirect to " + dead + ")"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := run(t, &Spec{URL: srv.URL + c.path, FollowRedirects: c.follow}, nil, nil)
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Status != c.wantStatus || v.Redirects != c.wantRedirects || v.FinalURL != srv.URL+c.wantFinal {
				t.Errorf("status, redirects, final_url = %d, %d, %s; want %d, %d, %s",
					v.Status, v.Redirects, v.FinalURL, c.wantStatus, c.wantRedirects, srv.URL+c.wantFinal)
			}
			if got := v.Headers["location"]; got != c.wantLocation {
				t.Errorf("location = %q, want %q", got, c.wantLocation)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		name, path string
		method     string
		maxBody    int
		uses       []string
		wantErr    string
		wantBody   string
	}{
		{name: "endless", path: "/endless", wantErr: "response body exceeds 1 MiB limit (max_body)"},
		{name: "endless, body kept", path: "/endless", uses: []string{"body"}, wantErr: "response body exceeds 1 MiB limit (max_body)"},
		{name: "endless, small limit", path: "/endless", maxBody: 1536, wantErr: "response body exceeds 1.5 KiB limit (max_body)"},
		{name: "announced too large", path: "/bytes/2097152", wantErr: "response body exceeds 1 MiB limit (max_body)"},
		{name: "at the limit", path: "/bytes/10", maxBody: 10, uses: []string{"body"}, wantBody: "xxxxxxxxxx"},
		{name: "one over", path: "/bytes/11", maxBody: 10, wantErr: "response body exceeds 10 bytes limit (max_body)"},
		{name: "chunked at the limit", path: "/chunked/10", maxBody: 10, uses: []string{"body"}, wantBody: "xxxxxxxxxx"},
		{name: "chunked one over", path: "/chunked/11", maxBody: 10, uses: []string{"body"}, wantErr: "response body exceeds 10 bytes limit (max_body)"},
		{name: "HEAD announces a size it does not send", method: "HEAD", path: "/bytes/2097152"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sw := clock.Start()
			v, err := run(t, &Spec{URL: srv.URL + c.path, Method: c.method, MaxBody: c.maxBody}, uses(c.uses...), nil)
			if took := sw.Elapsed(); took > 2*time.Second {
				t.Errorf("probe took %v; reading must stop at the limit", took)
			}
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Body != c.wantBody {
				t.Errorf("body = %q, want %q", v.Body, c.wantBody)
			}
		})
	}
}

// TestBroken covers targets that cannot be observed; each must fail promptly
// with a reason, and deadline failures must stay recognisable as such.
func TestBroken(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		name, url string
		deadline  bool
		wantErr   string
	}{
		{name: "refused", url: "http://" + checktest.ClosedPort(t) + "/", wantErr: "connect: connection refused"},
		{name: "never answers", url: "http://" + checktest.SilentServer(t) + "/", deadline: true},
		{name: "stalls mid-body", url: srv.URL + "/stall", deadline: true},
		{name: "hangs up", url: srv.URL + "/hangup", wantErr: "server closed the connection without a response"},
		{name: "reset mid-body", url: srv.URL + "/reset", wantErr: "reading response body: read tcp"},
		{name: "cut short", url: srv.URL + "/cut", wantErr: "reading response body: the server closed the connection before the body was complete"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sw := clock.Start()
			_, err := runWithin(t, 300*time.Millisecond, &Spec{URL: c.url}, uses("body"), nil)
			t.Logf("reason: %v", err)
			if took := sw.Elapsed(); took > time.Second {
				t.Errorf("probe took %v, want it to end with the 300ms context", took)
			}
			switch {
			case err == nil:
				t.Fatal("probe succeeded, want an error")
			case errors.Is(err, context.DeadlineExceeded) != c.deadline:
				t.Errorf("err = %v; deadline error: %v, want %v", err, !c.deadline, c.deadline)
			case !strings.Contains(err.Error(), c.wantErr):
				t.Errorf("err = %v, want it to contain %q", err, c.wantErr)
			}
		})
	}
}

// TestCostlyVars checks that body, json and headers are filled only when a
// condition reads them, and how a body that is not JSON is reported.
func TestCostlyVars(t *testing.T) {
	srv := newServer(t)
	const health = `{"status":"UP","items":[1,2]}`
	parsed := map[string]any{"status": "UP", "items": []any{1.0, 2.0}}
	cases := []struct {
		name, path  string
		uses        func(string) bool
		wantErr     string
		wantBody    string
		wantJSON    any
		wantHeaders bool
	}{
		{name: "none read", path: "/health", uses: uses("status")},
		{name: "body read", path: "/health", uses: uses("body"), wantBody: health},
		{name: "json read", path: "/health", uses: uses("json"), wantJSON: parsed},
		{name: "headers read", path: "/health", uses: uses("headers"), wantHeaders: true},
		{name: "uses unset", path: "/health", wantBody: health, wantJSON: parsed, wantHeaders: true},
		{name: "HTML with json unread", path: "/status/503", uses: uses("status")},
		{name: "HTML with uses unset", path: "/status/503", wantBody: "<html>oops</html>", wantHeaders: true},
		{name: "HTML with json read", path: "/status/503", uses: uses("json"),
			wantErr: "response body is not JSON (HTTP 503, text/html; charset=utf-8): invalid character '<' looking for beginning of value"},
		{name: "empty with json read", path: "/status/204", uses: uses("json"),
			wantErr: "response body is not JSON (HTTP 204): the body is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := run(t, &Spec{URL: srv.URL + c.path}, c.uses, nil)
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Body != c.wantBody || !reflect.DeepEqual(v.JSON, c.wantJSON) {
				t.Errorf("body, json = %q, %v; want %q, %v", v.Body, v.JSON, c.wantBody, c.wantJSON)
			}
			if got := v.Headers["content-type"] != ""; got != c.wantHeaders {
				t.Errorf("headers = %v, want filled: %v", v.Headers, c.wantHeaders)
			}
		})
	}
}

func TestRequestSent(t *testing.T) {
	srv := newServer(t)
	spec := &Spec{
		URL:    srv.URL + "/echo",
		Method: "POST",
		Body:   `{"order":42}`,
		Host:   "shop.example",
		Headers: map[string]secret.String{
			"Authorization": secret.New("Bearer s3cr3t"),
			"x-trace":       secret.New("abc"),
		},
	}
	exprs, uses := compile(t,
		`json.method == "POST"`, `json.body == "{\"order\":42}"`, `json.host == "shop.example"`,
		`json.headers.authorization == "Bearer s3cr3t"`, `json.headers["x-trace"] == "abc"`,
		`json.headers["user-agent"] == "Vigil"`, `json.headers["content-length"] == "12"`,
	)
	v, err := run(t, spec, uses, nil)
	if r := check.Evaluate(clock.Real().Now(), v.Duration, v, err, exprs, nil); r.Status != check.Pass {
		t.Errorf("result = %s %q, want pass", r.Status, r.Reason)
	}

	// Host may also come as a header, as with curl -H.
	spec = &Spec{URL: srv.URL + "/echo", Headers: map[string]secret.String{"host": secret.New("www.shop.example")}}
	exprs, uses = compile(t, `json.host == "www.shop.example"`, `json.method == "GET"`, `json.body == ""`)
	v, err = run(t, spec, uses, nil)
	if r := check.Evaluate(clock.Real().Now(), v.Duration, v, err, exprs, nil); r.Status != check.Pass {
		t.Errorf("Host header: result = %s %q, want pass", r.Status, r.Reason)
	}
}

// TestBodyResentOnRedirect checks that a 307 gets the method and body again.
func TestBodyResentOnRedirect(t *testing.T) {
	srv := newServer(t)
	exprs, uses := compile(t, `json.method == "PUT"`, `json.body == "again"`, `redirects == 1`, `final_url endsWith "/echo"`)
	v, err := run(t, &Spec{URL: srv.URL + "/temporary", Method: "PUT", Body: "again"}, uses, nil)
	if r := check.Evaluate(clock.Real().Now(), v.Duration, v, err, exprs, nil); r.Status != check.Pass {
		t.Errorf("result = %s %q, want pass", r.Status, r.Reason)
	}
}
