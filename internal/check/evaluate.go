package check

import (
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/check/cond"
)

// Evaluate judges one observation against a check's conditions.
func Evaluate(at time.Time, took time.Duration, vars any, probeErr error, expect, warn []*cond.Expr) Result {
	r := Result{At: at, Duration: took, Status: Pass}
	if probeErr != nil {
		r.Status = Fail
		r.Error = probeErr.Error()
		r.Reason = r.Error
		return r
	}
	var failed, warned []string
	judge := func(kind string, exprs []*cond.Expr) (bad []string) {
		for _, e := range exprs {
			ok, err := e.Eval(vars)
			c := Condition{Expr: e.Source(), Kind: kind, OK: ok && err == nil}
			switch {
			case err != nil:
				c.Error = err.Error()
				bad = append(bad, e.Source()+" failed: "+c.Error)
			case !ok:
				c.Observed = e.Explain(vars)
				msg := e.Source() + " failed"
				if c.Observed != "" {
					msg += " (" + c.Observed + ")"
				}
				bad = append(bad, msg)
			}
			r.Conditions = append(r.Conditions, c)
		}
		return bad
	}
	failed = judge("expect", expect)
	warned = judge("warn", warn)
	switch {
	case len(failed) > 0:
		r.Status = Fail
		r.Reason = strings.Join(failed, "; ")
	case len(warned) > 0:
		r.Status = Warn
		r.Reason = "warning: " + strings.Join(warned, "; ")
	}
	return r
}
