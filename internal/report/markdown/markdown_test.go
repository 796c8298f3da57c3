package markdown

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// render is what the postmortem's HTML does with Markdown.
func render(t *testing.T, md string) string {
	t.Helper()
	var out bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.Table)).Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// hostile are strings that would be markup if placed raw.
var hostile = []string{
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	"| pipes | split | cells |",
	"# heading",
	"## 09:15 -- *bold* _em_ `code` ~~gone~~",
	"[link](javascript:alert(1))",
	"![img](http://evil.example/x.png)",
	"line one\nline two\r\n# heading on line three",
	"- a list item",
	"1. ordered",
	"> quoted",
	"&lt;script&gt; &#60;b&#62;",
	"<https://autolink.example>",
	"back\\slash \\<b>",
	"trailing pipe |",
	"===",
}

func TestTextShowsTheSameWords(t *testing.T) {
	for _, s := range hostile {
		got := Text(s)
		if strings.ContainsAny(got, "\n\r") {
			t.Errorf("Text(%q) = %q has a line break", s, got)
		}
		// As a table cell and as a list item, the rendering shows the input's
		// words literally: one paragraph or cell, no element but the wrapper.
		html := render(t, "| a |\n|---|\n| "+got+" |\n\n- "+got+"\n")
		for _, bad := range []string{"<script", "<img", "<a ", "<h1", "<h2", "<em", "<strong", "<code", "<del", "<ol", "<blockquote", "<!-- raw HTML"} {
			if strings.Contains(html, bad) {
				t.Errorf("Text(%q) = %q renders %s:\n%s", s, got, bad, html)
			}
		}
		if n := strings.Count(html, "<td>"); n != 1 {
			t.Errorf("Text(%q) = %q makes %d cells:\n%s", s, got, n, html)
		}
		if n := strings.Count(html, "<li>"); n != 1 {
			t.Errorf("Text(%q) = %q makes %d list items:\n%s", s, got, n, html)
		}
	}
	for in, want := range map[string]string{
		"order_processing.log":  "order_processing.log",
		"_leading":              `\_leading`,
		"Q&A":                   "Q&A",
		"10:05 acked (token/x)": "10:05 acked (token/x)",
		"a  \t b\n\nc":          "a b c",
		"5 < 6":                 `5 \< 6`,
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProseKeepsMarkdownButNotHTMLOrScriptLinks(t *testing.T) {
	in := "The deploy script used the **QA** profile:\n\n- wrong `deploy.sh` flag\n- see [the runbook](https://wiki.example/rb) and [ref][r]\n\n" +
		"<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n[bad](javascript:alert(1)) [worse](  JavaScript:alert(1)) [entity](&#106;avascript:alert(1))\n" +
		"[next](\njavascript:alert(1))\n\n[r]: https://tracker.example/OPS-1\n[x]: javascript:alert(2)\n\n```\nif a < b { return }\n```\n"
	got := Prose(in)
	html := render(t, got)
	for _, want := range []string{"<strong>QA</strong>", "<li>wrong <code>deploy.sh</code> flag</li>", `<a href="https://wiki.example/rb">the runbook</a>`,
		`<a href="https://tracker.example/OPS-1">ref</a>`, "&lt;script&gt;alert(1)&lt;/script&gt;", "if a &lt; b { return }"} {
		if !strings.Contains(html, want) {
			t.Errorf("rendering lacks %q:\n%s\nfrom:\n%s", want, html, got)
		}
	}
	for _, bad := range []string{"<script", "<img", "raw HTML"} {
		if strings.Contains(html, bad) {
			t.Errorf("rendering has %q:\n%s", bad, html)
		}
	}
	if strings.Contains(html, `href="javascript`) || strings.Contains(html, `href="JavaScript`) || strings.Contains(html, `href="&#106;`) || strings.Contains(html, `href=""`) {
		t.Errorf("a script link survived:\n%s", html)
	}
}

// A fence that a renderer closes earlier than it seems (an indented closing
// fence) must not let what follows through as raw HTML.
func TestProseFences(t *testing.T) {
	for _, in := range []string{
		"```\ncode\n  ```\n<script>x</script>\n```",
		"- item\n  ```\n<script>x</script>\n",
		"````\n```\n````\n<b>x</b>",
		"``` info`with backtick\n<b>x</b>\n```",
	} {
		html := render(t, Prose(in))
		if strings.Contains(html, "<script") || strings.Contains(html, "<b>") || strings.Contains(html, "raw HTML") {
			t.Errorf("Prose(%q) renders raw HTML:\n%s", in, html)
		}
	}
}

func TestLink(t *testing.T) {
	for _, c := range []struct{ text, href, want string }{
		{"OPS-42", "https://tracker.example/OPS-42", "[OPS-42](https://tracker.example/OPS-42)"},
		{"q", "https://t.example/a b|(c)", "[q](https://t.example/a%20b%7C%28c%29)"},
		{"x", "javascript:alert(1)", "x"},
		{"OPS-42", "OPS-42", "OPS-42"},
		{"[x]", "ftp://files.example/a", `\[x\]`},
	} {
		if got := Link(c.text, c.href); got != c.want {
			t.Errorf("Link(%q, %q) = %q, want %q", c.text, c.href, got, c.want)
		}
	}
	html := render(t, "| t |\n|---|\n| "+Link("a|b", "https://t.example/x|y")+" |\n")
	if !strings.Contains(html, `<td><a href="https://t.example/x%7Cy">a|b</a></td>`) {
		t.Errorf("link in a cell:\n%s", html)
	}
}
