package httpcheck

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/cond"
	"github.com/vigil-sre/vigil/internal/clock"
)

// probeTimeout bounds every probe in these tests, as the check timeout does in production.
const probeTimeout = 5 * time.Second

// run validates spec, builds its prober as config would (env.Uses from the
// conditions) and probes once.
func run(t *testing.T, spec *Spec, uses func(string) bool, roots *x509.CertPool) (Vars, error) {
	t.Helper()
	return runWithin(t, probeTimeout, spec, uses, roots)
}

func runWithin(t *testing.T, timeout time.Duration, spec *Spec, uses func(string) bool, roots *x509.CertPool) (Vars, error) {
	t.Helper()
	if problems := spec.Validate(); problems != nil {
		t.Fatalf("Validate: %v", problems)
	}
	p, err := spec.newProber(check.Env{Clock: clock.Real(), Uses: uses}, roots)
	if err != nil {
		t.Fatalf("newProber: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	vars, err := p.Probe(ctx)
	if err != nil {
		return Vars{}, err
	}
	return vars.(Vars), nil
}

// compile compiles conditions against Vars and returns them with the Uses
// function config derives from them.
func compile(t *testing.T, srcs ...string) ([]*cond.Expr, func(string) bool) {
	t.Helper()
	var exprs []*cond.Expr
	used := map[string]bool{}
	for _, src := range srcs {
		e, err := cond.Compile(src, Vars{})
		if err != nil {
			t.Fatalf("compile %q: %v", src, err)
		}
		exprs = append(exprs, e)
		for _, id := range e.Idents() {
			used[id] = true
		}
	}
	return exprs, func(v string) bool { return used[v] }
}

// uses reads exactly the named variables.
func uses(vars ...string) func(string) bool {
	return func(v string) bool {
		for _, u := range vars {
			if u == v {
				return true
			}
		}
		return false
	}
}
