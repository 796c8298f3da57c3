// Package tlscheck completes a TLS handshake with a server and reports the
// certificate it presented: when it expires, whom it names and who issued it.
package tlscheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
)

// Spec is written under `tls:`.
type Spec struct {
	Address            string `yaml:"address" jsonschema:"required,description=host:port to connect to"`
	ServerName         string `yaml:"server_name,omitempty" jsonschema:"description=name sent as SNI and verified against the certificate; defaults to the host of address"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify,omitempty" jsonschema:"description=report the certificate even when it does not verify (expired or untrusted or for another name)"`
}

// Vars describe the handshake and the leaf certificate the server presented.
type Vars struct {
	// CertExpiresIn is the leaf's NotAfter minus now; negative once it has expired.
	CertExpiresIn time.Duration `expr:"cert_expires_in" json:"cert_expires_in"`
	CertNotAfter  time.Time     `expr:"cert_not_after" json:"cert_not_after"`
	// CertSubject and CertIssuer are distinguished names, e.g. "CN=shop.example,O=Shop".
	CertSubject  string   `expr:"cert_subject" json:"cert_subject"`
	CertIssuer   string   `expr:"cert_issuer" json:"cert_issuer"`
	CertDNSNames []string `expr:"cert_dns_names" json:"cert_dns_names"`
	// TLSVersion is the negotiated version, e.g. "TLS1.3".
	TLSVersion string `expr:"tls_version" json:"tls_version"`
	// Duration is the time to connect and complete the handshake.
	Duration time.Duration `expr:"duration" json:"duration"`
}

func (s *Spec) Kind() string            { return "tls" }
func (s *Spec) Vars() any               { return Vars{} }
func (s *Spec) DefaultExpect() []string { return []string{"cert_expires_in > 0s"} }

func (s *Spec) Validate() []check.Problem {
	if s.Address == "" {
		return []check.Problem{{Field: "address", Message: "is required (host:port)"}}
	}
	host, port, err := net.SplitHostPort(s.Address)
	switch {
	case err != nil:
		return []check.Problem{{Field: "address", Message: "must be host:port: " + err.Error()}}
	case host == "" && s.ServerName == "":
		return []check.Problem{{Field: "address", Message: "needs a host (or set server_name)"}}
	case port == "":
		return []check.Problem{{Field: "address", Message: "needs a port, e.g. " + host + ":443"}}
	}
	return nil
}

func (s *Spec) NewProber(env check.Env) (check.Prober, error) { return s.newProber(env, nil), nil }

// newProber lets tests trust their own CA through roots; nil means the system roots.
func (s *Spec) newProber(env check.Env, roots *x509.CertPool) *prober {
	clk := env.Clock
	if clk == nil {
		clk = clock.Real()
	}
	name := s.ServerName
	if name == "" {
		name, _, _ = net.SplitHostPort(s.Address)
	}
	// Verification reads the injected clock, so "expired" agrees with cert_expires_in.
	cfg := &tls.Config{ServerName: name, InsecureSkipVerify: s.InsecureSkipVerify, RootCAs: roots, Time: clk.Now}
	return &prober{addr: s.Address, dialer: &tls.Dialer{Config: cfg}, clock: clk}
}

type prober struct {
	addr   string
	dialer *tls.Dialer
	clock  clock.Clock
}

func (p *prober) Probe(ctx context.Context) (any, error) {
	sw := clock.Start()
	conn, err := p.dialer.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("TLS handshake with %s: %w", p.addr, ctx.Err())
		}
		return nil, Explain(err, p.clock.Now())
	}
	took := sw.Elapsed()
	state := conn.(*tls.Conn).ConnectionState()
	conn.Close()
	if len(state.PeerCertificates) == 0 {
		return nil, errors.New("server presented no certificate")
	}
	leaf := state.PeerCertificates[0]
	return Vars{
		CertExpiresIn: leaf.NotAfter.Sub(p.clock.Now()),
		CertNotAfter:  leaf.NotAfter,
		CertSubject:   leaf.Subject.String(),
		CertIssuer:    leaf.Issuer.String(),
		CertDNSNames:  leaf.DNSNames,
		TLSVersion:    VersionName(state.Version),
		Duration:      took,
	}, nil
}

// VersionName is the version as users write it in conditions: "TLS1.3".
func VersionName(v uint16) string { return strings.ReplaceAll(tls.VersionName(v), " ", "") }
