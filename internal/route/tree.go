package route

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/internal/config"
)

// Defaults of the implicit root route, the same as Alertmanager's.
const (
	DefaultGroupWait      = 30 * time.Second
	DefaultGroupInterval  = 5 * time.Minute
	DefaultRepeatInterval = 4 * time.Hour
)

// DefaultCheckGroupWait is the group_wait of a group opened by a check's
// alert when no route sets group_wait. A check has already confirmed the
// failure (fail_after), so waiting Alertmanager's 30s only delays the page;
// 10s still gathers the checks of a service that fail together into one.
const DefaultCheckGroupWait = 10 * time.Second

// groupByAll is the group_by entry that means every label.
const groupByAll = "..."

// Tree is the routing tree: config's top-level routes are the children of an
// implicit root that matches every alert and holds the defaults. It is
// immutable once built, so it may be shared between goroutines.
type Tree struct {
	root *Route
}

// Route is a node of the tree with its settings already resolved: a setting
// left unset in config holds the value inherited from the parent, so callers
// never walk up the tree. Treat the fields as read-only.
type Route struct {
	Service    string
	Escalation string
	// GroupBy holds the label names that split alerts into groups, sorted.
	// Empty means one group for the whole route, unless GroupByAll is set.
	GroupBy []string
	// GroupByAll is group_by: ['...']: every label splits groups.
	GroupByAll bool
	GroupWait  time.Duration
	// GroupWaitDefault says no route from the root down sets group_wait:
	// GroupWait is the root's default.
	GroupWaitDefault bool
	GroupInterval    time.Duration
	RepeatInterval   time.Duration
	SendResolved     bool
	// ResolvedWhenSilenced is the route's own: config cannot tell an unset
	// bool from false, so a child could never turn an inherited true off.
	ResolvedWhenSilenced bool
	// MuteTimeIntervals and ActiveTimeIntervals are this route's own: like
	// Alertmanager, a child does not inherit its parent's.
	MuteTimeIntervals   []string
	ActiveTimeIntervals []string
	// Continue lets siblings after this route match as well.
	Continue bool

	id       string
	matchers labels.Matchers
	children []*Route
}

// NewTree builds the routing tree from a validated config. The errors it can
// still return are what Alertmanager rejects and the schema does not:
// group_by mixing '...' with names, or naming a label twice.
func NewTree(cfg *config.Config) (*Tree, error) {
	root := &Route{
		id:               "root",
		GroupWait:        DefaultGroupWait,
		GroupWaitDefault: true,
		GroupInterval:    DefaultGroupInterval,
		RepeatInterval:   DefaultRepeatInterval,
		SendResolved:     true,
	}
	var errs []error
	for i := range cfg.Routes {
		root.children = append(root.children, newRoute(&cfg.Routes[i], root, strconv.Itoa(i), fmt.Sprintf("routes[%d]", i), &errs))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Tree{root: root}, nil
}

// newRoute resolves one config route against its parent. path is where the
// route sits in config, for errors; problems are gathered so a config with
// several mistakes reports them all.
func newRoute(cr *config.Route, parent *Route, id, path string, errs *[]error) *Route {
	r := &Route{
		id:                   id,
		Service:              parent.Service,
		Escalation:           parent.Escalation,
		GroupBy:              parent.GroupBy,
		GroupByAll:           parent.GroupByAll,
		GroupWait:            parent.GroupWait,
		GroupWaitDefault:     parent.GroupWaitDefault,
		GroupInterval:        parent.GroupInterval,
		RepeatInterval:       parent.RepeatInterval,
		SendResolved:         parent.SendResolved,
		ResolvedWhenSilenced: cr.ResolvedWhenSilenced,
		MuteTimeIntervals:    cr.MuteTimeIntervals,
		ActiveTimeIntervals:  cr.ActiveTimeIntervals,
		Continue:             cr.Continue,
	}
	if cr.Service != "" {
		r.Service = cr.Service
	}
	if cr.Escalation != "" {
		r.Escalation = cr.Escalation
	}
	// A nil group_by inherits; an explicit empty list means no grouping
	// beyond the route, as in Alertmanager.
	if cr.GroupBy != nil {
		by, all, err := parseGroupBy(cr.GroupBy)
		if err != nil {
			*errs = append(*errs, fmt.Errorf("%s.group_by: %w", path, err))
		}
		r.GroupBy, r.GroupByAll = by, all
	}
	if cr.GroupWait != nil {
		r.GroupWait, r.GroupWaitDefault = cr.GroupWait.D(), false
	}
	if cr.GroupInterval != nil {
		r.GroupInterval = cr.GroupInterval.D()
	}
	if cr.RepeatInterval != nil {
		r.RepeatInterval = cr.RepeatInterval.D()
	}
	if cr.SendResolved != nil {
		r.SendResolved = *cr.SendResolved
	}
	ms, err := compileMatchers(cr.Match, cr.Matchers)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: %w", path, err))
	}
	r.matchers = ms
	for i := range cr.Routes {
		r.children = append(r.children, newRoute(&cr.Routes[i], r, id+"."+strconv.Itoa(i), fmt.Sprintf("%s.routes[%d]", path, i), errs))
	}
	return r
}

// parseGroupBy applies Alertmanager's rules for group_by.
func parseGroupBy(list []string) (by []string, all bool, err error) {
	by = []string{}
	for _, l := range list {
		if l == groupByAll {
			all = true
			continue
		}
		if slices.Contains(by, l) {
			return nil, false, fmt.Errorf("duplicated label %q", l)
		}
		by = append(by, l)
	}
	if all && len(by) > 0 {
		return nil, false, errors.New("cannot have wildcard group_by ('...') and other labels at the same time")
	}
	if all {
		by = nil
	}
	slices.Sort(by)
	return by, all, nil
}

// Match returns the routes an alert is handled by, as Alertmanager finds
// them: depth first; among siblings the first match wins unless it has
// continue; a matching route whose children all miss is the result itself.
// It is never empty: an alert no route takes stays at the root.
func (t *Tree) Match(lbls map[string]string) []*Route {
	return t.root.match(lbls, nil)
}

func (r *Route) match(lbls map[string]string, out []*Route) []*Route {
	if !matchAll(r.matchers, labelMap(lbls)) {
		return out
	}
	n := len(out)
	for _, c := range r.children {
		before := len(out)
		out = c.match(lbls, out)
		if len(out) > before && !c.Continue {
			break
		}
	}
	if len(out) == n {
		out = append(out, r)
	}
	return out
}

// Root is the implicit root route that holds the defaults.
func (t *Tree) Root() *Route { return t.root }

// ID is the route's place in the tree: "root", or indexes into routes from
// the top, such as "0.2.1" for routes[0].routes[2].routes[1]. It changes when
// routes are inserted or reordered, but never collides, which Alertmanager's
// matcher-based route key can.
func (r *Route) ID() string { return r.id }

// Children are the route's child routes in config order.
func (r *Route) Children() []*Route { return r.children }

// Matchers prints the route's own matchers in Alertmanager's form, such as
// {env="prod",team=~"db|web"}; the root prints {}.
func (r *Route) Matchers() string { return r.matchers.String() }
