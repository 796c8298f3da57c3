package app

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestIncidentPagesOverHTTP: the incident pages are private, answer bad
// input with pages that say what is wrong, and keep untrusted text (a
// title, a note) as text in the page and in the live stream, which sends a
// note added through the API to a page that is open.
func TestIncidentPagesOverHTTP(t *testing.T) {
	sk := newSink(t)
	h := start(t, incidentPagesConfig(t, sk.URL), "")
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", h.url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
		}
		if resp.StatusCode == http.StatusSeeOther {
			return resp.StatusCode, resp.Header.Get("Location")
		}
		return resp.StatusCode, b.String()
	}
	for _, path := range []string{"/incidents", "/incidents/new", "/incidents/1", "/incidents/1/events", "/incidents/1/postmortem",
		"/incidents/1/postmortem/edit", "/incidents/metrics", "/deploys"} {
		if code, loc := get(path, ""); code != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s without a credential: %d %q", path, code, loc)
		}
	}

	if code := h.do("POST", "/api/v1/incidents", "r00t-t0ken", strings.NewReader(`{"title":"Checkout <img src=x onerror=alert(1)>","severity":"SEV2","services":["shop"]}`), nil); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	h.do("POST", "/api/v1/incidents/1/notes", "r00t-t0ken", strings.NewReader(`{"text":"<script>alert(1)</script> rolled back"}`), nil)
	code, page := get("/incidents/1", harnessReadToken)
	if code != 200 {
		t.Fatalf("incident page: %d %.300s", code, page)
	}
	mustContain(t, "incident page", page, "Checkout &lt;img src=x onerror=alert(1)&gt;", "&lt;script&gt;alert(1)&lt;/script&gt; rolled back",
		"This needs the respond scope; the token has read.")
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img src=x") {
		t.Error("untrusted text became markup")
	}

	for path, want := range map[string]string{
		"/incidents/999":                       "no incident 999",
		"/incidents/x":                         "incident id must be a positive number",
		"/incidents?status=open,bogus":         `status: &#34;bogus&#34; is not one of`,
		"/incidents?severity=SEV9":             "severity: &#34;SEV9&#34; is not one of SEV1, SEV2, SEV3, SEV4",
		"/incidents/metrics?period=2y":         "period: &#34;2y&#34; is not one of 7d, 30d, 90d, 365d",
		"/incidents/new?alert=999":             "no alert 999",
		"/incidents/1/events?after=x":          "after: &#34;x&#34; is not a number",
		"/incidents/999/postmortem":            "no incident 999",
		"/incidents/999/events":                "no incident 999",
		"/incidents/999/postmortem/edit":       "no incident 999",
		"/deploys?service=%3Cb%3Enope%3C/b%3E": "No deploys recorded for &lt;b&gt;nope&lt;/b&gt;",
	} {
		code, body := get(path, harnessReadToken)
		if !strings.Contains(body, want) {
			t.Errorf("GET %s: %d, want %q in %.400s", path, code, want, body)
		}
		if strings.HasPrefix(path, "/deploys") {
			continue
		}
		if code < 400 || code >= 500 || !strings.Contains(body, `id="problem"`) {
			t.Errorf("GET %s: %d, want a 4xx page that says what is wrong", path, code)
		}
	}

	// The live stream: what the page showed is not sent again; a note
	// added while it is open is, escaped, and so is the status.
	_, page = get("/incidents/1", harnessReadToken)
	const marker = `data-events="`
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("the timeline names no event stream: %.500s", page)
	}
	events := strings.ReplaceAll(page[i+len(marker):i+len(marker)+strings.Index(page[i+len(marker):], `"`)], "&amp;", "&")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", h.url+events, nil)
	req.Header.Set("Authorization", "Bearer "+harnessReadToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("%s: content type %q", events, ct)
	}
	lines := bufio.NewScanner(resp.Body)
	// next skips to the next event of a kind and returns its data.
	next := func(event string) string {
		t.Helper()
		for lines.Scan() {
			if lines.Text() == "event: "+event && lines.Scan() {
				return strings.TrimPrefix(lines.Text(), "data: ")
			}
		}
		t.Fatalf("the stream ended before a %q event: %v", event, lines.Err())
		return ""
	}
	// The first event is the status: no row the page already has comes before it.
	if !lines.Scan() || lines.Text() != "event: incident" || !lines.Scan() || lines.Text() != `data: {"severity":"SEV2","status":"investigating"}` {
		t.Fatalf("the stream starts with %q", lines.Text())
	}
	h.do("POST", "/api/v1/incidents/1/notes", "r00t-t0ken", strings.NewReader(`{"text":"<b>bold</b> claim","by":"ann"}`), nil)
	row := next("entry")
	mustContain(t, "live row", row, `data-kind="note"`, "&lt;b&gt;bold&lt;/b&gt; claim", "ann (token/root)")
	h.do("POST", "/api/v1/incidents/1/status", "r00t-t0ken", strings.NewReader(`{"status":"monitoring"}`), nil)
	mustContain(t, "status row", next("entry"), "status: monitoring")
	mustContain(t, "status", next("incident"), `"status":"monitoring"`)

	// A stakeholder update through the API, as the page sends it.
	var e map[string]any
	if code := h.do("POST", "/api/v1/incidents/1/messages", "r00t-t0ken", strings.NewReader(`{"text":"Rolled back; watching.","by":"ann"}`), &e); code != 201 || e["kind"] != "message" {
		t.Fatalf("message: %d %v", code, e)
	}
	if m := sk.wait(t, "/stella", 3)[2].Message; m.Text != "Rolled back; watching." || !strings.HasSuffix(m.URL, "/incidents/1") {
		t.Errorf("stakeholder got %+v", m)
	}
	if code := h.do("POST", "/api/v1/incidents/1/messages", "r00t-t0ken", strings.NewReader(`{"text":"  "}`), &e); code != 400 {
		t.Errorf("an empty message: %d %v", code, e)
	}
	if code := h.do("POST", "/api/v1/incidents/1/messages", harnessReadToken, strings.NewReader(`{"text":"hi"}`), &e); code != 403 {
		t.Errorf("a message with a read token: %d %v", code, e)
	}
	var metrics struct {
		Summary []map[string]any `json:"summary"`
	}
	h.do("GET", "/api/v1/incidents/metrics", "", nil, &metrics)
	if len(metrics.Summary) == 0 || metrics.Summary[0]["acknowledged"] != float64(1) {
		t.Errorf("metrics summary: %v", metrics.Summary)
	}
}
