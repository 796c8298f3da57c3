package promcheck_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/checktest"
	"github.com/vigil-sre/vigil/internal/check/cond"
	"github.com/vigil-sre/vigil/internal/check/promcheck"
	"github.com/vigil-sre/vigil/internal/check/promcheck/promtest"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/secret"
)

// exporter serves container restart counters the way kube-state-metrics names them.
func exporter(t *testing.T) (*prometheus.CounterVec, string) {
	reg := prometheus.NewRegistry()
	restarts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kube_pod_container_status_restarts_total", Help: "Container restarts.",
	}, []string{"pod"})
	reg.MustRegister(restarts)
	restarts.WithLabelValues("shop-a").Add(0)
	restarts.WithLabelValues("shop-b").Add(0)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	return restarts, strings.TrimPrefix(srv.URL, "http://")
}

func probe(t *testing.T, spec *promcheck.Spec, expect ...string) check.Result {
	t.Helper()
	if ps := spec.Validate(); ps != nil {
		t.Fatalf("Validate: %v", ps)
	}
	var exprs []*cond.Expr
	for _, src := range expect {
		e, err := cond.Compile(src, promcheck.Vars{})
		if err != nil {
			t.Fatalf("compile %q: %v", src, err)
		}
		exprs = append(exprs, e)
	}
	p, err := spec.NewProber(check.Env{Clock: clock.Real()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	vars, err := p.Probe(ctx)
	return check.Evaluate(time.Now(), 0, vars, err, exprs, nil)
}

// TestAgainstPrometheus runs the check kind against a real Prometheus that
// scrapes a small exporter: the workbook-style restart check passes, fails
// once a pod restarts (the reason names the value), series and count are
// there for conditions, and Prometheus' own errors are the reason.
func TestAgainstPrometheus(t *testing.T) {
	restarts, addr := exporter(t)
	prom := promtest.Start(t, promtest.Target{Job: "kube", Address: addr})
	prom.WaitScrapes(t, "kube", 2)
	restartsQuery := `sum(increase(kube_pod_container_status_restarts_total[15m]))`

	r := probe(t, &promcheck.Spec{URL: prom.URL, Query: restartsQuery}, "value < 1")
	if r.Status != check.Pass {
		t.Fatalf("no restarts yet: %s %s", r.Status, r.Reason)
	}

	restarts.WithLabelValues("shop-b").Add(3)
	deadline := time.Now().Add(20 * time.Second)
	for {
		r = probe(t, &promcheck.Spec{URL: prom.URL, Query: restartsQuery}, "value < 1")
		if r.Status == check.Fail || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r.Status != check.Fail || !strings.HasPrefix(r.Reason, "value < 1 failed (value=") {
		t.Fatalf("after restarts: %s %q", r.Status, r.Reason)
	}

	r = probe(t, &promcheck.Spec{URL: prom.URL, Query: `kube_pod_container_status_restarts_total`},
		`count == 2`, `series[0].labels.pod == "shop-a"`, `series[1].value == 3`, `value == 0`)
	if r.Status != check.Pass {
		t.Fatalf("series: %s %s", r.Status, r.Reason)
	}

	r = probe(t, &promcheck.Spec{URL: prom.URL, Query: `kube_pod_container_status_restarts_total{pod="gone"}`}, "value < 1")
	if r.Status != check.Fail || r.Reason != "value < 1 failed (value=NaN)" {
		t.Fatalf("empty answer: %s %q", r.Status, r.Reason)
	}

	// Parses, but Prometheus refuses it when it runs: its words are the reason.
	r = probe(t, &promcheck.Spec{URL: prom.URL, Query: `kube_pod_container_status_restarts_total / on() kube_pod_container_status_restarts_total`}, "value < 1")
	if r.Status != check.Fail || !strings.Contains(r.Reason, "prometheus "+prom.URL+": execution") || !strings.Contains(r.Reason, "many-to-many matching not allowed") {
		t.Fatalf("bad query: %s %q", r.Status, r.Reason)
	}

	down := "http://" + checktest.ClosedPort(t)
	r = probe(t, &promcheck.Spec{URL: down, Query: "up"}, "value == 1")
	if r.Status != check.Fail || !strings.Contains(r.Reason, "prometheus "+down) || !strings.Contains(r.Reason, "connection refused") {
		t.Fatalf("Prometheus down: %s %q", r.Status, r.Reason)
	}
}

// TestHeadersAndToken: the bearer token and headers reach Prometheus (a
// stand-in that checks them), and never appear in an error.
func TestHeadersAndToken(t *testing.T) {
	var got string
	srv := httptest.NewServer(nil)
	srv.Config.Handler = httpHandler(func(auth, org string) {
		got = auth + "|" + org
	})
	t.Cleanup(srv.Close)
	r := probe(t, &promcheck.Spec{URL: srv.URL, Query: "up", Token: secret.New("s3cret-t0ken"),
		Headers: map[string]secret.String{"X-Scope-OrgID": secret.New("team-a")}}, "value == 1")
	if got != "Bearer s3cret-t0ken|team-a" || r.Status != check.Pass {
		t.Fatalf("sent %q; result %s %q", got, r.Status, r.Reason)
	}
	if r := probe(t, &promcheck.Spec{URL: "http://user:pa55@" + checktest.ClosedPort(t), Query: "up", Token: secret.New("s3cret-t0ken")}, "value == 1"); strings.Contains(r.Reason, "pa55") || strings.Contains(r.Reason, "s3cret") {
		t.Fatalf("secret in reason: %q", r.Reason)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		spec promcheck.Spec
		want string
	}{
		{promcheck.Spec{URL: "http://p:9090", Query: "up"}, ""},
		{promcheck.Spec{Query: "up"}, "url: is required, e.g. http://127.0.0.1:9090"},
		{promcheck.Spec{URL: "p:9090", Query: "up"}, "url: must start with http:// or https://"},
		{promcheck.Spec{URL: "http://p", Query: "sum(up"}, "query: PromQL: unclosed left parenthesis"},
		{promcheck.Spec{URL: "http://p", Query: "up{job=}"}, "query: PromQL: unexpected \"}\" in label matching, expected string"},
		{promcheck.Spec{URL: "http://p", Query: " "}, "query: empty query"},
		{promcheck.Spec{URL: "http://p", Query: "rate(up)"}, `query: PromQL: expected type range vector in call to function "rate", got instant vector`},
	}
	for _, c := range cases {
		var parts []string
		for _, p := range c.spec.Validate() {
			parts = append(parts, p.Field+": "+p.Message)
		}
		if got := strings.Join(parts, "; "); got != c.want {
			t.Errorf("%+v: %q, want %q", c.spec, got, c.want)
		}
	}
	if e := promcheck.ParseQuery(`sum(rate(x[{{.window}}])) by (`); e == nil {
		t.Error("a broken SLI query parsed")
	} else if qe := e.(*promcheck.QueryError); qe.Column != 31 {
		t.Errorf("column %d, want 31 (where the input ends)", qe.Column)
	}
}
