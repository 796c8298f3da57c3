package openslo

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/internal/config"
)

const vigilConfig = `
global: {timezone: Europe/Rome}
services:
  - id: shop
    slos:
      - {id: availability, objective: 99.97, window: 28d, availability: {checks: [web, db]}, description: the shop answers}
      - {id: fast_home, objective: 99, calendar: month, latency: {checks: [web], threshold: 300ms}}
      - {id: checkout, objective: 99.5, calendar: week, timezone: UTC, events: {}}
    checks:
      - {id: web, http: {url: "http://127.0.0.1:1/"}}
      - {id: db, tcp: {address: "127.0.0.1:5432"}}
  - id: api
    slos:
      - id: requests
        objective: 99.9
        prometheus:
          url: http://prometheus:9090
          bad: sum(increase(http_requests_total{code=~"5.."}[{{.window}}]))
          total: sum(increase(http_requests_total[{{.window}}]))
`

// sloFields are what must survive a round trip.
type sloFields struct {
	Service, ID, Description, Calendar, Timezone, Window string
	Objective                                            float64
	Kind                                                 string
	Checks                                               []string
	Threshold                                            string
	Prom                                                 config.PrometheusSLI
}

func fields(svcs []config.Service, calendarTZOnly bool) []sloFields {
	var out []sloFields
	for _, s := range svcs {
		for _, l := range s.SLOs {
			f := sloFields{Service: s.ID, ID: l.ID, Description: l.Description, Calendar: l.Calendar, Objective: l.Objective, Kind: l.Kind()}
			if l.Calendar != "" {
				f.Timezone = l.Timezone
			} else {
				f.Window = l.Window.String()
			}
			switch {
			case l.Availability != nil:
				f.Checks = l.Availability.Checks
			case l.Latency != nil:
				f.Checks, f.Threshold = l.Latency.Checks, l.Latency.Threshold.String()
			case l.Prometheus != nil:
				f.Prom = *l.Prometheus
			}
			out = append(out, f)
		}
	}
	return out
}

// TestRoundTrip: Vigil's SLOs exported as OpenSLO and imported again are
// the same SLOs, for every SLI kind and both kinds of window.
func TestRoundTrip(t *testing.T) {
	cfg, err := config.Parse("vigil.yaml", []byte(vigilConfig), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Export(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"apiVersion: openslo/v1", "kind: SLO", "name: shop-fast-home", "vigil.dev/slo: fast_home",
		"target: 0.9997", "duration: 1M", "timeZone: Europe/Rome", "op: lte", "value: 0.3", "type: Prometheus", "measure: up_time"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("export lacks %q:\n%s", want, out)
		}
	}
	back, err := Import("export.yaml", out)
	if err != nil {
		t.Fatalf("import of the export: %v\n%s", err, out)
	}
	if got, want := fields(back, true), fields(cfg.Services, true); !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	y, err := ImportYAML("export.yaml", out)
	if err != nil || !strings.Contains(string(y), "services:") || !strings.Contains(string(y), "threshold: 300ms") {
		t.Fatalf("YAML: %v\n%s", err, y)
	}
}

// TestImportSloth reads an SLO as OpenSLO tools write it: an SLI document
// referenced by name, a Prometheus DataSource, counters given as bare
// selectors (wrapped in increase over each window) and targetPercent.
func TestImportSloth(t *testing.T) {
	src := `apiVersion: openslo/v1
kind: DataSource
metadata: {name: prom}
spec: {type: Prometheus, connectionDetails: {url: "http://prometheus:9090"}}
---
apiVersion: openslo/v1
kind: Service
metadata: {name: payments}
spec: {description: Payments}
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: payments-errors}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {metricSourceRef: prom, spec: {query: 'http_requests_total{job="payments",code!~"5.."}'}}}
    total: {metricSource: {metricSourceRef: prom, spec: {query: 'http_requests_total{job="payments"}'}}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: payments-availability, displayName: Payments answer}
spec:
  service: payments
  indicatorRef: payments-errors
  timeWindow: [{duration: 30d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{targetPercent: 99.95}]
`
	svcs, err := Import("sloth.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	l := svcs[0].SLOs[0]
	if svcs[0].ID != "payments" || l.ID != "payments-availability" || l.Objective != 99.95 || l.Window.String() != "30d" ||
		l.Description != "Payments answer" || l.Prometheus.URL != "http://prometheus:9090" ||
		l.Prometheus.Good != `sum(increase(http_requests_total{job="payments",code!~"5.."}[{{.window}}]))` {
		t.Fatalf("imported %+v %+v", l, l.Prometheus)
	}
}

// TestImportRefusesWhatCannotBeMapped names each document and what in it
// has no Vigil form.
func TestImportRefusesWhatCannotBeMapped(t *testing.T) {
	src := `apiVersion: openslo/v1
kind: SLO
metadata: {name: p99}
spec:
  service: api
  indicator:
    metadata: {name: p99}
    spec: {thresholdMetric: {metricSource: {type: Prometheus, spec: {query: 'histogram_quantile(0.99, x)'}}}}
  timeWindow: [{duration: 1Q, isRolling: false}]
  budgetingMethod: Timeslices
  objectives: [{target: 0.99, op: lte, value: 0.3}]
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: page-me}
spec: {}
---
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: old}
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: two}
spec:
  service: api
  indicator: {metadata: {name: x}, spec: {ratioMetric: {counter: true, good: {metricSource: {type: Datadog, spec: {query: 'a'}}}, total: {metricSource: {type: Datadog, spec: {query: 'b'}}}}}}
  timeWindow: [{duration: 4w, isRolling: true}]
  objectives: [{target: 0.99}, {target: 0.999}]
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: dd}
spec:
  service: api
  indicator: {metadata: {name: x}, spec: {ratioMetric: {counter: true, good: {metricSource: {type: Datadog, spec: {query: 'a'}}}, total: {metricSource: {type: Datadog, spec: {query: 'b'}}}}}}
  timeWindow: [{duration: 4w, isRolling: true}]
  objectives: [{target: 0.99}]
`
	_, err := Import("in.yaml", []byte(src))
	want := `in.yaml:1: SLO "p99": budgetingMethod Timeslices cannot be mapped: Vigil budgets occurrences (events, or milliseconds of check time)
in.yaml:1: SLO "p99": calendar window "1Q" cannot be mapped: Vigil has calendar months (1M) and weeks (1w)
in.yaml:1: SLO "p99": a thresholdMetric from Prometheus cannot be mapped: Vigil's latency SLI judges check durations; for Prometheus write a ratioMetric of histogram buckets (good: sum(increase(x_bucket{le="0.3"}[{{.window}}])))
in.yaml:13: AlertPolicy "page-me": kind AlertPolicy cannot be mapped: Vigil derives burn-rate alerts from each SLO (see alerting in docs/slos.md)
in.yaml:18: SLO "old": apiVersion "openslo/v1alpha" cannot be read; only openslo/v1
in.yaml:23: SLO "two": spec.objectives has 2 objectives; a Vigil SLO has one: write one SLO per objective
in.yaml:32: SLO "dd": a ratioMetric from Datadog cannot be mapped: Vigil reads Prometheus, or its own checks and events`
	if err == nil || err.Error() != want {
		t.Fatalf("got:\n%v\nwant:\n%s", err, want)
	}
}
