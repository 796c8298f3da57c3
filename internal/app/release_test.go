package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

const releaseToken = "release-token" // examples/releases/vigil.yaml's operate token

// startReleases runs Vigil with the release examples' config on a fake
// clock set to the evening of the field notes' release night.
func startReleases(t *testing.T) (*harness, func(args ...string) (int, string, string)) {
	t.Helper()
	cfg, err := os.ReadFile("../../examples/releases/vigil.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, string(cfg))
	h := startAt(t, path, "sqlite://"+filepath.Join(dir, "vigil.db"), clock.NewFake(time.Date(2023, 5, 3, 21, 0, 0, 0, time.UTC)))
	cli := func(args ...string) (int, string, string) {
		return runCLI(t, append(args, "--server", h.url, "--token", releaseToken)...)
	}
	return h, cli
}

// goldenFile compares got with path; VIGIL_UPDATE_GOLDEN=1 rewrites it.
func goldenFile(t *testing.T, path, got string) {
	t.Helper()
	if os.Getenv("VIGIL_UPDATE_GOLDEN") == "1" {
		writeFile(t, path, got)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with VIGIL_UPDATE_GOLDEN=1 to write it)", err)
	}
	if got != string(want) {
		t.Fatalf("differs from %s; got:\n%s", path, got)
	}
}

// TestReleaseNight: the field notes' releases 1 and 2 are recorded from
// their YAML files through the CLI; release 2 starts, is deployed and
// released, an incident follows the next morning, and its as-built
// document (Markdown and HTML, golden) shows the record, the capacity plan,
// the deployment file and its review, what changed since release 1
// (stakeholders, replicas 3 → 6, memory 256Mi → 320Mi, the order processor
// added), the deploy and the incident.
func TestReleaseNight(t *testing.T) {
	h, cli := startReleases(t)
	code, out, errOut := cli("release", "create", "-f", "../../examples/releases/release-1.yaml")
	if code != 0 || out != "release 1 recorded: shop Release 1 (1.0.0), released; 1 manifest(s), 0 review finding(s)\n" {
		t.Fatalf("release 1: %d %q %q", code, out, errOut)
	}
	code, out, errOut = cli("release", "create", "-f", "../../examples/releases/release-2.yaml")
	if code != 0 || out != "release 2 recorded: shop Release 2 (2.0.0), planned; 1 manifest(s), 0 review finding(s)\n" {
		t.Fatalf("release 2: %d %q %q", code, out, errOut)
	}
	h.advance(time.Hour) // 22:00, the release window opens
	if code, out, _ = cli("release", "status", "2", "in_progress", "--note", "release window open", "--by", "thach"); code != 0 ||
		out != "release 2 (shop Release 2) is in progress\n" {
		t.Fatalf("start: %d %q", code, out)
	}
	h.advance(30 * time.Minute)
	if code := h.do("POST", "/api/v1/deploys", releaseToken, strings.NewReader(`{"service":"shop","version":"2.0.0",
		"environment":"production","artifact":"nginx:1.25.3","by":"ops/jay"}`), nil); code != 201 {
		t.Fatalf("deploy: %d", code)
	}
	h.do("POST", "/api/v1/deploys", releaseToken, strings.NewReader(`{"service":"shop","version":"1.0.0","environment":"production"}`), nil)
	h.advance(40 * time.Minute)
	if code, out, _ = cli("release", "status", "2", "released"); code != 0 {
		t.Fatalf("released: %d %q", code, out)
	}
	// The next morning the order processor falls behind.
	h.advance(10*time.Hour + 5*time.Minute)
	if code := h.do("POST", "/api/v1/incidents", releaseToken, strings.NewReader(`{"title":"Outstanding orders too high",
		"severity":"SEV3","services":["shop"]}`), nil); code != 201 {
		t.Fatalf("incident: %d", code)
	}

	code, out, _ = cli("release", "list", "--service", "shop")
	if code != 0 || !regexp.MustCompile(`(?m)^2\s+shop\s+Release 2\s+2\.0\.0\s+released\s+2023-05-03 22:00\s+2023-05-03 23:10\n1\s+shop\s+Release 1`).MatchString(out) {
		t.Fatalf("history:\n%s", out)
	}
	code, md, errOut := cli("release", "doc", "2")
	if code != 0 {
		t.Fatalf("doc: %d %q", code, errOut)
	}
	mustContain(t, "as-built document", md, "## Stakeholders\n\n- Developers\n  - John Doe\n", "- SRE\n  - Thach Duong",
		"- Security fixes\n  - Fixed SQL injection attack (Tk-205)\n- Feature Additions\n", "- Data model changes\n  - Added new tables for catalog (Tk-203)",
		"## Design decision highlights", "See Design Doc 5247.", "## Test Section", "## Deployment Notes", "## Deployment File",
		"272Mi ÷ 85% = 320Mi", "2 × (2 × 250m) = 1000m",
		"- Stakeholders, SRE: Thach Duong added, John Robert removed", "- app-deployment: replicas 3 → 6",
		"- app-deployment: container main-app memory request 256Mi → 320Mi", "- app-deployment: container order-processor added",
		"| 2023-05-03 22:30 UTC | production | nginx:1.25.3 | ops/jay (token/release) |",
		"| 1 | SEV3 | Outstanding orders too high | 2023-05-04 09:15 UTC | investigating |")
	if strings.Contains(md, "| production | — |") {
		t.Fatal("the doc lists release 1's deploy")
	}
	goldenFile(t, "testdata/release-2-as-built.md", md)
	code, html, _ := cli("release", "doc", "2", "--format", "html")
	if code != 0 {
		t.Fatalf("html: %d", code)
	}
	mustContain(t, "html", html, "<h2>Code Changes</h2>", "<li>Security fixes\n<ul>\n<li>Fixed SQL injection attack (Tk-205)</li>")
	goldenFile(t, "testdata/release-2-as-built.html", html)
	// A narrower window leaves the incident out.
	if _, md, _ := cli("release", "doc", "2", "--window", "6h"); !strings.Contains(md, "_None declared on shop from 2023-05-03 23:10 UTC to 2023-05-04 05:10 UTC._") {
		t.Fatalf("6h window:\n%s", md)
	}
	code, out, _ = cli("release", "show", "2")
	mustContain(t, "show", out, "release 2: shop Release 2 (2.0.0), released", "SRE: Thach Duong", "capacity plan: app-deployment at 6 replicas",
		"2023-05-03 22:00  in progress by thach (token/release): release window open")
}

// TestReleaseInputErrors: bad release files are refused with every problem
// at file:line:col (the service the config does not know included), the API
// names the field (and the line, for YAML), moves that are not allowed are
// conflicts, bodies over the limit are 413, and nothing half-written stays.
func TestReleaseInputErrors(t *testing.T) {
	h, cli := startReleases(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, `service: shop
version: "3"
planned_at: 2023-06-01
stakeholder:
  sre: [person/thach]
code_changes:
  - {id: Tk-1, title: x, kind: feat}
`)
	code, _, errOut := cli("release", "create", "-f", bad)
	if code != 1 || errOut != bad+`:4:1: stakeholder: unknown field "stakeholder"; did you mean "stakeholders"?`+"\n" {
		t.Fatalf("unknown field: %d %q", code, errOut)
	}
	writeFile(t, bad, `service: boutique
version: "3"
planned_at: 2023-06-31
stakeholders:
  sre: [person/nobody, team/ops]
code_changes:
  - {id: Tk-1, title: x, kind: feat}
manifests:
  - file: missing.yaml
`)
	code, _, errOut = cli("release", "create", "-f", bad)
	if code != 1 || !strings.HasPrefix(errOut, bad+`:9:11: manifests[0].file: open `+filepath.Join(dir, "missing.yaml")) {
		t.Fatalf("missing manifest: %d %q", code, errOut)
	}
	writeFile(t, bad, strings.Replace(`service: boutique
version: "3"
planned_at: 2023-06-31
stakeholders:
  sre: [person/nobody, team/ops]
code_changes:
  - {id: Tk-1, title: x, kind: feat}
`, "", "", 1))
	code, _, errOut = cli("release", "create", "-f", bad)
	want := bad + `:3:13: planned_at: "2023-06-31" is not a date (2023-05-03), a UTC time (2023-05-03 22:00) or an RFC 3339 time` + "\n" +
		bad + `:7:32: code_changes[0].kind: "feat" is not one of feature, security, fix, chore` + "\n"
	if code != 1 || errOut != want {
		t.Fatalf("local problems:\n%s\nwant\n%s", errOut, want)
	}
	// Only the server knows the config: its answer is placed in the file too.
	writeFile(t, bad, "service: boutique\nversion: \"3\"\nplanned_at: 2023-06-01\nstakeholders:\n  sre: [person/nobody, team/ops]\n")
	code, _, errOut = cli("release", "create", "-f", bad)
	mustContain(t, "server problems", errOut, "refused the release (HTTP 400):\n", bad+`:1:10: service: unknown service "boutique"`, bad+`:5:9: stakeholders.sre[0]: unknown person "nobody"`)
	if n := strings.Count(errOut, `unknown service "boutique"`); n != 1 {
		t.Fatalf("server problems said %d times:\n%s", n, errOut)
	}
	if code != 1 || strings.Contains(errOut, "team/ops") {
		t.Fatalf("server problems: %d %q", code, errOut)
	}

	// The JSON API names the field; YAML bodies get line and column.
	var e struct {
		Error    string `json:"error"`
		Code     string `json:"code"`
		Problems []struct {
			Field   string `json:"field"`
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"problems"`
	}
	code = h.do("POST", "/api/v1/releases", releaseToken, strings.NewReader(`{"service":"cart","version":"1","planned_at":"2023-06-01"}`), &e)
	if code != 400 || e.Error != `service: unknown service "cart"` || len(e.Problems) != 1 || e.Problems[0].Field != "service" {
		t.Fatalf("JSON unknown service: %d %+v", code, e)
	}
	code = h.do("POST", "/api/v1/releases", releaseToken, strings.NewReader(`{"service":"shop","verison":"1"}`), &e)
	if code != 400 || !strings.Contains(e.Error, `unknown field "verison"`) {
		t.Fatalf("JSON unknown field: %d %+v", code, e)
	}
	req, _ := http.NewRequest("POST", h.url+"/api/v1/releases", strings.NewReader("service: shop\nversion: '1'\nplanned_at: 2023-06-01\nmanifests:\n  - yaml: 'kind: [x'\n"))
	req.Header.Set("Authorization", "Bearer "+releaseToken)
	req.Header.Set("Content-Type", "application/yaml")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != 400 || len(e.Problems) != 1 || e.Problems[0].Field != "manifests[0].yaml" || e.Problems[0].Line != 5 ||
		!strings.HasPrefix(e.Error, "body:5:11: manifests[0].yaml: line 1, column") {
		t.Fatalf("YAML body: %d %+v", resp.StatusCode, e)
	}
	big := fmt.Sprintf(`{"service":"shop","version":"1","planned_at":"2023-06-01","summary":%q}`, strings.Repeat("x", 3<<20))
	if code := h.do("POST", "/api/v1/releases", releaseToken, strings.NewReader(big), &e); code != 413 {
		t.Fatalf("oversized: %d %+v", code, e)
	}
	// Scopes: reading needs read, recording needs operate.
	if code := h.do("GET", "/api/v1/releases", anonymous, nil, nil); code != 401 {
		t.Fatalf("anonymous read: %d", code)
	}
	if code := h.do("POST", "/api/v1/releases", "", strings.NewReader(`{}`), nil); code != 403 {
		t.Fatalf("read token writes: %d", code)
	}
	var list []map[string]any
	if h.do("GET", "/api/v1/releases", "", nil, &list); len(list) != 0 {
		t.Fatalf("refused releases left %d behind", len(list))
	}

	ok := `{"service":"shop","version":"1","planned_at":"2023-06-01"}`
	if code := h.do("POST", "/api/v1/releases", releaseToken, strings.NewReader(ok), nil); code != 201 {
		t.Fatalf("create: %d", code)
	}
	if code := h.do("POST", "/api/v1/releases", releaseToken, strings.NewReader(ok), &e); code != 409 || e.Problems[0].Field != "version" {
		t.Fatalf("same version again: %d %+v", code, e)
	}
	for _, c := range []struct {
		body string
		code int
		msg  string
	}{
		{`{"status":"released"}`, 409, "release 1 is planned; it can move to in_progress, not released"},
		{`{"status":"shipped"}`, 400, `status: "shipped" is not one of planned, in_progress, released, rolled_back`},
		{`{"status":"in_progress","at":"2030-01-01T00:00:00Z"}`, 400, "must not be in the future"},
		{`{"status":"in_progress"}`, 200, ""},
		{`{"status":"planned"}`, 409, "it can move to released or rolled_back, not planned"},
		{`{"status":"rolled_back","note":"checkout broke"}`, 200, ""},
		{`{"status":"released"}`, 409, "it can move to none: it is final"},
	} {
		e.Error = ""
		code := h.do("POST", "/api/v1/releases/1/status", releaseToken, strings.NewReader(c.body), &e)
		if code != c.code || !strings.Contains(e.Error, c.msg) {
			t.Fatalf("%s: %d %q", c.body, code, e.Error)
		}
	}
	if code := h.do("GET", "/api/v1/releases?status=bogus", "", nil, &e); code != 400 {
		t.Fatalf("bad status filter: %d", code)
	}
	if code := h.do("GET", "/api/v1/releases/9", "", nil, &e); code != 404 {
		t.Fatalf("unknown release: %d", code)
	}
	if code := h.do("GET", "/api/v1/releases/1/doc?window=forever", "", nil, &e); code != 400 || !strings.Contains(e.Error, "window") {
		t.Fatalf("bad window: %d %+v", code, e)
	}
}

// TestManifestReviewAndCapacityCommands: lint and capacity plan run here
// with the exact results of their package tests; a release carrying the
// seed's own deployment file keeps the review with it; the capacity API
// computes the same plan.
func TestManifestReviewAndCapacityCommands(t *testing.T) {
	code, out, _ := runCLI(t, "release", "lint", "../release/manifest/testdata/seed-release-2.yaml")
	want, _ := os.ReadFile("../release/manifest/testdata/seed-release-2.lint")
	if code != 1 || out != strings.ReplaceAll(string(want), "testdata/", "../release/manifest/testdata/") {
		t.Fatalf("lint: %d\n%s", code, out)
	}
	if code, out, _ = runCLI(t, "release", "lint", "../../examples/releases/release-2-deployment.yaml"); code != 0 || out != "1 file(s): no problems found\n" {
		t.Fatalf("lint good: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "capacity", "plan", "-f", "../../examples/capacity/release-2.yaml")
	want, _ = os.ReadFile("../release/capacity/testdata/release-2.txt")
	if code != 0 || out != string(want) {
		t.Fatalf("plan: %d\n%s", code, out)
	}
	manifestOut := filepath.Join(t.TempDir(), "deployment.yaml")
	code, _, _ = runCLI(t, "capacity", "plan", "-f", "../../examples/capacity/release-2.yaml", "--manifest", "-o", manifestOut)
	got, _ := os.ReadFile(manifestOut)
	want, _ = os.ReadFile("../../examples/releases/release-2-deployment.yaml")
	if code != 0 || !bytes.Equal(got, want) {
		t.Fatalf("manifest: %d\n%s", code, got)
	}
	bad := filepath.Join(t.TempDir(), "cap.yaml")
	writeFile(t, bad, "deployment: {name: app}\ncomponents:\n  - name: app\n    users: {target: 10, per_replica: 0}\n")
	if code, _, errOut := runCLI(t, "capacity", "plan", "-f", bad); code != 1 ||
		errOut != bad+":4:38: components[0].users.per_replica: must be more than 0: it is how many users one replica serves\n" {
		t.Fatalf("impossible plan: %d %q", code, errOut)
	}

	h, cli := startReleases(t)
	seed, _ := os.ReadFile("../release/manifest/testdata/seed-release-2.yaml")
	rel := filepath.Join(t.TempDir(), "release.yaml")
	writeFile(t, rel, "service: shop\nversion: '2'\nplanned_at: 2023-05-03\nmanifests:\n  - file: seed.yaml\n")
	writeFile(t, filepath.Join(filepath.Dir(rel), "seed.yaml"), string(seed))
	if code, out, errOut := cli("release", "create", "-f", rel); code != 0 || !strings.Contains(out, "1 manifest(s), 10 review finding(s)") {
		t.Fatalf("release with the seed's file: %d %q %q", code, out, errOut)
	}
	_, md, _ := cli("release", "doc", "1")
	mustContain(t, "doc review", md, "Review found 10 problem(s):", `seed.yaml:9:3: spec.Replicas: unknown field "Replicas"; did you mean "replicas"?`)

	capYAML, _ := os.ReadFile("../../examples/capacity/release-2.yaml")
	req, _ := http.NewRequest("POST", h.url+"/api/v1/capacity/plan?manifest=true", bytes.NewReader(capYAML))
	req.Header.Set("Authorization", "Bearer "+harnessReadToken)
	req.Header.Set("Content-Type", "application/yaml")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var plan struct {
		Replicas   int `json:"replicas"`
		Components []struct {
			Requests map[string]string `json:"requests"`
		} `json:"components"`
		Manifest string `json:"manifest"`
	}
	if err := json.Unmarshal(body, &plan); err != nil || resp.StatusCode != 200 || plan.Replicas != 6 ||
		plan.Components[0].Requests["memory"] != "320Mi" || plan.Manifest != string(want) {
		t.Fatalf("capacity API: %d %s", resp.StatusCode, body)
	}
	var e struct {
		Problems []struct {
			Field string `json:"field"`
		} `json:"problems"`
	}
	if code := h.do("POST", "/api/v1/capacity/plan", "", strings.NewReader(`{"deployment":{"name":"a"},"components":[{"name":"a","users":{"target":1,"per_replica":0}}]}`), &e); code != 400 ||
		len(e.Problems) != 1 || e.Problems[0].Field != "components[0].users.per_replica" {
		t.Fatalf("capacity API problems: %d %+v", code, e)
	}
}

// TestReleaseTextStaysText: what a release says reaches its document as
// text: no script, link or markup of its own, and links only over http(s).
func TestReleaseTextStaysText(t *testing.T) {
	h, _ := startReleases(t)
	var e struct {
		Problems []struct {
			Field string `json:"field"`
		} `json:"problems"`
	}
	if code := h.do("POST", "/api/v1/releases", releaseToken, strings.NewReader(`{"service":"shop","version":"1","planned_at":"2023-06-01",
		"code_changes":[{"id":"Tk-1","title":"x","kind":"fix","link":"javascript:alert(1)"}]}`), &e); code != 400 ||
		len(e.Problems) != 1 || e.Problems[0].Field != "code_changes[0].link" {
		t.Fatalf("javascript link: %d %+v", code, e)
	}
	body := `{"service":"shop","version":"1","planned_at":"2023-06-01","summary":"<script>alert(1)</script>",
		"code_changes":[{"id":"Tk-1","title":"[click](javascript:alert(1)) *bold* <img src=x onerror=alert(1)>","kind":"fix","link":"https://tracker.example/Tk-1?a=1&b=<2>"}],
		"deployment_notes":"- not a list\n# not a heading"}`
	if code := h.do("POST", "/api/v1/releases", releaseToken, strings.NewReader(body), nil); code != 201 {
		t.Fatalf("create: %d", code)
	}
	resp := h.get("/api/v1/releases/1/doc?format=html")
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP %q", csp)
	}
	html := string(page)
	mustContain(t, "escaped html", html, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
		"[click](javascript:alert(1)) *bold* &lt;img src=x onerror=alert(1)&gt; (<a href=\"https://tracker.example/Tk-1?a=1&amp;b=%3C2%3E\">Tk-1</a>)",
		"<p>- not a list\n# not a heading</p>")
	for _, bad := range []string{"<script", "<img", "<em>bold", `href="javascript`, "<h1>not", "<li>not"} {
		if strings.Contains(html, bad) {
			t.Errorf("the document holds %q", bad)
		}
	}
}
