// Package dnscheck asks one DNS server one question and reports its answer:
// the response code, the records and whether the server is authoritative.
package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
)

// Spec is written under `dns:`.
type Spec struct {
	Server   string `yaml:"server" jsonschema:"required,description=server to ask as host:port; port 53 when omitted"`
	Name     string `yaml:"name" jsonschema:"required,description=domain name to look up"`
	Type     string `yaml:"type,omitempty" jsonschema:"default=A,description=record type such as A or AAAA or CNAME or MX or NS or TXT"`
	Protocol string `yaml:"protocol,omitempty" jsonschema:"enum=udp,enum=tcp,default=udp,description=transport; a truncated UDP answer is asked again over TCP"`
}

// Vars are what the server answered.
type Vars struct {
	// Rcode is the response code: NOERROR, NXDOMAIN, SERVFAIL, REFUSED...
	Rcode string `expr:"rcode" json:"rcode"`
	// Answers holds the data of each answer record, in order: an address for A
	// and AAAA, the target for CNAME, NS and PTR, "10 mail.example." for MX, the
	// joined text for TXT, and the presentation form for other types.
	Answers     []string `expr:"answers" json:"answers"`
	AnswerCount int      `expr:"answer_count" json:"answer_count"`
	// Authoritative is the AA flag: the server owns the zone rather than caching it.
	Authoritative bool `expr:"authoritative" json:"authoritative"`
	// Duration is the time to connect, ask and get the answer, including any TCP retry.
	Duration time.Duration `expr:"duration" json:"duration"`
}

func (s *Spec) Kind() string            { return "dns" }
func (s *Spec) Vars() any               { return Vars{} }
func (s *Spec) DefaultExpect() []string { return []string{`rcode == "NOERROR"`} }

// ednsSize is the UDP payload size advertised, as DNS Flag Day 2020 recommends:
// large enough for most answers, small enough not to fragment.
const ednsSize = 1232

func (s *Spec) NewProber(env check.Env) (check.Prober, error) {
	addr, err := serverAddress(s.Server)
	if err != nil {
		return nil, err
	}
	qtype := dns.TypeA
	if s.Type != "" {
		qtype = dns.StringToType[strings.ToUpper(s.Type)]
	}
	// The context's deadline governs; the library's own 2s default would cut
	// a longer check timeout short.
	timeout := env.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	p := &prober{
		addr:  addr,
		name:  dns.Fqdn(s.Name),
		qtype: qtype,
		udp:   &dns.Client{Net: "udp", Timeout: timeout},
		tcp:   &dns.Client{Net: "tcp", Timeout: timeout},
	}
	p.first = p.udp
	if s.Protocol == "tcp" {
		p.first = p.tcp
	}
	return p, nil
}

type prober struct {
	addr     string
	name     string
	qtype    uint16
	udp, tcp *dns.Client
	first    *dns.Client
}

func (p *prober) Probe(ctx context.Context) (any, error) {
	q := new(dns.Msg)
	q.SetQuestion(p.name, p.qtype)
	q.SetEdns0(ednsSize, false)
	sw := clock.Start()
	c := p.first
	r, err := p.exchange(ctx, c, q)
	if err == nil && r.Truncated && c == p.udp {
		c = p.tcp
		r, err = p.exchange(ctx, c, q)
	}
	took := sw.Elapsed()
	if err != nil {
		return nil, fmt.Errorf("no answer from %s over %s: %w", p.addr, c.Net, contextError(ctx, err))
	}
	v := Vars{
		Rcode:         rcodeName(r.Rcode),
		Answers:       make([]string, 0, len(r.Answer)),
		AnswerCount:   len(r.Answer),
		Authoritative: r.Authoritative,
		Duration:      took,
	}
	for _, rr := range r.Answer {
		v.Answers = append(v.Answers, data(rr))
	}
	return v, nil
}

func (p *prober) exchange(ctx context.Context, c *dns.Client, q *dns.Msg) (*dns.Msg, error) {
	conn, err := c.DialContext(ctx, p.addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// The library honours the context's deadline but not its cancellation;
	// closing the connection ends a read that waits for a server that never answers.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	r, _, err := c.ExchangeWithConnContext(ctx, q, conn)
	return r, err
}

// contextError reports a failure caused by the context as the context's error,
// so the caller recognises a timeout. The library turns the context's deadline
// into a socket deadline, whose "i/o timeout" can arrive a moment before the
// context itself says it is done.
func contextError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	if _, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() {
		return context.DeadlineExceeded
	}
	return err
}

func rcodeName(code int) string {
	if name, ok := dns.RcodeToString[code]; ok {
		return name
	}
	return "RCODE" + strconv.Itoa(code)
}

// data is a record's value without its owner name, TTL, class and type.
func data(rr dns.RR) string {
	switch rr := rr.(type) {
	case *dns.A:
		return rr.A.String()
	case *dns.AAAA:
		return rr.AAAA.String()
	case *dns.CNAME:
		return rr.Target
	case *dns.NS:
		return rr.Ns
	case *dns.PTR:
		return rr.Ptr
	case *dns.MX:
		return strconv.Itoa(int(rr.Preference)) + " " + rr.Mx
	case *dns.TXT:
		return strings.Join(rr.Txt, "")
	}
	return strings.TrimPrefix(rr.String(), rr.Header().String())
}
