package httpcheck

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/tlscheck/tlstest"
	"github.com/vigil-sre/vigil/internal/clock"
)

func TestHTTPS(t *testing.T) {
	// The shared transports verify against the wall clock, so certificates are dated from it.
	now := clock.Real().Now()
	ca := tlstest.NewCA(t, now)
	leaf := func(notAfter time.Time) tlstest.Leaf {
		return tlstest.Leaf{CommonName: "127.0.0.1", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: now.Add(-48 * time.Hour), NotAfter: notAfter}
	}
	untrusted := httptest.NewTLSServer(okHandler())
	t.Cleanup(untrusted.Close)
	soon := tlsServer(t, ca.Issue(t, leaf(now.Add(10*24*time.Hour))))
	expired := tlsServer(t, ca.Issue(t, leaf(now.Add(-24*time.Hour))))

	cases := []struct {
		name     string
		url      string
		insecure bool
		roots    *x509.CertPool
		wantErr  string
		minCert  time.Duration // cert_expires_in must lie in [minCert, maxCert]
		maxCert  time.Duration
	}{
		{name: "untrusted", url: untrusted.URL, wantErr: "TLS certificate is self-signed and not trusted (O=Acme Co)"},
		{name: "untrusted but insecure", url: untrusted.URL, insecure: true, minCert: 365 * 24 * time.Hour, maxCert: 100 * 365 * 24 * time.Hour},
		{name: "trusted, 10 days left", url: soon, roots: ca.Pool, minCert: 239 * time.Hour, maxCert: 240 * time.Hour},
		{name: "not our CA", url: soon, wantErr: "TLS certificate is signed by an unknown authority (issuer CN=Vigil Test CA)"},
		{name: "expired", url: expired, roots: ca.Pool, wantErr: "TLS certificate expired at " + leaf(now.Add(-24*time.Hour)).NotAfter.UTC().Format(time.RFC3339)},
		{name: "expired but insecure", url: expired, insecure: true, minCert: -25 * time.Hour, maxCert: -24 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := run(t, &Spec{URL: c.url, InsecureSkipVerify: c.insecure}, uses("status"), c.roots)
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Status != 200 || v.CertExpiresIn < c.minCert || v.CertExpiresIn > c.maxCert {
				t.Errorf("status, cert_expires_in = %d, %v; want 200 and within [%v, %v]", v.Status, v.CertExpiresIn, c.minCert, c.maxCert)
			}
		})
	}

	t.Run("expiring soon fails a 14d condition", func(t *testing.T) {
		exprs, uses := compile(t, "status == 200", "cert_expires_in > 14d")
		v, err := run(t, &Spec{URL: soon}, uses, ca.Pool)
		r := check.Evaluate(now, v.Duration, v, err, exprs, nil)
		if want := "cert_expires_in > 14d failed (cert_expires_in=239h59m"; r.Status != check.Fail || !strings.HasPrefix(r.Reason, want) {
			t.Errorf("result = %s %q, want fail %q...", r.Status, r.Reason, want)
		}
	})
}

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
}

// tlsServer serves okHandler over TLS with cert and returns its URL.
func tlsServer(t *testing.T, cert tls.Certificate) string {
	srv := httptest.NewUnstartedServer(okHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}
