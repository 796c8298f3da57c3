package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// hostileText is untrusted text as it reaches reports: HTML, table pipes,
// a heading, a script link and line breaks.
const hostileText = "<script>alert(1)</script> | pipes | [link](javascript:alert(1))\n# heading *bold*"

func reportConfig(sink string) string {
	return fmt.Sprintf(`
tokens:
  - {id: sre, secret: sre-t0ken, scopes: [operate], person: thach}
integrations:
  - {id: scripts, type: generic, key: gen-k3y}
people:
  - {id: thach, contacts: {webhook: "%s/thach"}}
escalations:
  - {id: sre, steps: [{notify: [person/thach]}]}
routes:
  - {escalation: sre, group_by: [alertname], group_wait: 0s}
services:
  - {id: shop}
  - {id: dns}
`, sink)
}

func (h *harness) text(path string) (int, string) {
	h.t.Helper()
	resp := h.get(path)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var unescapedMarkup = regexp.MustCompile(`(^|[^\\])(<(script|img|iframe)|\]\(javascript:)`)

// TestReportsKeepUntrustedTextAsText: an alert summary, an incident's
// title, summary and note, an imported chat line, an action item and a
// person's name, all hostile, show in the postmortem and the on-call log
// as the words they hold: no HTML, no script link, no heading, no extra
// table column, no broken line.
func TestReportsKeepUntrustedTextAsText(t *testing.T) {
	sk := newSink(t)
	h := start(t, reportConfig(sk.URL), "")
	id := h.raise("evil", hostileText, "critical", "shop")
	sk.wait(t, "/thach", 1)
	body, _ := json.Marshal(map[string]any{"title": hostileText, "severity": "SEV1", "services": []string{"shop"}, "summary": hostileText,
		"alert_ids": []int64{id}, "by": hostileText})
	if code := h.do("POST", "/api/v1/incidents", "sre-t0ken", strings.NewReader(string(body)), nil); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	note, _ := json.Marshal(map[string]string{"text": hostileText, "by": hostileText})
	h.do("POST", "/api/v1/incidents/1/notes", "sre-t0ken", strings.NewReader(string(note)), nil)
	chat := "09:01 -- <img src=x onerror=alert(1)> | a | b | [x](javascript:alert(1)) FROM: svega\n"
	if code := h.do("POST", "/api/v1/incidents/1/import?format=log&date=2026-11-23", "sre-t0ken", strings.NewReader(chat), nil); code != 200 {
		t.Fatalf("import: %d", code)
	}
	item, _ := json.Marshal(map[string]string{"item": hostileText, "type": "prevent", "owner": hostileText, "tracking": "javascript:alert(1)"})
	h.do("POST", "/api/v1/incidents/1/action_items", "sre-t0ken", strings.NewReader(string(item)), nil)
	pm, _ := json.Marshal(map[string]string{"went_well": "- paging worked\n- <iframe src=//evil.example></iframe> [x](javascript:alert(2))"})
	h.do("PUT", "/api/v1/incidents/1/postmortem", "sre-t0ken", strings.NewReader(string(pm)), nil)
	h.advance(time.Minute)

	code, md := h.text("/api/v1/incidents/1/postmortem?format=md")
	if code != 200 {
		t.Fatalf("postmortem: %d %s", code, md)
	}
	code, html := h.text("/api/v1/incidents/1/postmortem?format=html")
	if code != 200 {
		t.Fatalf("postmortem html: %d", code)
	}
	_, log := h.text("/api/v1/reports/oncall?person=thach&format=md&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z")
	for name, doc := range map[string]string{"postmortem": md, "on-call log": log} {
		headings := 0
		for _, line := range strings.Split(doc, "\n") {
			if strings.HasPrefix(line, "# ") {
				headings++
			}
			if strings.HasPrefix(line, "|") && !strings.HasPrefix(line, "|---") {
				cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") - 1
				if cells != 2 && cells != 3 && cells != 4 && cells != 6 {
					t.Errorf("%s: a table row with %d cells: %q", name, cells, line)
				}
			}
		}
		if headings != 1 {
			t.Errorf("%s: %d top-level headings:\n%s", name, headings, doc)
		}
		// Markup that is not escaped: a tag or a link destination without a
		// backslash before it.
		if raw := unescapedMarkup.FindString(doc); raw != "" {
			t.Errorf("%s carries %q raw:\n%s", name, raw, doc)
		}
	}
	mustContain(t, "postmortem", md, `\<script\>alert(1)\</script\> \| pipes \|`, "- paging worked")
	for _, bad := range []string{"<script", "<img", "<iframe", `href="javascript`, "<h1>heading", "raw HTML"} {
		if strings.Contains(html, bad) {
			t.Errorf("postmortem html has %q", bad)
		}
	}
	mustContain(t, "postmortem html", html, "&lt;script&gt;alert(1)&lt;/script&gt; | pipes |", "<li>paging worked</li>")
	mustContain(t, "on-call log", log, `\<script\>alert(1)\</script\>`)
}

// TestOnCallReportCountsOnlyTimeLived: a 300-year window that also reaches
// months into the future counts the time spent on two open alerts up to
// now (1h: the second's half hour lies within the first's hour), not up to
// the window's end, and never wraps around.
func TestOnCallReportCountsOnlyTimeLived(t *testing.T) {
	sk := newSink(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, reportConfig(sk.URL))
	now := time.Date(2270, 1, 5, 12, 0, 0, 0, time.UTC)
	fc := clock.NewFake(now.Add(-time.Hour))
	h := startAt(t, path, "sqlite://"+filepath.Join(dir, "vigil.db"), fc)
	h.raise("disk", "Disk filling", "critical", "shop")
	sk.wait(t, "/thach", 1)
	fc.Advance(30 * time.Minute)
	h.raise("orders", "Orders stuck", "critical", "shop")
	sk.wait(t, "/thach", 2)
	fc.Advance(30 * time.Minute)

	for _, w := range []struct{ name, from, to string }{
		{"300 years, into the future", "1970-01-01T00:00:00Z", "2270-06-01T00:00:00Z"},
		{"into the future", "2270-01-05T10:00:00Z", "2270-01-06T12:00:00Z"},
	} {
		var rep struct {
			Pages     int           `json:"pages"`
			TimeSpent time.Duration `json:"time_spent"`
			To        time.Time     `json:"to"`
		}
		q := url.Values{"person": {"thach"}, "from": {w.from}, "to": {w.to}}
		if code := h.do("GET", "/api/v1/reports/oncall?"+q.Encode(), "", nil, &rep); code != 200 {
			t.Fatalf("%s: %d", w.name, code)
		}
		if rep.Pages != 2 || rep.TimeSpent != time.Hour || !rep.To.Equal(now) {
			t.Errorf("%s: %d pages, %v spent, to %v; want 2, 1h, %v", w.name, rep.Pages, rep.TimeSpent, rep.To, now)
		}
	}
}
