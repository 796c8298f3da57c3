package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/vigil-sre/vigil/internal/check/checktest"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/sendertest"
	"github.com/vigil-sre/vigil/internal/secret"
)

const password = "s3cret-smtp-passw0rd"

func dest() notify.Destination {
	return notify.Destination{Type: notify.Email, To: []string{"Thach Duong <thach@example.com>", "oncall@example.com"}, Name: "person/thach (email)"}
}

// newSender builds a Sender for srv that trusts its certificate.
func newSender(t *testing.T, srv *server, mode, user string) *Sender {
	t.Helper()
	cfg := notify.SMTP{Host: "127.0.0.1", Port: srv.port, From: "Vigil <vigil@shop.example>", TLS: mode}
	if user != "" {
		cfg.Username, cfg.Password = user, secret.New(password)
	}
	s, err := New(cfg, WithTLSConfig(&tls.Config{RootCAs: srv.pool}), WithClock(clock.NewFake(sendertest.Now())))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func send(t *testing.T, s *Sender, timeout time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.Send(ctx, dest(), page())
}

// page is a firing message whose alert text tries to inject HTML.
func page() notify.Message {
	m := sendertest.Message()
	m.Alerts[0].Summary = `Homepage down <script>alert("x")</script> & out`
	m.Alerts[0].Runbook.Doc = "# App down\n1. Check `kubectl get pods`\n2. <b>Restart</b> if stuck"
	m.Alerts[0].Links = []notify.Link{{Href: "javascript:alert(1)", Text: "evil"}}
	return m
}

func TestDeliversOverSTARTTLSWithAuth(t *testing.T) {
	srv := startServer(t, serverConfig{startTLS: true, users: map[string]string{"vigil": password}})
	if err := send(t, newSender(t, srv, StartTLS, "vigil"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := srv.authenticated(); len(got) != 1 || got[0] != "vigil" {
		t.Errorf("authenticated = %v, want [vigil]", got)
	}
	ds := srv.deliveries()
	if len(ds) != 1 {
		t.Fatalf("%d deliveries, want 1", len(ds))
	}
	d := ds[0]
	if !d.tls {
		t.Error("delivered without TLS")
	}
	if d.from != "vigil@shop.example" || strings.Join(d.to, ",") != "thach@example.com,oncall@example.com" {
		t.Errorf("envelope from %q to %v", d.from, d.to)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(d.data))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	subject, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	for k, want := range map[string]string{
		"Subject":        "[FIRING:1] shop: Homepage down",
		"From":           `"Vigil" <vigil@shop.example>`,
		"To":             `"Thach Duong" <thach@example.com>, <oncall@example.com>`,
		"Auto-Submitted": "auto-generated",
		"X-Vigil-Kind":   "firing",
		"Date":           "Fri, 27 Nov 2026 22:04:00 +0000",
	} {
		got := h.Get(k)
		if k == "Subject" {
			got = subject
		}
		if got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if id := h.Get("Message-Id"); !strings.HasSuffix(id, "@shop.example>") {
		t.Errorf("Message-ID = %q, want one at the sender's domain", id)
	}

	text, html := parts(t, msg)
	for _, want := range []string{
		`[CRITICAL] Homepage down <script>alert("x")</script> & out`,
		"acknowledge: https://vigil.example/a/42/ack?t=sig",
		"runbook: App down https://vigil.example/runbooks/app-down",
		"    1. Check `kubectl get pods`",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{
		`Homepage down &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; out`,
		`<a href="https://vigil.example/a/42/ack?t=sig"`,
		`&lt;b&gt;Restart&lt;/b&gt;`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html part lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "javascript:") {
		t.Error("html part carries unescaped input")
	}
}

// parts returns the text and HTML parts of a multipart/alternative mail.
func parts(t *testing.T, msg *mail.Message) (text, html string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // NextPart decodes quoted-printable
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
	if text == "" || html == "" {
		t.Fatalf("want a text and an HTML part; text %d bytes, html %d", len(text), len(html))
	}
	return text, html
}

func TestTLSModes(t *testing.T) {
	cases := []struct {
		name      string
		server    serverConfig
		mode      string
		user      string
		wantTLS   bool
		wantErr   string
		wantRetry bool
	}{
		{name: "starttls", server: serverConfig{startTLS: true}, mode: StartTLS, wantTLS: true},
		{name: "starttls refuses a server without it", server: serverConfig{}, mode: StartTLS, wantErr: "does not support STARTTLS"},
		{name: "starttls refuses before sending credentials", server: serverConfig{users: map[string]string{"vigil": password}}, mode: StartTLS, user: "vigil", wantErr: "does not support STARTTLS"},
		{name: "opportunistic upgrades", server: serverConfig{startTLS: true}, mode: Opportunistic, wantTLS: true},
		{name: "opportunistic goes plain", server: serverConfig{}, mode: Opportunistic},
		{name: "implicit tls", server: serverConfig{implicitTLS: true, users: map[string]string{"vigil": password}}, mode: ImplicitTLS, user: "vigil", wantTLS: true},
		{name: "none never upgrades", server: serverConfig{startTLS: true}, mode: NoTLS},
		{name: "implicit tls to a plain server", server: serverConfig{}, mode: ImplicitTLS, wantErr: "", wantRetry: true},
		{name: "server wants AUTH it does not offer", server: serverConfig{}, mode: NoTLS, user: "vigil", wantErr: "does not support SMTP AUTH"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := startServer(t, c.server)
			err := send(t, newSender(t, srv, c.mode, c.user), 3*time.Second)
			ds := srv.deliveries()
			if c.wantErr != "" || c.wantRetry {
				if err == nil {
					t.Fatal("sent, want an error")
				}
				if !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("err = %v, want %q", err, c.wantErr)
				}
				if retry, _ := notify.Retry(err); retry != c.wantRetry {
					t.Errorf("retry = %v, want %v (%v)", retry, c.wantRetry, err)
				}
				if len(ds) != 0 || len(srv.authenticated()) != 0 {
					t.Errorf("server got %d mails and auth %v despite the error", len(ds), srv.authenticated())
				}
				sendertest.NoLeak(t, err, password)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 1 || ds[0].tls != c.wantTLS {
				t.Fatalf("deliveries %d, tls %v; want 1, tls %v", len(ds), len(ds) == 1 && ds[0].tls, c.wantTLS)
			}
			if c.user != "" && len(srv.authenticated()) != 1 {
				t.Error("no AUTH though a username is set")
			}
		})
	}
}

func TestFailures(t *testing.T) {
	users := map[string]string{"vigil": password}
	cases := []struct {
		name      string
		server    *serverConfig // nil: nothing listens
		addr      string        // instead of a server
		untrusted bool          // the sender does not trust the server's certificate
		timeout   time.Duration
		wantRetry bool
		wantText  string
	}{
		{name: "451 at RCPT", server: &serverConfig{startTLS: true, rcptReply: reply(451, smtp.EnhancedCode{4, 3, 0}, "Temporary local problem")}, wantRetry: true, wantText: "451"},
		{name: "452 at RCPT", server: &serverConfig{startTLS: true, rcptReply: reply(452, smtp.EnhancedCode{4, 2, 2}, "Mailbox full")}, wantRetry: true, wantText: "Mailbox full"},
		{name: "550 at RCPT", server: &serverConfig{startTLS: true, rcptReply: reply(550, smtp.EnhancedCode{5, 1, 1}, "No such user")}, wantText: "550 \"5.1.1 No such user\""},
		{name: "421 at MAIL", server: &serverConfig{startTLS: true, mailReply: reply(421, smtp.EnhancedCode{4, 7, 0}, "Try again later")}, wantRetry: true, wantText: "421"},
		{name: "451 at DATA", server: &serverConfig{startTLS: true, dataReply: reply(451, smtp.EnhancedCode{4, 3, 0}, "Queue full")}, wantRetry: true, wantText: "Queue full"},
		{name: "552 at DATA", server: &serverConfig{startTLS: true, dataReply: reply(552, smtp.EnhancedCode{5, 3, 4}, "Message too big")}, wantText: "552"},
		{name: "535 bad credentials", server: &serverConfig{startTLS: true, users: map[string]string{"vigil": "other"}}, wantText: "535"},
		{name: "454 auth unavailable", server: &serverConfig{startTLS: true, authReply: reply(454, smtp.EnhancedCode{4, 7, 0}, "Temporary authentication failure")}, wantRetry: true, wantText: "454"},
		{name: "server echoes the password", server: &serverConfig{startTLS: true, authReply: reply(535, smtp.EnhancedCode{5, 7, 8}, "bad password "+password)}, wantText: "<redacted>"},
		{name: "untrusted certificate", server: &serverConfig{startTLS: true, users: users}, untrusted: true, wantRetry: true, wantText: "certificate"},
		{name: "connection refused", addr: "closed", wantRetry: true, wantText: "connection refused"},
		{name: "server never greets", addr: "silent", timeout: 300 * time.Millisecond, wantRetry: true, wantText: "timed out"},
		{name: "server stalls after DATA", server: &serverConfig{startTLS: true, users: users, stallData: true}, timeout: 500 * time.Millisecond, wantRetry: true, wantText: "timed out"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := notify.SMTP{Host: "127.0.0.1", From: "vigil@shop.example", TLS: StartTLS, Username: "vigil", Password: secret.New(password)}
			var opts []Option
			switch c.addr {
			case "closed":
				cfg.Port = port(t, checktest.ClosedPort(t))
			case "silent":
				cfg.Port = port(t, checktest.SilentServer(t))
			default:
				sc := *c.server
				if sc.users == nil && sc.authReply == nil {
					sc.users = users
				}
				srv := startServer(t, sc)
				cfg.Port = srv.port
				if !c.untrusted {
					opts = append(opts, WithTLSConfig(&tls.Config{RootCAs: srv.pool}))
				}
			}
			s, err := New(cfg, opts...)
			if err != nil {
				t.Fatal(err)
			}
			timeout := c.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			start := time.Now()
			err = send(t, s, timeout)
			if err == nil {
				t.Fatal("sent, want an error")
			}
			if took := time.Since(start); took > timeout+2*time.Second {
				t.Errorf("took %v with a %v deadline", took, timeout)
			}
			if retry, _ := notify.Retry(err); retry != c.wantRetry {
				t.Errorf("retry = %v, want %v: %v", retry, c.wantRetry, err)
			}
			if !strings.Contains(err.Error(), c.wantText) || !strings.Contains(err.Error(), "person/thach (email)") {
				t.Errorf("err = %v, want it to name the destination and say %q", err, c.wantText)
			}
			if c.timeout > 0 && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
			}
			sendertest.NoLeak(t, err, password)
		})
	}
}

func reply(code int, enh smtp.EnhancedCode, text string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: text}
}

func port(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewChecksConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  notify.SMTP
		want string
	}{
		{"no host", notify.SMTP{From: "v@x.example"}, "host is required"},
		{"bad tls", notify.SMTP{Host: "h", From: "v@x.example", TLS: "ssl"}, `tls is "ssl"`},
		{"bad from", notify.SMTP{Host: "h", From: "vigil"}, `from "vigil"`},
		{"bad port", notify.SMTP{Host: "h", From: "v@x.example", Port: 70000}, "port 70000"},
		{"password alone", notify.SMTP{Host: "h", From: "v@x.example", Password: secret.New(password)}, "username is not"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			sendertest.NoLeak(t, err, password)
		})
	}
	for mode, want := range map[string]int{"": 587, StartTLS: 587, Opportunistic: 587, ImplicitTLS: 465, NoTLS: 25} {
		s, err := New(notify.SMTP{Host: "h", From: "v@x.example", TLS: mode})
		if err != nil || s.cfg.Port != want {
			t.Errorf("mode %q: port %d, err %v; want %d", mode, s.cfg.Port, err, want)
		}
	}
}

func TestBadDestinations(t *testing.T) {
	s, err := New(notify.SMTP{Host: "127.0.0.1", Port: 1, From: "v@x.example"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		d    notify.Destination
		want string
	}{
		{"no address", notify.Destination{Type: notify.Email, Name: "p"}, "has no address"},
		{"bad address", notify.Destination{Type: notify.Email, To: []string{"not an address"}, Name: "p"}, "not an address"},
		{"wrong type", notify.Destination{Type: notify.Slack, Name: "p"}, `of type "slack"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.Send(context.Background(), c.d, page())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if retry, _ := notify.Retry(err); retry {
				t.Errorf("retryable: %v", err)
			}
		})
	}
}
