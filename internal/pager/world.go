package pager

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/route"
	"github.com/vigil-sre/vigil/internal/zone"
)

// world is what the pager knows from config; a reload replaces it whole.
type world struct {
	cfg       *config.Config
	tree      *route.Tree
	routes    map[string]*route.Route
	intervals *route.Intervals
	inhibitor *route.Inhibitor
	maint     *route.Maintenance
	onCall    *oncall.Directory // the config's on-call world
	dir       *oncall.Directory // onCall with the run-time overrides on top
	services  map[string]*config.Service
	runbooks  map[string]*config.Runbook
	checkBook map[string]string // service/check → runbook
	base      string
	zones     *zone.Zones
}

func newWorld(cfg *config.Config, log *slog.Logger) (*world, error) {
	w := &world{cfg: cfg, routes: map[string]*route.Route{}, services: map[string]*config.Service{},
		runbooks: map[string]*config.Runbook{}, checkBook: map[string]string{},
		base: strings.TrimSuffix(cfg.Global.ExternalURL, "/"), zones: zone.New(cfg)}
	var err error
	if w.tree, err = route.NewTree(cfg); err != nil {
		return nil, fmt.Errorf("routes: %w", err)
	}
	var walk func(r *route.Route)
	walk = func(r *route.Route) {
		w.routes[r.ID()] = r
		for _, c := range r.Children() {
			walk(c)
		}
	}
	walk(w.tree.Root())
	if w.intervals, err = route.NewIntervals(cfg); err != nil {
		return nil, fmt.Errorf("time intervals: %w", err)
	}
	if w.inhibitor, err = route.NewInhibitor(cfg); err != nil {
		return nil, fmt.Errorf("inhibit rules: %w", err)
	}
	if w.maint, err = route.NewMaintenance(cfg); err != nil {
		return nil, fmt.Errorf("maintenance: %w", err)
	}
	if w.onCall, err = oncall.NewDirectory(cfg); err != nil {
		return nil, fmt.Errorf("on-call: %w", err)
	}
	w.dir = w.onCall
	for i := range cfg.Services {
		s := &cfg.Services[i]
		w.services[s.ID] = s
		for _, c := range s.Checks {
			if c.Runbook != "" {
				w.checkBook[c.Key()] = c.Runbook
			}
		}
	}
	for i := range cfg.Runbooks {
		w.runbooks[cfg.Runbooks[i].ID] = &cfg.Runbooks[i]
	}
	if cfg.Global.SMTP == nil {
		for _, p := range cfg.People {
			if p.Contacts.Email != "" {
				log.Warn("people have email contacts but global.smtp is not set; they get no email", "person", p.ID)
				break
			}
		}
	}
	return w, nil
}

// route finds a route by id; a route gone after a reload falls back to the
// root's defaults.
func (w *world) route(id string) *route.Route {
	if r := w.routes[id]; r != nil {
		return r
	}
	return w.tree.Root()
}

// policy is the escalation policy of a group: its route's, else its service's.
func (w *world) policy(service string, r *route.Route) (policyPlan, bool) {
	id := r.Escalation
	if id == "" {
		if s := w.services[service]; s != nil {
			id = s.Escalation
		}
	}
	if id == "" {
		return policyPlan{}, false
	}
	p, ok := w.dir.Escalation(id)
	return policyPlan{p}, ok
}

// destinations turns escalation targets into the contacts to message now:
// person/ID/slack, person/ID/email, person/ID/webhook or channel/ID.
func (w *world) destinations(targets []string, now time.Time) []string {
	var out []string
	for _, r := range w.dir.Expand(targets, now) {
		if r.Channel != "" {
			out = append(out, "channel/"+r.Channel)
			continue
		}
		p := w.person(r.Person)
		if p == nil {
			continue
		}
		if !p.Contacts.Slack.IsZero() {
			out = append(out, "person/"+p.ID+"/slack")
		}
		if !p.Contacts.Webhook.IsZero() {
			out = append(out, "person/"+p.ID+"/webhook")
		}
		if p.Contacts.Email != "" && w.cfg.Global.SMTP != nil {
			out = append(out, "person/"+p.ID+"/email")
		}
	}
	return out
}

// zone is the time zone the reader of dest reads times in: a person's
// own, else (and for channels) global.timezone.
func (w *world) zone(dest string) *time.Location {
	if r := recipient(dest); strings.HasPrefix(r, "person/") {
		return w.zones.Person(strings.TrimPrefix(r, "person/"))
	}
	return w.zones.Default()
}

func (w *world) person(id string) *config.Person {
	for i := range w.cfg.People {
		if w.cfg.People[i].ID == id {
			return &w.cfg.People[i]
		}
	}
	return nil
}

// runbookFor finds the SOP of an alert from source: its check's runbook,
// or a runbook label or annotation.
func (w *world) runbookFor(source string, labels, annotations map[string]string) string {
	if source == alert.SourceCheck {
		if rb := w.checkBook[labels["service"]+"/"+labels["check"]]; rb != "" {
			return rb
		}
	}
	for _, v := range []string{labels["runbook"], annotations["runbook"]} {
		if _, ok := w.runbooks[v]; ok {
			return v
		}
	}
	return ""
}

// url is a link into Vigil.
func (w *world) url(path string) string {
	base := w.base
	if base == "" {
		base = "http://" + listenHost(w.cfg.Global.Listen)
	}
	return base + path
}

func listenHost(listen string) string {
	if strings.HasPrefix(listen, ":") {
		return "localhost" + listen
	}
	return listen
}

// policyPlan adapts an escalation policy to what the pager asks of it.
type policyPlan struct{ p oncall.Policy }

type fire struct {
	Step, Round int
	Targets     []string
}

// fire returns the steps due in [from, now] of an escalation that started at start.
func (pp policyPlan) fire(start, from, now time.Time) []fire {
	var out []fire
	for _, f := range pp.p.Due(start, from.Add(-time.Nanosecond), now) {
		out = append(out, fire{Step: f.Step, Round: f.Round, Targets: f.Targets})
	}
	return out
}

// next is when the escalation that started at start next fires after now.
func (pp policyPlan) next(start, now time.Time) (time.Time, bool) {
	f, ok := pp.p.Next(start, now)
	return f.At, ok
}

// reload switches to a new config. Alerts, groups and timers carry on.
func (p *Pager) reload(cfg *config.Config) error {
	w, err := newWorld(cfg, p.opt.Log)
	if err != nil {
		return err
	}
	w.dir = w.onCall.WithOverrides(p.overrides)
	p.w, p.applied = w, cfg
	p.invalidateInhibition()
	p.scheduleHandoff(p.opt.Clock.Now())
	return nil
}
