package openslo

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
)

// Export writes every SLO of cfg as an OpenSLO v1 SLO document with its
// indicator inline. Alerting and policy have no OpenSLO form and are left out.
func Export(cfg *config.Config) ([]byte, error) {
	var out bytes.Buffer
	for i := range cfg.Services {
		s := &cfg.Services[i]
		for j := range s.SLOs {
			d, err := exportSLO(s, &s.SLOs[j])
			if err != nil {
				return nil, err
			}
			b, err := yaml.MarshalWithOptions(d, yaml.IndentSequence(true))
			if err != nil {
				return nil, err
			}
			out.WriteString("---\n")
			out.Write(b)
		}
	}
	return out.Bytes(), nil
}

var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// dnsName makes an OpenSLO name (RFC 1123) from Vigil's ids; the ids
// themselves travel in annotations, so import gets them back exactly.
func dnsName(parts ...string) string {
	s := notDNS.ReplaceAllString(strings.ToLower(strings.Join(parts, "-")), "-")
	return strings.Trim(s, "-")
}

func exportSLO(s *config.Service, l *config.ServiceLevel) (sloDoc, error) {
	name := dnsName(s.ID, l.ID)
	d := sloDoc{APIVersion: APIVersion, Kind: "SLO",
		Metadata: metadata{Name: name, Annotations: map[string]string{annService: s.ID, annID: l.ID}},
		Spec:     sloSpec{Description: l.Description, Service: s.ID, BudgetingMethod: "Occurrences"}}
	target := l.Objective / 100
	obj := objective{Target: &target}
	sli := sliSpec{}
	vigil := func(measure string, checks []string) *metric {
		spec := map[string]any{"measure": measure}
		if checks != nil {
			spec["checks"] = checks
		}
		return &metric{MetricSource: metricSource{Type: sourceVigil, Spec: spec}}
	}
	switch {
	case l.Availability != nil:
		// Up time over observed time: occurrences are milliseconds.
		sli.RatioMetric = &ratioMetric{Good: vigil(measureUp, l.Availability.Checks), Total: vigil(measureObserved, l.Availability.Checks)}
	case l.Events != nil:
		sli.RatioMetric = &ratioMetric{Counter: true, Good: vigil(measureGood, nil), Total: vigil(measureTotal, nil)}
	case l.Latency != nil:
		sli.ThresholdMetric = vigil(measureDuration, l.Latency.Checks)
		v := l.Latency.Threshold.D().Seconds()
		obj.Op, obj.Value = "lte", &v
	case l.Prometheus != nil:
		p := l.Prometheus
		prom := func(q string) *metric {
			if q == "" {
				return nil
			}
			return &metric{MetricSource: metricSource{Type: sourcePrometheus, Spec: map[string]any{"url": p.URL, "query": q}}}
		}
		sli.RatioMetric = &ratioMetric{Good: prom(p.Good), Bad: prom(p.Bad), Total: prom(p.Total)}
	default:
		return d, fmt.Errorf("SLO %s/%s has no SLI", s.ID, l.ID)
	}
	d.Spec.Indicator = &sliInline{Metadata: metadata{Name: name}, Spec: sli}
	switch l.Calendar {
	case "":
		d.Spec.TimeWindow = []timeWindow{{Duration: duration.Format(l.Window.D()), IsRolling: true}}
	case "month":
		d.Spec.TimeWindow = []timeWindow{{Duration: "1M", Calendar: &calendar{StartTime: "2020-01-01 00:00:00", TimeZone: l.Timezone}}}
	case "week":
		// 2020-01-06 was a Monday: Vigil's weeks start on Mondays.
		d.Spec.TimeWindow = []timeWindow{{Duration: "1w", Calendar: &calendar{StartTime: "2020-01-06 00:00:00", TimeZone: l.Timezone}}}
	}
	d.Spec.Objectives = []objective{obj}
	return d, nil
}
