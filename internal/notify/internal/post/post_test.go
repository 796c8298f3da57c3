package post

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/secret"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 22, 4, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"0", 0},
		{"-5", 0},
		{"1.5", 0},
		{"999999999", 0}, // more than a day: not believed
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{now.Add(90 * time.Second).Format(time.RFC850), 90 * time.Second},
		{"Fri, 27 Nov 2026 22:04:30 GMT", 30 * time.Second},
		{"tomorrow", 0},
	}
	for _, c := range cases {
		if got := RetryAfter(c.in, now); got != c.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestRedirectsAreNotFollowed holds for a caller's client too: New stops it
// following redirects without changing the caller's own client.
func TestRedirectsAreNotFollowed(t *testing.T) {
	own := &http.Client{}
	p := New("webhook", own, nil)
	if p.client.CheckRedirect == nil || own.CheckRedirect != nil {
		t.Fatal("redirect policy not set on a copy")
	}
	if err := p.client.CheckRedirect(nil, nil); err != http.ErrUseLastResponse {
		t.Errorf("CheckRedirect = %v", err)
	}
}

// TestEchoedCredentialsAreRedacted: a receiver that repeats the request in
// its reason phrase or body must not put the credential in the error, which
// is stored as the notification's last_error and shown in the API.
func TestEchoedCredentialsAreRedacted(t *testing.T) {
	// PATHSECRET looks like a word, not a token: the URL is a secret as a
	// whole, so its path is cut out however it looks.
	const pathToken, wordToken, queryToken = "T0kenInPath77", "PATHSECRET", "q/uery+t0ken=="
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		echo := r.URL.RequestURI() + " token=" + r.URL.Query().Get("token")
		body := "rejected " + echo
		fmt.Fprintf(buf, "HTTP/1.1 403 Bad token %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", echo, len(body), body)
		buf.Flush()
	}))
	defer srv.Close()
	raw := srv.URL + "/hooks/" + pathToken + "/" + wordToken + "?token=" + url.QueryEscape(queryToken)
	d := notify.Destination{Type: notify.Webhook, Name: "channel/ops", URL: secret.New(raw)}
	err := New("webhook", nil, nil).Post(context.Background(), d, []byte(`{}`), nil)
	if err == nil {
		t.Fatal("a 403 was taken for delivered")
	}
	msg := err.Error()
	for _, s := range []string{pathToken, wordToken, queryToken, url.QueryEscape(queryToken), raw} {
		if strings.Contains(msg, s) {
			t.Errorf("error repeats %q: %s", s, msg)
		}
	}
	if !strings.Contains(msg, "403") || !strings.Contains(msg, "<redacted>") {
		t.Errorf("error lost what helps: %s", msg)
	}
}
