package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/runbook/tmpl"
)

// CronParser reads schedule triggers: five fields, or descriptors such as
// @daily and @every 10m.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// runbook checks one runbook: each trigger and step is of exactly one kind,
// references resolve, templates parse and expressions compile, so a typo is
// found at load and never in the middle of a run.
func (k *checker) runbook(r Runbook) {
	params := map[string]bool{}
	for i, p := range r.Params {
		pp := indexPath("params", i)
		if params[p.Name] {
			k.add(r.at.problem(childPath(pp, "name"), false, "duplicate param %q", p.Name))
		}
		params[p.Name] = true
		if p.Pattern != "" {
			if _, err := regexp.Compile(p.Pattern); err != nil {
				k.add(r.at.problem(childPath(pp, "pattern"), false, "invalid regular expression: %v", err))
			}
		}
		if p.Default != nil {
			if err := CheckParam(p, *p.Default); err != nil {
				k.add(r.at.problem(childPath(pp, "default"), false, "%v", err))
			}
		}
	}
	secrets := map[string]bool{}
	for i, s := range r.Secrets {
		if secrets[s.Name] {
			k.add(r.at.problem(childPath(indexPath("secrets", i), "name"), false, "duplicate secret %q", s.Name))
		}
		secrets[s.Name] = true
		if s.Value.IsZero() {
			k.add(r.at.problem(childPath(indexPath("secrets", i), "value"), true, "is required (or value_file)"))
		}
	}
	if r.Owner != "" {
		k.target(r.at, "owner", r.Owner, "person", "team")
	}
	for i, t := range r.On {
		k.trigger(r, indexPath("on", i), t, params)
	}
	if g := r.Guard; g != nil {
		if g.Window != nil {
			k.ref(r.at, "guard.window", "time interval", *g.Window, k.intervals)
		}
		k.template(r.at, "guard.lock", g.Lock)
		k.template(r.at, "guard.confirm", g.Confirm)
		if g.ApprovalIf != "" {
			if _, err := tmpl.Compile(g.ApprovalIf); err != nil {
				k.add(k.conditionProblem(r.at, "guard.approval_if", err))
			}
		}
		for j, a := range g.Approvers {
			k.target(r.at, childPath("guard", indexPath("approvers", j)), a, "person", "team")
		}
		if g.Breaker != nil && g.Breaker.Within <= 0 {
			k.add(r.at.problem("guard.circuit_breaker.within", false, "must be positive"))
		}
		if g.Per < 0 {
			k.add(r.at.problem("guard.per", false, "must be positive"))
		}
	}
	if len(r.Steps) == 0 && len(r.On) > 0 {
		for i, t := range r.On {
			if !t.Manual || t.Alert != nil || t.Schedule != nil || t.Webhook != nil {
				k.add(r.at.problem(indexPath("on", i), false, "a runbook without steps has nothing to run; remove the trigger or add steps"))
			}
		}
	}
	seen := map[string]bool{}
	for i, s := range r.Steps {
		k.step(r, indexPath("steps", i), s, seen)
		seen[s.ID] = true
	}
	if len(r.Rollback) > 0 && len(r.Steps) == 0 {
		k.add(r.at.problem("rollback", false, "a runbook without steps has nothing to roll back"))
	}
	for i, s := range r.Rollback {
		k.step(r, indexPath("rollback", i), s, seen)
		seen[s.ID] = true
	}
	k.untrustedParams(r)
}

// untrustedParams warns about params that senders outside Vigil fill in (an
// alert's labels, a webhook's body) and that only the dash rule guards: a
// host name param that takes any text takes "localhost; reboot" and
// "../../etc" too. A pattern or an enum says what a value may be.
func (k *checker) untrustedParams(r Runbook) {
	from := map[string]string{} // param → where untrusted text fills it
	for i, t := range r.On {
		switch {
		case t.Alert != nil:
			for name, src := range t.Params {
				if _, ok := from[name]; !ok && strings.Contains(src, ".alert") {
					from[name] = fmt.Sprintf("alert labels (%s)", childPath(childPath(indexPath("on", i), "params"), name))
				}
			}
		case t.Webhook != nil:
			for _, p := range r.Params {
				if _, fixed := t.Params[p.Name]; !fixed {
					if _, ok := from[p.Name]; !ok {
						from[p.Name] = fmt.Sprintf("webhook requests (%s)", indexPath("on", i))
					}
				}
			}
		}
	}
	for i, p := range r.Params {
		src, ok := from[p.Name]
		if !ok || p.Pattern != "" || len(p.Enum) > 0 || (p.Type != "" && p.Type != "string" && p.Type != "list") {
			continue
		}
		k.warn(r.at.problem(indexPath("params", i), false,
			"param %q is filled from %s and has neither pattern nor enum, so any text a sender chooses reaches the steps; "+
				"add a pattern that says what a value may be, e.g. pattern: '[A-Za-z0-9][A-Za-z0-9.-]*'", p.Name, src))
	}
}

func (k *checker) trigger(r Runbook, tp string, t Trigger, params map[string]bool) {
	kinds := 0
	for _, set := range []bool{t.Alert != nil, t.Schedule != nil, t.Manual, t.Webhook != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		k.add(r.at.problem(tp, false, "set exactly one of alert, schedule, manual, webhook (found %d)", kinds))
	}
	if t.For != 0 && t.Alert == nil {
		k.add(r.at.problem(childPath(tp, "for"), false, "applies to alert triggers only"))
	}
	if a := t.Alert; a != nil {
		if a.Check != "" && !k.checks[a.Check] {
			k.add(r.at.problem(childPath(tp, "alert.check"), false, "unknown check %q (write service/check)", a.Check))
		}
		if a.Check == "" && len(a.Match) == 0 && len(a.Matchers) == 0 {
			k.add(r.at.problem(childPath(tp, "alert"), false, "needs check, match or matchers: a trigger on every alert is a mistake"))
		}
		k.matchers(r.at, childPath(tp, "alert.matchers"), a.Matchers)
	}
	if s := t.Schedule; s != nil {
		spec := s.Cron
		if _, err := CronParser.Parse(spec); err != nil {
			k.add(r.at.problem(childPath(tp, "schedule.cron"), false, "%v", err))
		}
		if s.Timezone != "" {
			if _, err := time.LoadLocation(s.Timezone); err != nil {
				k.add(r.at.problem(childPath(tp, "schedule.timezone"), false, "unknown time zone %q", s.Timezone))
			}
		}
	}
	if w := t.Webhook; w != nil && w.Key.IsZero() {
		k.add(r.at.problem(childPath(tp, "webhook.key"), true, "is required (or key_file)"))
	}
	if t.Manual && len(t.Params) > 0 {
		k.add(r.at.problem(childPath(tp, "params"), true, "applies to alert, schedule and webhook triggers; a run by hand passes its own params (give the param a default instead)"))
	}
	for name, v := range t.Params {
		if !params[name] {
			k.add(r.at.problem(childPath(childPath(tp, "params"), name), true, "unknown param %q (declare it under params)", name))
		}
		k.template(r.at, childPath(childPath(tp, "params"), name), v)
	}
}

func (k *checker) step(r Runbook, sp string, s RunbookStep, earlier map[string]bool) {
	if earlier[s.ID] {
		k.add(r.at.problem(childPath(sp, "id"), false, "duplicate step id %q", s.ID))
	}
	if n := s.Kinds(); n != 1 {
		k.add(r.at.problem(sp, false, "set exactly one of run, shell, ssh, http, check, wait, approve, notify, cleanup, runbook (found %d)", n))
	}
	if s.If != "" {
		if _, err := tmpl.Compile(s.If); err != nil {
			k.add(k.conditionProblem(r.at, childPath(sp, "if"), err))
		}
	}
	if s.Retry != nil && s.Retry.Backoff != 0 && s.Retry.Backoff < 1 {
		k.add(r.at.problem(childPath(sp, "retry.backoff"), false, "must be at least 1"))
	}
	for j, a := range s.Run {
		k.template(r.at, childPath(sp, indexPath("run", j)), a)
	}
	k.template(r.at, childPath(sp, "shell"), s.Shell)
	k.template(r.at, childPath(sp, "dir"), s.Dir)
	for name, v := range s.Env {
		k.template(r.at, childPath(childPath(sp, "env"), name), v)
	}
	if (len(s.Env) > 0 || s.Dir != "") && s.Kind() != "run" && s.Kind() != "shell" {
		k.add(r.at.problem(sp, false, "env and dir apply to run and shell steps only"))
	}
	if s.Check != "" && !k.checks[s.Check] {
		k.add(r.at.problem(childPath(sp, "check"), false, "unknown check %q (write service/check)", s.Check))
	}
	for j, t := range s.Notify {
		k.target(r.at, childPath(sp, indexPath("notify", j)), t, "person", "team", "schedule", "channel")
	}
	k.template(r.at, childPath(sp, "message"), s.Message)
	if h := s.SSH; h != nil {
		k.template(r.at, childPath(sp, "ssh.host"), h.Host)
		for j, a := range h.Command {
			k.template(r.at, childPath(sp, indexPath("ssh.command", j)), a)
		}
	}
	if h := s.HTTP; h != nil {
		k.template(r.at, childPath(sp, "http.url"), h.URL)
		k.template(r.at, childPath(sp, "http.body"), h.Body)
		for name, v := range h.Headers {
			k.template(r.at, childPath(childPath(sp, "http.headers"), name), v)
		}
	}
	if len(s.Expect) > 0 && s.HTTP == nil {
		k.add(r.at.problem(childPath(sp, "expect"), false, "applies to http steps only"))
	}
	if w := s.Wait; w != nil {
		set := 0
		for _, b := range []bool{w.Duration > 0, w.Until != "", w.Check != ""} {
			if b {
				set++
			}
		}
		// A gate may hold a check and a condition at once: a canary stage
		// that must keep its check passing and its SLO from burning.
		gateBoth := w.For > 0 && w.Duration == 0 && w.Until != "" && w.Check != ""
		if set != 1 && !gateBoth {
			k.add(r.at.problem(childPath(sp, "wait"), false, "set exactly one of duration, until, check (a gate, with for, may hold both check and until)"))
		}
		switch {
		case w.For < 0:
			k.add(r.at.problem(childPath(sp, "wait.for"), false, "must be positive"))
		case w.For > 0 && w.Duration > 0:
			k.add(r.at.problem(childPath(sp, "wait.for"), false, "applies with check or until: a gate holds them for this long"))
		case w.For > 0 && s.Timeout > 0 && s.Timeout < w.For:
			k.add(r.at.problem(childPath(sp, "timeout"), false, "%s is shorter than wait.for (%s)", s.Timeout, w.For))
		}
		if w.Until != "" {
			if _, err := tmpl.Compile(w.Until); err != nil {
				k.add(k.conditionProblem(r.at, childPath(sp, "wait.until"), err))
			}
		}
		if w.Check != "" && !k.checks[w.Check] {
			k.add(r.at.problem(childPath(sp, "wait.check"), false, "unknown check %q (write service/check)", w.Check))
		}
	}
	if a := s.Approve; a != nil {
		for j, t := range a.Approvers {
			k.target(r.at, childPath(sp, indexPath("approve.approvers", j)), t, "person", "team")
		}
		for j, t := range a.Notify {
			k.target(r.at, childPath(sp, indexPath("approve.notify", j)), t, "person", "team", "schedule", "channel")
		}
	}
	if c := s.Cleanup; c != nil {
		k.template(r.at, childPath(sp, "cleanup.path"), c.Path)
		if strings.ContainsAny(c.Glob, `/\`) || c.Glob == ".." {
			k.add(r.at.problem(childPath(sp, "cleanup.glob"), false, "must be a file name pattern, without / (the step never leaves its directory)"))
		}
	}
	if c := s.Runbook; c != nil {
		k.ref(r.at, childPath(sp, "runbook.id"), "runbook", c.ID, k.runbooks)
		for name, v := range c.Params {
			k.template(r.at, childPath(childPath(sp, "runbook.params"), name), v)
		}
	}
}

// template reports a template that does not parse.
func (k *checker) template(o origin, field, src string) {
	if src == "" {
		return
	}
	if _, err := tmpl.Parse(src); err != nil {
		k.add(o.problem(field, false, "%v", err))
	}
}

// CheckParam validates one value of a param against its declaration.
func CheckParam(p Param, v string) error {
	check := func(v string) error {
		switch p.Type {
		case "int":
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return fmt.Errorf("%q is not an integer", v)
			}
		case "bool":
			if _, err := strconv.ParseBool(v); err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
		case "duration":
			if _, err := duration.Parse(v); err != nil {
				return err
			}
		}
		if len(p.Enum) > 0 && !contains(p.Enum, v) {
			return fmt.Errorf("%q is not one of %s", v, strings.Join(p.Enum, ", "))
		}
		if p.Pattern != "" {
			re, err := regexp.Compile("^(?:" + p.Pattern + ")$")
			if err == nil && !re.MatchString(v) {
				return fmt.Errorf("%q does not match %s", v, p.Pattern)
			}
		}
		// A value that reached here through an enum or pattern is one the
		// config's author admitted; any other leading dash would turn an
		// argv element into an option (ssh -oProxyCommand=...).
		if strings.HasPrefix(v, "-") && !p.AllowDash && len(p.Enum) == 0 && p.Pattern == "" {
			return fmt.Errorf("%q begins with \"-\" and would be read as an option; the param allows that only with allow_dash: true or a pattern or enum that admits it", v)
		}
		return nil
	}
	if p.Type != "list" {
		return check(v)
	}
	items := SplitList(v)
	if len(items) == 0 && !p.AllowEmpty {
		return fmt.Errorf("is an empty list; give at least one item")
	}
	for _, it := range items {
		if err := check(it); err != nil {
			return err
		}
	}
	return nil
}

// SplitList reads a list param: comma-separated items, spaces trimmed,
// empty items dropped.
func SplitList(v string) []string {
	var out []string
	for _, it := range strings.Split(v, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}
