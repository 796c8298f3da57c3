package postmortem

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHTMLBody: the body alone (a page puts it in its layout), tables
// rendered, and raw HTML from the Markdown left out.
func TestHTMLBody(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pm.tmpl")
	if err := os.WriteFile(path, []byte("# Outage\n\n<script>alert(1)</script>\n\n| Time | What |\n|---|---|\n| 09:15 | down |\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := HTMLBody(tmpl, Data{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if !strings.HasPrefix(s, "<h1>Outage</h1>") || strings.Contains(s, "<html") || strings.Contains(s, "<body") {
		t.Errorf("not a bare body:\n%s", s)
	}
	if !strings.Contains(s, "<td>09:15</td>") {
		t.Errorf("no table:\n%s", s)
	}
	if strings.Contains(s, "<script>") {
		t.Errorf("raw HTML passed through:\n%s", s)
	}
}
