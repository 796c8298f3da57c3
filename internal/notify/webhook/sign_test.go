package webhook

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	const secret = "whsec-test"
	now := time.Date(2026, 11, 27, 22, 4, 0, 0, time.UTC)
	ts := strconv.FormatInt(now.Unix(), 10)
	body := []byte(`{"version":"1","kind":"firing"}`)
	sig := Sign(secret, ts, body)
	at := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }

	cases := []struct {
		name      string
		secret    string
		ts        string
		body      string
		sig       string
		now       time.Time
		tolerance time.Duration
		want      error
	}{
		{name: "valid", ts: ts, sig: sig},
		{name: "valid, receiver clock 4m ahead", ts: ts, sig: sig, now: now.Add(4 * time.Minute)},
		{name: "valid, receiver clock 4m behind", ts: ts, sig: sig, now: now.Add(-4 * time.Minute)},
		{name: "one of several signatures", ts: ts, sig: "sha256=00ff, " + sig},
		{name: "body tampered", ts: ts, body: `{"version":"1","kind":"resolved"}`, sig: sig, want: ErrBadSignature},
		{name: "timestamp moved (replay)", ts: at(time.Second), sig: sig, want: ErrBadSignature},
		{name: "replayed too late", ts: ts, sig: sig, now: now.Add(6 * time.Minute), want: ErrBadTimestamp},
		{name: "from the future", ts: at(6 * time.Minute), sig: Sign(secret, at(6*time.Minute), body), want: ErrBadTimestamp},
		{name: "tighter tolerance", ts: ts, sig: sig, now: now.Add(time.Minute), tolerance: 30 * time.Second, want: ErrBadTimestamp},
		{name: "wrong secret", secret: "whsec-other", ts: ts, sig: sig, want: ErrBadSignature},
		{name: "empty secret", secret: "-", ts: ts, sig: sig, want: ErrNoSecret},
		{name: "no signature", ts: ts, want: ErrNoSignature},
		{name: "no timestamp", sig: sig, want: ErrNoSignature},
		{name: "timestamp not a number", ts: "yesterday", sig: sig, want: ErrBadTimestamp},
		{name: "no scheme", ts: ts, sig: sig[len("sha256="):], want: ErrBadSignature},
		{name: "other scheme", ts: ts, sig: "sha1=" + sig[len("sha256="):], want: ErrBadSignature},
		{name: "not hex", ts: ts, sig: "sha256=zz", want: ErrBadSignature},
		{name: "truncated", ts: ts, sig: sig[:20], want: ErrBadSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sec := secret
			switch c.secret {
			case "":
			case "-":
				sec = ""
			default:
				sec = c.secret
			}
			b := body
			if c.body != "" {
				b = []byte(c.body)
			}
			n := now
			if !c.now.IsZero() {
				n = c.now
			}
			if err := Verify(sec, c.ts, b, c.sig, n, c.tolerance); !errors.Is(err, c.want) {
				t.Errorf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

// TestSignKnownAnswer pins the scheme to a value computed independently
// (printf '1796336640.{}' | openssl dgst -sha256 -hmac key), so a receiver
// written in any language can test against it.
func TestSignKnownAnswer(t *testing.T) {
	got := Sign("key", "1796336640", []byte("{}"))
	const want = "sha256=384ef3e1e53411594c8478a0a25b4687e890f107a7b7b43cc36b77eb2d9f7fa1"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}
