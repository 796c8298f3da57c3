package config

import (
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/secret"
)

// Runbook is an SOP as code: its doc reaches the responder, its steps can run.
// Only config says what runs; a caller can pass only the declared params.
type Runbook struct {
	ID      string          `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Title   string          `yaml:"title,omitempty"`
	Doc     string          `yaml:"doc,omitempty" jsonschema:"description=the SOP in Markdown"`
	Owner   string          `yaml:"owner,omitempty" jsonschema:"description=person/ID or team/ID paged when the circuit breaker opens"`
	Params  []Param         `yaml:"params,omitempty"`
	Secrets []RunbookSecret `yaml:"secrets,omitempty" jsonschema:"description=values for templates (.secrets.NAME) and step env; masked in every output"`
	On      []Trigger       `yaml:"on,omitempty"`
	Guard   *Guard          `yaml:"guard,omitempty"`
	// ResolveOnSuccess resolves the triggering alert when the run succeeds
	// and its last step is a passing check.
	ResolveOnSuccess bool          `yaml:"resolve_on_success,omitempty"`
	Steps            []RunbookStep `yaml:"steps,omitempty"`
	// Rollback steps run when a step fails and ends the run: they undo
	// what the steps before did. The run fails all the same.
	Rollback []RunbookStep `yaml:"rollback,omitempty" jsonschema:"description=steps run, in order, when a step fails and ends the run (a canary gate, say); they read the earlier steps as steps.ID; the run still fails"`

	at origin
}

// Param is a value a caller or trigger may pass; nothing else gets in.
type Param struct {
	Name       string   `yaml:"name" jsonschema:"required,pattern=^[A-Za-z_][A-Za-z0-9_]*$"`
	Type       string   `yaml:"type,omitempty" jsonschema:"enum=string,enum=int,enum=bool,enum=duration,enum=list,default=string"`
	Default    *string  `yaml:"default,omitempty" jsonschema:"description=used when the caller gives none; a param without one is required"`
	Enum       []string `yaml:"enum,omitempty" jsonschema:"description=the only values allowed"`
	Pattern    string   `yaml:"pattern,omitempty" jsonschema:"description=regular expression the whole value (each item of a list) must match"`
	AllowEmpty bool     `yaml:"allow_empty,omitempty" jsonschema:"description=a list may be empty (refused by default: an empty target list is a mistake)"`
	// AllowDash lets a value begin with "-". Without it (or a pattern or
	// enum that admits one) such a value is refused, because in an argv it
	// would be read as an option.
	AllowDash   bool   `yaml:"allow_dash,omitempty" jsonschema:"description=a value (each item of a list) may begin with - (refused by default: in an argv it would become an option)"`
	Description string `yaml:"description,omitempty"`
}

// RunbookSecret is a named secret value for a runbook.
type RunbookSecret struct {
	Name      string        `yaml:"name" jsonschema:"required,pattern=^[A-Za-z_][A-Za-z0-9_]*$"`
	Value     secret.String `yaml:"value,omitempty"`
	ValueFile string        `yaml:"value_file,omitempty"`
}

// Trigger starts a runbook: exactly one of alert, schedule, manual, webhook.
type Trigger struct {
	Alert    *AlertTrigger     `yaml:"alert,omitempty"`
	For      duration.Duration `yaml:"for,omitempty" jsonschema:"description=with alert: run only if the alert is still firing and unacknowledged this long after it fired"`
	Schedule *ScheduleTrigger  `yaml:"schedule,omitempty"`
	Manual   bool              `yaml:"manual,omitempty"`
	Webhook  *WebhookTrigger   `yaml:"webhook,omitempty"`
	// Params given to runs this trigger starts; values are templates over
	// .alert (labels, annotations, service, severity).
	Params map[string]string `yaml:"params,omitempty"`
}

// AlertTrigger matches the alerts that start a runbook.
type AlertTrigger struct {
	Check    string            `yaml:"check,omitempty" jsonschema:"description=service/check"`
	Match    map[string]string `yaml:"match,omitempty" jsonschema:"description=label equality"`
	Matchers []string          `yaml:"matchers,omitempty" jsonschema:"description=Alertmanager matchers, e.g. severity=~\"critical|error\""`
}

// ScheduleTrigger runs a runbook on a cron schedule.
type ScheduleTrigger struct {
	Cron     string `yaml:"cron" jsonschema:"required,description=five fields (minute hour day month weekday) or @daily, @hourly, @every 10m"`
	Timezone string `yaml:"timezone,omitempty" jsonschema:"description=default global.timezone"`
}

// WebhookTrigger lets another tool start a runbook with a key of its own.
type WebhookTrigger struct {
	Key     secret.String `yaml:"key,omitempty"`
	KeyFile string        `yaml:"key_file,omitempty"`
}

// Guard limits runs. It is enforced by the executor, whoever asks.
type Guard struct {
	MaxRuns         int               `yaml:"max_runs,omitempty" jsonschema:"minimum=0,description=at most this many runs per 'per' window (0: no limit)"`
	MaxRunsPerAlert int               `yaml:"max_runs_per_alert,omitempty" jsonschema:"minimum=0,description=at most this many runs for one alert per 'per' window"`
	Per             duration.Duration `yaml:"per,omitempty" jsonschema:"description=window for max_runs; default 1h"`
	Concurrency     int               `yaml:"concurrency,omitempty" jsonschema:"minimum=0,description=runs at once holding the same lock (0: no limit)"`
	Lock            string            `yaml:"lock,omitempty" jsonschema:"description=template naming what concurrency counts, e.g. {{ .params.host }}; default the runbook id"`
	Breaker         *Breaker          `yaml:"circuit_breaker,omitempty"`
	Window          *string           `yaml:"window,omitempty" jsonschema:"oneof_type=string;null,description=time interval id in which automatic runs are allowed; null for any time"`
	Approval        string            `yaml:"approval,omitempty" jsonschema:"enum=none,enum=required,default=none"`
	ApprovalIf      string            `yaml:"approval_if,omitempty" jsonschema:"description=expression over params and alert; approval is required when it holds, e.g. alert.severity == \"critical\" || params.environment == \"production\""`
	Approvers       []string          `yaml:"approvers,omitempty" jsonschema:"description=person/ID or team/ID allowed to approve; default anyone with the operate scope"`
	// DistinctApprover keeps whoever started a run from approving it, at
	// the guard's approval and at approve steps; nil means true.
	DistinctApprover *bool             `yaml:"distinct_approver,omitempty" jsonschema:"description=the person or token that started a run may not approve it (API or signed link); default true"`
	ApprovalTTL      duration.Duration `yaml:"approval_ttl,omitempty" jsonschema:"description=how long a run waits for approval; default 1h"`
	Confirm          string            `yaml:"confirm,omitempty" jsonschema:"description=template of the target's name the caller must type to run, e.g. {{ .params.project }}"`
}

// Breaker stops automatic runs after repeated failures.
type Breaker struct {
	Failures int               `yaml:"failures" jsonschema:"required,minimum=1"`
	Within   duration.Duration `yaml:"within" jsonschema:"required"`
	Cooldown duration.Duration `yaml:"cooldown,omitempty" jsonschema:"description=how long automatic runs stay off; default 'within'"`
}

// RunbookStep is one step of a runbook: exactly one kind (run, ssh, http,
// check, wait, approve, notify, cleanup, runbook) with common controls.
type RunbookStep struct {
	ID         string            `yaml:"id" jsonschema:"required,pattern=^[A-Za-z_][A-Za-z0-9_]*$"`
	If         string            `yaml:"if,omitempty" jsonschema:"description=expression over params, alert and earlier steps (steps.ID.ok, exit_code, stdout)"`
	OnFailure  string            `yaml:"on_failure,omitempty" jsonschema:"enum=abort,enum=continue,default=abort"`
	Retry      *Retry            `yaml:"retry,omitempty"`
	Timeout    duration.Duration `yaml:"timeout,omitempty" jsonschema:"description=default 5m (wait and approve: their own)"`
	Idempotent bool              `yaml:"idempotent,omitempty" jsonschema:"description=safe to run again when a restart interrupted it"`

	Run   []string          `yaml:"run,omitempty" jsonschema:"description=argv; each element is a template rendered to exactly one argument; no shell"`
	Shell string            `yaml:"shell,omitempty" jsonschema:"description=a shell script run with /bin/sh -c; only when written here"`
	Env   map[string]string `yaml:"env,omitempty"`
	Dir   string            `yaml:"dir,omitempty"`

	SSH     *SSHStep     `yaml:"ssh,omitempty"`
	HTTP    *HTTPStep    `yaml:"http,omitempty"`
	Check   string       `yaml:"check,omitempty" jsonschema:"description=service/check to run now; the step passes when it passes"`
	Wait    *WaitStep    `yaml:"wait,omitempty"`
	Approve *ApproveStep `yaml:"approve,omitempty"`
	Notify  []string     `yaml:"notify,omitempty" jsonschema:"description=person/ID, team/ID, schedule/ID or channel/ID"`
	Message string       `yaml:"message,omitempty" jsonschema:"description=with notify: the text (a template)"`
	Cleanup *CleanupStep `yaml:"cleanup,omitempty"`
	Runbook *CallStep    `yaml:"runbook,omitempty"`

	Expect []string `yaml:"expect,omitempty" jsonschema:"description=with http: conditions like a check's (status, body, json, duration)"`
}

// Retry runs a failed step again.
type Retry struct {
	Count   int               `yaml:"count" jsonschema:"required,minimum=1"`
	Delay   duration.Duration `yaml:"delay,omitempty" jsonschema:"description=before the first retry; default 1s"`
	Backoff float64           `yaml:"backoff,omitempty" jsonschema:"minimum=1,description=each delay is the last times this; default 1"`
}

// SSHStep runs a command on another machine.
type SSHStep struct {
	Host       string   `yaml:"host" jsonschema:"required,description=host or host:port (a template)"`
	User       string   `yaml:"user" jsonschema:"required"`
	KeyFile    string   `yaml:"key_file" jsonschema:"required"`
	KnownHosts string   `yaml:"known_hosts" jsonschema:"required,description=known_hosts file the host key must be in"`
	Command    []string `yaml:"command" jsonschema:"required,description=argv; each element is quoted for the remote shell"`
}

// HTTPStep sends one request.
type HTTPStep struct {
	URL     string            `yaml:"url" jsonschema:"required"`
	Method  string            `yaml:"method,omitempty" jsonschema:"default=GET"`
	Headers map[string]string `yaml:"headers,omitempty"`
	Body    string            `yaml:"body,omitempty"`
}

// WaitStep pauses: for a duration, or until a condition or check passes.
// With For it is a gate instead: the check or condition must hold at
// every look for that long, and the step fails the first time it does not.
type WaitStep struct {
	Duration duration.Duration `yaml:"duration,omitempty"`
	Until    string            `yaml:"until,omitempty" jsonschema:"description=expression over params, alert and steps, checked every 'every'"`
	Check    string            `yaml:"check,omitempty" jsonschema:"description=service/check run every 'every' until it passes"`
	Every    duration.Duration `yaml:"every,omitempty" jsonschema:"description=default 10s"`
	For      duration.Duration `yaml:"for,omitempty" jsonschema:"description=with check or until (or both): a gate; the check must pass (the condition hold) at every look for this long, and the step fails the first time it does not"`
}

// ApproveStep pauses until an authorised person approves.
type ApproveStep struct {
	Approvers []string          `yaml:"approvers,omitempty" jsonschema:"description=person/ID or team/ID; default anyone with the operate scope"`
	TTL       duration.Duration `yaml:"ttl,omitempty" jsonschema:"description=how long to wait; default 1h"`
	Message   string            `yaml:"message,omitempty"`
	Notify    []string          `yaml:"notify,omitempty" jsonschema:"description=who is asked, with a signed approve link"`
}

// CleanupStep deletes or compresses old files, the daily log clean-up.
type CleanupStep struct {
	Path            string            `yaml:"path" jsonschema:"required,description=directory (a template)"`
	Glob            string            `yaml:"glob,omitempty" jsonschema:"description=file names to consider; default *"`
	OlderThan       duration.Duration `yaml:"older_than,omitempty" jsonschema:"description=only files last modified before this"`
	Compress        bool              `yaml:"compress,omitempty" jsonschema:"description=gzip instead of deleting"`
	KeepFreePercent float64           `yaml:"keep_free_percent,omitempty" jsonschema:"minimum=0,maximum=100,description=stop once the file system has this much free (oldest files first)"`
}

// CallStep runs another runbook.
type CallStep struct {
	ID     string            `yaml:"id" jsonschema:"required"`
	Params map[string]string `yaml:"params,omitempty"`
}

// Kind is the step's kind, or "" when it has none.
func (s *RunbookStep) Kind() string {
	switch {
	case len(s.Run) > 0:
		return "run"
	case s.Shell != "":
		return "shell"
	case s.SSH != nil:
		return "ssh"
	case s.HTTP != nil:
		return "http"
	case s.Check != "":
		return "check"
	case s.Wait != nil:
		return "wait"
	case s.Approve != nil:
		return "approve"
	case len(s.Notify) > 0:
		return "notify"
	case s.Cleanup != nil:
		return "cleanup"
	case s.Runbook != nil:
		return "runbook"
	}
	return ""
}

// Kinds lists how many step kinds s sets.
func (s *RunbookStep) Kinds() int {
	n := 0
	for _, set := range []bool{len(s.Run) > 0, s.Shell != "", s.SSH != nil, s.HTTP != nil, s.Check != "", s.Wait != nil,
		s.Approve != nil, len(s.Notify) > 0, s.Cleanup != nil, s.Runbook != nil} {
		if set {
			n++
		}
	}
	return n
}

// Distinct reports whether whoever started a run is kept from approving it:
// true unless the guard says distinct_approver: false.
func (g *Guard) Distinct() bool {
	return g == nil || g.DistinctApprover == nil || *g.DistinctApprover
}
