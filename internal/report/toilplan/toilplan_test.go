package toilplan

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/report/markdown"
	"github.com/vigil-sre/vigil/internal/toil"
)

// TestUntrustedTextStaysText: alert names and people come from outside;
// in the plan they can neither format, link, inject HTML nor break a table.
func TestUntrustedTextStaysText(t *testing.T) {
	evil := "<script>alert(1)</script> | [click](javascript:alert(2)) *bold* `code`"
	ov := toil.Overview{
		From: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), CapPercent: 50, WeeklyHours: 40,
		Items: []toil.Item{{ID: "x", Title: evil, Status: "identified", Match: []string{"alert alertname=\"a|b\""}}},
		Unclassified: []toil.Group{{Kind: "alert", Name: evil, Service: "shop", Count: toil.Count{Occurrences: 2, Minutes: 10},
			Suggest: "match: [{alert: ['alertname=\"a|b\"']}]"}},
		People: []toil.Load{{ID: evil, Minutes: 10, Working: 2400, Percent: 0.4}},
	}
	var md bytes.Buffer
	if err := Markdown(&md, ov, time.UTC); err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := markdown.HTML(&page, Title(ov, time.UTC), md.Bytes()); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, bad := range []string{"<script>", `href="javascript`, "<strong>bold</strong>", "<code>code</code>"} {
		if strings.Contains(html, bad) {
			t.Errorf("the plan's HTML contains %q", bad)
		}
	}
	// Every table row has as many cells as its header.
	tables := 0
	for _, block := range strings.Split(html, "<table>")[1:] {
		tables++
		head := strings.Count(strings.Split(block, "</thead>")[0], "</th>")
		for _, row := range strings.Split(strings.Split(block, "</table>")[0], "<tr>")[2:] {
			if n := strings.Count(row, "</td>"); n != head {
				t.Errorf("a row has %d cells, its header %d: %s", n, head, row)
			}
		}
	}
	if tables != 3 {
		t.Errorf("%d tables, want 3 (summary, unclassified, load)", tables)
	}
}

func TestDuration(t *testing.T) {
	for m, want := range map[int]string{0: "0 min", 45: "45 min", 60: "1 h", 128: "2 h 8 min", 1440: "24 h"} {
		if got := Duration(m); got != want {
			t.Errorf("Duration(%d) = %s, want %s", m, got, want)
		}
	}
}
