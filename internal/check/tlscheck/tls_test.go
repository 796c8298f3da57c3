package tlscheck

import (
	"context"
	"crypto/tls"
	"errors"
	"github.com/vigil-sre/vigil/internal/check/checktest"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/cond"
	"github.com/vigil-sre/vigil/internal/check/tlscheck/tlstest"
	"github.com/vigil-sre/vigil/internal/clock"
)

// now is the fake time every test runs at; certificates are dated relative to it
// and verification reads the same clock, so results are exact.
var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const day = 24 * time.Hour

func TestProbe(t *testing.T) {
	ca := tlstest.NewCA(t, now)
	leaf := func(notBefore, notAfter time.Time) tlstest.Leaf {
		return tlstest.Leaf{CommonName: "localhost", DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: notBefore, NotAfter: notAfter}
	}
	valid := ca.Issue(t, leaf(now.Add(-day), now.Add(90*day)))
	expired := ca.Issue(t, leaf(now.Add(-90*day), now.Add(-day)))
	future := ca.Issue(t, leaf(now.Add(day), now.Add(90*day)))
	soon := ca.Issue(t, leaf(now.Add(-day), now.Add(10*day)))
	self := tlstest.SelfSigned(t, leaf(now.Add(-day), now.Add(90*day)))
	stranger := tlstest.NewCA(t, now).Issue(t, leaf(now.Add(-day), now.Add(90*day)))
	namesOnly := ca.Issue(t, tlstest.Leaf{CommonName: "localhost", DNSNames: []string{"localhost"}, NotBefore: now.Add(-day), NotAfter: now.Add(90 * day)})

	cases := []struct {
		name       string
		cert       tls.Certificate
		serverName string
		insecure   bool
		expect     []string
		wantErr    string
		wantExpiry time.Duration
		wantStatus check.Status
		wantReason string
	}{
		{name: "valid by name", cert: valid, serverName: "localhost", wantExpiry: 90 * day, wantStatus: check.Pass},
		{name: "valid by address IP", cert: valid, wantExpiry: 90 * day, wantStatus: check.Pass},
		{name: "expired", cert: expired, serverName: "localhost", wantErr: "TLS certificate expired at 2026-01-01T03:04:05Z"},
		{name: "expired but insecure", cert: expired, serverName: "localhost", insecure: true, wantExpiry: -day,
			wantStatus: check.Fail, wantReason: "cert_expires_in > 0s failed (cert_expires_in=-24h0m0s)"},
		{name: "not yet valid", cert: future, serverName: "localhost", wantErr: "TLS certificate is not valid until 2026-01-03T03:04:05Z"},
		{name: "name mismatch", cert: valid, serverName: "shop.example", wantErr: "TLS certificate is valid for localhost, not shop.example"},
		{name: "reached by an IP the certificate does not name", cert: namesOnly,
			wantErr: "TLS certificate does not match: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"},
		{name: "name mismatch but insecure", cert: valid, serverName: "shop.example", insecure: true, wantExpiry: 90 * day, wantStatus: check.Pass},
		{name: "self-signed", cert: self, serverName: "localhost", wantErr: "TLS certificate is self-signed and not trusted (CN=localhost,O=Vigil Tests)"},
		{name: "unknown CA", cert: stranger, serverName: "localhost", wantErr: "TLS certificate is signed by an unknown authority (issuer CN=Vigil Test CA)"},
		{name: "expiring in 10 days", cert: soon, serverName: "localhost", expect: []string{"cert_expires_in > 14d"}, wantExpiry: 10 * day,
			wantStatus: check.Fail, wantReason: "cert_expires_in > 14d failed (cert_expires_in=240h0m0s)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := &Spec{Address: tlstest.Serve(t, c.cert), ServerName: c.serverName, InsecureSkipVerify: c.insecure}
			if problems := spec.Validate(); problems != nil {
				t.Fatalf("Validate: %v", problems)
			}
			p := spec.newProber(check.Env{Clock: clock.NewFake(now)}, ca.Pool)
			vars, err := p.Probe(context.Background())
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			v := vars.(Vars)
			if v.CertExpiresIn != c.wantExpiry {
				t.Errorf("cert_expires_in = %v, want %v", v.CertExpiresIn, c.wantExpiry)
			}
			if want := c.cert.Leaf.NotAfter; !v.CertNotAfter.Equal(want) {
				t.Errorf("cert_not_after = %v, want %v", v.CertNotAfter, want)
			}
			if v.CertSubject != "CN=localhost,O=Vigil Tests" || !reflect.DeepEqual(v.CertDNSNames, []string{"localhost"}) {
				t.Errorf("subject = %q, dns names = %q", v.CertSubject, v.CertDNSNames)
			}
			if c.cert.Leaf.Issuer.String() != v.CertIssuer {
				t.Errorf("issuer = %q, want %q", v.CertIssuer, c.cert.Leaf.Issuer.String())
			}
			if v.TLSVersion != "TLS1.3" {
				t.Errorf("tls_version = %q, want TLS1.3", v.TLSVersion)
			}
			if v.Duration <= 0 {
				t.Errorf("duration = %v, want > 0", v.Duration)
			}
			expect := c.expect
			if expect == nil {
				expect = spec.DefaultExpect()
			}
			r := evaluate(t, v, expect)
			if r.Status != c.wantStatus || r.Reason != c.wantReason {
				t.Errorf("result = %s %q, want %s %q", r.Status, r.Reason, c.wantStatus, c.wantReason)
			}
		})
	}
}

func evaluate(t *testing.T, v Vars, expect []string) check.Result {
	t.Helper()
	var exprs []*cond.Expr
	for _, src := range expect {
		e, err := cond.Compile(src, Vars{})
		if err != nil {
			t.Fatalf("compile %q: %v", src, err)
		}
		exprs = append(exprs, e)
	}
	return check.Evaluate(now, v.Duration, v, nil, exprs, nil)
}

func TestProbeUnreachable(t *testing.T) {
	refused := checktest.ClosedPort(t)
	silent := checktest.SilentServer(t)
	cases := []struct {
		name, addr, wantErr string
		deadline            bool
	}{
		{name: "refused", addr: refused, wantErr: "connection refused"},
		{name: "no handshake", addr: silent, deadline: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			p := (&Spec{Address: c.addr}).newProber(check.Env{Clock: clock.NewFake(now)}, nil)
			sw := clock.Start()
			_, err := p.Probe(ctx)
			if took := sw.Elapsed(); took > time.Second {
				t.Errorf("probe took %v, want it to end with the context", took)
			}
			switch {
			case err == nil:
				t.Fatal("probe succeeded, want an error")
			case c.deadline && !errors.Is(err, context.DeadlineExceeded):
				t.Errorf("err = %v, want a deadline error", err)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Errorf("err = %v, want it to contain %q", err, c.wantErr)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		spec Spec
		want []check.Problem
	}{
		{Spec{Address: "shop.example:443"}, nil},
		{Spec{Address: "[::1]:443"}, nil},
		{Spec{Address: ":443", ServerName: "shop.example"}, nil},
		{Spec{}, []check.Problem{{Field: "address", Message: "is required (host:port)"}}},
		{Spec{Address: "shop.example"}, []check.Problem{{Field: "address", Message: "must be host:port: address shop.example: missing port in address"}}},
		{Spec{Address: "shop.example:"}, []check.Problem{{Field: "address", Message: "needs a port, e.g. shop.example:443"}}},
		{Spec{Address: ":443"}, []check.Problem{{Field: "address", Message: "needs a host (or set server_name)"}}},
	}
	for _, c := range cases {
		if got := c.spec.Validate(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Validate(%+v) = %v, want %v", c.spec, got, c.want)
		}
	}
}

func TestVersionName(t *testing.T) {
	for v, want := range map[uint16]string{tls.VersionTLS10: "TLS1.0", tls.VersionTLS12: "TLS1.2", tls.VersionTLS13: "TLS1.3"} {
		if got := VersionName(v); got != want {
			t.Errorf("VersionName(%#x) = %q, want %q", v, got, want)
		}
	}
}
