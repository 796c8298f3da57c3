package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func env(vars map[string]string) Options {
	return Options{LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
}

func noEnv() Options { return env(nil) }

// TestBadConfigs pins the exact problems reported for each broken fixture.
func TestBadConfigs(t *testing.T) {
	cases := []struct {
		file string
		want string
	}{
		{"conf.unknown-field.yml", `
testdata/conf.unknown-field.yml:6:9: services[0].checks[0].expcet: unknown field "expcet" (did you mean "expect"?)
testdata/conf.unknown-field.yml:7:9: services[0].checks[0].colour: unknown field "colour"`},
		{"conf.bad-duration.yml", `
testdata/conf.bad-duration.yml:6:16: services[0].checks[0].every: invalid duration "30 sec" (use a number and a unit: ms, s, m, h, d, w, e.g. 30s, 5m, 14d)
testdata/conf.bad-duration.yml:7:18: services[0].checks[0].timeout: expected a duration such as 30s, 5m or 14d, got number`},
		{"conf.wrong-type.yml", `
testdata/conf.wrong-type.yml:6:21: services[0].checks[0].fail_after: expected an integer, got string
testdata/conf.wrong-type.yml:7:17: services[0].checks[0].expect: expected an array, got string
testdata/conf.wrong-type.yml:8:19: services[0].checks[0].severity: "urgent" is not one of critical, error, warning, info`},
		{"conf.bad-expression.yml", `
testdata/conf.bad-expression.yml:7:20: services[0].checks[0].expect[0]: invalid operation: == (mismatched types int and string)
testdata/conf.bad-expression.yml:8:33: services[0].checks[0].expect[1]: unknown name stauts
testdata/conf.bad-expression.yml:9:30: services[0].checks[0].warn[0]: unexpected token Identifier("seconds")
testdata/conf.bad-expression.yml:13:27: services[0].checks[1].expect[0]: invalid operation: < (mismatched types int and string)`},
		{"conf.unknown-refs.yml", `
testdata/conf.unknown-refs.yml:4:32: teams[0].members[1]: unknown person "jon" (known: thach)
testdata/conf.unknown-refs.yml:8:18: escalations[0].steps[0].notify[0]: unknown schedule "sre-primary" (none are defined)
testdata/conf.unknown-refs.yml:8:50: escalations[0].steps[0].notify[2]: "pager/thach" must be written as KIND/ID with KIND one of schedule, team, person, channel
testdata/conf.unknown-refs.yml:11:12: services[0].owner: unknown team "platform" (known: sre)
testdata/conf.unknown-refs.yml:12:17: services[0].escalation: unknown escalation "sre-urgent" (known: sre-default)
testdata/conf.unknown-refs.yml:13:20: services[0].stakeholders[0]: unknown person "susan" (known: thach)
testdata/conf.unknown-refs.yml:17:18: services[0].checks[0].runbook: unknown runbook "app-down" (known: dns-failover)
testdata/conf.unknown-refs.yml:21:25: runbooks[0].on[0].alert.check: unknown check "shop/dns1" (write service/check)
testdata/conf.unknown-refs.yml:23:29: runbooks[0].steps[0].check: unknown check "shop/dns2" (write service/check)`},
		{"conf.check-shape.yml", `
testdata/conf.check-shape.yml:6:9: services[0].checks[0].tcp: a check has exactly one kind, this one has http and tcp
testdata/conf.check-shape.yml:7:11: services[0].checks[1]: needs one of http, tcp, dns, tls, disk, log, command, heartbeat, prometheus
testdata/conf.check-shape.yml:12:18: services[0].checks[2].timeout: 30s is longer than every (10s); a probe must end before the next starts
testdata/conf.check-shape.yml:13:11: services[0].checks[3].every: is required for heartbeat checks: how often the job reports
testdata/conf.check-shape.yml:15:13: services[0].checks[4].id: duplicate check id "slow" in service "shop" (first at checks[2])
testdata/conf.check-shape.yml:16:24: services[0].checks[4].tcp.address: must be host:port: address no-port: missing port in address
testdata/conf.check-shape.yml:17:9: services[0].checks[4].window: applies to log checks only`},
		{"conf.kind-fields.yml", `
testdata/conf.kind-fields.yml:4:31: services[0].checks[0].http.url: must start with http:// or https://
testdata/conf.kind-fields.yml:4:61: services[0].checks[0].http.method: is not a valid HTTP method
testdata/conf.kind-fields.yml:5:57: services[0].checks[1].dns.name: is required, e.g. shop.example
testdata/conf.kind-fields.yml:5:67: services[0].checks[1].dns.type: is not a DNS record type (such as A, AAAA, CNAME, MX, NS, TXT)
testdata/conf.kind-fields.yml:6:47: services[0].checks[2].log.match: is not a valid regular expression: missing closing ): ` + "`Error(`" + `
testdata/conf.kind-fields.yml:7:34: services[0].checks[3].command.run: needs at least 1 item(s)`},
		{"conf.duplicate-ids.yml", `
testdata/conf.duplicate-ids.yml:3:9: services[1].id: duplicate id "shop" (first defined at testdata/conf.duplicate-ids.yml:2:9)
testdata/conf.duplicate-ids.yml:6:10: people[1].id: duplicate id "thach" (first defined at testdata/conf.duplicate-ids.yml:5:10)`},
		{"conf.env-missing.yml", `
testdata/conf.env-missing.yml:2:39: channels[0].url: environment variable SLACK_WEBHOOK_UNSET is not set (write ${SLACK_WEBHOOK_UNSET:-default} for a fallback)`},
		{"conf.syntax.yml", `
testdata/conf.syntax.yml:5:8: YAML: value is not allowed in this context`},
		{"conf.secret-both.yml", `
testdata/conf.secret-both.yml:2:30: tokens[0].secret_file: set either secret or secret_file, not both
testdata/conf.secret-both.yml:3:28: tokens[1].secret_file: cannot read secret file: open testdata/missing.token: no such file or directory
testdata/conf.secret-both.yml:3:61: tokens[1].scopes[1]: "superuser" is not one of read, respond, operate, admin
testdata/conf.secret-both.yml:4:5: tokens[2].secret: is required (or secret_file)`},
		{"conf.credentials.yml", `
testdata/conf.credentials.yml:2:16: global.link_secret: is 2 bytes; it must be at least 32 (e.g. from openssl rand -base64 32), or leave it out and Vigil makes one
testdata/conf.credentials.yml:4:35: people[0].contacts.slack: must be an http:// or https:// URL (it is file:)
testdata/conf.credentials.yml:4:66: people[0].contacts.webhook: must be an http:// or https:// URL (it has no scheme)
testdata/conf.credentials.yml:6:35: channels[0].url: must be an http:// or https:// URL (it is gopher:)
testdata/conf.credentials.yml:10:25: tokens[1].secret: this token is the same secret as the token at testdata/conf.credentials.yml:9:26; every token and key must be unique
testdata/conf.credentials.yml:13:39: integrations[1].key: this integration key is the same secret as the integration key at testdata/conf.credentials.yml:12:39; every token and key must be unique
testdata/conf.credentials.yml:14:36: integrations[2].key: this integration key is the same secret as the token at testdata/conf.credentials.yml:9:26; every token and key must be unique
testdata/conf.credentials.yml:20:38: services[0].checks[2].heartbeat.key: this heartbeat key is the same secret as the integration key at testdata/conf.credentials.yml:12:39; every token and key must be unique`},
		{"conf.missing-required.yml", `
testdata/conf.missing-required.yml:2:9: services[0].id: is required
testdata/conf.missing-required.yml:4:13: services[0].checks[0].id: is required
testdata/conf.missing-required.yml:7:15: schedules[0].timezone: unknown time zone "Mars/Olympus"
testdata/conf.missing-required.yml:8:39: schedules[0].rotations[0].members: needs at least 1 item(s)
testdata/conf.missing-required.yml:8:51: schedules[0].rotations[0].length: must be positive
testdata/conf.missing-required.yml:8:62: schedules[0].rotations[0].start: invalid time "next monday" (write 2006-01-02T15:04:05, local to the time zone)
testdata/conf.missing-required.yml:10:27: people[0].timezone: unknown time zone "Moon/Tranquility"`},
		{"conf.runbooks.yml", `
testdata/conf.runbooks.yml:5:64: runbooks[0].params[0].default: "qa" is not one of staging, production
testdata/conf.runbooks.yml:7:25: runbooks[0].on[0].alert.check: unknown check "shop/db" (write service/check)
testdata/conf.runbooks.yml:8:27: runbooks[0].on[1].schedule.cron: end of range (61) above maximum (59): 61
testdata/conf.runbooks.yml:9:9: runbooks[0].on[2]: set exactly one of alert, schedule, manual, webhook (found 2)
testdata/conf.runbooks.yml:10:10: runbooks[0].on[3].webhook.key: is required (or key_file)
testdata/conf.runbooks.yml:11:39: runbooks[0].guard.approval_if: unexpected token EOF
testdata/conf.runbooks.yml:11:51: runbooks[0].guard.window: unknown time interval "nights" (none are defined)
testdata/conf.runbooks.yml:13:29: runbooks[0].steps[0].run[1]: template: 1: unclosed action
testdata/conf.runbooks.yml:14:9: runbooks[0].steps[1]: set exactly one of run, shell, ssh, http, check, wait, approve, notify, cleanup, runbook (found 2)
testdata/conf.runbooks.yml:14:34: runbooks[0].steps[1].if: unexpected token EOF
testdata/conf.runbooks.yml:15:9: runbooks[0].steps[2]: set exactly one of run, shell, ssh, http, check, wait, approve, notify, cleanup, runbook (found 0)
testdata/conf.runbooks.yml:16:49: runbooks[0].steps[3].cleanup.glob: must be a file name pattern, without / (the step never leaves its directory)
testdata/conf.runbooks.yml:17:26: runbooks[0].steps[4].notify[0]: unknown person "nobody" (none are defined)
testdata/conf.runbooks.yml:20:31: runbooks[1].params[0].default: "-oProxyCommand=x" begins with "-" and would be read as an option; the param allows that only with allow_dash: true or a pattern or enum that admits it
testdata/conf.runbooks.yml:23:25: runbooks[1].on[0].params: applies to alert, schedule and webhook triggers; a run by hand passes its own params (give the param a default instead)`},
		{"conf.ranges.yml", `
testdata/conf.ranges.yml:2:26: global.max_concurrent_checks: must be at least 1
testdata/conf.ranges.yml:3:27: global.http.max_connections: must be at least 0
testdata/conf.ranges.yml:3:45: global.http.idle_timeout: must be a positive duration such as 30s, 5m or 14d
testdata/conf.ranges.yml:3:71: global.http.read_header_timeout: must not be longer than read_timeout
testdata/conf.ranges.yml:4:29: global.delivery.max_retry_age: must be at least 1m: a short outage of a channel must not lose pages
testdata/conf.ranges.yml:4:49: global.delivery.max_in_flight: must be at least 2
testdata/conf.ranges.yml:5:39: global.cluster.lease_ttl: must be at least 3 heartbeats (6s): one late beat must not lose the lease
testdata/conf.ranges.yml:6:91: global.smtp.tls: none would let the password cross the network unencrypted; use starttls or tls, or relay through localhost
testdata/conf.ranges.yml:9:22: services[0].slo.objective: must be less than 100
testdata/conf.ranges.yml:11:52: services[0].checks[0].fail_after: must be at least 1
testdata/conf.ranges.yml:11:70: services[0].checks[0].recover_after: must be at least 1
testdata/conf.ranges.yml:11:90: services[0].checks[0].flapping.low: must be at most 100
testdata/conf.ranges.yml:12:52: services[0].checks[1].http.max_body: must be at least 1
testdata/conf.ranges.yml:13:39: services[0].checks[2].every: must be at least 1s
testdata/conf.ranges.yml:13:46: services[0].checks[2].timeout: does not apply to heartbeat checks; use grace for late reports`},
		{"conf.slos.yml", `
testdata/conf.slos.yml:3:5: services[0].slo: set slo or slos, not both: move it into slos as {id: availability, objective: 99.9, window: 30d, availability: {}}
testdata/conf.slos.yml:5:32: services[0].slos[0].objective: must be less than 100
testdata/conf.slos.yml:5:67: services[0].slos[0].availability.checks[1]: unknown check "nope" in service "shop" (known: home)
testdata/conf.slos.yml:6:14: services[0].slos[1].id: duplicate SLO id "avail" in service "shop" (first at slos[0])
testdata/conf.slos.yml:6:46: services[0].slos[1].window: 2d is shorter than the longest burn-rate alert window (3d); lengthen it, or set alerting.windows
testdata/conf.slos.yml:7:72: services[0].slos[2].latency.threshold: must be positive, e.g. 300ms
testdata/conf.slos.yml:7:77: services[0].slos[2].events: an SLO has exactly one SLI, this one has latency and events
testdata/conf.slos.yml:12:16: services[0].slos[3].prometheus.url: must start with http:// or https://
testdata/conf.slos.yml:13:76: services[0].slos[3].prometheus.good: PromQL: unclosed left parenthesis
testdata/conf.slos.yml:14:68: services[0].slos[3].prometheus.total: PromQL: unexpected end of input in grouping opts, expected "("
testdata/conf.slos.yml:15:36: services[0].slos[4].calendar: set window (rolling) or calendar, not both
testdata/conf.slos.yml:15:63: services[0].slos[4].timezone: unknown time zone "Mars/Olympus"
testdata/conf.slos.yml:16:9: services[0].slos[5]: needs an SLI: one of availability, latency, prometheus, events
testdata/conf.slos.yml:23:49: services[0].slos[6].alerting.windows[0].short: must be shorter than long (1h)
testdata/conf.slos.yml:24:15: services[0].slos[6].alerting.windows[1]: set budget_percent or factor (one of them)`},
		{"conf.auth.yml", `
testdata/conf.auth.yml:2:31: people[0].password_hash: is not an argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash) or a bcrypt hash; make one with "vigil user passwd"
testdata/conf.auth.yml:5:40: auth.session.max_age: is shorter than session.idle_timeout (8d)
testdata/conf.auth.yml:6:3: auth.oidc.client_secret: is required (or client_secret_file)
testdata/conf.auth.yml:6:18: auth.oidc.issuer: must be an http(s) URL, like https://accounts.google.com
testdata/conf.auth.yml:6:75: auth.oidc.redirect_path: must be a path starting with /
testdata/conf.auth.yml:8:14: auth.access[0].team: unknown team "ops" (known: sre)
testdata/conf.auth.yml:9:7: auth.access[1]: set exactly one of person, team, oidc_group (found 2)
testdata/conf.auth.yml:9:42: auth.access[1].scopes[0]: "root" is not one of read, respond, operate, admin`},
		{"conf.deploy.yml", `
testdata/conf.deploy.yml:6:59: services[0].checks[0].acceptance: expected a boolean, got string
testdata/conf.deploy.yml:8:21: services[0].deploy.verify[1]: unknown check "home" in service "shop" (known: web)
testdata/conf.deploy.yml:9:22: services[0].deploy.verify_within: must be at most 1d
testdata/conf.deploy.yml:10:19: services[0].deploy.on_failure: unknown runbook "rollbak" (known: rollback)
testdata/conf.deploy.yml:11:31: services[0].deploy.promote_from[1]: must not be empty
testdata/conf.deploy.yml:12:25: services[0].deploy.freeze[1]: "night" names both a time interval and a maintenance window; rename one
testdata/conf.deploy.yml:12:32: services[0].deploy.freeze[2]: unknown time interval or maintenance window "holidays" (known: night, weekend)
testdata/conf.deploy.yml:14:26: services[1].deploy.on_failure: "rollback" must be written as runbook/ID
testdata/conf.deploy.yml:14:51: services[1].deploy.verify_within: expected a duration such as 30s, 5m or 14d, got number`},
		{"conf.gate.yml", `
testdata/conf.gate.yml:5:43: runbooks[0].steps[0].wait.for: applies with check or until: a gate holds them for this long
testdata/conf.gate.yml:6:61: runbooks[0].steps[1].timeout: 5m is shorter than wait.for (10m)
testdata/conf.gate.yml:7:23: runbooks[0].steps[2].wait: set exactly one of duration, until, check (a gate, with for, may hold both check and until)
testdata/conf.gate.yml:10:14: runbooks[0].rollback[0].id: duplicate step id "a"
testdata/conf.gate.yml:11:31: runbooks[0].rollback[1].wait.check: unknown check "shop/api" (write service/check)
testdata/conf.gate.yml:13:15: runbooks[1].rollback: a runbook without steps has nothing to roll back`},
		{"dir", `
testdata/dir/10-services.yaml:5:61: services[0].checks[0].runbook: unknown runbook "db-down" (none are defined)
testdata/dir/20-people.yml:8:9: services[0].id: duplicate id "shop" (first defined at testdata/dir/10-services.yaml:2:9)`},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			cfg, err := Load(filepath.Join("testdata", c.file), noEnv())
			if cfg != nil {
				t.Fatal("a broken config was returned")
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %T %v, want Problems", err, err)
			}
			if got, want := err.Error(), strings.TrimPrefix(c.want, "\n"); got != want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestUntrustedParamWarnings: params that alert labels or webhook callers
// fill in, with neither pattern nor enum, load with a located warning;
// typed, patterned, enumerated and fixed params do not.
func TestUntrustedParamWarnings(t *testing.T) {
	cfg, err := Load("testdata/conf.untrusted-params.yml", noEnv())
	if err != nil {
		t.Fatal(err)
	}
	want := `testdata/conf.untrusted-params.yml:7:9: runbooks[0].params[0]: param "host" is filled from alert labels (on[0].params.host) and has neither pattern nor enum, so any text a sender chooses reaches the steps; add a pattern that says what a value may be, e.g. pattern: '[A-Za-z0-9][A-Za-z0-9.-]*'
testdata/conf.untrusted-params.yml:18:9: runbooks[1].params[0]: param "version" is filled from webhook requests (on[0]) and has neither pattern nor enum, so any text a sender chooses reaches the steps; add a pattern that says what a value may be, e.g. pattern: '[A-Za-z0-9][A-Za-z0-9.-]*'`
	if got := cfg.Warnings.Error(); got != want {
		t.Fatalf("warnings:\n%s\nwant:\n%s", got, want)
	}
	good, err := Load("testdata/conf.good.yml", goodEnv())
	if err != nil || len(good.Warnings) != 0 {
		t.Fatalf("the design's config: %v %v", err, good.Warnings)
	}
}

func goodEnv() Options {
	return env(map[string]string{
		"SLACK_THACH":    "https://hooks.slack.com/services/T0/B0/thach-secret",
		"SLACK_WEBHOOK":  "https://hooks.slack.com/services/T0/B0/team-secret",
		"PD_ROUTING_KEY": "R0UTINGKEY",
	})
}

func TestDesignContractLoads(t *testing.T) {
	cfg, err := Load("testdata/conf.good.yml", goodEnv())
	if err != nil {
		t.Fatal(err)
	}
	shop := cfg.Services[0]
	if shop.ID != "shop" || len(shop.Checks) != 9 || shop.SLO.Objective != 99.9 || shop.SLO.Window.D() != 30*24*time.Hour {
		t.Fatalf("shop: %+v", shop)
	}
	byID := map[string]*Check{}
	for i := range shop.Checks {
		byID[shop.Checks[i].ID] = &shop.Checks[i]
	}
	home := byID["homepage"]
	if home.Kind() != "http" || home.Key() != "shop/homepage" || home.FailAfter != 3 || home.RecoverAfter != 2 ||
		home.Every.D() != 30*time.Second || home.Timeout.D() != 5*time.Second || home.Severity != "critical" {
		t.Fatalf("homepage: %+v", home)
	}
	if expect, _ := home.Conditions(); len(expect) != 3 || !home.Uses("json") || home.Uses("body") {
		t.Fatalf("homepage conditions: %d, uses json %v", len(expect), home.Uses("json"))
	}
	// Defaults: network kinds confirm a failure, heartbeat/log/disk fail at once.
	if d := byID["dns1"]; d.Every.D() != time.Minute || d.Timeout.D() != 10*time.Second || d.FailAfter != 2 || d.RecoverAfter != 1 || d.Severity != "error" {
		t.Fatalf("dns1 defaults: every %v timeout %v fail_after %d", d.Every, d.Timeout, d.FailAfter)
	}
	if hb := byID["order-processor"]; hb.FailAfter != 1 || hb.Grace.D() != 10*time.Minute || hb.Timeout != 0 {
		t.Fatalf("heartbeat defaults: %+v", hb)
	}
	if db := byID["db"]; len(db.Expect) != 0 || db.Flapping.Low != 25 || db.Flapping.High != 30 {
		t.Fatalf("tcp defaults: %+v %+v", db.Expect, db.Flapping)
	}
	if c := byID["processor-alive"]; strings.Join(c.Expect, ",") != "exit_code == 0" {
		t.Fatalf("command default expect: %v", c.Expect)
	}
	// Secrets from env and from files.
	if got := cfg.People[0].Contacts.Slack.Reveal(); got != "https://hooks.slack.com/services/T0/B0/thach-secret" {
		t.Fatalf("slack from env: %q", got)
	}
	if got := cfg.Tokens[0].Secret.Reveal(); got != "cli-token-456" {
		t.Fatalf("token from file: %q", got)
	}
	if got := cfg.Integrations[0].Key.Reveal(); got != "am-key-123" {
		t.Fatalf("key from file: %q", got)
	}
	if got := cfg.Channels[1].Secret.Reveal(); got != "hook-secret" {
		t.Fatalf("channel secret from file: %q", got)
	}
	if cfg.Global.Listen != ":8080" || cfg.Global.ResultsPerCheck != DefaultResultsPerCheck || cfg.Global.MaxConcurrentChecks != DefaultMaxConcurrentChecks {
		t.Fatalf("global: %+v", cfg.Global)
	}
	if len(cfg.Runbooks[2].Steps) != 6 || cfg.Runbooks[2].Guard.Window != nil {
		t.Fatalf("runbook: %+v", cfg.Runbooks[2])
	}
}

func TestDumpRedactsSecrets(t *testing.T) {
	cfg, err := Load("testdata/conf.good.yml", goodEnv())
	if err != nil {
		t.Fatal(err)
	}
	out, err := Dump(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"thach-secret", "team-secret", "R0UTINGKEY", "cli-token-456", "am-key-123", "hook-secret"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("dump contains secret %q", secret)
		}
	}
	for _, want := range []string{"<redacted>", "every: 1m", "fail_after: 2", "timeout: 10s", "expect:", "status == 200"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dump lacks %q", want)
		}
	}
	// The dump is itself a loadable config once secrets are put back (each
	// its own, usable as a URL too).
	n := 0
	redacted := regexp.MustCompile("<redacted>").ReplaceAllStringFunc(string(out), func(string) string {
		n++
		return fmt.Sprintf("https://example.com/secret-%d", n)
	})
	if _, err := Parse("dump.yml", []byte(redacted), Options{BaseDir: "testdata"}); err != nil {
		t.Fatalf("dump does not load back: %v", err)
	}
}

func TestFlappingDefaultsFillOnlyWhatIsMissing(t *testing.T) {
	cfg, err := Parse("f.yml", []byte(`
services:
  - id: s
    checks:
      - {id: high, tcp: {address: "h:1"}, flapping: {high: 50}}
      - {id: low, tcp: {address: "h:1"}, flapping: {low: 40}}
`), noEnv())
	if err != nil {
		t.Fatal(err)
	}
	if f := cfg.Services[0].Checks[0].Flapping; f.Low != 25 || f.High != 50 {
		t.Errorf("only high set: %+v", f)
	}
	if f := cfg.Services[0].Checks[1].Flapping; f.Low != 40 || f.High != 40 {
		t.Errorf("only low set: %+v", f)
	}
}

func TestEnvExpansion(t *testing.T) {
	src := `
services:
  - id: "${SVC}"
    name: "cost $5, ${NAME:-default name}, literal $${NOT_EXPANDED}"
    checks:
      - {id: hb, heartbeat: {key: "${HB_KEY}"}, every: "${EVERY:-1h}"}
`
	cfg, err := Parse("inline.yml", []byte(src), env(map[string]string{"SVC": "shop", "HB_KEY": "k3y"}))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Services[0]
	if s.ID != "shop" || s.Name != "cost $5, default name, literal ${NOT_EXPANDED}" {
		t.Fatalf("expanded: %q %q", s.ID, s.Name)
	}
	if s.Checks[0].Heartbeat.Key.Reveal() != "k3y" || s.Checks[0].Every.D() != time.Hour {
		t.Fatalf("check: %+v", s.Checks[0])
	}
	// A value cannot inject YAML structure.
	cfg, err = Parse("inline.yml", []byte(src), env(map[string]string{"SVC": "shop\n  - id: evil", "HB_KEY": "k"}))
	if err == nil && len(cfg.Services) != 1 {
		t.Fatal("an environment value added a service")
	}
}

func TestDirectoryMergesFilesInOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", "global: {listen: ':9999'}\nservices:\n  - {id: a, owner: sre}\n")
	write("b.yml", "teams:\n  - {id: sre}\nservices:\n  - id: b\n    checks: [{id: up, tcp: {address: 'localhost:1'}}]\n")
	write("c.txt", "not: [yaml")
	cfg, err := Load(dir, noEnv())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Global.Listen != ":9999" || len(cfg.Services) != 2 || cfg.Services[1].Checks[0].Key() != "b/up" || len(cfg.Files) != 2 {
		t.Fatalf("merged: %+v files %v", cfg.Services, cfg.Files)
	}
	write("d.yaml", "global: {timezone: UTC}\n")
	_, err = Load(dir, noEnv())
	if err == nil || !strings.Contains(err.Error(), "d.yaml:1:1: global: global is already set in "+filepath.Join(dir, "a.yaml")) {
		t.Fatalf("second global: %v", err)
	}
}

func TestProblemsNeverShowSecrets(t *testing.T) {
	// A secret expanded into a field with a pattern must not be echoed back.
	src := "services:\n  - id: \"${TOKEN}\"\n"
	_, err := Parse("inline.yml", []byte(src), env(map[string]string{"TOKEN": "s3cr3t value!"}))
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("error leaks the value or is missing: %v", err)
	}
}

func TestEmptyAndMultiDocument(t *testing.T) {
	cfg, err := Parse("empty.yml", []byte("# nothing yet\n"), noEnv())
	if err != nil || len(cfg.Services) != 0 || cfg.Global.Store.Reveal() != DefaultStore {
		t.Fatalf("empty config: %v %+v", err, cfg)
	}
	// It loads, named as empty and warned about: most often a file
	// emptied by mistake (a reload refuses it; see the app's tests).
	if fmt.Sprint(cfg.EmptyFiles()) != "[empty.yml]" || !strings.Contains(cfg.Warnings.Error(), "empty.yml:1:1: the file is empty (no YAML document)") {
		t.Fatalf("empty config: EmptyFiles() %v, warnings %q", cfg.EmptyFiles(), cfg.Warnings.Error())
	}
	if none, err := Parse("none.yml", []byte("services: []\n"), noEnv()); err != nil || len(none.EmptyFiles()) != 0 || len(none.Warnings) != 0 {
		t.Fatalf("an explicit empty list: %v, EmptyFiles() %v, warnings %v", err, none.EmptyFiles(), none.Warnings)
	}
	// A byte order mark, as some editors write, is not part of the first key.
	if bom, err := Parse("bom.yml", []byte("\ufeffservices:\n  - id: shop\n"), noEnv()); err != nil || len(bom.Services) != 1 {
		t.Fatalf("a file starting with a byte order mark: %v", err)
	}
	_, err = Parse("multi.yml", []byte("services: []\n---\nservices: []\n"), noEnv())
	if err == nil || !strings.Contains(err.Error(), "multi.yml:2:1: only one YAML document per file") {
		t.Fatalf("multi-document: %v", err)
	}
}

func TestSchemaIsValidJSONAndStrict(t *testing.T) {
	var s map[string]any
	if err := json.Unmarshal(Schema(), &s); err != nil {
		t.Fatal(err)
	}
	defs := s["$defs"].(map[string]any)
	for _, name := range []string{"Config", "Service", "Check", "Duration", "HttpcheckSpec", "LogcheckSpec"} {
		if defs[name] == nil {
			t.Errorf("schema lacks %s", name)
		}
	}
	if defs["Check"].(map[string]any)["additionalProperties"] != false {
		t.Error("checks must reject unknown fields")
	}
}

func TestSameProbe(t *testing.T) {
	load := func() *Check {
		cfg, err := Load("testdata/conf.good.yml", goodEnv())
		if err != nil {
			t.Fatal(err)
		}
		return &cfg.Services[0].Checks[0]
	}
	a := load()
	cases := []struct {
		name string
		edit func(*Check)
		same bool
	}{
		{"loaded twice", func(*Check) {}, true},
		{"renamed and relabelled", func(c *Check) { c.Name, c.Severity, c.Labels = "Home", "info", map[string]string{"x": "y"} }, true},
		{"other URL", func(c *Check) { c.HTTP.URL = "http://elsewhere/" }, false},
		{"other interval", func(c *Check) { c.Every *= 2 }, false},
		{"no longer reads json", func(c *Check) { c.uses = map[string]bool{"status": true} }, false},
	}
	for _, tc := range cases {
		b := load()
		tc.edit(b)
		if got := a.SameProbe(b); got != tc.same {
			t.Errorf("%s: SameProbe = %v", tc.name, got)
		}
	}
}

func TestAliasBombIsRefused(t *testing.T) {
	src := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		src += n + ": &" + n + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = n
	}
	// CPU time, not wall time: a loaded machine must not fail this. Fully
	// expanded, the document would take minutes of CPU; refused, a second.
	before := cpuTime(t)
	_, err := Parse("bomb.yml", []byte(src), noEnv())
	if err == nil || !strings.Contains(err.Error(), "expands to more than") {
		t.Fatalf("alias bomb: %v", err)
	}
	if d := cpuTime(t) - before; d > 10*time.Second {
		t.Fatalf("refusing took %v of CPU", d)
	}
}

// cpuTime is the CPU this process has used so far.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// FuzzLoad feeds the loader mutated configs: it must never panic or hang, and
// every problem must carry a location. Loading takes milliseconds, so give
// minimisation a short budget, as scripts/fuzz.sh does; with Go's default of
// a minute per new input the fuzzer seems to hang:
//
//	go test -run '^$' -fuzz '^FuzzLoad$' -fuzzminimizetime 10s -fuzztime 2m ./internal/config/
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/conf.*.yml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var cfg *Config
		var err error
		done := make(chan struct{})
		go func() { cfg, err = Parse("fuzz.yml", data, noEnv()); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			t.Fatalf("loading took over 3s: %q", data)
		}
		if err == nil {
			if cfg == nil {
				t.Fatal("nil config without error")
			}
			return
		}
		var ps Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				if p.File != "fuzz.yml" || p.Line < 1 || p.Column < 1 || p.Message == "" {
					t.Fatalf("problem without a location or message: %+v", p)
				}
			}
		}
	})
}
