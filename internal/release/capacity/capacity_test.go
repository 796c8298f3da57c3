package capacity

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/internal/release/manifest"
)

// golden compares got with a file under testdata; VIGIL_UPDATE_GOLDEN=1 rewrites it.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("VIGIL_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with VIGIL_UPDATE_GOLDEN=1 to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("differs from %s; got:\n%s", path, got)
	}
}

// TestSeedReleasePlan: the field notes' release night comes out as the
// field notes worked it out: 6 replicas, 256Mi at 85% used plus 25% is
// 272Mi, which at an 85% ceiling is 320Mi, and the order processor at 1Gi
// and 2 × (2 × 250m) = 1000m. The arithmetic and the Deployment are golden,
// and the Deployment is the one the Release 2 example carries.
func TestSeedReleasePlan(t *testing.T) {
	const path = "../../../examples/capacity/release-2.yaml"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ParseFile("release-2.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	app, proc := res.Components[0], res.Components[1]
	if res.Replicas != 6 || app.Replicas != 6 || app.Requests["memory"] != "320Mi" || app.Requests["cpu"] != "250m" {
		t.Errorf("main app: %d replicas, %+v", res.Replicas, app)
	}
	if proc.Requests["memory"] != "1Gi" || proc.Requests["cpu"] != "1000m" || proc.Queue.AtOnce != 4 || proc.Queue.PerMinute != "16 to 24" {
		t.Errorf("order processor: %+v %+v", proc, proc.Queue)
	}
	var text bytes.Buffer
	if err := res.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"2600 users ÷ 500 per replica = 5.2 → ceil = 6 replicas", "256Mi × 85% = 217.6Mi",
		"217.6Mi × (1 + 25%) = 272Mi", "272Mi ÷ 85% = 320Mi", "2 × (2 × 250m) = 1000m"} {
		if !strings.Contains(text.String(), step) {
			t.Errorf("the arithmetic does not show %q", step)
		}
	}
	golden(t, "testdata/release-2.txt", text.Bytes())
	m, err := res.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/release-2.deployment.yaml", m)
	example, err := os.ReadFile("../../../examples/releases/release-2-deployment.yaml")
	if err != nil || !bytes.Equal(example, m) {
		t.Errorf("examples/releases/release-2-deployment.yaml is not what the plan writes (err %v); regenerate it with vigil capacity plan --manifest", err)
	}
	if ps := manifest.Lint("plan.yaml", m); len(ps) > 0 {
		t.Errorf("the plan's own Deployment does not pass review:\n%v", ps)
	}
}

// TestImpossiblePlans: every problem is reported at once, at its line and column.
func TestImpossiblePlans(t *testing.T) {
	src := `deployment: {name: app}
components:
  - name: main_app
    image: nginx:latest
    users: {target: 100, per_replica: 0, now: -5}
    memory: {request: 256mb, utilization: 120%, ceiling: 85%}
    cpu: {request: 250m, utilisation: 50%}
  - name: worker
    cpu: {like: nope, times: 2}
    queue: {workers: 0, concurrency: 1, service_time: {min: 20s, max: 10s}, size: -1}
`
	_, err := ParseFile("cap.yaml", []byte(src))
	if err == nil {
		t.Fatal("an impossible plan was accepted")
	}
	want := []string{
		`cap.yaml:7:26: components[0].cpu.utilisation: unknown field "utilisation"; did you mean "utilization"?`,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Fatalf("unknown fields first:\n%s", got)
	}
	src = strings.Replace(src, "utilisation: 50%", "utilization: 50%", 1)
	_, err = ParseFile("cap.yaml", []byte(src))
	want = []string{
		`cap.yaml:3:11: components[0].name: "main_app" is not a valid container name (an RFC 1123 label: lowercase letters, digits and '-')`,
		`cap.yaml:4:12: components[0].image: pin a version tag or a digest: :latest runs whatever latest is when it is pulled`,
		`cap.yaml:5:39: components[0].users.per_replica: must be more than 0: it is how many users one replica serves`,
		`cap.yaml:5:47: components[0].users.now: must not be negative`,
		`cap.yaml:6:23: components[0].memory.request: "256mb" is not a Kubernetes quantity; did you mean 256Mi?`,
		`cap.yaml:6:43: components[0].memory.utilization: 120% is not a share of the request: it must be more than 0% and at most 100%`,
		`cap.yaml:9:17: components[1].cpu.like: "nope" is not a component with a cpu request of its own`,
		`cap.yaml:10:22: components[1].queue.workers: must be from 1 to 10000`,
		`cap.yaml:10:61: components[1].queue.service_time.min: is more than max (10s)`,
		`cap.yaml:10:83: components[1].queue.size: must be from 0 to 1000000000`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("got:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

// TestRounding: memory rounds up to a multiple of round_to (16Mi unless
// set), CPU to whole millicores, replicas to whole replicas, and spare
// replicas come on top.
func TestRounding(t *testing.T) {
	spec := Spec{Deployment: Deployment{Name: "app"}, Components: []Component{{
		Name:   "app",
		Users:  &Users{Target: 1001, PerReplica: 500, Spare: 1},
		Memory: &Resource{Request: "300Mi", Utilization: "90%", Ceiling: "85%"},
		CPU:    &Resource{Request: "333m", Utilization: "50%", Change: "+10%", Ceiling: "70%"},
	}}}
	res, ps := Plan(spec)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	c := res.Components[0]
	// 300Mi × 90% = 270Mi; ÷ 85% = 317.65Mi → 320Mi. 333m × 50% × 1.1 = 183.15m; ÷ 70% = 261.64m → 262m.
	// ceil(1001 ÷ 500) = 3, plus 1 spare = 4.
	if c.Requests["memory"] != "320Mi" || c.Requests["cpu"] != "262m" || c.Replicas != 4 || res.Replicas != 4 {
		t.Fatalf("got %+v", c)
	}
	spec.Components[0].Memory.RoundTo = "64Mi"
	res, _ = Plan(spec)
	if got := res.Components[0].Requests["memory"]; got != "320Mi" {
		t.Errorf("64Mi steps: %s, want 320Mi", got)
	}
	spec.Components[0].Memory.RoundTo = "100Mi"
	res, _ = Plan(spec)
	if got := res.Components[0].Requests["memory"]; got != "400Mi" {
		t.Errorf("100Mi steps: %s, want 400Mi", got)
	}
}

// TestQueueNeedsMoreWorkers: a queue that cannot drain in time says how
// many workers it needs.
func TestQueueNeedsMoreWorkers(t *testing.T) {
	res, ps := Plan(Spec{Deployment: Deployment{Name: "w"}, Components: []Component{{Name: "worker",
		Queue: &Queue{Workers: 2, Concurrency: 2, ServiceTime: ServiceTime{"10s", "15s"}, Size: 1000, DrainWithin: "30m", Item: "order"}}}})
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	// 30m holds 120 rounds of 15s; 1000 orders ÷ (120 × 2) → 5 workers.
	if q := res.Components[0].Queue; q.WorkersNeeded != 5 || q.Drain != "41m40s to 1h2m30s" {
		t.Fatalf("queue %+v", q)
	}
}

// TestBounds: numbers that would overflow the arithmetic or the manifest
// are refused, not wrapped around.
func TestBounds(t *testing.T) {
	_, ps := Plan(Spec{Deployment: Deployment{Name: "a"}, Components: []Component{{Name: "a",
		Users: &Users{Target: 999_999_999, PerReplica: 1},
		CPU:   &Resource{Request: "1"},
	}, {Name: "b", CPU: &Resource{Like: "a", Times: math.NaN()}}}})
	if len(ps) != 2 || !strings.Contains(ps[0].Message, "needs 999999999 replicas, more than 10000") || ps[1].Field != "components[1].cpu.times" {
		t.Fatalf("%v", ps)
	}
}
