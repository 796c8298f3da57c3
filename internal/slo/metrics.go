package slo

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector exports the latest evaluation as vigil_slo_* gauges for
// Grafana. It reads the statuses when scraped, so an SLO removed by a
// reload leaves no stale series behind.
func (svc *Service) Collector() prometheus.Collector { return collector{svc} }

type collector struct{ svc *Service }

var (
	descObjective = prometheus.NewDesc("vigil_slo_objective_ratio", "SLO objective as a ratio (0.999 for 99.9%).", []string{"service", "slo"}, nil)
	descSLI       = prometheus.NewDesc("vigil_slo_sli_ratio", "Share of good over the SLO's window so far; absent without data.", []string{"service", "slo"}, nil)
	descRemaining = prometheus.NewDesc("vigil_slo_error_budget_remaining_ratio", "Error budget left over the window (1 is all of it; negative when overspent).", []string{"service", "slo"}, nil)
	descBudget    = prometheus.NewDesc("vigil_slo_error_budget_seconds", "Error budget of the whole window as time.", []string{"service", "slo"}, nil)
	descBurn      = prometheus.NewDesc("vigil_slo_burn_rate", "Burn rate over an alert window (1 spends the budget in exactly one window).", []string{"service", "slo", "window"}, nil)
	descFiring    = prometheus.NewDesc("vigil_slo_alert_firing", "Whether a burn-rate alert rule fires (1) or not (0).", []string{"service", "slo", "rule", "severity"}, nil)
	descNoData    = prometheus.NewDesc("vigil_slo_no_data", "1 while the SLI cannot be judged (no data, too few events, or its source is down).", []string{"service", "slo"}, nil)
)

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descObjective, descSLI, descRemaining, descBudget, descBurn, descFiring, descNoData} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, st := range c.svc.Statuses(ctx) {
		gauge(descObjective, st.Objective/100, st.Service, st.ID)
		gauge(descBudget, st.Budget.Seconds, st.Service, st.ID)
		noData := 0.0
		if st.SLI != nil {
			gauge(descSLI, *st.SLI/100, st.Service, st.ID)
			gauge(descRemaining, *st.Budget.RemainingPercent/100, st.Service, st.ID)
		} else {
			noData = 1
		}
		gauge(descNoData, noData, st.Service, st.ID)
		for w, b := range st.BurnRates {
			if b != nil {
				gauge(descBurn, *b, st.Service, st.ID, w)
			}
		}
		for _, r := range st.Alerts {
			f := 0.0
			if r.Firing {
				f = 1
			}
			gauge(descFiring, f, st.Service, st.ID, r.Name, r.Severity)
		}
	}
}
