package slo

import (
	"context"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// PeriodSLI is an SLO's or a check's SLI over a fixed period, for reports:
// what the week delivered, apart from the SLO's own (longer) window.
type PeriodSLI struct {
	Service   string   `json:"service"`
	ID        string   `json:"id"` // the SLO id, or the check id for uptime
	Kind      string   `json:"kind"`
	Objective float64  `json:"objective,omitempty"` // 0 for a check's uptime
	SLI       *float64 `json:"sli"`                 // percent; nil when nothing was observed
	Good      float64  `json:"good"`
	Total     float64  `json:"total"`
	Met       bool     `json:"met"`
	Error     string   `json:"error,omitempty"` // why it could not be read
}

// Period measures every SLO of the services (none: all) and the uptime of
// each of their checks over [from, to). Each is read as two spans ending
// now, [from, now) less [to, now), so each span is tiled against the
// rollups still kept, however long ago the period was.
func (svc *Service) Period(ctx context.Context, cfg *config.Config, services []string, from, to time.Time) (slos, uptime []PeriodSLI) {
	now := svc.opt.Clock.Now()
	to = minTime(to, now)
	var objs, checks []*SLO
	for i := range cfg.Services {
		sv := &cfg.Services[i]
		if len(services) > 0 && !slices.Contains(services, sv.ID) {
			continue
		}
		for j := range sv.SLOs {
			objs = append(objs, &SLO{Service: sv.ID, Cfg: &sv.SLOs[j]})
		}
		for _, c := range sv.Checks {
			checks = append(checks, &SLO{Service: sv.ID, Cfg: &config.ServiceLevel{ID: c.ID,
				Availability: &config.AvailabilitySLI{Checks: []string{c.ID}}}})
		}
	}
	if !from.Before(to) {
		return svc.judge(objs, nil), svc.judge(checks, nil)
	}
	if err := svc.rec.flush(ctx, svc.opt.Store); err != nil && ctx.Err() == nil {
		svc.opt.Log.Warn("writing latency counts failed; the report may miss the latest", "err", err)
	}
	return svc.judge(objs, svc.between(ctx, objs, from, to, now)), svc.judge(checks, svc.between(ctx, checks, from, to, now))
}

// between reads each SLO's counts over [from, to) as [from, now) - [to, now).
func (svc *Service) between(ctx context.Context, slos []*SLO, from, to, now time.Time) []Reading {
	out := make([]Reading, len(slos))
	byKind := map[string][]int{}
	for i, s := range slos {
		byKind[s.Kind()] = append(byKind[s.Kind()], i)
	}
	for kind, idx := range byKind {
		src := svc.eval.Sources[kind]
		if src == nil {
			for _, i := range idx {
				out[i].Err = errNoSource(kind)
			}
			continue
		}
		reqs := make([]Request, 0, 2*len(idx))
		for _, i := range idx {
			reqs = append(reqs, Request{SLO: slos[i], From: from}, Request{SLO: slos[i], From: to})
		}
		got := src.Read(ctx, reqs, now)
		for n, i := range idx {
			all, tail := got[2*n], got[2*n+1]
			if all.Err != nil || tail.Err != nil {
				out[i].Err = firstErr(all.Err, tail.Err)
				continue
			}
			out[i].Counts = all.Counts.add(tail.Counts, -1)
		}
	}
	return out
}

func (svc *Service) judge(slos []*SLO, rs []Reading) []PeriodSLI {
	out := make([]PeriodSLI, len(slos))
	for i, s := range slos {
		p := PeriodSLI{Service: s.Service, ID: s.Cfg.ID, Kind: s.Kind(), Objective: s.Cfg.Objective}
		if rs != nil {
			r := rs[i]
			if r.Err != nil {
				p.Error = r.Err.Error()
			} else if ratio, ok := r.Ratio(); ok && r.Good >= 0 {
				pct := min(100, ratio*100)
				p.SLI, p.Good, p.Total = &pct, max(0, r.Good), r.Total
				p.Met = pct >= p.Objective
			}
		}
		out[i] = p
	}
	return out
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
