package slo

import (
	"context"
	"sort"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/internal/check/promcheck"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// Point is one step of an SLO's burn history: what the step itself burned,
// and the budget left at its end counting from the window's start.
type Point struct {
	Start           time.Time `json:"start"`
	Good            float64   `json:"good"`
	Total           float64   `json:"total"`
	SLI             *float64  `json:"sli"`
	BurnRate        *float64  `json:"burn_rate"`
	BudgetRemaining *float64  `json:"budget_remaining_percent"`
}

// Detail is an SLO's status with its burn history over the window.
type Detail struct {
	Status
	Step    string  `json:"step"`
	History []Point `json:"history"`
	// HistoryError says why the history could not be read, if it could not.
	HistoryError string `json:"history_error,omitempty"`
}

// Detail returns an SLO's latest status and its history over its window,
// hourly for windows up to 8 days (hourly rollups are kept that long),
// daily beyond.
func (svc *Service) Detail(ctx context.Context, service, id string) (Detail, error) {
	st, err := svc.Status(ctx, service, id)
	if err != nil {
		return Detail{}, err
	}
	s := svc.find(service, id)
	if s == nil {
		return Detail{}, errs.E(errs.NotFound, "no SLO %s/%s", service, id)
	}
	step, res := 24*time.Hour, store.Day
	if st.WindowEnd.Sub(st.WindowStart) <= 8*24*time.Hour {
		step, res = time.Hour, store.Hour
	}
	d := Detail{Status: st, Step: duration.Format(step), History: []Point{}}
	now := st.At
	from := st.WindowStart.UTC().Truncate(step)
	var pts []Point
	switch s.Kind() {
	case "availability":
		ids := svc.opt.CheckIDs()
		var list []int64
		for _, c := range s.Cfg.Availability.Checks {
			if id, ok := ids[s.Service+"/"+c]; ok {
				list = append(list, id)
			}
		}
		var bs []store.Bucket
		if len(list) > 0 {
			bs, err = svc.opt.Store.Timeline(ctx, list, res, from, now.Add(step))
		}
		for _, b := range bs {
			pts = append(pts, Point{Start: b.Start, Good: float64(b.UpMs), Total: float64(b.UpMs + b.DownMs)})
		}
	case "prometheus":
		pts, err = svc.promHistory(ctx, s, from, now, step)
	default:
		var bs []store.SLOBucket
		bs, err = svc.opt.Store.SLOTimeline(ctx, s.Key(), res, from, now.Add(step))
		for _, b := range bs {
			pts = append(pts, Point{Start: b.Start, Good: float64(b.Good), Total: float64(b.Total)})
		}
	}
	if err != nil {
		d.HistoryError = err.Error()
		return d, nil
	}
	var cg, ct float64
	for _, p := range pts {
		cg += p.Good
		ct += p.Total
		if r, ok := (Counts{Good: p.Good, Total: p.Total}).Ratio(); ok {
			p.SLI = ptr(round(100 * r))
			p.BurnRate = ptr(round(burnOf(1-r, st.Objective)))
		}
		if r, ok := (Counts{Good: cg, Total: ct}).Ratio(); ok {
			p.BudgetRemaining = ptr(round(100 * (1 - burnOf(1-r, st.Objective))))
		}
		d.History = append(d.History, p)
	}
	return d, nil
}

func burnOf(errRatio, objective float64) float64 { return errRatio / (1 - objective/100) }

// promHistory asks Prometheus for good and total per step.
func (svc *Service) promHistory(ctx context.Context, s *SLO, from, to time.Time, step time.Duration) ([]Point, error) {
	c, err := svc.prom.conn(s)
	if err != nil {
		return nil, err
	}
	good, total, isBad := promQueries(s.Cfg.Prometheus)
	win := duration.Format(step)
	r := v1.Range{Start: from.Add(step), End: to, Step: step}
	series := func(q string) (map[int64]float64, error) {
		qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		v, err := c.QueryRange(qctx, promcheck.WithWindow(q, win), r)
		if err != nil {
			return nil, err
		}
		out := map[int64]float64{}
		if m, ok := v.(model.Matrix); ok {
			for _, ss := range m {
				for _, p := range ss.Values {
					out[p.Timestamp.Unix()] += float64(p.Value)
				}
			}
		}
		return out, nil
	}
	g, err := series(good)
	if err != nil {
		return nil, err
	}
	t, err := series(total)
	if err != nil {
		return nil, err
	}
	var ts []int64
	for k := range t {
		ts = append(ts, k)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	var out []Point
	for _, k := range ts {
		gv := g[k]
		if isBad {
			gv = t[k] - gv
		}
		out = append(out, Point{Start: time.Unix(k, 0).UTC().Add(-step), Good: gv, Total: t[k]})
	}
	return out, nil
}
