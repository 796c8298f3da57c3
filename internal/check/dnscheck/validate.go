package dnscheck

import (
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/vigil-sre/vigil/internal/check"
)

// Validate reports every problem at once.
func (s *Spec) Validate() []check.Problem {
	var problems []check.Problem
	add := func(field, msg string) { problems = append(problems, check.Problem{Field: field, Message: msg}) }
	if s.Server == "" {
		add("server", "is required, e.g. 127.0.0.1:53")
	} else if _, err := serverAddress(s.Server); err != nil {
		add("server", err.Error())
	}
	if s.Name == "" {
		add("name", "is required, e.g. shop.example")
	} else if _, ok := dns.IsDomainName(s.Name); !ok {
		add("name", "is not a valid domain name")
	}
	if t := s.Type; t != "" {
		if _, ok := dns.StringToType[strings.ToUpper(t)]; !ok {
			add("type", "is not a DNS record type (such as A, AAAA, CNAME, MX, NS, TXT)")
		}
	}
	switch s.Protocol {
	case "", "udp", "tcp":
	default:
		add("protocol", "must be udp or tcp")
	}
	return problems
}

// serverAddress returns server as host:port, adding port 53 when it has none
// ("10.0.0.2", "ns1.example", "::1", "[::1]").
func serverAddress(server string) (string, error) {
	host, port, err := net.SplitHostPort(server)
	if err != nil {
		host, port = strings.TrimSuffix(strings.TrimPrefix(server, "["), "]"), "53"
		if strings.Contains(host, ":") && net.ParseIP(host) == nil {
			return "", errors.New("must be host or host:port, e.g. 127.0.0.1:53")
		}
	}
	if host == "" || strings.ContainsAny(host, "[]/ ") {
		return "", errors.New("must be host or host:port, e.g. 127.0.0.1:53")
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return "", errors.New("port must be a number from 1 to 65535")
	}
	return net.JoinHostPort(host, port), nil
}
