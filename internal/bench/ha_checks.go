package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ChecksHAOptions configure the split-checks scenario.
type ChecksHAOptions struct {
	Binary    string
	Env       []string
	Store     string // a Postgres DSN: replicas share it
	Replicas  int
	Checks    int
	Every     time.Duration
	Heartbeat time.Duration
	LeaseTTL  time.Duration
	// Window is how long each steady phase is watched.
	Window time.Duration
	// Kill kills (SIGKILL) a replica holding check shards that does not
	// lead, then starts it again.
	Kill bool
	Log  io.Writer
}

// ChecksHAReport is what the split-checks scenario saw. A phase is steady
// when no replica joined or died during it.
type ChecksHAReport struct {
	Replicas      int     `json:"replicas"`
	Checks        int     `json:"checks"`
	ProbesPerSec  float64 `json:"probes_per_second"` // first steady phase, all replicas
	ProbedBy      []int   `json:"checks_probed_by"`  // per replica slot, first steady phase
	Doubled       int     `json:"doubled"`           // checks probed by two replicas in a steady phase
	DoubledIn     string  `json:"doubled_in,omitempty"`
	MaxGapSeconds float64 `json:"max_gap_seconds"` // longest gap between probes of a check, steady phases
	Silent        int     `json:"silent"`          // checks not probed at all in a steady phase
	// Killed is the replica killed, with the checks it probed; TakeoverSeconds
	// the time from the kill until the last of them was probed by a survivor.
	Killed          string  `json:"killed,omitempty"`
	KilledChecks    int     `json:"killed_checks,omitempty"`
	TakeoverSeconds float64 `json:"takeover_seconds,omitempty"`
	// JoinSeconds is the time from the restarted replica's start until it
	// probed a check again.
	JoinSeconds float64 `json:"join_seconds,omitempty"`
	AfterJoinBy []int   `json:"after_join_probed_by,omitempty"`
}

// probeLog records every probe the target receives: which check, which
// replica (the check's URL carries the replica's name), when.
type probeLog struct {
	mu     sync.Mutex
	probes []probe
}

type probe struct {
	check, replica string
	at             time.Time
}

func (l *probeLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	check, ok := strings.CutPrefix(r.URL.Path, "/probe/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	l.mu.Lock()
	l.probes = append(l.probes, probe{check: check, replica: r.URL.Query().Get("r"), at: wall.Now()})
	l.mu.Unlock()
}

// between is the probes in [from, to).
func (l *probeLog) between(from, to time.Time) []probe {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []probe
	for _, p := range l.probes {
		if !p.at.Before(from) && p.at.Before(to) {
			out = append(out, p)
		}
	}
	return out
}

// steady judges a phase: which replicas probed which checks, checks probed
// by two, checks not probed, and the longest gap between a check's probes.
type steady struct {
	by      map[string]map[string]bool // check → replicas
	perRep  map[string]int             // replica → checks
	maxGap  time.Duration
	probes  int
	doubled []string
	silent  []string
}

func judge(ps []probe, checks int, from, to time.Time) steady {
	s := steady{by: map[string]map[string]bool{}, perRep: map[string]int{}, probes: len(ps)}
	last := map[string]time.Time{}
	for _, p := range ps {
		if s.by[p.check] == nil {
			s.by[p.check] = map[string]bool{}
		}
		if !s.by[p.check][p.replica] {
			s.by[p.check][p.replica] = true
			s.perRep[p.replica]++
		}
		prev, ok := last[p.check]
		if !ok {
			prev = from
		}
		s.maxGap = max(s.maxGap, p.at.Sub(prev))
		last[p.check] = p.at
	}
	for i := range checks {
		c := "c" + strconv.Itoa(i)
		switch reps := s.by[c]; {
		case len(reps) == 0:
			s.silent = append(s.silent, c)
		case len(reps) > 1:
			s.doubled = append(s.doubled, c+" by "+strings.Join(slices.Sorted(mapKeys(reps)), ","))
		}
		if t, ok := last[c]; ok {
			s.maxGap = max(s.maxGap, to.Sub(t))
		}
	}
	return s
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func checksHAConfig(target string, n int, every, heartbeat, ttl time.Duration) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "global: {cluster: {heartbeat: %s, lease_ttl: %s}}\n", heartbeat, ttl)
	b.WriteString(readerTokens + "services:\n  - id: split\n    checks:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - {id: c%d, http: {url: \"%s/probe/c%d?r=${VIGIL_REPLICA_NAME}\"}, every: %s, timeout: %s, flapping: {disabled: true}, expect: ['status == 200']}\n",
			i, target, i, every, every/2)
	}
	return []byte(b.String())
}

// shardView is the part of GET /api/v1/cluster this scenario reads.
type shardView struct {
	Replicas []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Alive  bool   `json:"alive"`
		Checks int    `json:"checks"`
		Owns   []string
	} `json:"replicas"`
}

// RunChecksHA runs replicas of vigil serve on one Postgres database with
// HTTP checks against a target that records which replica probed each
// check when. It watches a steady phase (every check probed by exactly one
// replica, on its interval), kills a replica holding check shards
// (SIGKILL), measures how soon the survivors probe its checks, watches
// another steady phase, starts the replica again, measures how soon it
// probes again, and watches a last steady phase.
func RunChecksHA(ctx context.Context, opt ChecksHAOptions) (ChecksHAReport, error) {
	rep := ChecksHAReport{Replicas: opt.Replicas, Checks: opt.Checks}
	logf := func(format string, args ...any) { fmt.Fprintf(opt.Log, format+"\n", args...) }
	if opt.Store == "" {
		return rep, errors.New("the split-checks scenario needs a Postgres store (--store postgres://...)")
	}
	dir, err := os.MkdirTemp("", "vigil-checks-ha-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	log := &probeLog{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return rep, err
	}
	tsrv := &http.Server{Handler: log, ReadHeaderTimeout: 5 * time.Second}
	go tsrv.Serve(ln)
	defer tsrv.Close()
	cfg := filepath.Join(dir, "checks.yaml")
	if err := os.WriteFile(cfg, checksHAConfig("http://"+ln.Addr().String(), opt.Checks, opt.Every, opt.Heartbeat, opt.LeaseTTL), 0o600); err != nil {
		return rep, err
	}
	client := readerClient(10 * time.Second)
	addrs := make([]string, opt.Replicas)
	for i := range addrs {
		if addrs[i], err = freeAddr(); err != nil {
			return rep, err
		}
	}
	name := func(slot int) string { return "replica-" + strconv.Itoa(slot+1) }
	rs := &haReplicas{client: client, kids: make([]child, opt.Replicas), stops: make([]func(), opt.Replicas)}
	rs.serve = func(slot int) (child, func(), error) {
		env := append(slices.Clone(opt.Env), "VIGIL_REPLICA_NAME="+name(slot))
		return startChild(ctx, opt.Binary, []string{"serve", "--config", cfg, "--listen", addrs[slot], "--store", opt.Store}, `http://\S+`, opt.Log, env...)
	}
	defer rs.stopAll()
	for i := range opt.Replicas {
		k, stop, err := rs.serve(i)
		if err != nil {
			return rep, err
		}
		rs.kids[i], rs.stops[i] = k, stop
	}
	// settled waits until every live replica's view shows each live one
	// probing some checks and all checks split among them.
	settled := func(live int) error {
		deadline := wall.Now().Add(90 * time.Second)
		for {
			var v shardView
			if err := getJSON(client, rs.urls()[0]+"/api/v1/cluster", &v); err == nil {
				n, total := 0, 0
				for _, r := range v.Replicas {
					if r.Alive && r.Checks > 0 {
						n++
						total += r.Checks
					}
				}
				if n == live && total == opt.Checks {
					return nil
				}
			}
			if wall.Now().After(deadline) {
				return fmt.Errorf("the checks were not split over %d replicas within 90s", live)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	watch := func(phase string) (steady, error) {
		// Let handovers finish and probes in flight land: a full interval.
		time.Sleep(opt.Every + 2*opt.Heartbeat)
		from := wall.Now()
		time.Sleep(opt.Window)
		to := wall.Now()
		s := judge(log.between(from, to), opt.Checks, from, to)
		rep.Doubled += len(s.doubled)
		if len(s.doubled) > 0 && rep.DoubledIn == "" {
			rep.DoubledIn = phase + ": " + strings.Join(s.doubled[:min(5, len(s.doubled))], "; ")
		}
		rep.Silent += len(s.silent)
		rep.MaxGapSeconds = max(rep.MaxGapSeconds, s.maxGap.Seconds())
		logf("%s: %d probes in %.1fs (%.0f/s), checks per replica %v, %d probed by two replicas, %d silent, longest gap %.2fs",
			phase, s.probes, to.Sub(from).Seconds(), float64(s.probes)/to.Sub(from).Seconds(), s.perRep, len(s.doubled), len(s.silent), s.maxGap.Seconds())
		return s, nil
	}
	perSlot := func(s steady) []int {
		out := make([]int, opt.Replicas)
		for i := range out {
			out[i] = s.perRep[name(i)]
		}
		return out
	}
	if err := settled(opt.Replicas); err != nil {
		return rep, err
	}
	s1, _ := watch("steady")
	rep.ProbesPerSec = float64(s1.probes) / opt.Window.Seconds()
	rep.ProbedBy = perSlot(s1)
	if !opt.Kill || opt.Replicas < 2 {
		return rep, nil
	}

	// Kill a replica that probes checks but does not lead: its checks move
	// to the survivors; the pager and heartbeats stay where they are.
	lead, _ := rs.leader(-1)
	victim := -1
	for i := range opt.Replicas {
		if i != lead && s1.perRep[name(i)] > 0 && (victim < 0 || s1.perRep[name(i)] > s1.perRep[name(victim)]) {
			victim = i
		}
	}
	if victim < 0 {
		return rep, errors.New("no replica other than the leader probes checks")
	}
	var its []string
	for c, reps := range s1.by {
		if reps[name(victim)] {
			its = append(its, c)
		}
	}
	rs.mu.Lock()
	k := rs.kids[victim]
	rs.mu.Unlock()
	k.kill()
	killed := wall.Now()
	rep.Killed, rep.KilledChecks = name(victim), len(its)
	deadline := killed.Add(opt.LeaseTTL + 10*opt.Every + 10*time.Second)
	for {
		seen := map[string]bool{}
		for _, p := range log.between(killed, wall.Now()) {
			if p.replica != name(victim) {
				seen[p.check] = true
			}
		}
		done := true
		for _, c := range its {
			done = done && seen[c]
		}
		if done {
			break
		}
		if wall.Now().After(deadline) {
			return rep, fmt.Errorf("the checks of the killed replica were not all probed by others within %s", deadline.Sub(killed))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The takeover time is when the last of them was first probed.
	first := map[string]time.Time{}
	for _, p := range log.between(killed, wall.Now()) {
		if _, ok := first[p.check]; !ok && p.replica != name(victim) && slices.Contains(its, p.check) {
			first[p.check] = p.at
		}
	}
	for _, at := range first {
		rep.TakeoverSeconds = max(rep.TakeoverSeconds, at.Sub(killed).Seconds())
	}
	logf("killed %s (SIGKILL), which probed %d checks; the survivors probed all of them within %.2fs", name(victim), len(its), rep.TakeoverSeconds)
	if _, err := watch("after the kill"); err != nil {
		return rep, err
	}

	// Start it again: it joins as a new member and gets its share back.
	k2, stop, err := rs.serve(victim)
	if err != nil {
		return rep, fmt.Errorf("restarting %s: %w", name(victim), err)
	}
	started := wall.Now()
	rs.mu.Lock()
	rs.kids[victim], rs.stops[victim] = k2, stop
	rs.mu.Unlock()
	for rep.JoinSeconds == 0 {
		for _, p := range log.between(started, wall.Now()) {
			if p.replica == name(victim) {
				rep.JoinSeconds = p.at.Sub(started).Seconds()
				break
			}
		}
		if rep.JoinSeconds == 0 {
			if wall.Since(started) > 30*time.Second {
				return rep, errors.New("the restarted replica probed nothing within 30s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := settled(opt.Replicas); err != nil {
		return rep, err
	}
	s3, _ := watch("after the rejoin")
	rep.AfterJoinBy = perSlot(s3)
	logf("%s probed again %.2fs after it started", name(victim), rep.JoinSeconds)
	return rep, nil
}
