package dnscheck

import (
	"net"
	"testing"

	"github.com/miekg/dns"
)

// zone is what the test server knows, in zone-file syntax.
var zone = []string{
	"www.test. 300 IN A 10.0.0.1",
	"www.test. 300 IN A 10.0.0.2",
	"www.test. 300 IN AAAA 2001:db8::1",
	"alias.test. 300 IN CNAME www.test.",
	"test. 300 IN MX 10 mail.test.",
	`test. 300 IN TXT "v=spf1 " "-all"`,
	"test. 300 IN SOA ns1.test. admin.test. 1 7200 3600 1209600 300",
}

// serve starts an authoritative server for zone on 127.0.0.1, UDP and TCP on
// one port. Besides the zone it answers proto.test TXT with the transport the
// question came over, truncates big.test over UDP, and fails on broken.test.
func serve(t *testing.T) string {
	t.Helper()
	records, names := map[string][]dns.RR{}, map[string]bool{}
	for _, line := range zone {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatal(err)
		}
		key := rr.Header().Name + " " + dns.TypeToString[rr.Header().Rrtype]
		records[key] = append(records[key], rr)
		names[rr.Header().Name] = true
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative = true
		question := q.Question[0]
		network := w.LocalAddr().Network()
		switch question.Name {
		case "proto.test.", "big.test.":
			if question.Name == "big.test." && network == "udp" {
				m.Truncated = true
				break
			}
			rr, _ := dns.NewRR(question.Name + ` 60 IN TXT "` + network + `"`)
			m.Answer = append(m.Answer, rr)
		case "broken.test.":
			m.Rcode = dns.RcodeServerFailure
		default:
			m.Answer = records[question.Name+" "+dns.TypeToString[question.Qtype]]
			if !names[question.Name] {
				m.Rcode = dns.RcodeNameError
			}
		}
		w.WriteMsg(m)
	})

	var pc net.PacketConn
	var ln net.Listener
	for range 10 { // the TCP port matching a random UDP port may be taken
		var err error
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
		pc = nil
	}
	if pc == nil {
		t.Fatal("no port free for both UDP and TCP")
	}
	servers := []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}}
	for _, s := range servers {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		go s.ActivateAndServe()
		<-started
		t.Cleanup(func() { s.Shutdown() })
	}
	return pc.LocalAddr().String()
}
