package config

import (
	"errors"
	"fmt"
	"github.com/vigil-sre/vigil/internal/report/postmortem"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/internal/check/cond"
)

// checker gathers semantic problems: unique ids, references that resolve,
// timings that make sense, and conditions that compile.
type checker struct {
	cfg   *Config
	ps    []Problem
	warns []Problem // allowed, but probably a mistake or a risk

	people, teams, schedules, escalations, channels, intervals, services, runbooks map[string]bool
	checks                                                                         map[string]bool // service/check
}

// validate returns the problems that make c unusable, and warnings about
// what loads but is risky.
func validate(c *Config) (problems, warnings []Problem) {
	k := &checker{cfg: c, checks: map[string]bool{}}
	k.people = ids(k, c.People, func(x *Person) (string, origin) { return x.ID, x.at })
	k.teams = ids(k, c.Teams, func(x *Team) (string, origin) { return x.ID, x.at })
	k.schedules = ids(k, c.Schedules, func(x *Schedule) (string, origin) { return x.ID, x.at })
	k.escalations = ids(k, c.Escalations, func(x *Escalation) (string, origin) { return x.ID, x.at })
	k.channels = ids(k, c.Channels, func(x *Channel) (string, origin) { return x.ID, x.at })
	k.intervals = ids(k, c.TimeIntervals, func(x *TimeInterval) (string, origin) { return x.ID, x.at })
	k.services = ids(k, c.Services, func(x *Service) (string, origin) { return x.ID, x.at })
	k.runbooks = ids(k, c.Runbooks, func(x *Runbook) (string, origin) { return x.ID, x.at })
	ids(k, c.Integrations, func(x *Integration) (string, origin) { return x.ID, x.at })
	ids(k, c.Tokens, func(x *Token) (string, origin) { return x.ID, x.at })
	ids(k, c.Maintenance, func(x *Maintenance) (string, origin) { return x.ID, x.at })
	for i := range c.Services {
		for _, ch := range c.Services[i].Checks {
			k.checks[c.Services[i].ID+"/"+ch.ID] = true
		}
	}

	k.global()
	k.auth()
	for i := range c.Services {
		k.service(&c.Services[i])
	}
	for _, p := range c.People {
		if p.Timezone == "" {
			continue
		}
		if _, err := time.LoadLocation(p.Timezone); err != nil {
			k.add(p.at.problem("timezone", false, "unknown time zone %q", p.Timezone))
		}
	}
	for _, t := range c.Teams {
		for j, m := range t.Members {
			k.ref(t.at, indexPath("members", j), "person", m, k.people)
		}
	}
	for _, s := range c.Schedules {
		k.schedule(s)
	}
	for _, e := range c.Escalations {
		for j, st := range e.Steps {
			for n, t := range st.Notify {
				k.target(e.at, fmt.Sprintf("steps[%d].notify[%d]", j, n), t, "schedule", "team", "person", "channel")
			}
		}
	}
	for _, ch := range c.Channels {
		k.channel(ch)
	}
	for _, ti := range c.TimeIntervals {
		k.timeInterval(ti)
	}
	for _, in := range c.Integrations {
		if in.Key.IsZero() {
			k.add(in.at.problem("key", true, "is required (or key_file)"))
		}
		if in.Service != "" {
			k.ref(in.at, "service", "service", in.Service, k.services)
		}
	}
	for _, t := range c.Tokens {
		if t.Secret.IsZero() {
			k.add(t.at.problem("secret", true, "is required (or secret_file)"))
		}
		for j, s := range t.Scopes {
			if !contains(Scopes(), s) {
				k.add(t.at.problem(indexPath("scopes", j), false, "%q is not one of %s", s, strings.Join(Scopes(), ", ")))
			}
		}
		if t.Person != "" {
			k.ref(t.at, "person", "person", t.Person, k.people)
		}
	}
	for i := range c.Routes {
		k.route(c.Routes[i].at, "", &c.Routes[i])
	}
	for _, in := range c.Inhibit {
		k.matchers(in.at, "source_matchers", in.SourceMatchers)
		k.matchers(in.at, "target_matchers", in.TargetMatchers)
		if len(in.Source) == 0 && len(in.SourceMatchers) == 0 {
			k.add(in.at.problem("source", true, "needs source or source_matchers: which alerts inhibit"))
		}
		if len(in.Target) == 0 && len(in.TargetMatchers) == 0 {
			k.add(in.at.problem("target", true, "needs target or target_matchers: which alerts are muted"))
		}
	}
	k.email()
	k.credentials()
	k.linkSecret()
	k.webURLs()
	for _, m := range c.Maintenance {
		if _, err := ParseLocalTime(m.Start, time.UTC); err != nil {
			k.add(m.at.problem("start", false, "%v", err))
		}
		if m.Duration <= 0 {
			k.add(m.at.problem("duration", false, "must be positive"))
		}
	}
	for _, r := range c.Runbooks {
		k.runbook(r)
	}
	k.toil()
	k.reports()
	return k.ps, k.warns
}

func (k *checker) add(p Problem) { k.ps = append(k.ps, p) }

func (k *checker) warn(p Problem) { k.warns = append(k.warns, p) }

// ids collects the ids of a section, reporting duplicates.
func ids[T any](k *checker, items []T, id func(*T) (string, origin)) map[string]bool {
	seen := map[string]origin{}
	for i := range items {
		v, o := id(&items[i])
		if prev, dup := seen[v]; dup {
			k.add(o.problem("id", false, "duplicate id %q (first defined at %s)", v, where(prev, "id")))
			continue
		}
		seen[v] = o
	}
	set := make(map[string]bool, len(seen))
	for v := range seen {
		set[v] = true
	}
	return set
}

func where(o origin, field string) string {
	line, col := o.f.pos(childPath(o.path, field), false)
	return fmt.Sprintf("%s:%d:%d", o.f.name, line, col)
}

func (k *checker) ref(o origin, field, kind, id string, set map[string]bool) {
	if !set[id] {
		k.add(o.problem(field, false, "unknown %s %q%s", kind, id, known(set)))
	}
}

// known lists the ids that do exist, when there are few enough to help.
func known(set map[string]bool) string {
	if len(set) == 0 {
		return " (none are defined)"
	}
	if len(set) > 8 {
		return ""
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sortStrings(names)
	return " (known: " + strings.Join(names, ", ") + ")"
}

// target checks a reference such as team/sre against the kinds allowed there.
func (k *checker) target(o origin, field, t string, kinds ...string) {
	kind, id, ok := strings.Cut(t, "/")
	if !ok || !contains(kinds, kind) {
		k.add(o.problem(field, false, "%q must be written as KIND/ID with KIND one of %s", t, strings.Join(kinds, ", ")))
		return
	}
	sets := map[string]map[string]bool{"person": k.people, "team": k.teams, "schedule": k.schedules, "channel": k.channels}
	k.ref(o, field, kind, id, sets[kind])
}

func (k *checker) global() {
	g := k.cfg.Global
	o := k.cfg.globalAt
	if _, err := time.LoadLocation(g.Timezone); err != nil {
		k.add(o.problem("timezone", false, "unknown time zone %q", g.Timezone))
	}
	if _, _, err := net.SplitHostPort(g.Listen); err != nil {
		k.add(o.problem("listen", false, "must be host:port or :port"))
	}
	if p := g.PostmortemTemplate; p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(o.f.dir, p)
			k.cfg.Global.PostmortemTemplate = p // the server may run from elsewhere
		}
		if _, err := postmortem.Parse(p); err != nil {
			k.add(o.problem("postmortem_template", false, "%v", err))
		}
	}
	k.httpServer()
	k.delivery()
	k.cluster()
	dsn := g.Store.Reveal()
	if !strings.HasPrefix(dsn, "sqlite://") && !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		k.add(o.problem("store", false, "must start with sqlite:// or postgres://"))
	}
}

func (k *checker) service(s *Service) {
	if s.Owner != "" {
		k.ref(s.at, "owner", "team", s.Owner, k.teams)
	}
	if s.Escalation != "" {
		k.ref(s.at, "escalation", "escalation", s.Escalation, k.escalations)
	}
	for i, t := range s.Stakeholders {
		k.target(s.at, indexPath("stakeholders", i), t, "person", "team")
	}
	seen := map[string]int{}
	for i := range s.Checks {
		ch := &s.Checks[i]
		o := origin{f: s.at.f, path: indexPath(childPath(s.at.path, "checks"), i)}
		if prev, dup := seen[ch.ID]; dup {
			k.add(o.problem("id", false, "duplicate check id %q in service %q (first at checks[%d])", ch.ID, s.ID, prev))
		}
		seen[ch.ID] = i
		k.check(o, ch)
	}
	k.slos(s)
	k.deployPolicy(s)
}

func (k *checker) check(o origin, ch *Check) {
	specs := ch.specs()
	switch len(specs) {
	case 0:
		k.add(o.problem("", false, "needs one of %s", strings.Join(Kinds(), ", ")))
		return
	case 1:
	default:
		kinds := make([]string, len(specs))
		for i, s := range specs {
			kinds[i] = s.Kind()
		}
		k.add(o.problem(kinds[1], true, "a check has exactly one kind, this one has %s", strings.Join(kinds, " and ")))
		return
	}
	spec := specs[0]
	for _, p := range spec.Validate() {
		k.add(o.problem(childPath(spec.Kind(), p.Field), false, "%s", p.Message))
	}
	if ch.Passive() {
		switch {
		case ch.Every == 0:
			k.add(o.problem("every", true, "is required for heartbeat checks: how often the job reports"))
		case ch.Every.D() < time.Second:
			k.add(o.problem("every", false, "must be at least 1s"))
		}
		if ch.Timeout != 0 {
			k.add(o.problem("timeout", true, "does not apply to heartbeat checks; use grace for late reports"))
		}
	} else {
		if ch.Every.D() < time.Second {
			k.add(o.problem("every", false, "must be at least 1s"))
		}
		if ch.Timeout > ch.Every {
			k.add(o.problem("timeout", false, "%s is longer than every (%s); a probe must end before the next starts", ch.Timeout, ch.Every))
		}
		if ch.Grace != 0 {
			k.add(o.problem("grace", true, "applies to heartbeat checks only"))
		}
	}
	if ch.Window != 0 && ch.Log == nil {
		k.add(o.problem("window", true, "applies to log checks only"))
	}
	if f := ch.Flapping; f.Low > f.High {
		k.add(o.problem("flapping.low", false, "must not be above high (%g)", f.High))
	}
	if ch.Runbook != "" {
		k.ref(o, "runbook", "runbook", ch.Runbook, k.runbooks)
	}
	ch.uses = map[string]bool{}
	ch.expect = k.conditions(o, "expect", ch.Expect, spec.Vars(), ch.uses)
	ch.warn = k.conditions(o, "warn", ch.Warn, spec.Vars(), ch.uses)
}

func (k *checker) conditions(o origin, field string, srcs []string, env any, uses map[string]bool) []*cond.Expr {
	out := make([]*cond.Expr, 0, len(srcs))
	for i, src := range srcs {
		e, err := cond.Compile(src, env)
		if err != nil {
			k.add(k.conditionProblem(o, indexPath(field, i), err))
			continue
		}
		for _, id := range e.Idents() {
			uses[id] = true
		}
		out = append(out, e)
	}
	return out
}

// conditionProblem points at the column inside the expression when the
// expression sits on one line of the file.
func (k *checker) conditionProblem(o origin, field string, err error) Problem {
	p := o.problem(field, false, "%v", err)
	var ce *cond.Error
	if !errors.As(err, &ce) {
		return p
	}
	p.Message = ce.Msg
	at, ok := o.f.vals[childPath(o.path, field)]
	if !ok || at.multiline {
		return p
	}
	offset := ce.Column - 1
	if at.quoted {
		offset++
	}
	p.Column += offset
	return p
}

func (k *checker) schedule(s Schedule) {
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		k.add(s.at.problem("timezone", false, "unknown time zone %q", s.Timezone))
		loc = time.UTC
	}
	for i, r := range s.Rotations {
		rp := indexPath("rotations", i)
		for j, m := range r.Members {
			k.ref(s.at, childPath(rp, indexPath("members", j)), "person", m, k.people)
		}
		if r.Active != "" {
			k.ref(s.at, childPath(rp, "active"), "time interval", r.Active, k.intervals)
		}
		if r.Length <= 0 {
			k.add(s.at.problem(childPath(rp, "length"), false, "must be positive"))
		}
		if _, err := ParseLocalTime(r.Start, loc); err != nil {
			k.add(s.at.problem(childPath(rp, "start"), false, "%v", err))
		}
	}
	for i, ov := range s.Overrides {
		op := indexPath("overrides", i)
		k.ref(s.at, childPath(op, "person"), "person", ov.Person, k.people)
		from, err1 := ParseLocalTime(ov.From, loc)
		if err1 != nil {
			k.add(s.at.problem(childPath(op, "from"), false, "%v", err1))
		}
		until, err2 := ParseLocalTime(ov.Until, loc)
		if err2 != nil {
			k.add(s.at.problem(childPath(op, "until"), false, "%v", err2))
		}
		if err1 == nil && err2 == nil && !until.After(from) {
			k.add(s.at.problem(childPath(op, "until"), false, "must be after from"))
		}
	}
}

// email requires a mail server for email channels. A person's email address
// may be there to identify them; without global.smtp it is not mailed.
func (k *checker) email() {
	if m := k.cfg.Global.SMTP; m != nil {
		// A password is only ever sent over TLS or to this machine: with tls
		// none or opportunistic a remote server (or whoever sits between)
		// would be offered it in clear, or be able to strip STARTTLS.
		if (m.Username != "" || !m.Password.IsZero() || m.PasswordFile != "") &&
			(m.TLS == "none" || m.TLS == "opportunistic") && !loopbackHost(m.Host) {
			k.add(k.cfg.globalAt.problem("smtp.tls", false,
				"%s would let the password cross the network unencrypted; use starttls or tls, or relay through localhost", m.TLS))
		}
		return
	}
	for _, c := range k.cfg.Channels {
		if c.Type == "email" {
			k.add(c.at.problem("type", false, "email channels need global.smtp"))
		}
	}
}

// loopbackHost reports whether host is this machine by name or address.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (k *checker) channel(c Channel) {
	switch c.Type {
	case "slack", "webhook":
		if c.URL.IsZero() {
			k.add(c.at.problem("url", true, "is required for %s channels (or url_file)", c.Type))
		}
	case "email":
		if len(c.To) == 0 {
			k.add(c.at.problem("to", true, "is required for email channels"))
		}
	}
	if c.Throttle != nil && c.Throttle.Per <= 0 {
		k.add(c.at.problem("throttle.per", false, "must be positive"))
	}
}

// timeInterval checks an interval with the compiler routing and on-call
// use, reporting each bad entry at its own position.
func (k *checker) timeInterval(t TimeInterval) {
	_, err := t.Compile(time.UTC)
	if err == nil {
		return
	}
	var list interface{ Unwrap() []error }
	errsOf := []error{err}
	if errors.As(err, &list) {
		errsOf = list.Unwrap()
	}
	for _, e := range errsOf {
		field, msg, _ := strings.Cut(e.Error(), ": ")
		k.add(t.at.problem(field, false, "%s", msg))
	}
}

// matchers checks Alertmanager-style matchers with Alertmanager's own parser.
func (k *checker) matchers(o origin, field string, ms []string) {
	for i, m := range ms {
		if _, err := labels.ParseMatcher(m); err != nil {
			k.add(o.problem(indexPath(field, i), false, "%q is not a matcher (name=\"value\", !=, =~ or !~): %v", m, err))
		}
	}
}

func (k *checker) route(o origin, path string, r *Route) {
	if r.Service != "" {
		k.ref(o, childPath(path, "service"), "service", r.Service, k.services)
	}
	if r.Escalation != "" {
		k.ref(o, childPath(path, "escalation"), "escalation", r.Escalation, k.escalations)
	}
	k.matchers(o, childPath(path, "matchers"), r.Matchers)
	for i, ti := range r.MuteTimeIntervals {
		k.ref(o, childPath(path, indexPath("mute_time_intervals", i)), "time interval", ti, k.intervals)
	}
	for i, ti := range r.ActiveTimeIntervals {
		k.ref(o, childPath(path, indexPath("active_time_intervals", i)), "time interval", ti, k.intervals)
	}
	for i := range r.Routes {
		k.route(o, childPath(path, indexPath("routes", i)), &r.Routes[i])
	}
}

// LocalTimeLayout is how local times are written in config.
const LocalTimeLayout = "2006-01-02T15:04:05"

// ParseLocalTime reads a wall-clock time in loc, such as 2026-11-27T22:00:00;
// an RFC 3339 time with its own offset is accepted too.
func ParseLocalTime(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{LocalTimeLayout, "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q (write 2006-01-02T15:04:05, local to the time zone)", s)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
