package config

import (
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
)

// DeployPolicy says how a service's deploys are verified and guarded.
type DeployPolicy struct {
	// Verify lists the checks (ids of the service's own checks) that verify
	// a deploy; empty means the checks marked acceptance: true.
	Verify []string `yaml:"verify,omitempty" jsonschema:"description=ids of this service's checks that verify a deploy; default the checks with acceptance: true"`
	// VerifyWithin bounds how long a verification may stay pending.
	VerifyWithin duration.Duration `yaml:"verify_within,omitempty" jsonschema:"description=a deploy's checks must pass within this long of the deploy,default=5m"`
	// OnFailure is the runbook started when a verification fails, with the
	// deploy's fields as params.
	OnFailure string `yaml:"on_failure,omitempty" jsonschema:"description=runbook/ID started when a verification fails (the params it declares of: service, version, environment, deploy, release, artifact, previous_version)"`
	// PromoteFrom names the environments a version must have passed
	// verification in before the deploy guard lets it go anywhere else.
	PromoteFrom []string `yaml:"promote_from,omitempty" jsonschema:"description=environments (e.g. staging) a version must have passed verification in before it is deployed elsewhere"`
	// Freeze names time intervals and maintenance windows in which the
	// deploy guard refuses deploys of the service.
	Freeze []string `yaml:"freeze,omitempty" jsonschema:"description=ids of time_intervals or maintenance windows in which the deploy guard refuses deploys"`
}

// Deploy policy defaults and bounds.
const (
	DefaultVerifyWithin = 5 * time.Minute
	MaxVerifyWithin     = 24 * time.Hour
)

// VerifyChecks are the ids of the checks that verify a deploy of s: the
// deploy block's list, or else the checks marked acceptance: true.
func (s *Service) VerifyChecks() []string {
	if s.Deploy != nil && len(s.Deploy.Verify) > 0 {
		return s.Deploy.Verify
	}
	var out []string
	for _, c := range s.Checks {
		if c.Acceptance {
			out = append(out, c.ID)
		}
	}
	return out
}

// VerifyWithinOrDefault is how long a deploy of s may stay unverified.
func (s *Service) VerifyWithinOrDefault() time.Duration {
	if s.Deploy != nil && s.Deploy.VerifyWithin > 0 {
		return s.Deploy.VerifyWithin.D()
	}
	return DefaultVerifyWithin
}

// RollbackRunbook is the runbook id of deploy.on_failure, or "".
func (s *Service) RollbackRunbook() string {
	if s.Deploy == nil {
		return ""
	}
	return strings.TrimPrefix(s.Deploy.OnFailure, "runbook/")
}

// deployPolicy checks a service's deploy block: its checks are the
// service's, its runbook and freeze windows exist, and its verification
// window is bounded.
func (k *checker) deployPolicy(s *Service) {
	p := s.Deploy
	if p == nil {
		return
	}
	own := map[string]bool{}
	for _, c := range s.Checks {
		own[c.ID] = true
	}
	for i, id := range p.Verify {
		if !own[id] {
			k.add(s.at.problem(childPath("deploy", indexPath("verify", i)), false, "unknown check %q in service %q%s", id, s.ID, known(own)))
		}
	}
	switch w := p.VerifyWithin.D(); {
	case w < 0:
		k.add(s.at.problem("deploy.verify_within", false, "must be positive"))
	case w > MaxVerifyWithin:
		k.add(s.at.problem("deploy.verify_within", false, "must be at most %s", duration.Format(MaxVerifyWithin)))
	}
	if p.OnFailure != "" {
		kind, id, ok := strings.Cut(p.OnFailure, "/")
		if !ok || kind != "runbook" {
			k.add(s.at.problem("deploy.on_failure", false, "%q must be written as runbook/ID", p.OnFailure))
		} else {
			k.ref(s.at, "deploy.on_failure", "runbook", id, k.runbooks)
		}
	}
	maint := map[string]bool{}
	for _, m := range k.cfg.Maintenance {
		maint[m.ID] = true
	}
	for i, id := range p.Freeze {
		field := childPath("deploy", indexPath("freeze", i))
		switch {
		case k.intervals[id] && maint[id]:
			k.add(s.at.problem(field, false, "%q names both a time interval and a maintenance window; rename one", id))
		case !k.intervals[id] && !maint[id]:
			both := map[string]bool{}
			for id := range k.intervals {
				both[id] = true
			}
			for id := range maint {
				both[id] = true
			}
			k.add(s.at.problem(field, false, "unknown time interval or maintenance window %q%s", id, known(both)))
		}
	}
	for i, env := range p.PromoteFrom {
		if strings.TrimSpace(env) == "" {
			k.add(s.at.problem(childPath("deploy", indexPath("promote_from", i)), false, "must not be empty"))
		}
	}
}
