package app

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// TestListFilters: status filters accept the known statuses, open and all;
// a long list is deduplicated (it used to fail with "too many SQL
// variables"); an unknown status is a 400 naming the allowed values, not
// an empty list; limit and offset are bounded.
func TestListFilters(t *testing.T) {
	h := start(t, boundsConfig, "")
	for _, key := range []string{"a", "b"} {
		if code, body := h.post("/api/v1/events", "gen-k3y", "application/json", []byte(`{"key":"`+key+`","summary":"s","service":"shop"}`)); code != 200 {
			t.Fatalf("event: %d %v", code, body)
		}
	}
	h.post("/api/v1/events", "gen-k3y", "application/json", []byte(`{"key":"b","action":"resolve"}`))
	for _, body := range []string{`{"title":"open one","services":["shop"]}`, `{"title":"closed one","services":["shop"]}`} {
		if code := h.do("POST", "/api/v1/incidents", "op3rate-t0ken", strings.NewReader(body), nil); code != 201 {
			t.Fatalf("declare: %d", code)
		}
	}
	if code := h.do("POST", "/api/v1/incidents/2/status", "op3rate-t0ken", strings.NewReader(`{"status":"resolved"}`), nil); code != 200 {
		t.Fatalf("resolve: %d", code)
	}
	long := strings.Repeat("open,", 33000)
	for _, c := range []struct {
		path  string
		code  int
		count int    // rows, when 200
		error string // part of the message, when 400
	}{
		{"/api/v1/alerts?status=all", 200, 2, ""},
		{"/api/v1/alerts?status=open", 200, 1, ""},
		{"/api/v1/alerts?status=resolved,resolved,firing", 200, 2, ""},
		{"/api/v1/alerts?status=" + long, 200, 1, ""},
		{"/api/v1/alerts?status=closed", 400, 0, `status: "closed" is not one of firing, acknowledged, resolved, all, open`},
		{"/api/v1/alerts?offset=1000000", 400, 0, "offset must be a whole number from 0 to 100000"},
		{"/api/v1/alerts?limit=5000", 400, 0, "limit must be a whole number from 1 to 1000"},
		{"/api/v1/alerts?count=all", 400, 0, `count: "all" is not exact (leave it out to count up to 10000)`},
		{"/api/v1/alerts?status=all&count=exact", 200, 2, ""},
		{"/api/v1/incidents?status=open", 200, 1, ""},
		{"/api/v1/incidents?status=all", 200, 2, ""},
		{"/api/v1/incidents?status=resolved", 200, 1, ""},
		{"/api/v1/incidents?status=" + long, 200, 1, ""},
		{"/api/v1/incidents?status=opened", 400, 0, `status: "opened" is not one of investigating, identified, monitoring, resolved, all, open`},
		{"/api/v1/silences?limit=0", 400, 0, "limit must be"},
		{"/api/v1/deploys?limit=1001", 400, 0, "limit must be"},
	} {
		var rows []map[string]any
		var e struct {
			Error string `json:"error"`
		}
		var out any = &rows
		if c.code != 200 {
			out = &e
		}
		code := h.do("GET", c.path, "", nil, out)
		switch {
		case code != c.code:
			t.Errorf("GET %.80s: %d %q, want %d", c.path, code, e.Error, c.code)
		case c.code == 200 && len(rows) != c.count:
			t.Errorf("GET %.80s: %d rows, want %d", c.path, len(rows), c.count)
		case c.code != 200 && !strings.Contains(e.Error, c.error):
			t.Errorf("GET %.80s: %q, want %q", c.path, e.Error, c.error)
		}
	}
}

// TestAlertTotalHeaders: the total is exact, and says so, up to 10,000
// matches; past that it says 10000 with relation gte, unless count=exact.
func TestAlertTotalHeaders(t *testing.T) {
	h := start(t, boundsConfig, "")
	for _, key := range []string{"a", "b", "c"} {
		if code, body := h.post("/api/v1/events", "gen-k3y", "application/json", []byte(`{"key":"`+key+`","summary":"s","service":"shop"}`)); code != 200 {
			t.Fatalf("event: %d %v", code, body)
		}
	}
	total := func(path, want, wantRel string) {
		t.Helper()
		resp := h.get(path)
		resp.Body.Close()
		if got, rel := resp.Header.Get("X-Total-Count"), resp.Header.Get("X-Total-Count-Relation"); got != want || rel != wantRel {
			t.Errorf("GET %s: X-Total-Count %q, relation %q; want %s, %s", path, got, rel, want, wantRel)
		}
	}
	total("/api/v1/alerts?limit=1", "3", "eq")
	total("/api/v1/alerts?limit=1&count=exact", "3", "eq")

	// 10,000 more through one webhook (its most), then one: 10,004 in all.
	var body bytes.Buffer
	body.WriteString(`{"version":"4","status":"firing","receiver":"vigil","alerts":[`)
	for i := range 10_000 {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"status":"firing","labels":{"alertname":"NodeDown","instance":"n%d","service":"shop"},"startsAt":"2026-11-22T03:00:00Z"}`, i)
	}
	body.WriteString(`]}`)
	for _, b := range [][]byte{body.Bytes(), amBody("last", "firing")} {
		if code, out := h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", b); code != 200 {
			t.Fatalf("webhook: %d %v", code, out)
		}
	}
	total("/api/v1/alerts?limit=1", "10000", "gte")
	total("/api/v1/alerts?status=open&service=shop&limit=1", "10000", "gte")
	total("/api/v1/alerts?limit=1&count=exact", "10004", "eq")
}

// TestUnknownPeopleAreRefused: roles, action item owners and the on-call
// report take only configured people (owners may be teams), through the
// API and the CLI.
func TestUnknownPeopleAreRefused(t *testing.T) {
	h := start(t, boundsConfig+"teams:\n  - {id: sre, members: [thach]}\n", "")
	if code := h.do("POST", "/api/v1/incidents", "op3rate-t0ken", strings.NewReader(`{"title":"t","roles":{"commander":"thach"}}`), nil); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	for _, c := range []struct{ path, body, want string }{
		{"/api/v1/incidents", `{"title":"t","roles":{"scribe":"carol"}}`, `roles.scribe: unknown person "carol"`},
		{"/api/v1/incidents/1/roles", `{"role":"scribe","person":"carol"}`, `person: unknown person "carol"`},
		{"/api/v1/incidents/1/action_items", `{"item":"x","type":"prevent","owner":"zed"}`, `owner: unknown person or team "zed"`},
		{"/api/v1/incidents/1/action_items", `{"item":"x","type":"prevent","owner":"team/thach"}`, `owner: unknown person or team "team/thach"`},
	} {
		var e struct {
			Error string `json:"error"`
		}
		if code := h.do("POST", c.path, "op3rate-t0ken", strings.NewReader(c.body), &e); code != 400 || !strings.Contains(e.Error, c.want) {
			t.Errorf("POST %s %s: %d %q, want 400 with %q", c.path, c.body, code, e.Error, c.want)
		}
	}
	for _, owner := range []string{"thach", "sre", "team/sre", "person/john"} {
		if code := h.do("POST", "/api/v1/incidents/1/action_items", "op3rate-t0ken", strings.NewReader(`{"item":"x","type":"prevent","owner":"`+owner+`"}`), nil); code != 201 {
			t.Errorf("owner %s: %d", owner, code)
		}
	}
	cli := []string{"--server", h.url, "--token", "op3rate-t0ken"}
	if code, _, errOut := runCLI(t, append([]string{"incident", "role", "1", "scribe", "carol"}, cli...)...); code != 1 || !strings.Contains(errOut, `person: unknown person "carol"`) {
		t.Errorf("incident role: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, append([]string{"report", "oncall", "--person", "zed", "--from", "2026-11-22T00:00:00Z", "--to", "2026-11-23T00:00:00Z"}, cli...)...); code != 1 || !strings.Contains(errOut, `person: unknown person "zed"`) {
		t.Errorf("report oncall: %d %q", code, errOut)
	}
	if code, out, _ := runCLI(t, append([]string{"incident", "role", "1", "scribe", "john"}, cli...)...); code != 0 {
		t.Errorf("a known person: %d %q", code, out)
	}
}

// TestEventsWithATokenNameTheirService: an API token has no default service
// the way an integration does, so a trigger sent with one must name it.
func TestEventsWithATokenNameTheirService(t *testing.T) {
	h := start(t, boundsConfig, "")
	code, body := h.post("/api/v1/events", "op3rate-t0ken", "application/json", []byte(`{"key":"k","summary":"no service"}`))
	if code != 400 || !strings.Contains(fmt.Sprint(body["error"]), "service: is required to trigger with an API token") {
		t.Fatalf("no service: %d %v", code, body)
	}
	if code, body := h.post("/api/v1/events", "op3rate-t0ken", "application/json", []byte(`{"key":"k","summary":"s","service":"shop"}`)); code != 200 {
		t.Fatalf("with a service: %d %v", code, body)
	}
	if code, body := h.post("/api/v1/events", "op3rate-t0ken", "application/json", []byte(`{"key":"k","action":"resolve"}`)); code != 200 {
		t.Fatalf("a resolve needs none: %d %v", code, body)
	}
}

// TestLinkFormsAreCapped: a signed link's form is tiny; a large body is a
// 413, not read into memory.
func TestLinkFormsAreCapped(t *testing.T) {
	h := start(t, boundsConfig, "")
	for _, path := range []string{"/a/1/ack", "/r/r_x/approve"} {
		body := "who=x&pad=" + strings.Repeat("x", 64<<10)
		resp, err := h.client.Post(h.url+path, "application/x-www-form-urlencoded", bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with a 64 KiB form: %d, want 413", path, resp.StatusCode)
		}
	}
}

// TestIncidentListAgeFromImpact: the CLI's AGE counts from when impact
// began, which a declaration may backdate, and the latest impact is first.
func TestIncidentListAgeFromImpact(t *testing.T) {
	now := clock.Real().Now().UTC().Truncate(time.Second)
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, boundsConfig)
	h := startAt(t, path, "sqlite://"+filepath.Join(dir, "vigil.db"), clock.NewFake(now))
	for _, body := range []string{
		fmt.Sprintf(`{"title":"Backdated","started_at":%q}`, now.Add(-3*time.Hour).Format(time.RFC3339)),
		`{"title":"Fresh"}`,
	} {
		if code := h.do("POST", "/api/v1/incidents", "op3rate-t0ken", strings.NewReader(body), nil); code != 201 {
			t.Fatalf("declare: %d", code)
		}
	}
	if code := h.do("POST", "/api/v1/incidents", "op3rate-t0ken", strings.NewReader(fmt.Sprintf(`{"title":"Older","started_at":%q}`, now.Add(-5*time.Hour).Format(time.RFC3339))), nil); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	code, out, errOut := runCLI(t, "incident", "list", "--server", h.url, "--token", harnessReadToken)
	if code != 0 {
		t.Fatalf("incident list: %d %s", code, errOut)
	}
	rows := regexp.MustCompile(`(?m)^(\d+)\s+SEV2\s+investigating\s+(\S+)\s+(.+?)\s*$`).FindAllStringSubmatch(out, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[2]+" "+r[3])
	}
	want := []string{"Fresh", "3h00m Backdated", "5h00m Older"}
	if len(got) != 3 || !strings.HasSuffix(got[0], want[0]) || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("incident list:\n%s\nrows %q, want ages and order %q", out, got, want)
	}
}
