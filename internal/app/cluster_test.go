package app

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/store/storetest"
)

type clusterJSON struct {
	Clustered bool   `json:"clustered"`
	Self      string `json:"self"`
	Replicas  []struct {
		ID    string   `json:"id"`
		Alive bool     `json:"alive"`
		Owns  []string `json:"owns"`
	} `json:"replicas"`
	Leases []struct {
		Module string `json:"module"`
		Holder string `json:"holder"`
		Epoch  int64  `json:"epoch"`
	} `json:"leases"`
}

func (h *harness) cluster() clusterJSON {
	h.t.Helper()
	var c clusterJSON
	if code := h.do("GET", "/api/v1/cluster", "", nil, &c); code != 200 {
		h.t.Fatalf("GET /api/v1/cluster: %d", code)
	}
	return c
}

func (c clusterJSON) holder(module string) string {
	for _, l := range c.Leases {
		if l.Module == module {
			return l.Holder
		}
	}
	return ""
}

// waitFor polls cond (real time: leases live on the database's clock).
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

const clusterTestGlobal = "global: {cluster: {heartbeat: 100ms, lease_ttl: 1s, inbox_wait: 5s}}\n"

// TestReplicasShareOnePostgres: two vigil servers on one Postgres database
// are replicas: the second starts (no single-server lock on Postgres),
// takes alerts and acknowledgements and hands them through the inbox to
// the one running the pager, which pages; when that one stops, the other
// takes the pager over and serves directly.
func TestReplicasShareOnePostgres(t *testing.T) {
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES not set; replicas need Postgres (see .ci/postgres.sh)")
	}
	dsn := storetest.PostgresSchema(t, base)
	sk := newSink(t)
	cfg := clusterTestGlobal + strings.Replace(strings.Replace(ingestConfig(sk.URL), "  - {id: shop}",
		"  - {id: shop, checks: [{id: orders, heartbeat: {key: hb-k3y}, every: 1h, grace: 10m}]}", 1),
		"tokens:\n", "tokens:\n  - {id: admin, secret: adm1n-t0ken, scopes: [admin]}\n", 1)
	first := start(t, cfg, dsn)
	second := start(t, cfg, dsn)

	c := second.cluster()
	if !c.Clustered || len(c.Replicas) != 2 {
		t.Fatalf("cluster seen from the second replica: %+v", c)
	}
	leader := first.cluster().Self
	if c.holder("leader") != leader || c.Self == leader {
		t.Fatalf("leader lease held by %q, want the first replica %q", c.holder("leader"), leader)
	}

	// The second replica does not run the pager: the alert goes through the
	// inbox, and its answer carries the outcome the first one applied.
	code, body := second.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", fixture(t, "am_firing.json"))
	if code != 200 {
		t.Fatalf("webhook on the second replica: %d %v", code, body)
	}
	outs := body["alerts"].([]any)
	o := outs[0].(map[string]any)
	id, _ := o["alert_id"].(float64)
	if len(outs) != 2 || id == 0 || o["queued"] == true {
		t.Fatalf("outcomes through the inbox: %v", outs)
	}
	first.advance(30 * time.Second)
	if page := sk.wait(t, "/dba", 1)[0].Message; len(page.Alerts) != 2 {
		t.Fatalf("page with %d alerts, want 2", len(page.Alerts))
	}
	// An acknowledgement on the second replica reaches the pager too.
	if code := second.do("POST", "/api/v1/alerts/"+strconv.Itoa(int(id))+"/ack", "op3rate-t0ken", nil, nil); code != 200 {
		t.Fatalf("ack on the second replica: %d", code)
	}
	if a := first.alert(int64(id)); a.Status != "acknowledged" {
		t.Fatalf("alert after an ack on the second replica: %s", a.Status)
	}
	// A heartbeat reported to the second replica is passed on to the one
	// that runs the checks.
	req, _ := http.NewRequest("POST", second.url+"/api/v1/heartbeats/shop/orders", strings.NewReader(`{"status":"fail","message":"batch crashed"}`))
	req.Header.Set("Authorization", "Bearer hb-k3y")
	req.Header.Set("Content-Type", "application/json")
	resp, err := second.client.Do(req)
	if err != nil || resp.StatusCode != 202 {
		t.Fatalf("heartbeat on the second replica: %v %v", resp, err)
	}
	resp.Body.Close()
	if c := first.check("shop/orders"); c.LastChecked == nil || !strings.Contains(c.Reason, "batch crashed") {
		t.Fatalf("check on the leader after a heartbeat on the second replica: %+v", c)
	}
	// Each replica exports what it holds.
	if m := second.metrics(); !strings.Contains(m, "vigil_cluster_members 2") || !strings.Contains(m, `vigil_cluster_lease_held{module="leader"} 0`) {
		t.Fatalf("metrics of the second replica:\n%s", grepLines(m, "vigil_cluster"))
	}
	if m := first.metrics(); !strings.Contains(m, `vigil_cluster_lease_held{module="leader"} 1`) {
		t.Fatalf("metrics of the leader:\n%s", grepLines(m, "vigil_cluster"))
	}
	// A reload asked of the second replica reaches the leader, which reads
	// its own file again.
	if err := os.WriteFile(first.cfg, []byte(cfg+"  - {id: billing}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := second.do("POST", "/-/reload", "adm1n-t0ken", nil, nil); code != 200 {
		t.Fatalf("reload on the second replica: %d", code)
	}
	waitFor(t, 10*time.Second, "the leader reloads its config", func() bool {
		return first.do("GET", "/api/v1/services/billing", "", nil, nil) == 200
	})
	// Unknown alerts are refused the same way on either replica.
	if code := second.do("POST", "/api/v1/alerts/999999/ack", "op3rate-t0ken", nil, nil); code != 404 {
		t.Fatalf("ack of an unknown alert on the second replica: %d, want 404", code)
	}

	// The first stops cleanly and releases its lease: the second runs the
	// pager from then on, with every alert the first left open.
	first.stop()
	waitFor(t, 10*time.Second, "the second replica takes the leader lease", func() bool {
		c := second.cluster()
		return c.holder("leader") == c.Self
	})
	code, body = second.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", fixture(t, "am_firing.json"))
	o = body["alerts"].([]any)[0].(map[string]any)
	if code != 200 || o["alert_id"].(float64) != id || o["queued"] == true {
		t.Fatalf("a resend after the takeover: %d %v", code, body)
	}
	if a := second.alert(int64(id)); a.Occurrences != 2 || a.Status != "acknowledged" {
		t.Fatalf("alert after the takeover: %+v", a)
	}
	// The new leader probes from the check states the first one stored,
	// not from what it saw when it started.
	waitFor(t, 10*time.Second, "the new leader shows the check as the first one left it", func() bool {
		return strings.Contains(second.check("shop/orders").Reason, "batch crashed")
	})
}

func (h *harness) metrics() string {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.url+"/metrics", nil)
	withToken(req, "")
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
