package post

import (
	"net/http"
	"testing"
	"time"
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
