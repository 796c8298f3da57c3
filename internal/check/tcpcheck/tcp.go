// Package tcpcheck checks that a TCP port accepts connections.
package tcpcheck

import (
	"context"
	"net"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
)

// Spec is written under `tcp:`.
type Spec struct {
	Address string `yaml:"address" jsonschema:"required,description=host:port to connect to"`
}

// Vars are what a TCP probe observed.
type Vars struct {
	// Duration is the time the connection took to establish.
	Duration time.Duration `expr:"duration" json:"duration"`
	// RemoteAddr is the address that answered, e.g. 127.0.0.1:5432.
	RemoteAddr string `expr:"remote_addr" json:"remote_addr"`
}

func (s *Spec) Kind() string            { return "tcp" }
func (s *Spec) Vars() any               { return Vars{} }
func (s *Spec) DefaultExpect() []string { return nil }

func (s *Spec) Validate() []check.Problem {
	if s.Address == "" {
		return []check.Problem{{Field: "address", Message: "is required (host:port)"}}
	}
	if _, _, err := net.SplitHostPort(s.Address); err != nil {
		return []check.Problem{{Field: "address", Message: "must be host:port: " + err.Error()}}
	}
	return nil
}

func (s *Spec) NewProber(env check.Env) (check.Prober, error) {
	return &prober{addr: s.Address, env: env}, nil
}

type prober struct {
	addr string
	env  check.Env
}

func (p *prober) Probe(ctx context.Context) (any, error) {
	var d net.Dialer
	sw := clock.Start()
	conn, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	v := Vars{Duration: sw.Elapsed(), RemoteAddr: conn.RemoteAddr().String()}
	conn.Close()
	return v, nil
}
