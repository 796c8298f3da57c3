// Package sendertest is the contract every HTTP channel sender must meet,
// run against a real local HTTP server: how each reply and each network
// failure is classified (deliver, retry and when, or give up), and that no
// error ever carries the destination's URL or secret. Slack and webhook run
// the same cases, so they cannot drift apart.
package sendertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check/checktest"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/secret"
)

// SecretPath is the path every destination URL in the suite ends in; like a
// Slack webhook's, the path is the credential.
const SecretPath = "/services/T0VIGIL/B0VIGIL/hunter2hunter2hunter2"

// Secret is the signing secret every destination in the suite carries.
const Secret = "whsec-correct-horse-battery-staple"

// Suite describes the sender under test.
type Suite struct {
	// New builds the sender; clk drives Retry-After dates.
	New func(clk clock.Clock) notify.Sender
	// Type is the destination type the sender accepts.
	Type notify.DestinationType
}

// Now is when the suite's messages are sent, by its fake clock.
func Now() time.Time { return time.Date(2026, 11, 27, 22, 4, 0, 0, time.UTC) }

type reply struct {
	status int
	header map[string]string
	body   string
}

// Classification runs every reply and failure the contract names.
func Classification(t *testing.T, s Suite) {
	t.Helper()
	retryDate := Now().Add(30 * time.Second).Format(http.TimeFormat)
	cases := []struct {
		name      string
		reply     *reply // nil for the failures that get no reply
		url       func(t *testing.T) string
		timeout   time.Duration
		wantErr   bool
		wantRetry bool
		wantAfter time.Duration
		wantText  []string // in the error
		https     bool     // speak TLS to the plain-HTTP sink
	}{
		{name: "200 ok", reply: &reply{status: 200, body: "ok"}},
		{name: "204", reply: &reply{status: 204}},
		{name: "400 invalid_payload", reply: &reply{status: 400, body: "invalid_payload"}, wantErr: true, wantText: []string{"400 Bad Request", "invalid_payload"}},
		{name: "403", reply: &reply{status: 403, body: "action_prohibited"}, wantErr: true, wantText: []string{"403", "action_prohibited"}},
		{name: "404 no_service", reply: &reply{status: 404, body: "no_service"}, wantErr: true, wantText: []string{"404 Not Found", "no_service"}},
		{name: "410 gone", reply: &reply{status: 410, body: "channel_is_archived"}, wantErr: true, wantText: []string{"channel_is_archived"}},
		{name: "302 not followed", reply: &reply{status: 302, header: map[string]string{"Location": "/elsewhere"}}, wantErr: true, wantText: []string{"302", "redirects are not followed"}},
		{name: "408", reply: &reply{status: 408}, wantErr: true, wantRetry: true, wantText: []string{"408"}},
		{name: "425", reply: &reply{status: 425}, wantErr: true, wantRetry: true, wantText: []string{"425"}},
		{name: "429 Retry-After seconds", reply: &reply{status: 429, header: map[string]string{"Retry-After": "7"}, body: "rate_limited"}, wantErr: true, wantRetry: true, wantAfter: 7 * time.Second, wantText: []string{"429", "rate_limited"}},
		{name: "429 Retry-After date", reply: &reply{status: 429, header: map[string]string{"Retry-After": retryDate}}, wantErr: true, wantRetry: true, wantAfter: 30 * time.Second},
		{name: "429 Retry-After garbage", reply: &reply{status: 429, header: map[string]string{"Retry-After": "soon"}}, wantErr: true, wantRetry: true},
		{name: "500", reply: &reply{status: 500, body: "internal_error"}, wantErr: true, wantRetry: true, wantText: []string{"500", "internal_error"}},
		{name: "501 is permanent", reply: &reply{status: 501, body: "no such method"}, wantErr: true,
			wantText: []string{") at http://127.0.0.1:", "/<redacted>: 501 Not Implemented: no such method"}},
		{name: "505 is permanent", reply: &reply{status: 505}, wantErr: true, wantText: []string{"505"}},
		{name: "503 Retry-After", reply: &reply{status: 503, header: map[string]string{"Retry-After": "120"}}, wantErr: true, wantRetry: true, wantAfter: 2 * time.Minute},
		{name: "reply echoes the request", reply: &reply{status: 400, body: "bad request to " + SecretPath + " signed with " + Secret}, wantErr: true, wantText: []string{"<redacted>"}},
		{name: "connection refused", url: func(t *testing.T) string { return "http://" + checktest.ClosedPort(t) + SecretPath },
			wantErr: true, wantRetry: true, wantText: []string{"connection refused"}},
		{name: "timeout: server never answers", url: func(t *testing.T) string { return "http://" + checktest.SilentServer(t) + SecretPath },
			timeout: 200 * time.Millisecond, wantErr: true, wantRetry: true, wantText: []string{"timed out"}},
		{name: "timeout: handler stalls", reply: &reply{status: -1}, timeout: 200 * time.Millisecond, wantErr: true, wantRetry: true, wantText: []string{"timed out"}},
		{name: "https to a plain HTTP server", reply: &reply{status: 200}, https: true, wantErr: true, wantRetry: true, wantText: []string{"HTTP response to HTTPS client"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var url string
			switch {
			case c.url != nil:
				url = c.url(t)
			case c.reply != nil:
				url = sink(t, *c.reply) + SecretPath
				if c.https {
					url = "https://" + strings.TrimPrefix(url, "http://")
				}
			}
			timeout := c.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			snd := s.New(clock.NewFake(Now()))
			err := snd.Send(ctx, Destination(s.Type, url), Message())
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error: %v", err, c.wantErr)
			}
			if err == nil {
				return
			}
			retry, after := notify.Retry(err)
			if retry != c.wantRetry || after != c.wantAfter {
				t.Errorf("Retry = %v, %v; want %v, %v (err: %v)", retry, after, c.wantRetry, c.wantAfter, err)
			}
			for _, w := range c.wantText {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "team/sre") {
				t.Errorf("error %q does not name the destination", err)
			}
			if strings.Contains(c.name, "timeout") && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %q does not wrap context.DeadlineExceeded", err)
			}
			NoLeak(t, err, SecretPath, strings.TrimPrefix(SecretPath, "/"), "hunter2", Secret, url)
		})
	}
}

// Destination is the destination the suite sends to.
func Destination(typ notify.DestinationType, url string) notify.Destination {
	return notify.Destination{Type: typ, URL: secretOf(url), Secret: secretOf(Secret), Name: "team/sre (" + string(typ) + ")"}
}

// Message is a firing page with everything a channel renders.
func Message() notify.Message {
	at := Now()
	return notify.Message{
		Kind: notify.KindFiring, Title: "[FIRING:1] shop: Homepage down", Service: "shop", Step: 1,
		URL: "https://vigil.example/alerts?group=7", At: at,
		Alerts: []notify.Alert{{
			ID: 42, Status: "firing", Severity: "critical", Summary: "Homepage down", Service: "shop",
			State: "failing", Reason: "status == 200 failed (status=503)",
			Labels: map[string]string{"alertname": "HomepageDown", "instance": "web-1"},
			Since:  at.Add(-12 * time.Minute), Occurrences: 3,
			URL: "https://vigil.example/alerts/42", AckURL: "https://vigil.example/a/42/ack?t=sig",
			ResolveURL: "https://vigil.example/a/42/resolve?t=sig",
			Runbook:    &notify.Runbook{ID: "app-down", Title: "App down", Doc: "1. Check the pods.", URL: "https://vigil.example/runbooks/app-down"},
		}},
	}
}

// NoLeak fails the test if any secret shows in err, however it is printed
// or unwrapped.
func NoLeak(t *testing.T, err error, secrets ...string) {
	t.Helper()
	var said []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		said = append(said, e.Error(), fmt.Sprintf("%v|%+v|%s|%q", e, e, e, e))
	}
	for _, s := range said {
		for _, sec := range secrets {
			if sec != "" && strings.Contains(s, sec) {
				t.Errorf("secret %q leaked into error: %s", sec, s)
			}
		}
	}
}

func secretOf(s string) secret.String { return secret.New(s) }

// sink is a local HTTP server answering every request with r; status -1
// stalls until the client goes away.
func sink(t *testing.T, r reply) string {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// Read the body first: only then does the server watch the connection
		// and cancel the request's context when the client hangs up.
		io.Copy(io.Discard, req.Body)
		if r.status == -1 {
			select {
			case <-req.Context().Done():
			case <-done:
			}
			return
		}
		for k, v := range r.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(r.status)
		fmt.Fprint(w, r.body)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs first: a stalled handler lets go
	return srv.URL
}
