package app

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// ict is the shop's time zone.
var ict = time.FixedZone("ICT", 7*3600)

// toilWeek is Vigil running examples/toil/vigil.yaml over the seed's week,
// on a fake clock that starts on Monday 2026-11-23 at 09:00 ICT.
type toilWeek struct {
	*harness
	sink  *sink
	state string
}

const (
	sreToken   = "toil-example-token" // thach's
	opsToken   = "ops-example-token"  // glen's
	adminToken = "admin-example-token"
	monKey     = "monitoring-example-key"
	deployKey  = "deploy-example-key"
)

// toilExample returns the example config with its environment filled in;
// before removes the three automations, as the team started the week.
func toilExample(t *testing.T, hook, state string, before bool) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "examples", "toil", "vigil.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.NewReplacer("${VIGIL_STATE:-/tmp/vigil-toil}", state, "${VIGIL_HOOK:-}", hook).Replace(string(raw))
	if before {
		var kept []string
		for _, l := range strings.Split(cfg, "\n") {
			if !strings.Contains(l, "# the automation") {
				kept = append(kept, l)
			}
		}
		if len(kept) != strings.Count(cfg, "\n")+1-3 {
			t.Fatal("examples/toil/vigil.yaml: expected three lines marked '# the automation'")
		}
		cfg = strings.Join(kept, "\n")
	}
	return cfg
}

func startToilWeek(t *testing.T) *toilWeek {
	t.Helper()
	w := &toilWeek{sink: newSink(t), state: t.TempDir()}
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, toilExample(t, w.sink.URL+"/hook", w.state, true))
	w.harness = startAt(t, path, "sqlite://"+filepath.Join(dir, "vigil.db"), clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, ict)))
	return w
}

// at moves the clock forward to day (0 is Monday) hh:mm ICT.
func (w *toilWeek) at(day, hh, mm int) {
	w.t.Helper()
	target := time.Date(2026, 11, 23+day, hh, mm, 0, 0, ict)
	d := target.Sub(w.clock.Now())
	if d < 0 {
		w.t.Fatalf("the clock is past %v", target)
	}
	w.advance(d)
}

func (w *toilWeek) fire(key, summary string) {
	w.t.Helper()
	if c, body := w.post("/api/v1/events", monKey, "application/json", []byte(fmt.Sprintf(`{"key":%q,"summary":%q}`, key, summary))); c != 200 {
		w.t.Fatalf("fire %s: %d %v", key, c, body)
	}
}

func (w *toilWeek) resolve(key string) {
	w.t.Helper()
	if c, body := w.post("/api/v1/events", monKey, "application/json", []byte(fmt.Sprintf(`{"key":%q,"action":"resolve"}`, key))); c != 200 {
		w.t.Fatalf("resolve %s: %d %v", key, c, body)
	}
}

// runs counts a runbook's runs that ended well, by trigger.
func (w *toilWeek) runs(runbook, trigger string) int {
	var rows []struct {
		Trigger string `json:"trigger"`
		Status  string `json:"status"`
	}
	w.do("GET", "/api/v1/runs?runbook="+runbook, "", nil, &rows)
	n := 0
	for _, r := range rows {
		if r.Status == "succeeded" && r.Trigger == trigger {
			n++
		}
	}
	return n
}

// runByHand starts a runbook with token and waits for it to succeed.
func (w *toilWeek) runByHand(token, runbook string) {
	w.t.Helper()
	var run struct {
		ID string `json:"id"`
	}
	if code := w.do("POST", "/api/v1/runbooks/"+runbook+"/runs", token, strings.NewReader(`{}`), &run); code != 201 {
		w.t.Fatalf("run %s: %d", runbook, code)
	}
	w.finished(run.ID)
}

// finished waits until the run's end is in the audit log: only then does
// its runbook take the next run its concurrency guard allows, and the fake
// clock may jump a day in a millisecond.
func (w *toilWeek) finished(id string) {
	w.t.Helper()
	w.eventually("run "+id+" finished", func() bool {
		var audit []struct {
			Action string `json:"action"`
			RunID  string `json:"run_id"`
		}
		w.do("GET", "/api/v1/audit?limit=1000", "", nil, &audit)
		for _, a := range audit {
			if a.Action == "run.finished" && a.RunID == id {
				return true
			}
		}
		return false
	})
}

// fixedByHand replays an alert the SRE on call handles by hand: it fires
// at day hh:mm, they run the runbook fix minutes later, and it resolves
// resolved minutes after it fired.
func (w *toilWeek) fixedByHand(day, hh, mm int, key, summary, runbook string, fix, resolved int) {
	w.t.Helper()
	w.at(day, hh, mm)
	w.fire(key, summary)
	w.advance(time.Duration(fix) * time.Minute)
	w.runByHand(sreToken, runbook)
	w.advance(time.Duration(resolved-fix) * time.Minute)
	w.resolve(key)
}

func (w *toilWeek) log(token, body string) {
	w.t.Helper()
	var out map[string]any
	if code := w.do("POST", "/api/v1/toil/entries", token, strings.NewReader(body), &out); code != 201 {
		w.t.Fatalf("log %s: %d %v", body, code, out)
	}
}

// TestToilPlanOfTheSeedWeek replays the seed's week: the pages, the manual
// clean-ups, failovers, restarts, deploys and post-start scripts of
// Monday and Tuesday; the outage; on Wednesday the team reloads the config
// with three automations (the log clean-up cron, DNS failover on its
// alert, the post-start script called by the deploy job), which take over
// for the rest of the week. The toil reduction plan for the week is
// compared with a golden file (VIGIL_UPDATE_GOLDEN=1 rewrites it), and the
// scheduled Monday report sends that same plan.
func TestToilPlanOfTheSeedWeek(t *testing.T) {
	w := startToilWeek(t)

	// Monday. Storage runs low: Steve's morning clean-up was forgotten.
	w.at(0, 9, 30)
	w.fire("storage", "Free storage below 20%")
	w.at(0, 9, 35)
	w.log(sreToken, `{"text":"Cleaned /home/sre/course4 by hand","minutes":20,"item":"log-cleanup","by":"steve"}`)
	w.at(0, 9, 55)
	w.resolve("storage")
	// Too many outstanding orders: a restart by hand.
	w.fixedByHand(0, 10, 0, "orders", "Outstanding orders too high", "order-processor-restart", 5, 20)
	// DNS1 stops answering: a failover by hand.
	w.fixedByHand(0, 15, 0, "dns", "DNS server not answering", "dns-failover", 5, 25)
	// Release night: a deploy by hand, then the post-start script.
	w.at(0, 22, 0)
	w.log(opsToken, `{"text":"Deployed release 2 to production by hand","minutes":45,"item":"manual-deploy"}`)
	w.at(0, 22, 50)
	w.runByHand(opsToken, "post-start")
	w.record(opsToken, "/api/v1/deploys", `{"service":"shop","version":"2","environment":"production","by":"glen","at":"2026-11-23T22:45:00+07:00"}`)
	w.record(sreToken, "/api/v1/slos/shop/orders/events", `{"good":2000,"total":2000}`)

	// Tuesday. The orders again, then the outage (09:15 to 10:30).
	w.at(1, 9, 0)
	w.fire("orders", "Outstanding orders too high")
	w.at(1, 9, 10)
	w.runByHand(sreToken, "order-processor-restart")
	w.at(1, 9, 15)
	var in struct {
		ID int64 `json:"id"`
	}
	if code := w.do("POST", "/api/v1/incidents", sreToken, strings.NewReader(`{"title":"Application outage","severity":"SEV1",
		"services":["shop"],"roles":{"commander":"thach"}}`), &in); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	w.at(1, 9, 30)
	w.resolve("orders")
	w.log(sreToken, `{"text":"Cleaned /home/sre/course4 by hand","minutes":20,"item":"log-cleanup","by":"steve"}`)
	w.at(1, 10, 30)
	if code := w.do("POST", fmt.Sprintf("/api/v1/incidents/%d/status", in.ID), sreToken, strings.NewReader(`{"status":"resolved"}`), nil); code != 200 {
		t.Fatalf("resolve incident: %d", code)
	}
	// The review's follow-ups: one done on Wednesday, one still open.
	w.record(sreToken, fmt.Sprintf("/api/v1/incidents/%d/action_items", in.ID), `{"item":"Run the post-start script from the deploy job","type":"prevent","owner":"glen"}`)
	w.record(sreToken, fmt.Sprintf("/api/v1/incidents/%d/action_items", in.ID), `{"item":"Page the DBA when orders back up","type":"mitigate","owner":"thach","due":"2026-12-04T00:00:00+07:00"}`)
	w.record(sreToken, "/api/v1/slos/shop/orders/events", `{"good":1999,"total":2000}`)
	w.fixedByHand(1, 14, 0, "dns", "DNS server not answering", "dns-failover", 2, 20)
	w.at(1, 22, 0)
	w.log(opsToken, `{"text":"Deployed a hotfix to production by hand","minutes":30,"item":"manual-deploy"}`)
	w.at(1, 22, 40)
	w.runByHand(opsToken, "post-start")

	// Wednesday 08:00: the automations go live.
	w.at(2, 8, 0)
	writeFile(t, w.cfg, toilExample(t, w.sink.URL+"/hook", w.state, false))
	if code := w.do("POST", "/-/reload", adminToken, nil, nil); code != 200 {
		t.Fatalf("reload: %d", code)
	}
	w.at(2, 10, 0) // the deploy job now runs the post-start script
	w.record(sreToken, fmt.Sprintf("/api/v1/incidents/%d/action_items", in.ID), `{"id":1,"item":"Run the post-start script from the deploy job","type":"prevent","owner":"glen","status":"done"}`)
	if code, body := w.post("/api/v1/runbooks/post-start/webhook", deployKey, "application/json", []byte(`{}`)); code != 201 {
		t.Fatalf("webhook: %d %v", code, body)
	}
	w.eventually("post-start by the deploy job", func() bool { return w.runs("post-start", "webhook") == 1 })
	w.at(2, 16, 0) // DNS fails over by itself; monitoring sees it answer again
	w.fire("dns", "DNS server not answering")
	w.eventually("dns-failover on its alert", func() bool { return w.runs("dns-failover", "alert") == 1 })
	w.at(2, 16, 5)
	w.resolve("dns")
	// Thursday to Monday, 04:00: the clean-up runs every morning.
	for day := 3; day <= 7; day++ {
		w.at(day, 4, 0)
		w.advanceUntil(fmt.Sprintf("clean-up of day %d", day), 10*time.Minute, 3*time.Hour, // the engine wakes at least hourly
			func() bool { return w.runs("log-cleanup", "schedule") == day-2 })
		switch day {
		case 3: // Thursday: the orders once more
			w.fixedByHand(3, 11, 0, "orders", "Outstanding orders too high", "order-processor-restart", 5, 15)
			// High I/O on the web servers, twice: nobody has called it toil yet.
			w.at(3, 14, 0)
			w.fire("io-web1", "High I/O on web servers")
			w.at(3, 14, 10)
			w.resolve("io-web1")
			// The plan changes: the deploys and the order processor are planned now.
			for _, id := range []string{"manual-deploy", "order-processor"} {
				if code, _, errOut := runCLI(t, "toil", "item", "edit", id, "--status", "planned", "--server", w.url, "--token", sreToken); code != 0 {
					t.Fatalf("edit %s: %s", id, errOut)
				}
			}
		case 4: // Friday: release night, deployed by hand once more; post-start by the job
			w.at(4, 14, 0)
			w.fire("io-web4", "High I/O on web servers")
			w.at(4, 14, 6)
			w.resolve("io-web4")
			w.at(4, 22, 0)
			w.log(opsToken, `{"text":"Deployed release 2.1 to production by hand","minutes":45,"item":"manual-deploy"}`)
			if code, _ := w.post("/api/v1/runbooks/post-start/webhook", deployKey, "application/json", []byte(`{}`)); code != 201 {
				t.Fatal("webhook on Friday")
			}
			w.eventually("post-start on Friday", func() bool { return w.runs("post-start", "webhook") == 2 })
		case 5: // Saturday, in the night: DNS again, nobody gets up
			w.at(5, 4, 30)
			w.fire("dns", "DNS server not answering")
			w.eventually("night failover", func() bool { return w.runs("dns-failover", "alert") == 2 })
			w.at(5, 4, 35)
			w.resolve("dns")
		}
	}

	// Monday 09:00: the week's plan.
	w.at(7, 9, 0)
	resp := w.get("/api/v1/reports/toil?from=2026-11-23T09:00:00%2B07:00&to=2026-11-30T09:00:00%2B07:00&service=shop&format=md")
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("plan: %d %s", resp.StatusCode, got)
	}
	golden := "testdata/toil-plan-seed-week.md"
	if os.Getenv("VIGIL_UPDATE_GOLDEN") == "1" {
		writeFile(t, golden, string(got))
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with VIGIL_UPDATE_GOLDEN=1 to write it)", err)
	}
	if string(got) != string(want) {
		t.Fatalf("the plan differs from %s; got:\n%s", golden, got)
	}

	weeklyWant := w.weeklyGolden()

	// Savings: automatic runs times the manual estimate, since each automation began.
	var items struct {
		Items []struct {
			ID      string `json:"id"`
			Status  string `json:"status"`
			Savings struct {
				Runs    int `json:"automatic_runs"`
				Minutes int `json:"minutes"`
			} `json:"savings"`
		} `json:"items"`
		Saved int `json:"saved_minutes"`
	}
	w.do("GET", "/api/v1/toil/items?from=2026-11-23T09:00:00%2B07:00&to=2026-11-30T09:00:00%2B07:00", "", nil, &items)
	saved := map[string]string{}
	for _, it := range items.Items {
		saved[it.ID] = fmt.Sprintf("%s %d runs %d min", it.Status, it.Savings.Runs, it.Savings.Minutes)
	}
	for id, want := range map[string]string{
		"log-cleanup": "automated 5 runs 75 min", "dns-failover": "automated 2 runs 40 min", "post-start": "automated 2 runs 30 min",
		"manual-deploy": "planned 0 runs 0 min", "order-processor": "planned 0 runs 0 min",
	} {
		if saved[id] != want {
			t.Errorf("%s: %s, want %s", id, saved[id], want)
		}
	}
	if items.Saved != 145 {
		t.Errorf("saved %d minutes in all, want 145", items.Saved)
	}

	// The Monday report was sent to the SRE team with the same plan, and
	// the on-call log due at the same time to thach (waiting for both lets
	// the test end with nothing in flight).
	w.eventually("the weekly plan, the status report and Monday's on-call log sent", func() bool {
		plan, status, log := false, false, false
		for _, d := range w.sink.deliveries("/hook") {
			plan = plan || d.Message.Kind == "report" && strings.HasPrefix(d.Message.Title, "Toil reduction plan")
			status = status || d.Message.Kind == "report" && strings.HasPrefix(d.Message.Title, "Weekly status report")
			log = log || d.Message.Kind == "report" && strings.HasPrefix(d.Message.Title, "On-call log: thach, 2026-11-29 to 2026-11-30")
		}
		return plan && status && log
	})
	for _, d := range w.sink.deliveries("/hook") {
		if d.Message.Kind != "report" {
			continue
		}
		if strings.HasPrefix(d.Message.Title, "Weekly status report") {
			var body struct {
				Report struct {
					Markdown string `json:"markdown"`
				} `json:"report"`
			}
			if err := json.Unmarshal(d.Body, &body); err != nil || body.Report.Markdown != weeklyWant {
				t.Fatalf("the scheduled status report differs from the golden one (%v):\n%s", err, body.Report.Markdown)
			}
			continue
		}
		if !strings.HasPrefix(d.Message.Title, "Toil reduction plan") {
			continue
		}
		var body struct {
			Report struct {
				Markdown string          `json:"markdown"`
				Data     json.RawMessage `json:"data"`
			} `json:"report"`
		}
		if err := json.Unmarshal(d.Body, &body); err != nil || body.Report.Markdown != string(want) || len(body.Report.Data) == 0 {
			t.Fatalf("the scheduled plan differs from the golden one (%v):\n%s", err, body.Report.Markdown)
		}
	}
}

// record posts body to path with token and expects it stored.
func (w *toilWeek) record(token, path, body string) {
	w.t.Helper()
	var out map[string]any
	if code := w.do("POST", path, token, strings.NewReader(body), &out); code != 201 && code != 200 && code != 202 {
		w.t.Fatalf("POST %s %s: %d %v", path, body, code, out)
	}
}

// weeklyGolden compares the week's status report of the shop with its
// golden file (VIGIL_UPDATE_GOLDEN=1 rewrites it) and returns it.
func (w *toilWeek) weeklyGolden() string {
	w.t.Helper()
	resp := w.get("/api/v1/reports/weekly?from=2026-11-23T09:00:00%2B07:00&to=2026-11-30T09:00:00%2B07:00&service=shop&format=md")
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		w.t.Fatalf("weekly report: %d %s", resp.StatusCode, got)
	}
	golden := "testdata/weekly-seed-week.md"
	if os.Getenv("VIGIL_UPDATE_GOLDEN") == "1" {
		writeFile(w.t, golden, string(got))
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		w.t.Fatalf("%v (run with VIGIL_UPDATE_GOLDEN=1 to write it)", err)
	}
	if string(got) != string(want) {
		w.t.Fatalf("the weekly report differs from %s; got:\n%s", golden, got)
	}
	return string(want)
}
