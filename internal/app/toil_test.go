package app

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const toilConfig = `
people: [{id: thach, name: Thach Duong}, {id: steve}]
teams: [{id: sre, members: [thach]}]
tokens:
  - {id: sre, secret: sre-t0ken, scopes: [respond], person: thach}
  - {id: ci, secret: ci-t0ken, scopes: [operate]}
services: [{id: shop}, {id: cart}]
toil:
  - {id: log-cleanup, title: Clean the logs by hand, service: shop, estimate: 20m, impact: Hours every week.}
  - {id: manual-deploy, title: Deploy by hand, service: shop}
`

// TestToilLedgerAPI logs toil over the API as a responder would, is
// refused field by field for bad input and for a retried request, and
// reads the ledger, the items, the ranking and the plan back.
func TestToilLedgerAPI(t *testing.T) {
	h := start(t, toilConfig, "")
	post := func(token, idem, body string) (int, map[string]any) {
		t.Helper()
		var out map[string]any
		code := h.doHeader("POST", "/api/v1/toil/entries", token, map[string]string{"Idempotency-Key": idem}, strings.NewReader(body), &out)
		return code, out
	}
	// Reads need read, logging needs respond.
	if code, _ := post("", "", `{"text":"x","minutes":5}`); code != 403 {
		t.Fatalf("log with a read token: %d", code)
	}
	if code := h.do("GET", "/api/v1/toil/entries", anonymous, nil, nil); code != 401 {
		t.Fatalf("ledger without a token: %d", code)
	}
	for _, c := range []struct {
		name, token, body string
		want              string
	}{
		{"everything wrong", "sre-t0ken", `{"text":"","minutes":-5,"item":"nope","service":"shed","by":"ghost","at":"2026-12-01T00:00:00Z"}`,
			`text: is required: say what was done; minutes: must be at least 1, got -5; item: unknown toil item "nope" (known: log-cleanup, manual-deploy); ` +
				`service: unknown service "shed"; by: unknown person "ghost"; at: 2026-12-01T00:00:00Z is in the future`},
		{"over a day", "sre-t0ken", `{"text":"Cleaned","minutes":1441}`,
			"minutes: must be at most 1440 (24 hours) per entry, got 1441: log longer work as several entries"},
		{"a token of nobody", "ci-t0ken", `{"text":"Cleaned","minutes":5}`,
			`by: is required: token/ci is not tied to a person (set person: on the token, or say who did it)`},
		{"not a time", "sre-t0ken", `{"text":"Cleaned","minutes":5,"at":"yesterday"}`, `at: "yesterday" is not an RFC 3339 time (like 2026-11-27T22:00:00Z)`},
		{"unknown field", "sre-t0ken", `{"text":"Cleaned","minutes":5,"mins":5}`, `invalid JSON body: json: unknown field "mins"`},
	} {
		code, out := post(c.token, "", c.body)
		if code != 400 || out["error"] != c.want || out["code"] != "invalid" {
			t.Errorf("%s: %d %v\nwant 400 %s", c.name, code, out["error"], c.want)
		}
	}
	code, out := post("sre-t0ken", "retry-1", `{"text":"Cleaned /home/sre/course4 by hand","minutes":20,"item":"log-cleanup","at":"2026-11-23T08:00:00Z"}`)
	if code != 201 || out["id"] != "manual/1" || out["person"] != "thach" || out["service"] != "shop" || out["source"] != "manual" {
		t.Fatalf("log: %d %v", code, out)
	}
	// The same request again (a client retrying after a timeout) adds nothing.
	code, out = post("sre-t0ken", "retry-1", `{"text":"Cleaned /home/sre/course4 by hand","minutes":20,"item":"log-cleanup","at":"2026-11-23T08:00:00Z"}`)
	if code != 400 || out["error"] != "idempotency_key: entry manual/1 was already logged with this key, so nothing was added" {
		t.Fatalf("retried: %d %v", code, out)
	}
	code, out = post("sre-t0ken", "other", `{"text":"x","minutes":1,"idempotency_key":"third"}`)
	if code != 400 || out["error"] != "idempotency_key: differs from the Idempotency-Key header; send one of them" {
		t.Fatalf("two keys: %d %v", code, out)
	}
	if code, _ := post("sre-t0ken", "", `{"text":"Deployed 2.0 by hand","minutes":45,"item":"manual-deploy","by":"steve","at":"2026-11-23T07:00:00Z"}`); code != 201 {
		t.Fatalf("second entry: %d", code)
	}

	var ledger struct {
		Minutes int `json:"total_minutes"`
		Entries []struct {
			ID     string `json:"id"`
			Person string `json:"person"`
			Item   string `json:"item"`
		} `json:"entries"`
	}
	if code := h.do("GET", "/api/v1/toil/entries?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z", "", nil, &ledger); code != 200 ||
		ledger.Minutes != 65 || len(ledger.Entries) != 2 || ledger.Entries[0].Person != "steve" {
		t.Fatalf("ledger: %d %+v", code, ledger)
	}
	if code := h.do("GET", "/api/v1/toil/entries?item=log-cleanup&from=2026-11-23T00:00:00Z", "", nil, &ledger); code != 200 || len(ledger.Entries) != 1 {
		t.Fatalf("ledger of one item: %+v", ledger)
	}
	for _, c := range []struct{ query, want string }{
		{"service=shed", `service: unknown service "shed"`},
		{"item=nope", `item: unknown toil item "nope" ("-" selects the entries no item claims)`},
		{"source=chat", `source: "chat" is not one of page, incident, run, approval, alert, manual`},
		{"from=2026-11-30T00:00:00Z&to=2026-11-23T00:00:00Z", "to: must be after from"},
		{"from=2024-01-01T00:00:00Z&to=2026-11-23T00:00:00Z", "to: the period may be at most 366 days"},
		{"from=monday", `from: "monday" is not an RFC 3339 time (like 2026-11-27T22:00:00Z)`},
	} {
		var e map[string]any
		if code := h.do("GET", "/api/v1/toil/entries?"+c.query, "", nil, &e); code != 400 || e["error"] != c.want {
			t.Errorf("%s: %d %v, want %s", c.query, code, e["error"], c.want)
		}
	}

	// Items, an edit (respond), the ranking and the plan.
	if code := h.do("PATCH", "/api/v1/toil/items/manual-deploy", "", strings.NewReader(`{"status":"planned"}`), nil); code != 403 {
		t.Fatalf("edit with a read token: %d", code)
	}
	var e map[string]any
	if code := h.do("PATCH", "/api/v1/toil/items/manual-deploy", "sre-t0ken", strings.NewReader(`{"status":"done"}`), &e); code != 400 ||
		e["error"] != `status: "done" is not one of identified, planned, automated` {
		t.Fatalf("bad status: %d %v", code, e)
	}
	if code := h.do("PATCH", "/api/v1/toil/items/nope", "sre-t0ken", strings.NewReader(`{"status":"planned"}`), &e); code != 404 {
		t.Fatalf("unknown item: %d", code)
	}
	var item struct {
		Status   string `json:"status"`
		Benefit  string `json:"benefit"`
		EditedBy string `json:"edited_by"`
	}
	if code := h.do("PATCH", "/api/v1/toil/items/manual-deploy", "sre-t0ken", strings.NewReader(`{"status":"planned","benefit":"CI/CD"}`), &item); code != 200 ||
		item.Status != "planned" || item.Benefit != "CI/CD" || item.EditedBy != "token/sre" {
		t.Fatalf("edit: %d %+v", code, item)
	}
	var rank struct {
		Candidates []struct {
			ID string `json:"id"`
		} `json:"candidates"`
		People []struct {
			ID      string  `json:"id"`
			Percent float64 `json:"percent"`
		} `json:"people"`
	}
	if code := h.do("GET", "/api/v1/toil/rank?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z", "", nil, &rank); code != 200 ||
		len(rank.Candidates) != 2 || rank.Candidates[0].ID != "manual-deploy" || len(rank.People) != 2 {
		t.Fatalf("rank: %d %+v", code, rank)
	}
	resp := h.get("/api/v1/reports/toil?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&format=md")
	plan, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mustContain(t, "plan", string(plan), "# Toil reduction plan: all services, 2026-11-23 to 2026-11-23",
		"| 2 | Deploy by hand | planned | 1 | 45 min |", "**Benefit of automating.** CI/CD", "**Impact.** Hours every week.")
	resp = h.get("/api/v1/reports/toil?from=2026-11-23T00:00:00Z&format=html")
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("html plan: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if code := h.do("GET", "/api/v1/reports/toil?from=2026-11-23T00:00:00Z&format=pdf", "", nil, &e); code != 400 || e["error"] != `format: "pdf" is not md, html or json` {
		t.Fatalf("pdf: %d %v", code, e)
	}
}

// TestToilCLI: what an SRE types, against a running Vigil.
func TestToilCLI(t *testing.T) {
	h := start(t, toilConfig, "")
	cli := func(args ...string) (int, string, string) {
		return runCLI(t, append(args, "--server", h.url, "--token", "sre-t0ken")...)
	}
	code, out, errOut := cli("toil", "log", "Cleaned /home/sre/course4 by hand", "--minutes", "20", "--service", "shop", "--item", "log-cleanup")
	if code != 0 || !strings.HasPrefix(out, "logged manual/1: 20 min, log-cleanup by thach at 2026-11-23T09:00:00Z") {
		t.Fatalf("log: %d %q %q", code, out, errOut)
	}
	// Run again at once: the same key, or the same work over the same time.
	code, _, errOut = cli("toil", "log", "Cleaned /home/sre/course4 by hand", "--minutes", "20", "--service", "shop", "--item", "log-cleanup")
	if code != 1 || !strings.Contains(errOut, "nothing was added (HTTP 400)") {
		t.Fatalf("run twice: %d %q", code, errOut)
	}
	code, _, errOut = cli("toil", "log", "Deployed by hand", "--minutes", "2000", "--item", "manual-deploy", "--by", "steve")
	if code != 1 || !strings.Contains(errOut, "minutes: must be at most 1440 (24 hours) per entry") {
		t.Fatalf("absurd minutes: %d %q", code, errOut)
	}
	if code, _, _ := cli("toil", "log", "Deployed by hand", "--minutes", "45", "--item", "manual-deploy", "--by", "steve",
		"--at", "2026-11-23T08:00:00Z"); code != 0 {
		t.Fatal("log for steve")
	}
	h.advance(time.Hour)
	code, out, _ = cli("toil", "list")
	if code != 0 {
		t.Fatal(out)
	}
	mustContain(t, "list", out, "WHEN", "2026-11-23 08:00  steve  45 min     manual  shop     manual-deploy  Deployed by hand",
		"log-cleanup    Cleaned /home/sre/course4 by hand", "1 h 5 min  2 entries")
	code, out, _ = cli("toil", "items")
	mustContain(t, "items", out, "log-cleanup", "identified", "total")
	if code, out, _ = cli("toil", "item", "edit", "log-cleanup", "--status", "planned", "--impact", "An hour a week"); code != 0 || out != "log-cleanup: planned\n" {
		t.Fatalf("edit: %d %q", code, out)
	}
	code, out, _ = cli("toil", "rank")
	mustContain(t, "rank", out, "RANK", "1     manual-deploy", "UNCLASSIFIED", "WHO", "thach", "team/sre")
	code, out, _ = cli("report", "toil", "--from", "2026-11-23T00:00:00Z")
	if code != 0 {
		t.Fatal(out)
	}
	mustContain(t, "report toil", out, "# Toil reduction plan", "**Impact.** An hour a week", "## Toil load (50% cap)")
}

// doHeader is do with extra request headers.
func (h *harness) doHeader(method, path, token string, header map[string]string, body io.Reader, out any) int {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if token == "" {
		token = harnessReadToken
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			h.t.Fatalf("%s %s: %d: %v", method, path, resp.StatusCode, err)
		}
	}
	return resp.StatusCode
}
