package openslo

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	promparser "github.com/prometheus/prometheus/promql/parser"

	"github.com/vigil-sre/vigil/internal/check/promcheck"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
)

// Import reads OpenSLO v1 documents (SLO, SLI, DataSource; Service is
// accepted and adds nothing) and returns the services with their SLOs, in
// the order the SLOs were written. Every document that cannot be mapped is
// reported, each named and located as file:line.
func Import(name string, data []byte) ([]config.Service, error) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	im := &importer{file: name, slis: map[string]sliSpec{}, sources: map[string]string{}}
	var slos []located[sloDoc]
	for _, d := range f.Docs {
		if d.Body == nil {
			continue
		}
		line := d.Body.GetToken().Position.Line
		var head doc
		if err := yaml.NodeToValue(d.Body, &head); err != nil {
			im.fail(line, "", "%v", err)
			continue
		}
		what := fmt.Sprintf("%s %q", head.Kind, head.Metadata.Name)
		if head.APIVersion != APIVersion {
			im.fail(line, what, "apiVersion %q cannot be read; only %s", head.APIVersion, APIVersion)
			continue
		}
		switch head.Kind {
		case "SLO":
			var s sloDoc
			if im.decode(d.Body, line, what, &s) {
				slos = append(slos, located[sloDoc]{s, line})
			}
		case "SLI":
			var s sliDoc
			if im.decode(d.Body, line, what, &s) {
				im.slis[s.Metadata.Name] = s.Spec
			}
		case "DataSource":
			var s dataSourceDoc
			if im.decode(d.Body, line, what, &s) {
				if u, ok := s.Spec.ConnectionDetails["url"].(string); ok && strings.EqualFold(s.Spec.Type, sourcePrometheus) {
					im.sources[s.Metadata.Name] = u
				} else {
					im.fail(line, what, "only Prometheus data sources with connectionDetails.url can be used")
				}
			}
		case "Service":
		default:
			im.fail(line, what, "kind %s cannot be mapped: Vigil derives burn-rate alerts from each SLO (see alerting in docs/slos.md)", head.Kind)
		}
	}
	var out []config.Service
	at := map[string]int{}
	for _, s := range slos {
		svc, l, ok := im.slo(s.v, s.line)
		if !ok {
			continue
		}
		i, seen := at[svc]
		if !seen {
			i = len(out)
			at[svc] = i
			out = append(out, config.Service{ID: svc})
		}
		out[i].SLOs = append(out[i].SLOs, l)
	}
	if len(im.problems) > 0 {
		sort.SliceStable(im.problems, func(i, j int) bool { return im.problems[i].line < im.problems[j].line })
		lines := make([]string, len(im.problems))
		for i, p := range im.problems {
			lines[i] = p.text
		}
		return nil, errors.New(strings.Join(lines, "\n"))
	}
	return out, nil
}

// ImportYAML is Import written as Vigil config: a services list to merge.
func ImportYAML(name string, data []byte) ([]byte, error) {
	svcs, err := Import(name, data)
	if err != nil {
		return nil, err
	}
	return yaml.MarshalWithOptions(map[string]any{"services": svcs}, yaml.IndentSequence(true))
}

type located[T any] struct {
	v    T
	line int
}

type importer struct {
	file     string
	slis     map[string]sliSpec
	sources  map[string]string // DataSource name -> URL
	problems []problem
}

type problem struct {
	line int
	text string
}

func (im *importer) fail(line int, what, format string, args ...any) {
	p := fmt.Sprintf("%s:%d: ", im.file, line)
	if what != "" {
		p += what + ": "
	}
	im.problems = append(im.problems, problem{line, p + fmt.Sprintf(format, args...)})
}

func (im *importer) decode(n ast.Node, line int, what string, v any) bool {
	if err := yaml.NodeToValue(n, v); err != nil {
		im.fail(line, what, "%v", err)
		return false
	}
	return true
}

func (im *importer) slo(d sloDoc, line int) (string, config.ServiceLevel, bool) {
	what := fmt.Sprintf("SLO %q", d.Metadata.Name)
	n := len(im.problems)
	fail := func(format string, args ...any) { im.fail(line, what, format, args...) }
	svc := d.Spec.Service
	if v := d.Metadata.Annotations[annService]; v != "" {
		svc = v
	}
	id := d.Metadata.Name
	if v := d.Metadata.Annotations[annID]; v != "" {
		id = v
	}
	if svc == "" {
		fail("spec.service is required: Vigil keeps SLOs under their service")
	}
	l := config.ServiceLevel{ID: id, Description: d.Spec.Description}
	if l.Description == "" {
		l.Description = d.Metadata.DisplayName
	}
	switch len(d.Spec.Objectives) {
	case 1:
	case 0:
		fail("spec.objectives is empty")
		return "", l, false
	default:
		fail("spec.objectives has %d objectives; a Vigil SLO has one: write one SLO per objective", len(d.Spec.Objectives))
		return "", l, false
	}
	obj := d.Spec.Objectives[0]
	switch {
	case obj.Target != nil:
		l.Objective = math.Round(*obj.Target*100*1e6) / 1e6
	case obj.TargetPercent != nil:
		l.Objective = *obj.TargetPercent
	default:
		fail("spec.objectives[0] needs target or targetPercent")
	}
	if len(d.Spec.AlertPolicies) > 0 {
		fail("spec.alertPolicies cannot be mapped: Vigil derives burn-rate alerts from the SLO; remove them and set alerting in Vigil")
	}
	switch d.Spec.BudgetingMethod {
	case "Occurrences", "":
	default:
		fail("budgetingMethod %s cannot be mapped: Vigil budgets occurrences (events, or milliseconds of check time)", d.Spec.BudgetingMethod)
	}
	im.window(d.Spec.TimeWindow, &l, fail)
	var sli sliSpec
	switch {
	case d.Spec.Indicator != nil:
		sli = d.Spec.Indicator.Spec
	case d.Spec.IndicatorRef != "":
		s, ok := im.slis[d.Spec.IndicatorRef]
		if !ok {
			fail("indicatorRef %q names no SLI in the file", d.Spec.IndicatorRef)
			return "", l, false
		}
		sli = s
	default:
		fail("needs indicator or indicatorRef")
		return "", l, false
	}
	im.indicator(sli, obj, &l, fail)
	return svc, l, len(im.problems) == n
}

func (im *importer) window(tw []timeWindow, l *config.ServiceLevel, fail func(string, ...any)) {
	if len(tw) != 1 {
		fail("spec.timeWindow needs exactly one window, has %d", len(tw))
		return
	}
	w := tw[0]
	if w.IsRolling {
		d, err := duration.Parse(w.Duration)
		if err != nil || strings.HasSuffix(w.Duration, "M") || strings.HasSuffix(w.Duration, "Q") || strings.HasSuffix(w.Duration, "Y") {
			fail("rolling window %q cannot be mapped: write it in days, weeks or hours (e.g. 30d)", w.Duration)
			return
		}
		l.Window = duration.Duration(d)
		return
	}
	switch w.Duration {
	case "1M":
		l.Calendar = "month"
	case "1w", "7d":
		l.Calendar = "week"
	default:
		fail("calendar window %q cannot be mapped: Vigil has calendar months (1M) and weeks (1w)", w.Duration)
		return
	}
	if w.Calendar != nil && w.Calendar.TimeZone != "" {
		if _, err := time.LoadLocation(w.Calendar.TimeZone); err != nil {
			fail("unknown time zone %q", w.Calendar.TimeZone)
		}
		l.Timezone = w.Calendar.TimeZone
	}
}

func (im *importer) indicator(s sliSpec, obj objective, l *config.ServiceLevel, fail func(string, ...any)) {
	switch {
	case s.ThresholdMetric != nil:
		m := s.ThresholdMetric.MetricSource
		if m.Type != sourceVigil || m.Spec["measure"] != measureDuration {
			fail("a thresholdMetric from %s cannot be mapped: Vigil's latency SLI judges check durations; for Prometheus write a ratioMetric of histogram buckets (good: sum(increase(x_bucket{le=\"0.3\"}[{{.window}}])))", sourceName(m))
			return
		}
		if obj.Value == nil || (obj.Op != "lte" && obj.Op != "lt") {
			fail("a latency objective needs op lte (or lt) and a value in seconds")
			return
		}
		l.Latency = &config.LatencySLI{Checks: strList(m.Spec["checks"]), Threshold: duration.Duration(time.Duration(*obj.Value * float64(time.Second)))}
	case s.RatioMetric != nil:
		r := s.RatioMetric
		if r.Raw != nil {
			fail("ratioMetric.raw cannot be mapped: give good (or bad) and total")
			return
		}
		if r.Total == nil || (r.Good == nil) == (r.Bad == nil) {
			fail("ratioMetric needs total and one of good or bad")
			return
		}
		num := r.Good
		if num == nil {
			num = r.Bad
		}
		switch src := num.MetricSource; {
		case src.Type == sourceVigil && src.Spec["measure"] == measureUp && r.Good != nil:
			l.Availability = &config.AvailabilitySLI{Checks: strList(src.Spec["checks"])}
		case src.Type == sourceVigil && src.Spec["measure"] == measureGood && r.Good != nil:
			l.Events = &config.EventsSLI{}
		case src.Type == sourcePrometheus || src.MetricSourceRef != "" && im.sources[src.MetricSourceRef] != "":
			im.prometheus(r, l, fail)
		default:
			fail("a ratioMetric from %s cannot be mapped: Vigil reads Prometheus, or its own checks and events", sourceName(src))
		}
	default:
		fail("the indicator needs ratioMetric or thresholdMetric")
	}
}

func (im *importer) prometheus(r *ratioMetric, l *config.ServiceLevel, fail func(string, ...any)) {
	p := &config.PrometheusSLI{}
	query := func(m *metric, field string) string {
		if m == nil {
			return ""
		}
		src := m.MetricSource
		u, _ := src.Spec["url"].(string)
		if src.MetricSourceRef != "" {
			u = im.sources[src.MetricSourceRef]
		}
		switch {
		case u == "":
			fail("ratioMetric.%s gives no Prometheus URL: add spec.url or a DataSource with connectionDetails.url", field)
		case p.URL == "":
			p.URL = u
		case p.URL != u:
			fail("ratioMetric.%s reads another Prometheus (%s, not %s); one SLO reads one server", field, u, p.URL)
		}
		q, _ := src.Spec["query"].(string)
		if q == "" {
			q, _ = src.Spec["promql"].(string)
		}
		return im.windowed(q, r.Counter, field, fail)
	}
	p.Good, p.Bad, p.Total = query(r.Good, "good"), query(r.Bad, "bad"), query(r.Total, "total")
	l.Prometheus = p
}

// windowed makes a query count events over Vigil's windows: one that names
// {{.window}} is kept; a counter's bare selector is wrapped in
// sum(increase(...[{{.window}}])), as OpenSLO's counter: true means.
func (im *importer) windowed(q string, counter bool, field string, fail func(string, ...any)) string {
	switch {
	case q == "":
		fail("ratioMetric.%s has no query", field)
		return ""
	case strings.Contains(q, promcheck.WindowVar):
	case counter:
		e, err := promparser.NewParser(promparser.Options{}).ParseExpr(q)
		if _, ok := e.(*promparser.VectorSelector); err != nil || !ok {
			fail("ratioMetric.%s query %q: write it with [{{.window}}] (e.g. sum(increase(x[{{.window}}]))) so Vigil can read it over each window", field, q)
			return ""
		}
		q = "sum(increase(" + q + "[" + promcheck.WindowVar + "]))"
	default:
		fail("ratioMetric.%s query %q has no {{.window}}: Vigil evaluates it over each alert window", field, q)
		return ""
	}
	if err := promcheck.ParseQuery(q); err != nil {
		fail("ratioMetric.%s: %v", field, err)
		return ""
	}
	return q
}

func sourceName(m metricSource) string {
	switch {
	case m.Type != "":
		return m.Type
	case m.MetricSourceRef != "":
		return "data source " + m.MetricSourceRef
	}
	return "an unnamed source"
}

func strList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
