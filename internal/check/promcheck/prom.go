// Package promcheck is the prometheus check kind: it runs an instant PromQL
// query against a Prometheus server's HTTP API and hands the answer to the
// check's conditions, so Nagios-style checks work on metrics a team already
// has: expect: ['value < 1'] on increase(kube_pod_container_status_restarts_total[15m]).
// It also holds the connection and PromQL parsing the prometheus SLI uses.
package promcheck

import (
	"context"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/secret"
)

// maxSeries bounds the series kept in the series variable; count still
// counts them all.
const maxSeries = 1000

// Spec is written under `prometheus:`.
type Spec struct {
	URL       string                   `yaml:"url" jsonschema:"required,description=Prometheus base URL, e.g. http://prometheus:9090"`
	Query     string                   `yaml:"query" jsonschema:"required,description=PromQL instant query"`
	Headers   map[string]secret.String `yaml:"headers,omitempty" jsonschema:"description=request headers; values are secrets and never printed"`
	Token     secret.String            `yaml:"token,omitempty" jsonschema:"description=bearer token"`
	TokenFile string                   `yaml:"token_file,omitempty" jsonschema:"description=file holding the bearer token"`
}

// Vars are what a query answered.
type Vars struct {
	// Value is the first sample's value (series ordered by their labels);
	// NaN when the answer is empty, so a comparison with it fails.
	Value float64 `expr:"value" json:"value"`
	// Series are the samples, each with its labels (at most 1000).
	Series []Sample `expr:"series" json:"series"`
	// Count is how many series the answer has.
	Count int `expr:"count" json:"count"`
}

func (s *Spec) Kind() string            { return "prometheus" }
func (s *Spec) Vars() any               { return Vars{} }
func (s *Spec) DefaultExpect() []string { return []string{"count > 0"} }

// Validate reports every problem at once; header values and the token are
// secrets and never quoted.
func (s *Spec) Validate() []check.Problem {
	var ps []check.Problem
	add := func(field, msg string) { ps = append(ps, check.Problem{Field: field, Message: msg}) }
	ps = append(ps, ValidateURL("url", s.URL)...)
	if err := ParseQuery(s.Query); err != nil {
		add("query", err.Error())
	}
	for name, v := range s.Headers {
		if strings.ContainsAny(name, " :\r\n") || name == "" {
			add("headers."+name, "is not a valid header name")
		}
		if strings.ContainsAny(v.Reveal(), "\r\n") {
			add("headers."+name, "value contains a newline")
		}
	}
	return ps
}

// ValidateURL checks a Prometheus base URL.
func ValidateURL(field, raw string) []check.Problem {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return []check.Problem{{Field: field, Message: "is required, e.g. http://127.0.0.1:9090"}}
	case err != nil:
		return []check.Problem{{Field: field, Message: "is not a URL"}}
	case u.Scheme != "http" && u.Scheme != "https":
		return []check.Problem{{Field: field, Message: "must start with http:// or https://"}}
	case u.Host == "":
		return []check.Problem{{Field: field, Message: "has no host"}}
	}
	return nil
}

func (s *Spec) NewProber(env check.Env) (check.Prober, error) {
	c, err := Dial(s.URL, s.Headers, s.Token)
	if err != nil {
		return nil, err
	}
	return &prober{conn: c, query: s.Query}, nil
}

type prober struct {
	conn  *Conn
	query string
}

// Probe asks Prometheus at its own current time (its clock decides which
// samples are recent); an error from Prometheus (a bad query, a timeout on
// its side, an unreachable server) is the reason.
func (p *prober) Probe(ctx context.Context) (any, error) {
	v, err := p.conn.Query(ctx, p.query, time.Time{})
	if err != nil {
		return nil, err
	}
	samples, err := Samples(v)
	if err != nil {
		return nil, err
	}
	vars := Vars{Value: math.NaN(), Count: len(samples), Series: samples}
	if len(samples) > maxSeries {
		vars.Series = samples[:maxSeries]
	}
	if len(samples) > 0 {
		vars.Value = samples[0].Value
	}
	if vars.Series == nil {
		vars.Series = []Sample{}
	}
	return vars, nil
}
