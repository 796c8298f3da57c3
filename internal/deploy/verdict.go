package deploy

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/store"
)

// A deploy's verification watches the results of its checks from the
// moment it is recorded. A check passes it after recover_after passing
// results in a row and fails it after fail_after failing ones (the check's
// own thresholds, so "how sure" means the same as for its alerts). The
// verification fails as soon as one check fails, passes once every check
// has passed, and fails at verify_within for the checks that have not.

// verifyChecks are the keys of the checks that verify a deploy of svc to
// env. Of the service's verify checks, those labelled with the deploy's
// environment (labels: {environment: staging}) verify it; when none is,
// the ones without an environment label do.
func verifyChecks(svc *config.Service, env string) []string {
	var mine, unlabelled []string
	for _, id := range svc.VerifyChecks() {
		c := findCheck(svc, id)
		if c == nil {
			continue
		}
		switch e, ok := c.Labels["environment"]; {
		case !ok:
			unlabelled = append(unlabelled, svc.ID+"/"+id)
		case e == env:
			mine = append(mine, svc.ID+"/"+id)
		}
	}
	if len(mine) > 0 {
		return mine
	}
	return unlabelled
}

func findCheck(svc *config.Service, id string) *config.Check {
	for i := range svc.Checks {
		if svc.Checks[i].ID == id {
			return &svc.Checks[i]
		}
	}
	return nil
}

func newVerification(keys []string, now, deadline time.Time) *store.Verification {
	v := &store.Verification{Status: store.VerifyPending, StartedAt: now, Deadline: deadline,
		Checks: make([]store.VerifyCheck, len(keys))}
	for i, k := range keys {
		v.Checks[i] = store.VerifyCheck{Check: k, Status: store.VerifyPending}
	}
	return v
}

// thresholds are how many results in a row decide a check.
type thresholds struct{ pass, fail int }

func thresholdsOf(c *config.Check) thresholds {
	t := thresholds{pass: max(c.RecoverAfter, 1), fail: max(c.FailAfter, 1)}
	return t
}

// fold counts one result of a check; it reports whether that decided the
// check. A decided check stays decided.
func fold(vc *store.VerifyCheck, r check.Result, th thresholds) bool {
	vc.Results++
	vc.Last = string(r.Status)
	if r.Status.Up() {
		vc.Passes++
		vc.Fails = 0
	} else {
		vc.Fails++
		vc.Passes = 0
		vc.Reason = firstNonEmpty(r.Error, r.Reason, "check failed")
	}
	if vc.Status != store.VerifyPending {
		return false
	}
	switch {
	case vc.Passes >= th.pass:
		vc.Status, vc.At = store.VerifyPassed, r.At
	case vc.Fails >= th.fail:
		vc.Status, vc.At = store.VerifyFailed, r.At
	default:
		return false
	}
	return true
}

// judge is the verification's verdict from its checks: failed when one
// failed, passed when all passed, else pending.
func judge(v *store.Verification) (status, reason string) {
	passed := 0
	for _, c := range v.Checks {
		switch c.Status {
		case store.VerifyFailed:
			return store.VerifyFailed, failReason(c)
		case store.VerifyPassed:
			passed++
		}
	}
	if passed == len(v.Checks) {
		return store.VerifyPassed, fmt.Sprintf("%s passed", countChecks(len(v.Checks)))
	}
	return store.VerifyPending, ""
}

// expire fails the checks still undecided at the deadline, and says why.
func expire(v *store.Verification, at time.Time, window time.Duration) string {
	var late []string
	for i := range v.Checks {
		c := &v.Checks[i]
		if c.Status != store.VerifyPending {
			continue
		}
		c.Status, c.At = store.VerifyFailed, at
		what := fmt.Sprintf("%s did not pass within %s", c.Check, duration.Format(window))
		switch {
		case c.Results == 0:
			what += " (no result)"
		case c.Last == string(check.Fail):
			what += fmt.Sprintf(" (%d result(s), last failed: %s)", c.Results, c.Reason)
		default:
			what += fmt.Sprintf(" (%d result(s), %d passing in a row)", c.Results, c.Passes)
		}
		late = append(late, what)
	}
	return strings.Join(late, "; ")
}

func failReason(c store.VerifyCheck) string {
	if c.Fails > 0 {
		return fmt.Sprintf("%s failed %s: %s", c.Check, times(c.Fails), c.Reason)
	}
	return fmt.Sprintf("%s failed: %s", c.Check, c.Reason)
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times in a row", n)
}

func countChecks(n int) string {
	if n == 1 {
		return "the check"
	}
	return fmt.Sprintf("all %d checks", n)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
