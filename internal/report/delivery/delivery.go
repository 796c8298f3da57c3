// Package delivery measures software delivery from Vigil's record, with
// the four keys of DORA's research (as the Four Keys project computes
// them): deployment frequency, lead time for changes, change failure rate
// and time to restore, per service and overall, each placed in a DORA
// performance band.
package delivery

import (
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

// Input is the record a report is computed from.
type Input struct {
	From, To    time.Time
	Environment string            // the deploys that count: production, usually
	Service     string            // "" for every service
	Deploys     []store.DeployRow // of every environment, any order, at least [From, To)
	Incidents   []store.IncidentRow
	Now         time.Time
}

// AttributionWindow is how long after a deploy an incident on its service
// is taken to be that deploy's doing (unless another deploy came between):
// the window an incident looks back over for what changed.
const AttributionWindow = 24 * time.Hour

// Report is the four keys over a period.
type Report struct {
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Environment string    `json:"environment"`
	Overall     Metrics   `json:"overall"`
	Services    []Metrics `json:"services"`
	Failures    []Failure `json:"failures"`
}

// Metrics are the four keys of one service, or of all ("" service).
type Metrics struct {
	Service string `json:"service,omitempty"`
	// Deployment frequency.
	Deploys        int     `json:"deploys"`
	DeploysPerWeek float64 `json:"deploys_per_week"`
	Frequency      string  `json:"frequency"` // daily, weekly, monthly, yearly (Four Keys' buckets)
	// Lead time for changes: median commit → deploy.
	Changes         int      `json:"changes"`
	LeadTimeSeconds *float64 `json:"lead_time_seconds"`
	// Change failure rate.
	Failed            int      `json:"failed"`
	ChangeFailureRate *float64 `json:"change_failure_rate"` // 0..1
	// Time to restore: median, over failures that were restored.
	Restored          int      `json:"restored"`
	Unrestored        int      `json:"unrestored"`
	TimeToRestoreSecs *float64 `json:"time_to_restore_seconds"`
	Bands             Bands    `json:"bands"`
}

// Failure is a deploy counted as a change failure, and why.
type Failure struct {
	Deploy      int64     `json:"deploy"`
	Service     string    `json:"service"`
	Version     string    `json:"version"`
	At          time.Time `json:"at"`
	Why         []string  `json:"why"`
	Incidents   []int64   `json:"incidents,omitempty"`
	RestoredIn  *float64  `json:"restored_in_seconds"` // nil while not restored
	RestoredHow string    `json:"restored_by,omitempty"`
}

// Compute measures in. A deploy counts when it is to the environment,
// within [From, To), and went out (succeeded or rolled_back; a failed
// deploy released nothing). It is a change failure when its verification
// failed, it was rolled back, or an incident on its service began within
// AttributionWindow after it and before the service's next deploy there.
// A failure is restored when its incidents are resolved (the longest
// counts, from impact start), or, without an incident, by the service's
// next deploy there that is no failure itself.
func Compute(in Input) Report {
	rep := Report{From: in.From, To: in.To, Environment: in.Environment, Services: []Metrics{}, Failures: []Failure{}}
	byService := map[string][]store.DeployRow{}
	for _, d := range in.Deploys {
		if d.Environment != in.Environment || (in.Service != "" && d.Service != in.Service) || d.Status == "failed" {
			continue
		}
		byService[d.Service] = append(byService[d.Service], d)
	}
	var all []counted
	names := make([]string, 0, len(byService))
	for svc := range byService {
		names = append(names, svc)
	}
	sort.Strings(names)
	for _, svc := range names {
		ds := byService[svc]
		sort.Slice(ds, func(i, j int) bool {
			return ds[i].At.Before(ds[j].At) || ds[i].At.Equal(ds[j].At) && ds[i].ID < ds[j].ID
		})
		cs := judge(ds, in)
		m := measure(svc, cs, in.From, in.To)
		if m.Deploys == 0 {
			continue
		}
		rep.Services = append(rep.Services, m)
		all = append(all, cs...)
		for _, c := range cs {
			if c.inWindow && c.failure != nil {
				rep.Failures = append(rep.Failures, *c.failure)
			}
		}
	}
	rep.Overall = measure("", all, in.From, in.To)
	sort.Slice(rep.Failures, func(i, j int) bool { return rep.Failures[i].At.Before(rep.Failures[j].At) })
	return rep
}

// counted is one deploy of a service with what was judged of it.
type counted struct {
	d        store.DeployRow
	inWindow bool
	leads    []time.Duration // its first-time commits
	failure  *Failure
}

// judge looks at one service's deploys (oldest first): which are in the
// window, the lead time of the commits each brought first, and which
// failed and when they were restored.
func judge(ds []store.DeployRow, in Input) []counted {
	out := make([]counted, len(ds))
	seen := map[string]bool{}
	for i, d := range ds {
		c := counted{d: d, inWindow: !d.At.Before(in.From) && d.At.Before(in.To)}
		for _, cm := range d.Commits {
			if seen[cm.SHA] {
				continue // a commit counts once, at its first deploy
			}
			seen[cm.SHA] = true
			c.leads = append(c.leads, d.At.Sub(cm.At))
		}
		var next *store.DeployRow
		if i+1 < len(ds) {
			next = &ds[i+1]
		}
		c.failure = failureOf(d, next, in.Incidents)
		out[i] = c
	}
	for i := range out {
		if f := out[i].failure; f != nil && f.RestoredIn == nil && len(f.Incidents) == 0 {
			restoreByDeploy(f, out[i+1:])
		}
	}
	return out
}

// failureOf says whether d failed, and sets how long its incidents took.
func failureOf(d store.DeployRow, next *store.DeployRow, incidents []store.IncidentRow) *Failure {
	f := &Failure{Deploy: d.ID, Service: d.Service, Version: d.Version, At: d.At}
	if v := d.Verification; v != nil && v.Status == store.VerifyFailed {
		f.Why = append(f.Why, "verification failed")
	}
	if d.Status == "rolled_back" {
		f.Why = append(f.Why, "rolled back")
	}
	end := d.At.Add(AttributionWindow)
	if next != nil && next.At.Before(end) {
		end = next.At
	}
	var longest time.Duration
	open := false
	for _, in := range incidents {
		if !slices.Contains(in.Services, d.Service) || in.StartedAt.Before(d.At) || !in.StartedAt.Before(end) {
			continue
		}
		f.Incidents = append(f.Incidents, in.ID)
		if in.ResolvedAt.IsZero() {
			open = true
		} else if took := in.ResolvedAt.Sub(in.StartedAt); took > longest {
			longest = took
		}
	}
	if len(f.Incidents) > 0 {
		slices.Sort(f.Incidents)
		f.Why = append(f.Why, "incident")
		if !open {
			f.RestoredIn, f.RestoredHow = seconds(longest), "incident resolved"
		}
	}
	if len(f.Why) == 0 {
		return nil
	}
	return f
}

// restoreByDeploy restores a failure without incidents at the service's
// next deploy there that did not fail.
func restoreByDeploy(f *Failure, later []counted) {
	for _, c := range later {
		if c.failure == nil {
			f.RestoredIn, f.RestoredHow = seconds(c.d.At.Sub(f.At)), "deploy "+strconv.FormatInt(c.d.ID, 10)
			return
		}
	}
}

// measure computes the keys over the deploys in the window.
func measure(service string, cs []counted, from, to time.Time) Metrics {
	m := Metrics{Service: service}
	var leads, restores []time.Duration
	var at []time.Time
	for _, c := range cs {
		if !c.inWindow {
			continue
		}
		m.Deploys++
		at = append(at, c.d.At)
		leads = append(leads, c.leads...)
		if c.failure == nil {
			continue
		}
		m.Failed++
		if c.failure.RestoredIn == nil {
			m.Unrestored++
			continue
		}
		m.Restored++
		restores = append(restores, time.Duration(*c.failure.RestoredIn*float64(time.Second)))
	}
	weeks := to.Sub(from).Hours() / (24 * 7)
	if weeks > 0 {
		m.DeploysPerWeek = round2(float64(m.Deploys) / weeks)
	}
	m.Frequency = frequency(at, from, to)
	m.Changes = len(leads)
	if len(leads) > 0 {
		m.LeadTimeSeconds = seconds(median(leads))
	}
	if m.Deploys > 0 {
		r := round4(float64(m.Failed) / float64(m.Deploys))
		m.ChangeFailureRate = &r
	}
	if len(restores) > 0 {
		m.TimeToRestoreSecs = seconds(median(restores))
	}
	m.Bands = bandsOf(m)
	return m
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func seconds(d time.Duration) *float64 {
	s := d.Seconds()
	return &s
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
func round4(f float64) float64 { return float64(int64(f*10000+0.5)) / 10000 }
