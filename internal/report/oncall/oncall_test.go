package oncall

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
)

func TestAddSaturates(t *testing.T) {
	big := time.Duration(math.MaxInt64 - 10)
	for _, c := range []struct{ a, b, want time.Duration }{
		{time.Hour, time.Minute, time.Hour + time.Minute},
		{big, time.Hour, math.MaxInt64},
		{-big, -time.Hour, math.MinInt64},
		{big, -time.Hour, big - time.Hour},
	} {
		if got := addSat(c.a, c.b); got != c.want {
			t.Errorf("addSat(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestMarkdownEscapes: text from the record (a summary, a note, a name)
// shows as written in the log and never becomes a heading, list, link or
// HTML.
func TestMarkdownEscapes(t *testing.T) {
	at := time.Date(2021, 9, 6, 9, 15, 0, 0, time.UTC)
	evil := "<script>alert(1)</script> [x](javascript:alert(1))\n# injected | col"
	r := Report{Person: evil, From: at, To: at.Add(time.Hour), Pages: 1,
		Alerts: []Handled{{AlertID: 1, Summary: evil, Service: evil, Severity: "critical", FirstPaged: at, Pages: 1,
			Tried: []string{"09:20 " + evil + " (svega)"}, Resolution: []string{"- " + evil}}},
		Toil: []Candidate{{Summary: evil, Service: evil, Count: 2, Why: evil}}}
	var md bytes.Buffer
	if err := Markdown(&md, r, time.UTC); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(line, "# ") && !strings.HasPrefix(line, "# On-call log: ") || strings.HasPrefix(line, "- - ") {
			t.Errorf("markup from input: %q", line)
		}
	}
	var html bytes.Buffer
	if err := goldmark.Convert(md.Bytes(), &html); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<a ", "raw HTML", "<ul>\n<li>\n<ul>"} {
		if strings.Contains(html.String(), bad) {
			t.Errorf("html has %q:\n%s", bad, html.String())
		}
	}
	if got := strings.Count(html.String(), "<h1>"); got != 1 {
		t.Errorf("%d h1:\n%s", got, html.String())
	}
}
