package tcpcheck

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/internal/check"
)

func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	p, _ := (&Spec{Address: addr}).NewProber(check.Env{})
	v, err := p.Probe(context.Background())
	if err != nil || v.(Vars).RemoteAddr != addr {
		t.Fatalf("open port: %v %v", v, err)
	}
	ln.Close()
	_, err = p.Probe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("closed port: %v", err)
	}
}

func TestValidate(t *testing.T) {
	for addr, want := range map[string]string{"": "is required (host:port)", "db": "must be host:port: address db: missing port in address", "db:5432": ""} {
		ps := (&Spec{Address: addr}).Validate()
		got := ""
		if len(ps) > 0 {
			got = ps[0].Message
		}
		if got != want {
			t.Errorf("%q: %q, want %q", addr, got, want)
		}
	}
}
