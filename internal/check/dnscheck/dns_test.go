package dnscheck

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/cond"
	"github.com/vigil-sre/vigil/internal/clock"
)

func TestProbe(t *testing.T) {
	server := serve(t)
	cases := []struct {
		name, qname, qtype, protocol string
		want                         Vars // Duration is not compared
		expect                       []string
		reason                       string // empty: the conditions must hold
	}{
		{name: "A", qname: "www.test",
			want:   Vars{Rcode: "NOERROR", Answers: []string{"10.0.0.1", "10.0.0.2"}, AnswerCount: 2, Authoritative: true},
			expect: []string{`rcode == "NOERROR"`, `"10.0.0.2" in answers`, `answer_count == 2`, `authoritative`, `duration < 500ms`}},
		{name: "AAAA", qname: "www.test", qtype: "AAAA",
			want: Vars{Rcode: "NOERROR", Answers: []string{"2001:db8::1"}, AnswerCount: 1, Authoritative: true}},
		{name: "CNAME", qname: "alias.test.", qtype: "cname",
			want: Vars{Rcode: "NOERROR", Answers: []string{"www.test."}, AnswerCount: 1, Authoritative: true}},
		{name: "MX", qname: "test", qtype: "MX",
			want: Vars{Rcode: "NOERROR", Answers: []string{"10 mail.test."}, AnswerCount: 1, Authoritative: true}},
		{name: "TXT joins its strings", qname: "test", qtype: "TXT",
			want: Vars{Rcode: "NOERROR", Answers: []string{"v=spf1 -all"}, AnswerCount: 1, Authoritative: true}},
		{name: "SOA in presentation form", qname: "test", qtype: "SOA",
			want: Vars{Rcode: "NOERROR", Answers: []string{"ns1.test. admin.test. 1 7200 3600 1209600 300"}, AnswerCount: 1, Authoritative: true}},
		{name: "no data", qname: "www.test", qtype: "MX",
			want:   Vars{Rcode: "NOERROR", Answers: []string{}, Authoritative: true},
			expect: []string{`answer_count > 0`}, reason: `answer_count > 0 failed (answer_count=0)`},
		{name: "NXDOMAIN", qname: "missing.test",
			want:   Vars{Rcode: "NXDOMAIN", Answers: []string{}, Authoritative: true},
			reason: `rcode == "NOERROR" failed (rcode="NXDOMAIN")`},
		{name: "SERVFAIL", qname: "broken.test",
			want:   Vars{Rcode: "SERVFAIL", Answers: []string{}, Authoritative: true},
			reason: `rcode == "NOERROR" failed (rcode="SERVFAIL")`},
		{name: "udp by default", qname: "proto.test", qtype: "TXT",
			want: Vars{Rcode: "NOERROR", Answers: []string{"udp"}, AnswerCount: 1, Authoritative: true}},
		{name: "tcp when asked", qname: "proto.test", qtype: "TXT", protocol: "tcp",
			want: Vars{Rcode: "NOERROR", Answers: []string{"tcp"}, AnswerCount: 1, Authoritative: true}},
		{name: "truncated UDP retried over TCP", qname: "big.test", qtype: "TXT",
			want: Vars{Rcode: "NOERROR", Answers: []string{"tcp"}, AnswerCount: 1, Authoritative: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := &Spec{Server: server, Name: c.qname, Type: c.qtype, Protocol: c.protocol}
			if problems := spec.Validate(); problems != nil {
				t.Fatalf("Validate: %v", problems)
			}
			v, err := probe(t, spec, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if v.Duration <= 0 {
				t.Errorf("duration = %v, want > 0", v.Duration)
			}
			v.Duration = 0
			if !reflect.DeepEqual(v, c.want) {
				t.Errorf("vars = %+v\nwant   %+v", v, c.want)
			}
			expect := c.expect
			if expect == nil {
				expect = spec.DefaultExpect()
			}
			var exprs []*cond.Expr
			for _, src := range expect {
				e, err := cond.Compile(src, Vars{})
				if err != nil {
					t.Fatalf("compile %q: %v", src, err)
				}
				exprs = append(exprs, e)
			}
			r := check.Evaluate(clock.Real().Now(), 0, v, nil, exprs, nil)
			if r.Reason != c.reason {
				t.Errorf("reason = %q, want %q", r.Reason, c.reason)
			}
		})
	}
}

// TestNoAnswer: a server that never answers must not hold the probe past its deadline.
func TestNoAnswer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() // accepted by the kernel, never read
	refused, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused.Close()

	cases := []struct {
		name, server, protocol string
		deadline               bool
		wantErr                string
	}{
		{name: "silent over udp", server: pc.LocalAddr().String(), deadline: true},
		{name: "silent over tcp", server: ln.Addr().String(), protocol: "tcp", deadline: true},
		{name: "port closed", server: refused.LocalAddr().String(), wantErr: "connection refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sw := clock.Start()
			_, err := probe(t, &Spec{Server: c.server, Name: "www.test", Protocol: c.protocol}, 300*time.Millisecond)
			t.Logf("reason: %v", err)
			if took := sw.Elapsed(); took > time.Second {
				t.Errorf("probe took %v, want it to end with the 300ms context", took)
			}
			switch {
			case err == nil:
				t.Fatal("probe succeeded, want an error")
			case errors.Is(err, context.DeadlineExceeded) != c.deadline:
				t.Errorf("err = %v; want a deadline error: %v", err, c.deadline)
			case !strings.Contains(err.Error(), c.wantErr) || !strings.HasPrefix(err.Error(), "no answer from "+c.server):
				t.Errorf("err = %v, want it to name the server and contain %q", err, c.wantErr)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	type problems = []check.Problem
	cases := []struct {
		spec Spec
		want problems
	}{
		{Spec{Server: "127.0.0.1:5301", Name: "shop.example"}, nil},
		{Spec{Server: "ns1.example", Name: "shop.example.", Type: "mx", Protocol: "tcp"}, nil},
		{Spec{Server: "::1", Name: "shop.example", Type: "AAAA", Protocol: "udp"}, nil},
		{Spec{}, problems{{Field: "server", Message: "is required, e.g. 127.0.0.1:53"}, {Field: "name", Message: "is required, e.g. shop.example"}}},
		{Spec{Server: "127.0.0.1:dns", Name: "shop..example", Type: "AXFRR", Protocol: "doh"}, problems{
			{Field: "server", Message: "port must be a number from 1 to 65535"},
			{Field: "name", Message: "is not a valid domain name"},
			{Field: "type", Message: "is not a DNS record type (such as A, AAAA, CNAME, MX, NS, TXT)"},
			{Field: "protocol", Message: "must be udp or tcp"},
		}},
		{Spec{Server: ":53", Name: "a"}, problems{{Field: "server", Message: "must be host or host:port, e.g. 127.0.0.1:53"}}},
		{Spec{Server: "fe80::1::2", Name: "a"}, problems{{Field: "server", Message: "must be host or host:port, e.g. 127.0.0.1:53"}}},
		{Spec{Server: "127.0.0.1:70000", Name: "a"}, problems{{Field: "server", Message: "port must be a number from 1 to 65535"}}},
	}
	for _, c := range cases {
		if got := c.spec.Validate(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Validate(%+v) =\n%q\nwant\n%q", c.spec, got, c.want)
		}
	}
}

func TestServerAddress(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.2": "10.0.0.2:53", "10.0.0.2:5301": "10.0.0.2:5301", "ns1.example": "ns1.example:53",
		"::1": "[::1]:53", "[::1]": "[::1]:53", "[::1]:5301": "[::1]:5301",
	} {
		if got, err := serverAddress(in); got != want || err != nil {
			t.Errorf("serverAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func probe(t *testing.T, spec *Spec, timeout time.Duration) (Vars, error) {
	t.Helper()
	p, err := spec.NewProber(check.Env{Clock: clock.Real(), Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	v, err := p.Probe(ctx)
	if err != nil {
		return Vars{}, err
	}
	return v.(Vars), nil
}

// TestCancel: cancelling the context ends the probe even with no deadline set,
// which the DNS library alone would not notice.
func TestCancel(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	p, err := (&Spec{Server: pc.LocalAddr().String(), Name: "www.test"}).NewProber(check.Env{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	sw := clock.Start()
	_, err = p.Probe(ctx)
	if took := sw.Elapsed(); took > time.Second {
		t.Errorf("probe took %v after cancel at 100ms", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
