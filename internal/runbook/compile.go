package runbook

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/robfig/cron/v3"

	"github.com/vigil-sre/vigil/internal/check/cond"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/runbook/sshstep"
	"github.com/vigil-sre/vigil/internal/runbook/tmpl"
)

// Defaults for what a runbook leaves out.
const (
	DefaultStepTimeout = 5 * time.Minute
	DefaultPer         = time.Hour
	DefaultApprovalTTL = time.Hour
	DefaultWaitEvery   = 10 * time.Second
	MaxOutput          = 64 << 10 // bytes kept of a step's stdout, and of its stderr
	MaxDepth           = 5        // runbook steps calling runbooks
)

// book is a runbook compiled: templates parsed, expressions compiled.
type book struct {
	cfg        config.Runbook
	params     map[string]config.Param
	secrets    []string
	secretMap  map[string]string
	triggers   []trigger
	steps      []*step // the steps, then the rollback steps
	main       int     // how many of steps are not rollback steps
	approvalIf *cond.Expr
	lock       *tmpl.Template
	confirm    *tmpl.Template
}

type trigger struct {
	cfg      config.Trigger
	matchers labels.Matchers
	schedule cron.Schedule
	loc      *time.Location
	params   map[string]*tmpl.Template
}

type step struct {
	cfg     config.RunbookStep
	kind    string
	cond    *cond.Expr
	env     map[string]*tmpl.Template
	dir     *tmpl.Template
	text    map[string]*tmpl.Template // other templated fields by name
	list    map[string][]*tmpl.Template
	expect  []*cond.Expr
	until   *cond.Expr
	timeout time.Duration
}

func compileBooks(cfg *config.Config) (map[string]*book, error) {
	out := map[string]*book{}
	for _, r := range cfg.Runbooks {
		b, err := compileBook(cfg, r)
		if err != nil {
			return nil, fmt.Errorf("runbook %s: %w", r.ID, err)
		}
		out[r.ID] = b
	}
	return out, nil
}

func compileBook(cfg *config.Config, r config.Runbook) (*book, error) {
	b := &book{cfg: r, params: map[string]config.Param{}, secretMap: map[string]string{}}
	for _, p := range r.Params {
		if p.Type == "" {
			p.Type = "string"
		}
		b.params[p.Name] = p
	}
	for _, s := range r.Secrets {
		b.secrets = append(b.secrets, maskForms(s.Value.Reveal())...)
		b.secretMap[s.Name] = s.Value.Reveal()
	}
	sortLongestFirst(b.secrets)
	var err error
	for _, t := range r.On {
		tr := trigger{cfg: t, params: map[string]*tmpl.Template{}}
		if t.Alert != nil {
			eq := map[string]string{}
			for k, v := range t.Alert.Match {
				eq[k] = v
			}
			for _, src := range t.Alert.Matchers {
				m, err := labels.ParseMatcher(src)
				if err != nil {
					return nil, err
				}
				tr.matchers = append(tr.matchers, m)
			}
			for k, v := range eq {
				m, _ := labels.NewMatcher(labels.MatchEqual, k, v)
				tr.matchers = append(tr.matchers, m)
			}
		}
		if s := t.Schedule; s != nil {
			if tr.schedule, err = config.CronParser.Parse(s.Cron); err != nil {
				return nil, err
			}
			tz := s.Timezone
			if tz == "" {
				tz = cfg.Global.Timezone
			}
			if tr.loc, err = time.LoadLocation(tz); err != nil {
				return nil, err
			}
		}
		for k, v := range t.Params {
			if tr.params[k], err = tmpl.Parse(v); err != nil {
				return nil, err
			}
		}
		b.triggers = append(b.triggers, tr)
	}
	if g := r.Guard; g != nil {
		if g.ApprovalIf != "" {
			if b.approvalIf, err = tmpl.Compile(g.ApprovalIf); err != nil {
				return nil, err
			}
		}
		if g.Lock != "" {
			if b.lock, err = tmpl.Parse(g.Lock); err != nil {
				return nil, err
			}
		}
		if g.Confirm != "" {
			if b.confirm, err = tmpl.Parse(g.Confirm); err != nil {
				return nil, err
			}
		}
	}
	for _, sc := range append(slices.Clone(r.Steps), r.Rollback...) {
		s, err := compileStep(sc)
		if err != nil {
			return nil, fmt.Errorf("step %s: %w", sc.ID, err)
		}
		b.steps = append(b.steps, s)
	}
	b.main = len(r.Steps)
	return b, nil
}

func compileStep(sc config.RunbookStep) (*step, error) {
	s := &step{cfg: sc, kind: sc.Kind(), env: map[string]*tmpl.Template{}, text: map[string]*tmpl.Template{},
		list: map[string][]*tmpl.Template{}, timeout: sc.Timeout.D()}
	if s.timeout <= 0 {
		s.timeout = DefaultStepTimeout
	}
	var err error
	if sc.If != "" {
		if s.cond, err = tmpl.Compile(sc.If); err != nil {
			return nil, err
		}
	}
	parseList := func(name string, srcs []string) error {
		for _, src := range srcs {
			t, err := tmpl.Parse(src)
			if err != nil {
				return err
			}
			s.list[name] = append(s.list[name], t)
		}
		return nil
	}
	parse := func(name, src string) error {
		if src == "" {
			return nil
		}
		t, err := tmpl.Parse(src)
		s.text[name] = t
		return err
	}
	if err := parseList("run", sc.Run); err != nil {
		return nil, err
	}
	for k, v := range sc.Env {
		if s.env[k], err = tmpl.Parse(v); err != nil {
			return nil, err
		}
	}
	if err := parse("dir", sc.Dir); err != nil {
		return nil, err
	}
	if err := parse("message", sc.Message); err != nil {
		return nil, err
	}
	if h := sc.SSH; h != nil {
		if err := parse("ssh.host", h.Host); err != nil {
			return nil, err
		}
		if err := parseList("ssh.command", h.Command); err != nil {
			return nil, err
		}
	}
	if h := sc.HTTP; h != nil {
		if err := parse("http.url", h.URL); err != nil {
			return nil, err
		}
		if err := parse("http.body", h.Body); err != nil {
			return nil, err
		}
		for k, v := range h.Headers {
			if err := parse("http.header."+k, v); err != nil {
				return nil, err
			}
		}
		for _, src := range sc.Expect {
			e, err := cond.Compile(src, httpVars{})
			if err != nil {
				return nil, err
			}
			s.expect = append(s.expect, e)
		}
	}
	if w := sc.Wait; w != nil && w.Until != "" {
		if s.until, err = tmpl.Compile(w.Until); err != nil {
			return nil, err
		}
	}
	if c := sc.Cleanup; c != nil {
		if err := parse("cleanup.path", c.Path); err != nil {
			return nil, err
		}
	}
	if c := sc.Runbook; c != nil {
		for k, v := range c.Params {
			if err := parse("param."+k, v); err != nil {
				return nil, err
			}
		}
	}
	if a := sc.Approve; a != nil {
		if err := parse("approve.message", a.Message); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// httpVars are what an http step's expect conditions read.
type httpVars struct {
	Status   int               `expr:"status"`
	Body     string            `expr:"body"`
	JSON     any               `expr:"json"`
	Headers  map[string]string `expr:"headers"`
	Duration time.Duration     `expr:"duration"`
}

// typedParams checks a caller's params against the declarations and fills
// defaults. Undeclared params are refused: only config decides what a run
// can be given.
func (b *book) typedParams(in map[string]string) (map[string]string, map[string]any, error) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for name := range in {
		if _, ok := b.params[name]; !ok {
			add("params.%s: not declared by runbook %s", name, b.cfg.ID)
		}
	}
	raw := map[string]string{}
	typed := map[string]any{}
	for name, p := range b.params {
		v, given := in[name]
		if !given {
			if p.Default == nil {
				add("params.%s: is required", name)
				continue
			}
			v = *p.Default
		}
		if err := config.CheckParam(p, v); err != nil {
			add("params.%s: %v", name, err)
			continue
		}
		raw[name] = v
		typed[name] = typedValue(p.Type, v)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, nil, errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	return raw, typed, nil
}

func typedValue(typ, v string) any {
	switch typ {
	case "int":
		n, _ := strconv.ParseInt(v, 10, 64)
		return int(n)
	case "bool":
		b, _ := strconv.ParseBool(v)
		return b
	case "duration":
		d, _ := duration.Parse(v)
		return d
	case "list":
		return config.SplitList(v)
	}
	return v
}

// maskForms are the ways a secret can appear in what a run stores: as is,
// JSON-escaped (a step's detail is JSON), and quoted for a remote shell.
func maskForms(sec string) []string {
	if len(sec) < 4 {
		return nil
	}
	forms := []string{sec}
	if j, err := json.Marshal(sec); err == nil {
		forms = append(forms, string(j[1:len(j)-1]))
	}
	return append(forms, sshstep.Quote(sec), strings.Trim(sshstep.Quote(sec), "'"))
}

// sortLongestFirst orders secrets so a secret that contains another is
// replaced whole, not around the shorter one.
func sortLongestFirst(s []string) {
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
}
