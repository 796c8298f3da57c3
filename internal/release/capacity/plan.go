package capacity

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/vigil-sre/vigil/internal/release/manifest"
	"github.com/vigil-sre/vigil/internal/yamldoc"
)

// Result is a worked capacity plan.
type Result struct {
	Input      Spec      `json:"input"`
	Deployment string    `json:"deployment"`
	Replicas   int       `json:"replicas"` // of the Deployment: what its busiest component needs
	Components []Planned `json:"components"`
	Notes      []string  `json:"notes,omitempty"`
}

// Planned is the outcome for one component, with the steps that led to it.
type Planned struct {
	Name     string            `json:"name"`
	Replicas int               `json:"replicas,omitempty"` // what its users need
	Requests map[string]string `json:"requests"`
	Limits   map[string]string `json:"limits"`
	Queue    *Throughput       `json:"queue,omitempty"`
	Steps    []Step            `json:"steps"`
}

// Step is one line of arithmetic, under a topic (replicas, memory, cpu, queue).
type Step struct {
	Topic string `json:"topic"`
	Text  string `json:"text"`
}

// Throughput is what a queue component gets through, per replica.
type Throughput struct {
	AtOnce        int    `json:"at_once"`
	PerMinute     string `json:"per_minute"` // slowest to quickest, e.g. "16 to 24"
	Drain         string `json:"drain,omitempty"`
	WorkersNeeded int    `json:"workers_needed,omitempty"` // to drain within drain_within
}

type unit struct {
	name    string
	value   func(resource.Quantity) *big.Rat
	format  func(*big.Rat) string
	defStep int64
	stepTxt string
}

var (
	memoryUnit = unit{"memory", func(q resource.Quantity) *big.Rat { return ratInt(q.Value()) }, memText, 16 * mi, "16Mi"}
	cpuUnit    = unit{"cpu", func(q resource.Quantity) *big.Rat { return ratInt(q.MilliValue()) }, milli, 1, "1m"}
)

// planner collects problems, located by field path, while it works.
type planner struct {
	ps yamldoc.Problems
}

func (p *planner) bad(field, format string, args ...any) {
	p.ps = append(p.ps, yamldoc.Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Bounds on what a plan takes, so that no arithmetic overflows.
const (
	maxCount      = 1_000_000_000 // users, queue items
	MaxReplicas   = 10_000
	maxComponents = 50
)

// Plan works out a plan. Every problem with the input is returned at once,
// each naming its field; the Result is only meaningful without problems.
func Plan(s Spec) (Result, yamldoc.Problems) {
	p := &planner{}
	p.checkSpec(s)
	res := Result{Input: s, Deployment: s.Deployment.Name}
	cpu := map[string]*big.Rat{}
	for i, c := range s.Components {
		path := yamldoc.Index("components", i)
		pl := Planned{Name: c.Name, Requests: map[string]string{}, Limits: map[string]string{}}
		step := func(topic, format string, args ...any) {
			pl.Steps = append(pl.Steps, Step{topic, fmt.Sprintf(format, args...)})
		}
		if c.Replicas < 0 || c.Replicas > MaxReplicas {
			p.bad(path+".replicas", "must be from 0 to %d", MaxReplicas)
		}
		if c.Users != nil {
			pl.Replicas = p.replicas(path+".users", c, step)
		}
		if r := p.resource(path+".memory", c.Memory, memoryUnit, step); r != nil {
			pl.Requests["memory"] = memText(r)
		}
		if c.CPU != nil && c.CPU.Like == "" {
			if r := p.resource(path+".cpu", c.CPU, cpuUnit, step); r != nil {
				cpu[c.Name] = r
				pl.Requests["cpu"] = milli(r)
			}
		}
		if c.Queue != nil {
			pl.Queue = p.queue(path+".queue", c.Queue, step)
		}
		res.Components = append(res.Components, pl)
	}
	for i, c := range s.Components { // ratios read the other components' planned requests
		if c.CPU == nil || c.CPU.Like == "" {
			continue
		}
		pl := &res.Components[i]
		step := func(topic, format string, args ...any) {
			pl.Steps = append(pl.Steps, Step{topic, fmt.Sprintf(format, args...)})
		}
		if r := p.ratio(yamldoc.Index("components", i)+".cpu", c, cpu, step); r != nil {
			pl.Requests["cpu"] = milli(r)
		}
	}
	for i := range res.Components {
		sortSteps(res.Components[i].Steps)
		for k, v := range res.Components[i].Requests {
			res.Components[i].Limits[k] = v // limits equal requests: the Guaranteed QoS class
		}
	}
	res.Replicas = deploymentReplicas(s, res.Components)
	res.Notes = notes(s, res)
	p.ps.Sort()
	return res, p.ps
}

func (p *planner) replicas(path string, c Component, step func(string, string, ...any)) int {
	u := c.Users
	ok := true
	if u.PerReplica <= 0 {
		p.bad(path+".per_replica", "must be more than 0: it is how many users one replica serves")
		ok = false
	}
	for field, v := range map[string]int{"now": u.Now, "target": u.Target, "spare": u.Spare, "per_replica": u.PerReplica} {
		switch {
		case v < 0 && field != "per_replica":
			p.bad(path+"."+field, "must not be negative")
			ok = false
		case v > maxCount:
			p.bad(path+"."+field, "must be at most %d", maxCount)
			ok = false
		}
	}
	if !ok {
		return 0
	}
	per := ratInt(int64(u.PerReplica))
	if u.Now > 0 {
		nowNeed := ceilInt(quo(ratInt(int64(u.Now)), per))
		running := ""
		if c.Replicas > 0 {
			running = fmt.Sprintf(" (running %d)", c.Replicas)
		}
		step("replicas", "now: %d users ÷ %d per replica = %s → %d replicas%s", u.Now, u.PerReplica,
			decimal(quo(ratInt(int64(u.Now)), per)), nowNeed, running)
	}
	need := int(ceilInt(quo(ratInt(int64(u.Target)), per)))
	if need+u.Spare > MaxReplicas {
		p.bad(path+".target", "needs %d replicas, more than %d; check the numbers", need+u.Spare, MaxReplicas)
		return 0
	}
	step("replicas", "target: %d users ÷ %d per replica = %s → ceil = %d replicas", u.Target, u.PerReplica,
		decimal(quo(ratInt(int64(u.Target)), per)), need)
	if u.Spare > 0 {
		step("replicas", "plus %d spare: %d + %d = %d replicas", u.Spare, need, u.Spare, need+u.Spare)
		need += u.Spare
	}
	return max(need, 1)
}

// resource works out one request: measured use, scaled by the release's
// change, divided by the ceiling, rounded up.
func (p *planner) resource(path string, r *Resource, u unit, step func(string, string, ...any)) *big.Rat {
	if r == nil {
		return nil
	}
	quantity := func(field, s string) *big.Rat {
		if s == "" {
			return nil
		}
		q, err := manifest.ParseQuantity(u.name, s)
		if err != nil {
			p.bad(path+"."+field, "%v", err)
			return nil
		}
		if q.Sign() == 0 {
			p.bad(path+"."+field, "must be more than 0")
			return nil
		}
		return u.value(q)
	}
	fraction := func(field, s string, lo, hi *big.Rat, why string) *big.Rat {
		if s == "" {
			return nil
		}
		f, err := percent(s)
		if err != nil {
			p.bad(path+"."+field, "%v", err)
			return nil
		}
		if f.Cmp(lo) <= 0 || (hi != nil && f.Cmp(hi) > 0) {
			p.bad(path+"."+field, "%s %s", s, why)
			return nil
		}
		return f
	}
	zero, one, minusOne := ratInt(0), ratInt(1), ratInt(-1)
	if r.Like != "" || r.Times != 0 || r.PerWorker {
		if u.name != "cpu" {
			p.bad(path+".like", "only cpu can be a multiple of another component's")
		}
		return nil
	}
	request := quantity("request", r.Request)
	used := quantity("used", r.Used)
	util := fraction("utilization", r.Utilization, zero, one, "is not a share of the request: it must be more than 0% and at most 100%")
	change := fraction("change", r.Change, minusOne, nil, "would leave nothing in use: it must be more than -100%")
	ceiling := fraction("ceiling", r.Ceiling, zero, one, "is not a share of the request: it must be more than 0% and at most 100%")
	stepBy := u.defStep
	stepTxt := u.stepTxt
	if r.RoundTo != "" {
		if s := quantity("round_to", r.RoundTo); s != nil {
			if !s.IsInt() {
				p.bad(path+".round_to", "must be a whole number of %s", map[string]string{"memory": "bytes", "cpu": "millicores"}[u.name])
			} else {
				stepBy, stepTxt = s.Num().Int64(), r.RoundTo
			}
		}
	}
	if r.Used != "" && r.Utilization != "" {
		p.bad(path+".used", "give used or utilization, not both")
		return nil
	}
	if r.Utilization != "" && r.Request == "" {
		p.bad(path+".request", "is needed to apply utilization %s to", r.Utilization)
		return nil
	}
	if r.Request == "" && r.Used == "" {
		p.bad(path, "give request, or used (a measured amount)")
		return nil
	}
	if (r.Request != "" && request == nil) || (r.Used != "" && used == nil) || (r.Utilization != "" && util == nil) ||
		(r.Change != "" && change == nil) || (r.Ceiling != "" && ceiling == nil) {
		return nil
	}
	inUse := used
	switch {
	case used != nil:
		step(u.name, "measured use: %s", u.format(used))
	case util != nil:
		inUse = mul(request, util)
		step(u.name, "used now: %s × %s = %s", u.format(request), pct(util), u.format(inUse))
	default:
		if change != nil || ceiling != nil {
			p.bad(path+".utilization", "is needed (or used) to apply change or ceiling to")
			return nil
		}
		step(u.name, "request: %s, unchanged (no measured use to scale)", u.format(request))
		return request
	}
	if change != nil {
		after := mul(inUse, new(big.Rat).Add(one, change))
		step(u.name, "after the release: %s × (1 %s) = %s", u.format(inUse), signedPctSpaced(change), u.format(after))
		inUse = after
	}
	need := inUse
	if ceiling != nil {
		need = quo(inUse, ceiling)
		step(u.name, "request with a ceiling of %s: %s ÷ %s = %s", pct(ceiling), u.format(inUse), pct(ceiling), u.format(need))
	}
	rounded := ratInt(ceilTo(need, stepBy))
	switch {
	case rounded.Cmp(need) != 0:
		step(u.name, "rounded up to a multiple of %s: %s", stepTxt, u.format(rounded))
	case stepBy > 1:
		step(u.name, "%s is a multiple of %s: request %s", u.format(need), stepTxt, u.format(rounded))
	}
	return rounded
}

func signedPctSpaced(r *big.Rat) string {
	s := signedPct(r)
	return s[:1] + " " + s[1:]
}

// ratio works out a CPU request as a multiple of another component's.
func (p *planner) ratio(path string, c Component, cpu map[string]*big.Rat, step func(string, string, ...any)) *big.Rat {
	r := c.CPU
	if r.Request != "" || r.Used != "" || r.Utilization != "" || r.Change != "" || r.Ceiling != "" {
		p.bad(path+".like", "a cpu given as a multiple of another component's takes no request, used, utilization, change or ceiling")
		return nil
	}
	if math.IsNaN(r.Times) || r.Times <= 0 || r.Times > 1000 {
		p.bad(path+".times", "must be more than 0, e.g. 2 for twice the cpu of %s", r.Like)
		return nil
	}
	base, ok := cpu[r.Like]
	if !ok {
		p.bad(path+".like", "%q is not a component with a cpu request of its own", r.Like)
		return nil
	}
	times := new(big.Rat).SetFloat64(r.Times)
	each := mul(times, base)
	if !r.PerWorker {
		v := ratInt(ceilInt(each))
		step("cpu", "%s × %s's request: %s × %s = %s", decimal(times), r.Like, decimal(times), milli(base), milli(v))
		return v
	}
	if c.Queue == nil || c.Queue.Workers <= 0 {
		p.bad(path+".per_worker", "needs queue.workers")
		return nil
	}
	w := ratInt(int64(c.Queue.Workers))
	v := ratInt(ceilInt(mul(w, each)))
	step("cpu", "workers × (%s × %s's request): %d × (%s × %s) = %s", decimal(times), r.Like, c.Queue.Workers, decimal(times), milli(base), milli(v))
	return v
}

func (p *planner) queue(path string, q *Queue, step func(string, string, ...any)) *Throughput {
	ok := true
	for field, v := range map[string]int{"workers": q.Workers, "concurrency": q.Concurrency} {
		if v < 1 || v > 10_000 {
			p.bad(path+"."+field, "must be from 1 to 10000")
			ok = false
		}
	}
	if q.Size < 0 || q.Size > maxCount {
		p.bad(path+".size", "must be from 0 to %d", maxCount)
		ok = false
	}
	dur := func(field, s string) time.Duration {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 || d > 30*24*time.Hour {
			p.bad(path+"."+field, "%q is not a duration from 1ns to 720h, such as 10s", s)
			ok = false
			return 0
		}
		return d
	}
	lo, hi := dur("service_time.min", q.ServiceTime.Min), dur("service_time.max", q.ServiceTime.Max)
	if lo > 0 && hi > 0 && lo > hi {
		p.bad(path+".service_time.min", "is more than max (%s)", q.ServiceTime.Max)
		ok = false
	}
	var within time.Duration
	if q.DrainWithin != "" {
		within = dur("drain_within", q.DrainWithin)
	}
	if !ok {
		return nil
	}
	item := q.Item
	if item == "" {
		item = "item"
	}
	slots := q.Workers * q.Concurrency
	t := &Throughput{AtOnce: slots}
	step("queue", "%d workers × %d %ss each = %d %ss at a time", q.Workers, q.Concurrency, item, slots, item)
	perMin := func(d time.Duration) *big.Rat {
		return quo(mul(ratInt(int64(slots)), ratInt(int64(time.Minute))), ratInt(int64(d)))
	}
	t.PerMinute = fmt.Sprintf("%s to %s", decimal(perMin(hi)), decimal(perMin(lo)))
	step("queue", "throughput: %d × 1m ÷ %s to %d × 1m ÷ %s = %s %ss a minute", slots, span(hi), slots, span(lo), t.PerMinute, item)
	if q.Size > 0 {
		rounds := (q.Size + slots - 1) / slots
		t.Drain = fmt.Sprintf("%s to %s", span(time.Duration(rounds)*lo), span(time.Duration(rounds)*hi))
		step("queue", "a full queue of %d: ceil(%d ÷ %d) = %d rounds × %s to %s = %s to drain", q.Size, q.Size, slots, rounds,
			span(lo), span(hi), t.Drain)
		if within > 0 {
			worst := time.Duration(rounds) * hi
			perWorkerRounds := int(within / hi) // rounds of the slowest items that fit in the window
			switch {
			case worst <= within:
				step("queue", "drains within %s even at %s an %s", span(within), span(hi), item)
			case perWorkerRounds == 0:
				step("queue", "cannot drain within %s: one %s takes up to %s", span(within), item, span(hi))
			default:
				need := (q.Size + perWorkerRounds*q.Concurrency - 1) / (perWorkerRounds * q.Concurrency)
				t.WorkersNeeded = need
				step("queue", "to drain within %s at %s an %s: ceil(%d ÷ (%d rounds × %d)) = %d workers", span(within), span(hi), item,
					q.Size, perWorkerRounds, q.Concurrency, need)
			}
		}
	}
	return t
}

func deploymentReplicas(s Spec, planned []Planned) int {
	n := 0
	for _, pl := range planned {
		n = max(n, pl.Replicas)
	}
	if n > 0 {
		return n
	}
	for _, c := range s.Components {
		n = max(n, c.Replicas)
	}
	return max(n, 1)
}

func notes(s Spec, res Result) []string {
	var out []string
	for i, c := range s.Components {
		pl := res.Components[i]
		if c.Users != nil && c.Users.PerReplica > 0 && c.Replicas > 0 {
			if now := (c.Users.Now + c.Users.PerReplica - 1) / c.Users.PerReplica; now > c.Replicas {
				out = append(out, fmt.Sprintf("%s runs %d replicas but its %d users need %d now.", c.Name, c.Replicas, c.Users.Now, now))
			}
		}
		if pl.Queue != nil && res.Replicas > 1 {
			item := c.Queue.Item
			if item == "" {
				item = "item"
			}
			out = append(out, fmt.Sprintf("%s runs in each of the %d replicas of %s: %d × %d = %d %ss at a time in all. If each %s must be "+
				"taken by one worker only, or fewer copies are wanted, give it a Deployment of its own.",
				c.Name, res.Replicas, s.Deployment.Name, res.Replicas, pl.Queue.AtOnce, res.Replicas*pl.Queue.AtOnce, item, item))
		}
	}
	return out
}

var topics = map[string]int{"replicas": 0, "memory": 1, "cpu": 2, "queue": 3}

// sortSteps orders steps by topic, keeping each topic's steps in order.
func sortSteps(steps []Step) {
	sort.SliceStable(steps, func(i, j int) bool { return topics[steps[i].Topic] < topics[steps[j].Topic] })
}
